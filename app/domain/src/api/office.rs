use crate::ids::{AccountId, DeviceSessionId};
use crate::people::Role;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// A device session of someone in the units the caller supervises
/// (`GET /api/v1/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceSession {
    /// The device session's id (what revocation names).
    pub id: DeviceSessionId,
    pub person_name: String,
    pub phone: String,
    pub unit_name: String,
    pub device_name: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

/// An account of someone in the units below the caller's office
/// (`GET /api/v1/accounts`, 账号管理).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: AccountId,
    pub person_name: String,
    /// The number the account logs in with.
    pub phone: String,
    /// The person's unit (a committee, or a township's office).
    pub unit_name: String,
    /// The roles the person holds.
    pub roles: Vec<Role>,
    /// Set while the account is stopped (停用): no log-in, its phones are
    /// refused and wiped.
    pub disabled_at: Option<Timestamp>,
    /// When one of its phones last reached the server.
    pub last_seen_at: Option<Timestamp>,
}

/// `POST /api/v1/accounts/{id}/password`: the new password an office
/// gives to someone who forgot theirs (told to them in person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    /// 8 to 128 characters.
    pub password: String,
}
