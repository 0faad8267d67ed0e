//! `GET /api/v1/inbox`, `POST /api/v1/inbox/{id}/read`: what the server
//! told the caller in the app — high-risk disputes escalated at once
//! (docs/screening.md). Each person sees only their own items.

use crate::auth::Caller;
use crate::db::{self, reminders as store};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::sync::{Inbox, InboxItem};

/// The most items one answer lists (newest first).
const MAX_ITEMS: i64 = 100;

/// The caller's inbox (收件箱)
#[utoipa::path(
    get,
    path = "/api/v1/inbox",
    tag = "office",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The newest 100 items and the unread count", body = Inbox),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Inbox>, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    let (rows, unread) = store::inbox_of(state.db.pool(), &caller.person_id, MAX_ITEMS).await?;
    Ok(Json(Inbox {
        unread,
        items: rows
            .into_iter()
            .map(|r| InboxItem {
                id: r.id,
                kind: r.kind,
                title: r.title,
                body: r.body,
                case_id: r.case_id,
                unit_id: r.unit_id,
                created_at: r.created_at,
                read: r.read_at.is_some(),
            })
            .collect(),
    }))
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
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn mark_read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    if store::mark_read(state.db.pool(), &caller.person_id, &id, &db::now_text()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
