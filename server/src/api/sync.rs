//! `POST /api/v1/sync/push` and `GET /api/v1/sync/pull` (docs/sync.md).

use super::body::read_json;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::sync;
use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use domain::sync::{PullResponse, PushRequest, PushResponse};
use serde::Deserialize;

/// A push of 500 cases with their text is well under this; photos travel
/// separately.
pub const PUSH_BODY_LIMIT: usize = 4 * 1024 * 1024;

#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn push(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    let req: PushRequest = read_json(body, PUSH_BODY_LIMIT).await?;
    Ok(Json(state.pushes.push(caller, req).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullParams {
    #[serde(default)]
    pub cursor: i64,
    pub limit: Option<u32>,
}

#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    params: Result<Query<PullParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PullResponse>, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        code: "malformed",
        field: None,
        message: format!("查询参数无效 / bad query: {e}"),
    })?;
    Ok(Json(
        sync::pull(&state.db, &caller, params.cursor, params.limit).await?,
    ))
}
