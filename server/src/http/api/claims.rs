//! 以案定补兑现: `GET /api/v1/claims/draft`, `POST /api/v1/claims`,
//! `GET /api/v1/claims`, `GET /api/v1/claims/{id}` and
//! `POST /api/v1/claims/{id}/steps`, the party group's
//! `POST /api/v1/claims/{id}/special-decisions`, the call-back spot
//! checks (`…/spot-check`, `…/spot-check/calls`) and the payments.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::query::read_query;
use crate::http::state::AppState;
use crate::service::{Caller, claim_files, claim_print, claims, special_cases, spot_checks};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use domain::api::{
    BulkStepAnswer, BulkStepRequest, BulkStepResult, ClaimDraft, ClaimSummary, ClaimView,
    ErrorBody, MediatorPaymentRequest, MySubsidy, NewClaim, ReceiptRequest, StepRequest,
    TownshipPaymentRequest,
};
use domain::claim::{Payment, Quarter, Summary};
use domain::reconcile::Reconciliation;
use domain::special::SpecialRequest;
use domain::spot_check::{CallRequest, DrawRequest};
use domain::{ClaimId, PaymentId};
use serde::Deserialize;

/// A claim of a committee's quarter lists at most a few hundred cases.
const CLAIM_BODY_LIMIT: usize = 256 * 1024;
/// A step's decisions: an opinion and a reason per line.
const STEP_BODY_LIMIT: usize = 512 * 1024;
/// A receipt: a yes or no and a short note.
const RECEIPT_BODY_LIMIT: usize = 8 * 1024;

fn quarter(text: &str) -> Result<Quarter, ApiError> {
    text.parse()
        .map_err(|e: domain::claim::QuarterError| ApiError::invalid("quarter", e.to_string()))
}

/// The query of `GET /api/v1/claims/draft`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DraftParams {
    /// The committee.
    pub unit_id: String,
    /// `2026-Q3`.
    pub quarter: String,
}

