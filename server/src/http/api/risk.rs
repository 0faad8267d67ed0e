//! `GET`/`PUT /api/v1/cases/{id}/risk`: a case's risk assessment (风险研判)
//! and its next step (docs/screening.md, "Risk assessment").

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::risk;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use domain::CaseId;
use domain::api::ErrorBody;
use domain::api::{CaseRisk, RiskStepRequest};

const BODY_LIMIT: usize = 8 * 1024;

/// A case's risk assessment and who may be named responsible
#[utoipa::path(
    get,
    path = "/api/v1/cases/{id}/risk",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The assessment, the levels and the candidates", body = CaseRisk),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "A role that reads case numbers and amounts only: a finance office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation, or only referred to their unit and not accepted (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<CaseRisk>, ApiError> {
    Ok(Json(risk::get(&state.store, &caller, id).await?))
}

/// Takes the next step of a case's risk assessment
///
/// The committee's mediators and head agree the level (村议定); the
/// township's judicial office confirms it and names a responsible person
/// for a high level (乡审定, 包保人), downgrades it (降级) or closes it out
/// with a reason (销号). A new version of the case: devices pull it.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/risk",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    request_body = RiskStepRequest,
    responses(
        (status = 200, description = "The assessment after the step", body = CaseRisk),
        (status = 400, description = "Bad id or body (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the caller's step to take, e.g. a sector committee on a case it received by referral (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
        (status = 422, description = "Not allowed from the current step, an unknown or not lower level, no responsible person for a high level, no reason to close out (`invalid`, with the field)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
    body: Body,
) -> Result<Json<CaseRisk>, ApiError> {
    let req: RiskStepRequest = read_json(body, BODY_LIMIT).await?;
    Ok(Json(risk::step(&state.store, &caller, id, req).await?))
}
