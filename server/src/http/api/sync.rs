//! `POST /api/v1/sync/push`, `GET /api/v1/sync/pull` and
//! `GET /api/v1/sync/reference` (docs/sync.md).

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::reminders::escalation;
use crate::service::{reference, sync};
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use domain::api::ErrorBody;
use domain::sync::{PullResponse, PushRequest, PushResponse, Status};
use serde::Deserialize;

/// A push of 500 cases with their text is well under this; photos travel
/// separately.
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Push the device's outbox (上传本机更改)
///
/// One transaction: every mutation is applied, merged or rejected and
/// answered, or none is. A replayed push gets the stored answers.
#[utoipa::path(
    post,
    path = "/api/v1/sync/push",
    tag = "sync",
    security(("bearer" = [])),
    request_body = PushRequest,
    responses(
        (status = 200, description = "Each mutation's answer, in order", body = PushResponse),
        (status = 400, description = "`malformed`, `seq_order` or `batch_too_large`; nothing stored", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 403, description = "`client_id` is not this session's device", body = ErrorBody),
        (status = 413, description = "Body over 4 MiB (`too_large`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    let req: PushRequest = read_json(body, PUSH_BODY_LIMIT).await?;
    let high_risk: Vec<usize> = (0..req.mutations.len())
        .filter(|&i| escalation::may_escalate(&req.mutations[i]))
        .collect();
    let answer = state.pushes.push(caller, req).await?;
    // a high-risk dispute reaches the township and the city at once
    if let Some(wake) = &state.escalate
        && high_risk.iter().any(|&i| {
            answer
                .results
                .get(i)
                .is_some_and(|r| r.status != Status::Rejected)
        })
    {
        wake.notify_one();
    }
    Ok(Json(answer))
}

/// The query of `GET /api/v1/sync/pull`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    /// The `cursor` the previous pull returned (0 at first).
    #[serde(default)]
    pub cursor: i64,
    /// At most this many changes (default 500, at most 1,000).
    pub limit: Option<u32>,
}

/// Pull what changed in the caller's scope (下载更新)
///
/// The latest state of every record in the caller's subtrees changed after
/// `cursor`, oldest first; deletions come as tombstones.
#[utoipa::path(
    get,
    path = "/api/v1/sync/pull",
    tag = "sync",
    security(("bearer" = [])),
    params(PullParams),
    responses(
        (status = 200, description = "A page of changes and the next cursor", body = PullResponse),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 422, description = "`invalid`: a negative `cursor`, or a `limit` outside 1–1000 (`field` names it)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<sync::PullPage>, ApiError> {
    let params = crate::http::query::read_query(params)?;
    Ok(Json(
        sync::pull(&state.store, &caller, params.cursor, params.limit).await?,
    ))
}

/// Pull the reference data (下载组织、日程和规则)
///
/// The organisation units in and above the caller's scope, the screening
/// schedules and the subsidy rule sets changed after `cursor`, oldest
/// first: the same paging as `/api/v1/sync/pull`, with its own cursor.
/// Read-only: a push of these entities is refused (`read_only`).
#[utoipa::path(
    get,
    path = "/api/v1/sync/reference",
    tag = "sync",
    security(("bearer" = [])),
    params(PullParams),
    responses(
        (status = 200, description = "A page of reference changes and the next cursor", body = PullResponse),
        (status = 400, description = "Bad query (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 422, description = "`invalid`: a negative `cursor`, or a `limit` outside 1–1000 (`field` names it)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn reference(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<sync::PullPage>, ApiError> {
    let params = crate::http::query::read_query(params)?;
    Ok(Json(
        reference::pull(&state.store, &caller, params.cursor, params.limit).await?,
    ))
}
