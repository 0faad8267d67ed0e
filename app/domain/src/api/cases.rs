use crate::case::Case;
use crate::ids::CaseId;
use serde::{Deserialize, Serialize};

/// One case as the server holds it (`GET /api/v1/cases/{id}`): for the
/// people of a unit a referral across the tree waits at, who read it online
/// before it is theirs (it reaches their phones once they accept it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerCase {
    /// A `domain::case::Case` as JSON (案件).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub case: Case,
    /// The name of the committee that registered it.
    pub unit_name: String,
    /// The parties' ID numbers, phones, addresses and the photos are left
    /// out: the case is shown for a referral not accepted yet.
    pub contacts_hidden: bool,
}

/// `PUT /api/v1/cases/{id}/lock`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LockRequest {
    /// Why, for the mediator (e.g. 季度审核中).
    pub reason: String,
}

/// A case's lock as an office set it (`PUT`/`DELETE /api/v1/cases/{id}/lock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseLock {
    pub id: CaseId,
    /// The case's version after the change (devices pull it).
    pub version: u64,
    pub locked_reason: Option<String>,
}
