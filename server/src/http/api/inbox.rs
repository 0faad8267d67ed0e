//! `GET /api/v1/inbox`, `POST /api/v1/inbox/{id}/read`: what the server
//! told the caller in the app — high-risk disputes escalated at once
//! (docs/screening.md). Each person sees only their own items.

use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::office;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::InboxItemId;
use domain::api::ErrorBody;
use domain::api::Inbox;

/// The caller's inbox (收件箱)
#[utoipa::path(
    get,
    path = "/api/v1/inbox",
    tag = "office",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The newest 100 items and the unread count", body = Inbox),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Inbox>, ApiError> {
    Ok(Json(office::inbox(&state.store, &caller).await?))
}

/// Marks an item read
#[utoipa::path(
    post,
    path = "/api/v1/inbox/{id}/read",
    tag = "office",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The item's id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Not the caller's item (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InboxItemId>,
) -> Result<StatusCode, ApiError> {
    office::mark_read(&state.store, &caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
