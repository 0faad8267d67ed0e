//! Office actions on the units below: `PUT`/`DELETE /api/v1/cases/{id}/lock`,
//! `GET /api/v1/devices`, `POST /api/v1/devices/{id}/revoke`,
//! `GET /api/v1/compliance`.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::{cases, office};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use domain::api::ErrorBody;
use domain::api::{CaseLock, DeviceSession, LockRequest, MajorReviewRequest, MajorReviewed};
use domain::screening::ComplianceReport;
use domain::{CaseId, DeviceSessionId};
use serde::Deserialize;

const LOCK_BODY_LIMIT: usize = 4 * 1024;

/// Locks a case for review: devices learn of it at their next pull and
/// their edits are refused with the reason (judicial office, township
/// leader, bureau).
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/lock",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    request_body = LockRequest,
    responses(
        (status = 200, description = "The case's lock and new version", body = CaseLock),
        (status = 400, description = "Bad id or body (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not supervise this unit (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
        (status = 422, description = "No reason, or over 200 characters (`invalid`, field `reason`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn lock(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
    body: Body,
) -> Result<Json<CaseLock>, ApiError> {
    let req: LockRequest = read_json(body, LOCK_BODY_LIMIT).await?;
    let reason = cases::check_reason(&req.reason)?;
    Ok(Json(
        cases::set_lock(&state.store, &caller, id, Some(reason)).await?,
    ))
}

/// The judicial office's finding on a major case's facts (重大纠纷核实):
/// verified, the deaths or disability the case records earn their tier; or
/// not, the opinion names what is missing.
#[utoipa::path(
    put,
    path = "/api/v1/cases/{id}/major-review",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    request_body = MajorReviewRequest,
    responses(
        (status = 200, description = "The review, the case's new version and the server's verdict", body = MajorReviewed),
        (status = 400, description = "Bad id or body (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not review this unit (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
        (status = 422, description = "No opinion (field `opinion`); no death or grade 1–2 disability recorded (`deaths`); verifying without an evidence photo (`attachments`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn review_major(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
    body: Body,
) -> Result<Json<MajorReviewed>, ApiError> {
    let req: MajorReviewRequest = read_json(body, LOCK_BODY_LIMIT).await?;
    Ok(Json(
        cases::review_major(&state.store, &caller, id, req.verified, &req.opinion).await?,
    ))
}

/// Unlocks a case.
#[utoipa::path(
    delete,
    path = "/api/v1/cases/{id}/lock",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The case's UUID")),
    responses(
        (status = 200, description = "The case's new version, unlocked", body = CaseLock),
        (status = 400, description = "Bad id (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not supervise this unit (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
        (status = 409, description = "The case was deleted (`deleted`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn unlock(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CaseId>,
) -> Result<Json<CaseLock>, ApiError> {
    Ok(Json(
        cases::set_lock(&state.store, &caller, id, None).await?,
    ))
}

/// The device sessions of the people in the units the caller supervises.
#[utoipa::path(
    get,
    path = "/api/v1/devices",
    tag = "office",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Newest first, at most 1,000", body = Vec<DeviceSession>),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not supervise this unit (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn devices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<DeviceSession>>, ApiError> {
    Ok(Json(
        office::devices(&state.store, &caller, state.sessions).await?,
    ))
}

/// Revokes a lost phone's session: at its next request it is told and
/// wipes its data.
#[utoipa::path(
    post,
    path = "/api/v1/devices/{id}/revoke",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The device session's id (from the device list)")),
    responses(
        (status = 200, description = "The session, now revoked", body = DeviceSession),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller does not supervise this unit (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not in the caller's organisation (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn revoke_device(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<DeviceSessionId>,
) -> Result<Json<DeviceSession>, ApiError> {
    Ok(Json(
        office::revoke_device(&state.store, &caller, id).await?,
    ))
}

/// The screening compliance view (排查履职情况) of everything the caller
/// supervises: per township and duty of the "五个一", units that owe it,
/// reported this and last period, overdue, and the rate over the last four
/// ended periods; the overdue units; the analysis meetings and trainings
/// (docs/screening.md).
#[utoipa::path(
    get,
    path = "/api/v1/compliance",
    tag = "office",
    security(("bearer" = [])),
    params(ComplianceParams),
    responses(
        (status = 200, description = "The view, computed now from every synced record", body = ComplianceReport),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller supervises no unit (`forbidden`)", body = ErrorBody),
        (status = 422, description = "`on` is not a date from 2000-01-01 up to today (`invalid`, field `on`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn compliance(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<ComplianceParams>, QueryRejection>,
) -> Result<Json<ComplianceReport>, ApiError> {
    let params = crate::http::query::read_query(params)?;
    let today = domain::dates::china_date(jiff::Timestamp::now());
    let on = domain::screening::view_day(params.on.as_deref().unwrap_or(""), today)
        .map_err(|e| ApiError::invalid("on", e.to_string()))?
        .unwrap_or(today);
    Ok(Json(office::compliance(&state.store, &caller, on).await?))
}

/// The query of `GET /api/v1/compliance`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComplianceParams {
    /// The view as it stood on this China date (`YYYY-MM-DD`, not after
    /// today): its periods are the running and the previous ones, its
    /// overdue units those past their grace then. Default today.
    pub on: Option<String>,
}
