use crate::case::Case;
use crate::ids::CaseId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One case as the server holds it (`GET /api/v1/cases/{id}`): for the
/// people of a unit a referral across the tree waits at, who read it online
/// before it is theirs (it reaches their phones once they accept it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerCase {
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

/// `PUT /api/v1/cases/{id}/major-review`: the judicial office's finding
/// on a major case's facts (重大纠纷核实).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MajorReviewRequest {
    /// Verified (true), or not (false: the opinion names what is missing).
    pub verified: bool,
    /// 1 to 500 characters.
    pub opinion: String,
}

/// A case after the review of its major-case facts: its new version, the
/// review and the server's verdict with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MajorReviewed {
    pub id: CaseId,
    pub version: u64,
    pub major_review: crate::case::MajorReview,
    pub verdict: crate::rules::Verdict,
}

/// A case's versions as the server keeps them (修改记录,
/// `GET /api/v1/cases/{id}/history`), newest first: who made each and
/// when, what it changed, and the values a change replaced by the server's
/// order (a conflict: docs/sync.md, "Conflicts").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseHistory {
    pub versions: Vec<CaseVersion>,
}

/// One version of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseVersion {
    pub version: u64,
    /// When it was made (none where the server did not keep it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// The name of who made it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// How: `sync` (a phone's change, or its first registration), or an
    /// office's action on the server: `lock`, `unlock`, `risk`, `referral`,
    /// `major_verified`, `major_refused` (重大纠纷核实).
    pub how: String,
    /// The fields it changed from the version before (none for the first).
    pub changed: Vec<String>,
    /// The values of the version before that this one's change replaced
    /// where both sides had changed them (the later change won).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overridden: Vec<OverriddenValue>,
    /// The case was deleted by this version.
    pub deleted: bool,
}

/// A field's value that a later change replaced in a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverriddenValue {
    /// A top-level field of the case, e.g. `follow_up`.
    pub field: String,
    /// Its value before (JSON, as in the case).
    pub was: serde_json::Value,
}
