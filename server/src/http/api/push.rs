//! Web Push subscriptions of a device: `GET /api/v1/push/key` (the VAPID
//! application server key), `PUT`/`DELETE /api/v1/push/subscription`.
//! The reminders scheduler sends to them (docs/screening.md).

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::push;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use domain::api::ErrorBody;
use domain::api::{EndpointBody, PushKey, SubscriptionBody};

const BODY_LIMIT: usize = 4 * 1024;

/// The application server key, when this server sends Web Push.
#[utoipa::path(
    get,
    path = "/api/v1/push/key",
    tag = "push",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The VAPID public key", body = PushKey),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Web Push is off on this server (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
pub async fn key(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<PushKey>, ApiError> {
    let push = state.web_push.as_deref().ok_or(ApiError::NotFound)?;
    Ok(Json(PushKey {
        public_key: push.public_key(),
    }))
}

/// Registers this device's subscription for the person logged in on it
/// (replacing the endpoint's earlier holder).
#[utoipa::path(
    put,
    path = "/api/v1/push/subscription",
    tag = "push",
    security(("bearer" = [])),
    request_body = SubscriptionBody,
    responses(
        (status = 204, description = "Stored"),
        (status = 400, description = "Not JSON or unknown fields (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Web Push is off on this server (`not_found`)", body = ErrorBody),
        (status = 422, description = "A bad endpoint or key (`invalid`, with the field)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn subscribe(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<StatusCode, ApiError> {
    if state.web_push.is_none() {
        return Err(ApiError::NotFound);
    }
    let req: SubscriptionBody = read_json(body, BODY_LIMIT).await?;
    push::subscribe(&state.store, &caller, state.web_push.as_deref(), req).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Forgets this device's subscription (the user turned reminders off).
#[utoipa::path(
    delete,
    path = "/api/v1/push/subscription",
    tag = "push",
    security(("bearer" = [])),
    request_body = EndpointBody,
    responses(
        (status = 204, description = "Forgotten (or was not stored)"),
        (status = 400, description = "Not JSON or unknown fields (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let req: EndpointBody = read_json(body, BODY_LIMIT).await?;
    push::unsubscribe(&state.store, &caller, &req.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}
