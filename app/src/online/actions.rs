//! What the online screens do on the server (docs/sync.md, "Office
//! actions"): lock and unlock a case, its risk steps and referral, the
//! case as the server holds it, the device list, the compliance view, the
//! inbox. Online only; each checks the network and the session first and
//! answers an [`ActionError`] a form can show next to its field. On the
//! server (no browser) each answers [`NOT_HERE`].

#![cfg_attr(not(feature = "hydrate"), allow(unused_variables))]

#[cfg(feature = "hydrate")]
use super::client::{self, ApiError};
#[cfg(not(feature = "hydrate"))]
use crate::phone::NOT_HERE;
pub use domain::api::{AccountView, CaseLock, DeviceSession};
use domain::api::{
    CaseHistory, CaseOwnership, CaseRisk, Inbox, ReferralRequest, RiskStepRequest, ServerCase,
};
use domain::screening::ComplianceReport;
use domain::{AccountId, CaseId, DeviceSessionId, InboxItemId};

/// Why an action did not happen: the message for people, and the request
/// field it is about (e.g. `reason`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError {
    pub message: String,
    pub field: Option<String>,
}

impl ActionError {
    /// The message, when the error is about `field` (shown next to it).
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl From<String> for ActionError {
    fn from(message: String) -> Self {
        ActionError {
            message,
            field: None,
        }
    }
}

/// Whether the browser says it has a network (`navigator.onLine`); on the
/// server, true.
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(feature = "hydrate"))]
    true
}

/// What an online action says when the browser has no network.
pub const NEEDS_NETWORK: &str =
    "此操作需要网络，请联网后再试 / this needs a network: try again when online";

#[cfg(feature = "hydrate")]
impl From<ApiError> for ActionError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Offline(e) => {
                leptos::logging::warn!("cannot reach the server: {e}");
                ActionError::from(
                    "连不上服务器，请有信号时再试 / cannot reach the server: try again with a signal"
                        .to_owned(),
                )
            }
            ApiError::Refused { message, field, .. } => ActionError { message, field },
            ended @ (ApiError::Revoked | ApiError::Expired | ApiError::Disabled) => {
                ActionError::from(ended.text())
            }
        }
    }
}

/// The token of the logged-in session, or why there is none; checks the
/// network first.
#[cfg(feature = "hydrate")]
async fn token() -> Result<String, ActionError> {
    if !online() {
        return Err(ActionError::from(NEEDS_NETWORK.to_owned()));
    }
    match super::account::session().await? {
        Some(s) => Ok(s.token),
        None => Err(ActionError::from("请先登录 / log in first".to_owned())),
    }
}

/// Runs `$call` (an expression using the session's `$token`) in the
/// browser; on the server answers [`NOT_HERE`].
macro_rules! with_token {
    (|$token:ident| $call:expr) => {{
        #[cfg(feature = "hydrate")]
        {
            let $token = token().await?;
            Ok($call.await?)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Err(ActionError::from(NOT_HERE.to_owned()))
        }
    }};
}

/// Locks a case for review (`Some(reason)`) or unlocks it (`None`), on the
/// server. The phone's copy changes at the next sync's pull.
pub async fn set_case_lock(id: CaseId, reason: Option<String>) -> Result<CaseLock, ActionError> {
    with_token!(|t| async {
        match reason {
            Some(reason) => client::lock(&t, id, reason).await,
            None => client::unlock(&t, id).await,
        }
    })
}

/// The judicial office's finding on a major case's facts, on the server;
/// the phone's copy follows at the next sync.
pub async fn review_major(
    id: CaseId,
    verified: bool,
    opinion: String,
) -> Result<domain::api::MajorReviewed, ActionError> {
    with_token!(|t| client::review_major(
        &t,
        id,
        &domain::api::MajorReviewRequest { verified, opinion }
    ))
}

/// A case's risk assessment, its levels and who may be named.
pub async fn case_risk(id: CaseId) -> Result<CaseRisk, ActionError> {
    with_token!(|t| client::risk(&t, id))
}

/// Takes a step of a case's risk assessment on the server; the phone's
/// copy follows at the next sync.
pub async fn risk_step(id: CaseId, step: RiskStepRequest) -> Result<CaseRisk, ActionError> {
    with_token!(|t| client::risk_step(&t, id, &step))
}

