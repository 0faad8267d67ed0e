use crate::ids::{DeviceId, DeviceSessionId, PersonId, UnitId};
use crate::{Role, UnitKind};
use serde::{Deserialize, Serialize};

/// `POST /api/v1/auth/login`: a phone number and password, and the device
/// that will hold the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's mobile number (手机号), e.g. `13800000001`.
    pub phone: String,
    pub password: String,
    /// Made by the app at each log-in (UUID); also its sync client id.
    pub device_id: DeviceId,
    /// e.g. "Redmi 9A · Chrome"; shown to offices that revoke devices.
    #[serde(default)]
    pub device_name: String,
}

/// A role the person holds at a unit of the organisation (e.g. a village
/// committee's mediator, 人民调解员; a township's judicial office, 司法所).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeView {
    pub role: Role,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_kind: UnitKind,
}

/// Who holds this device session, and where they hold roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identity {
    pub session_id: DeviceSessionId,
    pub person_id: PersonId,
    pub name: String,
    pub phone: String,
    pub scopes: Vec<ScopeView>,
}

/// The new device session's token and the identity behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Keep it secret: it is the device's key until revoked.
    pub token: String,
    #[serde(flatten)]
    pub identity: Identity,
}
