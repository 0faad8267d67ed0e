//! 履职认定: `GET /api/v1/duty?month=…` and `POST /api/v1/duty`.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::query::read_query;
use crate::http::state::AppState;
use crate::service::{Caller, duty};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use domain::api::ErrorBody;
use domain::fixed_pay::{DutyMonth, DutyRequest, DutyRow, Month};
use serde::Deserialize;

const DUTY_BODY_LIMIT: usize = 8 * 1024;

/// The query of `GET /api/v1/duty`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MonthParams {
    /// `2026-11`.
    pub month: String,
}

/// Every full-time mediator below the caller's judicial office in a month:
/// their committee's screening records beside the office's decision.
#[utoipa::path(
    get,
    path = "/api/v1/duty",
    tag = "claims",
    security(("bearer" = [])),
    params(MonthParams),
    responses(
        (status = 200, description = "The month", body = DutyMonth),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not a judicial office (`forbidden`)", body = ErrorBody),
        (status = 422, description = "Not a month (`invalid`, field `month`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn month(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<MonthParams>, QueryRejection>,
) -> Result<Json<DutyMonth>, ApiError> {
    let month: Month = read_query(params)?
        .month
        .parse()
        .map_err(|e: domain::fixed_pay::MonthError| ApiError::invalid("month", e.to_string()))?;
    Ok(Json(duty::month(&state.store, &caller, month).await?))
}

/// Records whether a mediator performed the duty in a month (履职认定): the
/// month pays the rule set's fixed amount, or nothing with the reason.
#[utoipa::path(
    post,
    path = "/api/v1/duty",
    tag = "claims",
    security(("bearer" = [])),
    request_body = DutyRequest,
    responses(
        (status = 200, description = "The mediator's month with the decision", body = DutyRow),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not a judicial office (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not a full-time mediator below the caller's office (`not_found`)", body = ErrorBody),
        (status = 422, description = "A month not begun (`month`) or no reason for a duty not performed (`reason`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<DutyRow>, ApiError> {
    let req: DutyRequest = read_json(body, DUTY_BODY_LIMIT).await?;
    Ok(Json(duty::decide(&state.store, &caller, req).await?))
}