/// A case as the server holds it, when it is not on this device: a
/// referral across the tree waits at the caller's unit.
pub async fn server_case(id: CaseId) -> Result<ServerCase, ActionError> {
    with_token!(|t| client::server_case(&t, id))
}

/// A case's versions on the server (修改记录), newest first.
pub async fn case_history(id: CaseId) -> Result<CaseHistory, ActionError> {
    with_token!(|t| client::case_history(&t, id))
}

/// A case's money trail on the server (补助变动记录), oldest first.
pub async fn money_trail(id: CaseId) -> Result<domain::money_trail::MoneyTrail, ActionError> {
    with_token!(|t| client::money_trail(&t, id))
}

/// The cases that look like the same dispute (重复申报核查) as a case or a
/// claim's lines (`of`: `/api/v1/cases/{id}` or `/api/v1/claims/{id}`),
/// for an office that reviews them.
pub async fn duplicates(of: String) -> Result<Vec<domain::duplicate::CaseDuplicates>, ActionError> {
    with_token!(|t| client::duplicates(&t, &of))
}

/// Who owns a case, its hand-overs and where it may go.
pub async fn case_referral(id: CaseId) -> Result<CaseOwnership, ActionError> {
    with_token!(|t| client::referral(&t, id))
}

/// Refers, withdraws, accepts or declines on the server.
pub async fn referral_step(
    id: CaseId,
    step: ReferralRequest,
) -> Result<CaseOwnership, ActionError> {
    with_token!(|t| client::referral_step(&t, id, &step))
}

/// The device sessions of the people below the caller's units.
pub async fn devices() -> Result<Vec<DeviceSession>, ActionError> {
    with_token!(|t| client::devices(&t))
}

/// Revokes a lost phone's session; returns its row, now revoked.
pub async fn revoke_device(id: DeviceSessionId) -> Result<DeviceSession, ActionError> {
    with_token!(|t| client::revoke_device(&t, id))
}

/// The accounts of the people below the caller's office (账号管理).
pub async fn accounts() -> Result<Vec<AccountView>, ActionError> {
    with_token!(|t| client::accounts(&t))
}

/// Gives an account a new password; returns its row.
pub async fn set_password(id: AccountId, password: String) -> Result<AccountView, ActionError> {
    with_token!(|t| client::set_password(&t, id, &domain::api::PasswordRequest { password }))
}

/// Stops (`true`) or lets in again (`false`) an account; returns its row.
pub async fn set_account_disabled(
    id: AccountId,
    disabled: bool,
) -> Result<AccountView, ActionError> {
    with_token!(|t| client::set_account_disabled(&t, id, disabled))
}

/// The screening compliance view of the caller's units (offices), as it
/// stood on the China date `on` (today when `None`).
pub async fn compliance(on: Option<jiff::civil::Date>) -> Result<ComplianceReport, ActionError> {
    with_token!(|t| client::compliance(&t, on))
}

/// The caller's inbox.
pub async fn inbox() -> Result<Inbox, ActionError> {
    with_token!(|t| client::inbox(&t))
}

/// Marks an inbox item read.
pub async fn mark_inbox_read(id: InboxItemId) -> Result<(), ActionError> {
    with_token!(|t| client::mark_read(&t, id))
}

/// What a committee may claim for a quarter now (申报预览).
pub async fn claim_draft(
    unit: domain::UnitId,
    quarter: domain::claim::Quarter,
) -> Result<domain::api::ClaimDraft, ActionError> {
    with_token!(|t| client::claim_draft(&t, unit, quarter))
}

/// Submits a committee's quarterly claim of these cases.
pub async fn submit_claim(
    req: domain::api::NewClaim,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::submit_claim(&t, &req))
}

/// The claims the caller sees.
pub async fn claims() -> Result<Vec<domain::api::ClaimSummary>, ActionError> {
    with_token!(|t| client::claims(&t))
}

/// 对账: a quarter's claims at every link of the chain.
pub async fn reconciliation(
    quarter: domain::claim::Quarter,
) -> Result<domain::reconcile::Reconciliation, ActionError> {
    with_token!(|t| client::reconciliation(&t, quarter))
}

