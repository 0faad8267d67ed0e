//! 履职认定: `GET /api/v1/duty?month=…` and `POST /api/v1/duty`; paying
//! the fixed part (定额补助发放): `GET /api/v1/duty/payroll?quarter=…`,
//! `POST /api/v1/duty/township-payments`, `POST /api/v1/duty/mediator-payments`.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::query::read_query;
use crate::http::state::AppState;
use crate::service::{Caller, duty, fixed_payroll};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use domain::api::ErrorBody;
use domain::claim::{Payment, Quarter};
use domain::fixed_pay::{DutyMonth, DutyRequest, DutyRow, Month};
use domain::fixed_payroll::{FixedMediatorPayment, FixedTownshipPayment, Payroll};
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

/// The query of `GET /api/v1/duty/payroll`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QuarterParams {
    /// `2026-Q3`.
    pub quarter: String,
}

/// The quarter's fixed subsidies (定额补助发放表) of every township the
/// caller pays (bureau finance), pays out (township finance) or decides
/// for (judicial office): each full-time mediator's decided months, the
/// months not decided yet, and the payments made.
#[utoipa::path(
    get,
    path = "/api/v1/duty/payroll",
    tag = "claims",
    security(("bearer" = [])),
    params(QuarterParams),
    responses(
        (status = 200, description = "The quarter's payroll", body = Payroll),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not a finance office or a judicial office (`forbidden`)", body = ErrorBody),
        (status = 422, description = "Not a quarter (`invalid`, field `quarter`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn payroll(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<QuarterParams>, QueryRejection>,
) -> Result<Json<Payroll>, ApiError> {
    let quarter: Quarter = read_query(params)?
        .quarter
        .parse()
        .map_err(|e: domain::claim::QuarterError| ApiError::invalid("quarter", e.to_string()))?;
    Ok(Json(
        fixed_payroll::payroll(&state.store, &caller, quarter).await?,
    ))
}

/// 拨付 of the fixed part: the bureau's finance paid a township's finance
/// office the quarter's decided months (their total to the fen, with the
/// voucher). Every month must be decided; a month paid is final.
#[utoipa::path(
    post,
    path = "/api/v1/duty/township-payments",
    tag = "claims",
    security(("bearer" = [])),
    request_body = FixedTownshipPayment,
    responses(
        (status = 200, description = "The payment, with each month it paid (`fixed`)", body = Payment),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not the bureau's finance (`forbidden`)", body = ErrorBody),
        (status = 409, description = "Paid meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "Not a township of the caller's (`township_id`), months not decided or paid already (`quarter`), an amount that is not the total (`amount`), a date (`paid_on`) or voucher (`voucher`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pay_township(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<Payment>, ApiError> {
    let req: FixedTownshipPayment = read_json(body, DUTY_BODY_LIMIT).await?;
    Ok(Json(
        fixed_payroll::pay_township(&state.store, &caller, req).await?,
    ))
}

/// 核发 of the fixed part: the township's finance office paid a mediator
/// their months of the quarter as the bureau paid them, to the fen, once.
#[utoipa::path(
    post,
    path = "/api/v1/duty/mediator-payments",
    tag = "claims",
    security(("bearer" = [])),
    request_body = FixedMediatorPayment,
    responses(
        (status = 200, description = "The payment, with each month it paid (`fixed`); the mediator confirms it at `/api/v1/payments/{id}/receipt`", body = Payment),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "Not a township's finance office (`forbidden`)", body = ErrorBody),
        (status = 409, description = "Paid meanwhile (`stale`)", body = ErrorBody),
        (status = 422, description = "Not a full-time mediator of the township, paid already or owed nothing (`mediator_id`), the township not paid yet (`quarter`), an amount that is not what is owed (`amount`), a date (`paid_on`) or reference (`reference`) (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pay_mediator(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<Payment>, ApiError> {
    let req: FixedMediatorPayment = read_json(body, DUTY_BODY_LIMIT).await?;
    Ok(Json(
        fixed_payroll::pay_mediator(&state.store, &caller, req).await?,
    ))
}
