//! 以案定补兑现: `GET /api/v1/claims/draft`, `POST /api/v1/claims`,
//! `GET /api/v1/claims`, `GET /api/v1/claims/{id}` and
//! `POST /api/v1/claims/{id}/steps`.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::query::read_query;
use crate::http::state::AppState;
use crate::service::{Caller, claims};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use domain::ClaimId;
use domain::api::{ClaimDraft, ClaimSummary, ClaimView, ErrorBody, NewClaim, StepRequest};
use domain::claim::Quarter;
use serde::Deserialize;

/// A claim of a committee's quarter lists at most a few hundred cases.
const CLAIM_BODY_LIMIT: usize = 256 * 1024;
/// A step's decisions: an opinion and a reason per line.
const STEP_BODY_LIMIT: usize = 512 * 1024;

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
