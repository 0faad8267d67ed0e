//! The quarterly claim (以案定补兑现) on the wire: what a committee may
//! claim (`GET /api/v1/claims/draft`), the claim it submits
//! (`POST /api/v1/claims`), the claims a caller sees
//! (`GET /api/v1/claims`), one claim whole and a step's signature
//! (`POST /api/v1/claims/{id}/steps`).

use crate::claim::{
    Claim, ClaimLine, CurrentLine, Decision, LineDecision, PayMethod, Payment, Quarter, Stage, Step,
};
use crate::ids::{CaseId, ClaimId, PersonId, UnitId};
use crate::money::Money;
use crate::time::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What a committee may claim for a quarter now: its synced, closed,
/// unclaimed cases that earn a tier by the server's verdict, closed in the
/// quarter or — never claimed — before it (`late`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimDraft {
    pub unit_id: UnitId,
    pub unit_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub lines: Vec<ClaimLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("330.00")))]
    pub total: Money,
    /// The lines that may be reported as especially grave (重特大): they
    /// would earn the special tier once the party group decides.
    #[serde(default)]
    pub may_report_special: Vec<CaseId>,
}

/// `POST /api/v1/claims`: submit the quarter's claim of these cases (from
/// the draft; each is checked again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    pub unit_id: UnitId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub cases: Vec<CaseId>,
    /// Those of `cases` reported as especially grave (重特大, 一案一报),
    /// each with why: the party group decides them at 审批.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub special: Vec<crate::special::SpecialReport>,
}

/// A claim in a list (`GET /api/v1/claims`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimSummary {
    pub id: ClaimId,
    pub unit_id: UnitId,
    pub unit_name: String,
    pub township_id: UnitId,
    pub township_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("first_review")))]
    pub stage: Stage,
    pub version: u64,
    pub submitted_at: Timestamp,
    /// Lines claimed, and those not returned.
    pub lines: u32,
    pub lines_left: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("330.00")))]
    pub claimed_total: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("230.00")))]
    pub total: Money,
    /// The step the caller signs now, when it waits for them (待我处理).
    pub my_step: Option<Step>,
    /// Lines reported as especially grave that wait for the party group's
    /// decision (at 审批); counted for the party group only.
    #[serde(default)]
    pub special_waiting: u32,
    /// At 初审, under a rule that asks for call-backs (回访抽查): whether
    /// the sample is drawn and how many calls wait; none once they are
    /// done, or past 初审.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_backs: Option<CallBacksDue>,
}

/// What 初审 still has to do for a claim's call-backs (回访抽查).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CallBacksDue {
    /// The sample is not drawn yet.
    NotDrawn,
    /// Drawn; `calls` sampled lines still wait for a party reached.
    Waiting { calls: u32 },
}

/// One claim whole (`GET /api/v1/claims/{id}`, and the answer of a step),
/// with its lines as they stand now and its totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClaimView {
    pub claim: Claim,
    pub current: Vec<CurrentLine>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("330.00")))]
    pub claimed_total: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("230.00")))]
    pub total: Money,
    pub my_step: Option<Step>,
    /// The lines reported as especially grave that wait for the caller's
    /// decision (the party group's, at 审批).
    #[serde(default)]
    pub special_for_me: Vec<CaseId>,
    /// The payments of it (拨付, 核发) with the mediators' receipts.
    pub payments: Vec<Payment>,
}

/// `POST /api/v1/claims/{id}/steps`: sign the step the claim waits for —
/// pass it on or return it whole, with an opinion — after reducing or
/// returning some lines. `version` is the claim's as read: a claim signed
/// by someone else meanwhile is refused (409 `stale`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    pub step: Step,
    pub version: u64,
    pub decision: Decision,
    pub opinion: String,
    #[serde(default)]
    pub lines: Vec<LineDecision>,
    /// At 审批: why the township's claims may exceed its case fund this
    /// quarter (超支说明), required when they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overspend_note: Option<String>,
}

/// The most claims one bulk signature takes (a city's quarter is ~150).
pub const MAX_BULK_CLAIMS: usize = 300;

/// `POST /api/v1/claims/steps` (批量签署): one signer passes many claims
/// waiting for the same review step, with one opinion. Each claim is
/// signed on its own, on the version read — exactly as one by one — and
/// the answer says which were signed and why the others were not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkStepRequest {
    pub step: Step,
    pub opinion: String,
    pub claims: Vec<ClaimAt>,
    /// At 审批: the overspend note, for the claims whose township needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overspend_note: Option<String>,
}

/// A claim at the version the signer read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimAt {
    pub id: ClaimId,
    pub version: u64,
}

/// What became of each claim of a bulk signature, in the request's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkStepAnswer {
    pub results: Vec<BulkStepResult>,
}

/// One claim of a bulk signature: signed (where it waits now), or refused
/// with the error a single signature would have had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkStepResult {
    pub id: ClaimId,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, examples("second_review")))]
    pub stage: Option<Stage>,
    pub error: Option<crate::api::ErrorBody>,
}

/// `POST /api/v1/claims/township-payments` (拨付): the bureau's finance
/// paid a township's finance office these approved claims of a quarter;
/// `amount` is their total to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TownshipPaymentRequest {
    pub township_id: UnitId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    pub claims: Vec<ClaimId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("3300.00")))]
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub paid_on: Date,
    /// 凭证号.
    pub voucher: String,
}

/// `POST /api/v1/claims/{id}/mediator-payments` (核发): the township's
/// finance office paid a mediator what they earn in the claim, to the fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MediatorPaymentRequest {
    pub mediator_id: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("300.00")))]
    pub amount: Money,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    #[serde(with = "crate::dates::iso")]
    pub paid_on: Date,
    pub method: PayMethod,
    /// The bank's reference or the receipt number.
    pub reference: String,
}

/// `POST /api/v1/payments/{id}/receipt` (到账确认): the mediator says the
/// money arrived, or that it did not (with what they know).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    pub received: bool,
    #[serde(default)]
    pub note: String,
}

/// 我的补助 (`GET /api/v1/claims/mine`): the caller's lines in every claim,
/// where each stands, and the payments made to them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MySubsidy {
    pub lines: Vec<MyLine>,
    pub payments: Vec<Payment>,
    /// The fixed part by month (定额补助): the judicial office's last
    /// decision of each month, newest first.
    pub fixed: Vec<crate::fixed_pay::DutyDecision>,
}

/// One of the caller's cases in a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyLine {
    pub claim_id: ClaimId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-Q3")))]
    pub quarter: Quarter,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("first_review")))]
    pub stage: Stage,
    pub line: ClaimLine,
    pub current: CurrentLine,
}
