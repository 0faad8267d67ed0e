//! `GET`/`POST /api/v1/cases/{id}/referral`: who owns a case, its
//! hand-overs, and the next one (docs/screening.md, "Ownership and
//! referral").

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::referral;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use domain::CaseId;
use domain::api::ErrorBody;
use domain::api::{CaseOwnership, ReferralRequest};

const BODY_LIMIT: usize = 8 * 1024;

/// Who owns a case, its hand-overs and where it may be referred
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/referral",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The owner, the hand-overs, the units it may go to", body = CaseOwnership),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "A role that reads case numbers and amounts only: a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, nor referred to or accepted by their unit (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<CaseOwnership>, ApiError> {
    Ok(Json(referral::get(&state.store, &caller, id).await?))
}

/// Refers a case up the ladder, withdraws, accepts or declines a referral
///
/// The owner refers (移交); the receiving unit's people accept (接收: the
/// case's owner becomes the acceptor, a new version devices pull) or
/// decline with a reason (退回); the referrer may withdraw (撤回) before an
/// answer.
#[utoipa::path(
    post,
    path = "/api/v1/cases/{id}/referral",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    request_body = ReferralRequest,
    responses(
        (status = 200, description = "The ownership after the step", body = CaseOwnership),
        (status = 400, description = "Bad id or body (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "A role that neither records the case nor answers for the unit it waits at: an office that reviews, a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, nor referred to or accepted by their unit (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
        (status = 422, description = "Not the caller's step, not up the ladder, one already waiting, no reason to decline (`invalid`, with the field)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn act(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
    body: Body,
) -> Result<Json<CaseOwnership>, ApiError> {
    let req: ReferralRequest = read_json(body, BODY_LIMIT).await?;
    Ok(Json(referral::act(&state.store, &caller, id, req).await?))
}