/// One claim whole.
pub async fn claim(id: domain::ClaimId) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::claim(&t, id))
}

/// Signs the step a claim waits for.
pub async fn sign_claim(
    id: domain::ClaimId,
    req: domain::api::StepRequest,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::sign_claim(&t, id, &req))
}

/// 批量签署: passes many claims at one review step.
pub async fn sign_many(
    req: domain::api::BulkStepRequest,
) -> Result<domain::api::BulkStepAnswer, ActionError> {
    with_token!(|t| client::sign_many(&t, &req))
}

/// 党组决定: the party group's decision on a line reported as especially
/// grave.
pub async fn decide_special(
    id: domain::ClaimId,
    req: domain::special::SpecialRequest,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::decide_special(&t, id, &req))
}

/// 回访抽查: draws the claim's call-back sample at 初审.
pub async fn draw_spot_check(
    id: domain::ClaimId,
    req: domain::spot_check::DrawRequest,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::draw_spot_check(&t, id, &req))
}

/// 回访记录: one call to a party of a sampled case.
pub async fn record_call(
    id: domain::ClaimId,
    req: domain::spot_check::CallRequest,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::record_call(&t, id, &req))
}

/// 拨付: records the payment of approved claims to a township.
pub async fn pay_township(
    req: domain::api::TownshipPaymentRequest,
) -> Result<domain::claim::Payment, ActionError> {
    with_token!(|t| client::pay_township(&t, &req))
}

/// 核发: records the payment of a mediator's part of a claim.
pub async fn pay_mediator(
    id: domain::ClaimId,
    req: domain::api::MediatorPaymentRequest,
) -> Result<domain::api::ClaimView, ActionError> {
    with_token!(|t| client::pay_mediator(&t, id, &req))
}

/// 到账确认: the mediator's word on a payment to them.
pub async fn confirm_receipt(
    id: domain::PaymentId,
    req: domain::api::ReceiptRequest,
) -> Result<domain::claim::Payment, ActionError> {
    with_token!(|t| client::confirm_receipt(&t, id, &req))
}

/// 我的补助, from the server.
pub async fn my_subsidy() -> Result<domain::api::MySubsidy, ActionError> {
    with_token!(|t| client::my_subsidy(&t))
}

/// The quarter's summary as a file (`xlsx` or `csv`), its bytes.
pub async fn claims_file(
    quarter: domain::claim::Quarter,
    ext: &str,
) -> Result<Vec<u8>, ActionError> {
    with_token!(|t| client::file(
        &format!("/api/v1/claims/summary.{ext}?quarter={quarter}"),
        &t
    ))
}

/// A claim's approval slip (审批单) for A4, an HTML file.
pub async fn claim_slip(id: domain::ClaimId) -> Result<Vec<u8>, ActionError> {
    with_token!(|t| client::file(&format!("/api/v1/claims/{id}/slip.html"), &t))
}

/// 履职认定: the office's month of full-time mediators.
pub async fn duty_month(
    month: domain::fixed_pay::Month,
) -> Result<domain::fixed_pay::DutyMonth, ActionError> {
    with_token!(|t| client::duty_month(&t, month))
}

/// 履职认定: the office's decision on a mediator's month.
pub async fn decide_duty(
    req: domain::fixed_pay::DutyRequest,
) -> Result<domain::fixed_pay::DutyRow, ActionError> {
    with_token!(|t| client::decide_duty(&t, &req))
}

/// 定额补助发放: the quarter's fixed subsidies of the caller's townships.
pub async fn payroll(
    quarter: domain::claim::Quarter,
) -> Result<domain::fixed_payroll::Payroll, ActionError> {
    with_token!(|t| client::payroll(&t, quarter))
}

/// 拨付 of the fixed part to a township.
pub async fn pay_fixed_township(
    req: domain::fixed_payroll::FixedTownshipPayment,
) -> Result<domain::claim::Payment, ActionError> {
    with_token!(|t| client::pay_fixed_township(&t, &req))
}

/// 核发 of the fixed part to a mediator.
pub async fn pay_fixed_mediator(
    req: domain::fixed_payroll::FixedMediatorPayment,
) -> Result<domain::claim::Payment, ActionError> {
    with_token!(|t| client::pay_fixed_mediator(&t, &req))
}
