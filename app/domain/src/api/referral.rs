use crate::UnitKind;
use crate::ids::{CaseId, PersonId, UnitId};
use crate::referral::Ownership;
use serde::{Deserialize, Serialize};

/// A unit a case may be referred to (移交).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReferralTarget {
    pub unit_id: UnitId,
    pub name: String,
    /// `village`, `township`, `city`…
    pub kind: UnitKind,
}

/// Who owns a case, its hand-overs and where it may go (`GET` and `POST
/// /api/v1/cases/{id}/referral`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseOwnership {
    pub case_id: CaseId,
    /// The case's version (an acceptance makes a new one).
    pub version: u64,
    pub owner_id: PersonId,
    /// The owner and the units and people of the history, by id.
    pub names: std::collections::BTreeMap<String, String>,
    /// Every hand-over; none before the first referral.
    pub ownership: Option<Ownership>,
    /// Units above the owner's, for a referral (empty while one waits).
    pub targets: Vec<ReferralTarget>,
}

/// A step of a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralAction {
    /// 移交 — the owner hands the case to a unit.
    Refer,
    /// 撤回 — the referrer takes it back before an answer.
    Withdraw,
    /// 接收 — the receiving unit's person takes it over.
    Accept,
    /// 退回 — the receiving unit declines, with a reason.
    Decline,
    /// Any other word: refused with the field named (not as a malformed
    /// body), so the app can show it next to the choice.
    #[serde(other)]
    Unknown,
}

/// `POST /api/v1/cases/{id}/referral`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// `refer` (the owner), `withdraw` (the referrer), `accept` or
    /// `decline` (the receiving unit's people).
    pub action: ReferralAction,
    /// The unit to refer to (for `refer`).
    #[serde(default)]
    pub to_unit: Option<UnitId>,
    /// Why (needed to decline).
    #[serde(default)]
    pub note: String,
}