/// What a committee may claim for a quarter now (补助申报预览): its
/// synced, closed, unclaimed cases that earn a tier by the server's verdict.
#[utoipa::path(
    get,
    path = "/api/v1/claims/draft",
    tag = "claims",
    security(("bearer" = [])),
    params(DraftParams),
    responses(
        (status = 200, description = "The lines the committee may claim", body = ClaimDraft),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the committee's head (or its mediator where it has no head) (`forbidden`)", body = ErrorBody),
        (status = 422, description = "Not a committee of the caller's, not one that claims, or a quarter not begun (`invalid`, field `unit_id` or `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn draft(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<DraftParams>, QueryRejection>,
) -> Result<Json<ClaimDraft>, ApiError> {
    let params = read_query(params)?;
    let unit_id = domain::UnitId::parse(&params.unit_id)
        .map_err(|_| ApiError::malformed(Some("unit_id".into()), "不是有效的编号 / not an id"))?;
    let quarter = quarter(&params.quarter)?;
    Ok(Json(
        claims::draft(&state.store, &caller, unit_id, quarter).await?,
    ))
}

/// Submits a committee's claim of a quarter: every case is checked again
/// and locked on every phone while the claim is approved.
#[utoipa::path(
    post,
    path = "/api/v1/claims",
    tag = "claims",
    security(("bearer" = [])),
    request_body = NewClaim,
    responses(
        (status = 200, description = "The claim, waiting for its first review", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the committee's head (or its mediator where it has no head) (`forbidden`)", body = ErrorBody),
        (status = 409, description = "A case went into another claim meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "A case that may not be claimed (`invalid`, field `cases[i]` with why), or the committee or quarter (`unit_id`, `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: NewClaim = read_json(body, CLAIM_BODY_LIMIT).await?;
    Ok(Json(claims::submit(&state.store, &caller, req).await?))
}

/// The query of `GET /api/v1/claims`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Only this quarter (`2026-Q3`); default all.
    pub quarter: Option<String>,
}

/// The claims of the committees whose amounts the caller sees; `my_step`
/// marks those waiting for the caller (待我处理).
#[utoipa::path(
    get,
    path = "/api/v1/claims",
    tag = "claims",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "The claims, by committee then submission", body = Vec<ClaimSummary>),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<Vec<ClaimSummary>>, ApiError> {
    let params = read_query(params)?;
    let quarter = params.quarter.as_deref().map(quarter).transpose()?;
    Ok(Json(claims::list(&state.store, &caller, quarter).await?))
}

/// One claim whole: its lines as claimed, the reviewers' changes, the
/// signatures, the lines as they stand and the totals.
#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The claim", body = ClaimView),
        (status = 400, description = "Not an id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
) -> Result<Json<ClaimView>, ApiError> {
    Ok(Json(claims::get(&state.store, &caller, id).await?))
}

/// The claim's lines that look like another case (重复申报核查)
///
/// For each line with a flag, the cases that look like the same dispute
/// (as `GET /api/v1/cases/{id}/duplicates`); lines without are left out.
/// For the offices that review the claim.
#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}/duplicates",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The flagged lines, in the claim's order", body = Vec<domain::duplicate::CaseDuplicates>),
        (status = 400, description = "Not an id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller reads the claim but does not review it: the committee, a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn duplicates(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
) -> Result<Json<Vec<domain::duplicate::CaseDuplicates>>, ApiError> {
    Ok(Json(
        crate::service::duplicates::of_claim(&state.store, &caller, id).await?,
    ))
}

/// Signs the step the claim waits for (初审 … 审批): pass it on or return it
/// whole, after reducing or returning lines, each with a reason.
#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/steps",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    request_body = StepRequest,
    responses(
        (status = 200, description = "The claim after the signature", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not hold the step's role over the committee (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 409, description = "Signed by someone else since `version` (`stale`)", body = ErrorBody),
        (status = 422, description = "Not the step it waits for, a second step by one person, a line decision or an empty opinion (`invalid`, with the field)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn sign(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: StepRequest = read_json(body, STEP_BODY_LIMIT).await?;
    Ok(Json(claims::sign(&state.store, &caller, id, req).await?))
}

/// 批量签署: passes many claims waiting at the same review step with one
/// opinion, each signed on its own as `POST /api/v1/claims/{id}/steps`
/// would (its version, every check); the answer lists each claim's new
/// stage, or the error a single signature would have had.
#[utoipa::path(
    post,
    path = "/api/v1/claims/steps",
    tag = "claims",
    security(("bearer" = [])),
    request_body = BulkStepRequest,
    responses(
        (status = 200, description = "Each claim, in the request's order: signed (`stage`) or refused (`error`: `forbidden`, `stale`, `invalid` …)", body = BulkStepAnswer),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "No opinion (`opinion`), not a review step (`step`), no claims, too many or one twice (`claims`, `claims[i]`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn sign_many(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<BulkStepAnswer>, ApiError> {
    let req: BulkStepRequest = read_json(body, STEP_BODY_LIMIT).await?;
    let results = claims::sign_many(&state.store, &caller, req)
        .await?
        .into_iter()
        .map(|(id, result)| match result {
            Ok(view) => BulkStepResult {
                id,
                stage: Some(view.claim.stage),
                error: None,
            },
            Err(e) => BulkStepResult {
                id,
                stage: None,
                error: Some(ApiError::from(e).status_and_body().1),
            },
        })
        .collect();
    Ok(Json(BulkStepAnswer { results }))
}

/// 党组决定: the party group's decision on a line reported as especially
/// grave (重特大), while the claim waits at 审批: recognised, with the amount
/// (the line moves to the special tier), or not (it keeps its tier).
#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/special-decisions",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    request_body = SpecialRequest,
    responses(
        (status = 200, description = "The claim after the decision", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not speak for the party group over the committee (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 409, description = "Changed by someone else since `version`, or the line decided meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "Not at 审批, a line not reported or already decided (`case_id`), no minutes (`minutes`), an amount missing, not above what the line earns or too large (`amount`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn decide_special(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: SpecialRequest = read_json(body, RECEIPT_BODY_LIMIT).await?;
    Ok(Json(
        special_cases::decide(&state.store, &caller, id, req).await?,
    ))
}

/// 回访抽查: the judicial office draws the claim's call-back sample at 初审
/// (once, from a seed the server records; the rule set says how many).
#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/spot-check",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    request_body = DrawRequest,
    responses(
        (status = 200, description = "The claim with its sample (`claim.spot_check`)", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not sign 初审 over the committee (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 409, description = "Changed by someone else since `version` (`stale`)", body = ErrorBody),
        (status = 422, description = "Not at 初审, already drawn, or no call-backs in the quarter's rules (`version`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn draw_spot_check(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: DrawRequest = read_json(body, RECEIPT_BODY_LIMIT).await?;
    Ok(Json(
        spot_checks::draw(&state.store, &caller, id, req).await?,
    ))
}

/// 回访记录: one call to a party of a sampled case. A party who denies the
/// mediation takes the case out of the claim, with what they said.
#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/spot-check/calls",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    request_body = CallRequest,
    responses(
        (status = 200, description = "The claim after the call", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not sign 初审 over the committee (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 409, description = "Changed by someone else since `version` (`stale`)", body = ErrorBody),
        (status = 422, description = "Not at 初审 (`version`); no sample, a case not in it, sent back or decided (`case_id`); answers that disagree (`reached`, `satisfied`); a denial without what the party said, or notes too long (`notes`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn record_call(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: CallRequest = read_json(body, RECEIPT_BODY_LIMIT).await?;
    Ok(Json(
        spot_checks::call(&state.store, &caller, id, req).await?,
    ))
}

/// 拨付: the bureau's finance paid a township's finance office these
/// approved claims of a quarter (their total to the fen, with the voucher).
#[utoipa::path(
    post,
    path = "/api/v1/claims/township-payments",
    tag = "claims",
    security(("bearer" = [])),
    request_body = TownshipPaymentRequest,
    responses(
        (status = 200, description = "The payment; each claim waits for 核发", body = Payment),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the bureau's finance over a claim (`forbidden`)", body = ErrorBody),
        (status = 409, description = "A claim was paid or signed meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "A claim not waiting for 拨付 or of another township or quarter (`claims[i]`), an amount that is not their total (`amount`), a date (`paid_on`) or voucher (`voucher`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pay_township(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<Payment>, ApiError> {
    let req: TownshipPaymentRequest = read_json(body, CLAIM_BODY_LIMIT).await?;
    Ok(Json(
        claims::pay_township(&state.store, &caller, req).await?,
    ))
}

/// 核发: the township's finance office paid a mediator what they earn in
/// the claim (to the fen).
#[utoipa::path(
    post,
    path = "/api/v1/claims/{id}/mediator-payments",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    request_body = MediatorPaymentRequest,
    responses(
        (status = 200, description = "The claim with its payments", body = ClaimView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the township's finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 409, description = "The mediator was paid meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "Not waiting for 核发 (`step`), a mediator who earns nothing or was paid (`mediator_id`), an amount not due (`amount`), a date or reference (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pay_mediator(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
    body: Body,
) -> Result<Json<ClaimView>, ApiError> {
    let req: MediatorPaymentRequest = read_json(body, STEP_BODY_LIMIT).await?;
    Ok(Json(
        claims::pay_mediator(&state.store, &caller, id, req).await?,
    ))
}

/// 到账确认: the mediator paid says the money arrived, or that it did not
/// (the judicial office hears of it).
#[utoipa::path(
    post,
    path = "/api/v1/payments/{id}/receipt",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The payment's id")),
    request_body = ReceiptRequest,
    responses(
        (status = 200, description = "The payment with the receipt", body = Payment),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 404, description = "No payment to the caller with this id (`not_found`)", body = ErrorBody),
        (status = 422, description = "Already confirmed (`received`), or a note missing or too long (`note`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn receipt(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<PaymentId>,
    body: Body,
) -> Result<Json<Payment>, ApiError> {
    let req: ReceiptRequest = read_json(body, RECEIPT_BODY_LIMIT).await?;
    Ok(Json(
        claims::confirm_receipt(&state.store, &caller, id, req).await?,
    ))
}

/// 我的补助: the caller's cases in every claim, where each stands, and
/// the payments made to them.
#[utoipa::path(
    get,
    path = "/api/v1/claims/mine",
    tag = "claims",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's lines and payments", body = MySubsidy),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn mine(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<MySubsidy>, ApiError> {
    Ok(Json(claims::mine(&state.store, &caller).await?))
}

/// The query of the quarter's summary and its files.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SummaryParams {
    /// `2026-Q3`.
    pub quarter: String,
}

/// The quarter's claims the caller sees, summed by township and for all
/// (复核汇总表): each committee's claim by tier, each township's table, the
/// total in figures and in capitals. Returned claims are left out.
#[utoipa::path(
    get,
    path = "/api/v1/claims/summary",
    tag = "claims",
    security(("bearer" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SummaryParams>, QueryRejection>,
) -> Result<Json<Summary>, ApiError> {
    let quarter = quarter(&read_query(params)?.quarter)?;
    let (summary, _) = claims::summary(&state.store, &caller, quarter).await?;
    Ok(Json(summary))
}

/// 对账: the quarter's claims the caller sees, at every link of the chain
/// (lines, approved, paid to the township, paid to the mediators,
/// confirmed), summed by township and for the city, with every difference
/// to the fen and the lines behind it.
#[utoipa::path(
    get,
    path = "/api/v1/claims/reconciliation",
    tag = "claims",
    security(("bearer" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The reconciliation", body = Reconciliation),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn reconciliation(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SummaryParams>, QueryRejection>,
) -> Result<Json<Reconciliation>, ApiError> {
    let quarter = quarter(&read_query(params)?.quarter)?;
    Ok(Json(
        claims::reconciliation(&state.store, &caller, quarter).await?,
    ))
}

/// A file to download, named in Chinese (RFC 6266 `filename*`).
fn file(bytes: Vec<u8>, content_type: &'static str, name: &str, ascii: &str) -> Response {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The summary and its lines as an Excel workbook for finance (sheets 汇总
/// and 明细; no party's name).
#[utoipa::path(
    get,
    path = "/api/v1/claims/summary.xlsx",
    tag = "claims",
    security(("bearer" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn summary_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SummaryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let quarter = quarter(&read_query(params)?.quarter)?;
    let (summary, all) = claims::summary(&state.store, &caller, quarter).await?;
    let rows = claim_files::detail_rows(&summary, &all);
    let tiers = claims::tier_codes(quarter);
    let bytes = tokio::task::spawn_blocking(move || claim_files::workbook(&summary, &rows, &tiers))
        .await
        .map_err(|e| ApiError::Internal(format!("workbook task: {e}")))?
        .map_err(|e| ApiError::Internal(format!("workbook: {e}")))?;
    Ok(file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("以案定补兑现汇总表-{quarter}.xlsx"),
        &format!("claims-{quarter}.xlsx"),
    ))
}

/// The summary's lines as CSV (UTF-8 with a byte-order mark).
#[utoipa::path(
    get,
    path = "/api/v1/claims/summary.csv",
    tag = "claims",
    security(("bearer" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The lines", content_type = "text/csv", body = String),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn summary_csv(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SummaryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let quarter = quarter(&read_query(params)?.quarter)?;
    let (summary, all) = claims::summary(&state.store, &caller, quarter).await?;
    let rows = claim_files::detail_rows(&summary, &all);
    let bytes =
        claim_files::lines_csv(&rows).map_err(|e| ApiError::Internal(format!("csv: {e}")))?;
    Ok(file(
        bytes,
        "text/csv; charset=utf-8",
        &format!("以案定补兑现明细-{quarter}.csv"),
        &format!("claims-{quarter}.csv"),
    ))
}

/// The claim's approval slip 《"以案定补"补助兑现审批单》 for A4: its lines,
/// the total in figures and in capitals, and each step's signature (or a
/// blank line for it), as an HTML file to open and print. The parties'
/// names only to those who read the committee's cases.
#[utoipa::path(
    get,
    path = "/api/v1/claims/{id}/slip.html",
    tag = "claims",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The claim's id")),
    responses(
        (status = 200, description = "The slip", content_type = "text/html", body = String),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 404, description = "No such claim in the caller's units (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn slip_html(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<ClaimId>,
) -> Result<Response, ApiError> {
    let view = claims::get(&state.store, &caller, id).await?;
    let html = claim_print::slip(&view);
    Ok(file(
        html.into_bytes(),
        "text/html; charset=utf-8",
        &format!(
            "以案定补兑现审批单-{}-{}.html",
            view.claim.unit_name, view.claim.quarter
        ),
        &format!("claim-{}.html", view.claim.id),
    ))
}

/// The quarter's 兑现审批表 for A4: a page per township the caller sees
/// (its committees by tier, the total in figures and capitals, its fund)
/// and the summary page, with signature lines, as an HTML file.
#[utoipa::path(
    get,
    path = "/api/v1/claims/summary.html",
    tag = "claims",
    security(("bearer" = [])),
    params(SummaryParams),
    responses(
        (status = 200, description = "The tables", content_type = "text/html", body = String),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn summary_html(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<SummaryParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let quarter = quarter(&read_query(params)?.quarter)?;
    let (summary, _) = claims::summary(&state.store, &caller, quarter).await?;
    let html = claim_print::tables(&summary, &claims::tier_codes(quarter));
    Ok(file(
        html.into_bytes(),
        "text/html; charset=utf-8",
        &format!("以案定补兑现审批表-{quarter}.html"),
        &format!("claims-{quarter}.html"),
    ))
}
