use crate::ids::DeviceSessionId;
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
