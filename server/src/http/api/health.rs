//! `GET /healthz`: the process is up and the database answers.

use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use domain::api::ErrorBody;
use serde::Serialize;

/// The server is up and its database answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok` (a failure is a 503).
    pub status: &'static str,
    /// The database it checked: `sqlite` or `postgres`.
    pub database: &'static str,
    /// The server's version.
    pub version: &'static str,
}

/// Health check (运行状态)
///
/// For load balancers and monitors: 200 when the database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses(
        (status = 200, description = "Up, and the database answers", body = Health),
        (status = 503, description = "The database does not answer (`unavailable`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state
        .store
        .ping()
        .await
        .map_err(|e| ApiError::Unavailable(format!("database: {e}")))?;
    Ok(Json(Health {
        status: "ok",
        database: state.store.backend().name(),
        version: env!("CARGO_PKG_VERSION"),
    }))
}
