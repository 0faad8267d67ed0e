//! 账号管理: `GET /api/v1/accounts`, `POST /api/v1/accounts/{id}/password`,
//! `POST /api/v1/accounts/{id}/disable` and `…/enable`.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::PathId;
use crate::http::state::AppState;
use crate::service::{Caller, accounts};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use domain::AccountId;
use domain::api::{AccountView, ErrorBody, PasswordRequest};

const PASSWORD_BODY_LIMIT: usize = 1024;

/// The accounts of the people of the units below the caller's office
/// (never its own unit's), by unit then name.
#[utoipa::path(
    get,
    path = "/api/v1/accounts",
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The accounts the caller manages", body = Vec<AccountView>),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller's roles manage no accounts (`forbidden`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AccountView>>, ApiError> {
    Ok(Json(accounts::list(&state.store, &caller).await?))
}

/// Gives an account a new password (told to its owner in person); its
/// phones stay logged in.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/password",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id (from the list)")),
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 400, description = "The body does not read (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller's roles manage no accounts (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not an account the caller manages (`not_found`)", body = ErrorBody),
        (status = 422, description = "Shorter than 8 or longer than 128 characters (`invalid`, field `password`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn set_password(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<AccountId>,
    body: Body,
) -> Result<Json<AccountView>, ApiError> {
    let req: PasswordRequest = read_json(body, PASSWORD_BODY_LIMIT).await?;
    Ok(Json(
        accounts::set_password(&state.store, &caller, id, req.password).await?,
    ))
}

/// Stops an account (停用): no log-in; its phones are refused (401
/// `disabled`) and wiped at their next sync.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/disable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id (from the list)")),
    responses(
        (status = 200, description = "The account, stopped", body = AccountView),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller's roles manage no accounts (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not an account the caller manages (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn disable(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<AccountId>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(
        accounts::set_disabled(&state.store, &caller, id, true).await?,
    ))
}

/// Lets a stopped account in again (启用); its phones log in anew.
#[utoipa::path(
    post,
    path = "/api/v1/accounts/{id}/enable",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The account's id (from the list)")),
    responses(
        (status = 200, description = "The account, in use again", body = AccountView),
        (status = 401, description = "`unauthenticated`, `revoked`, `expired` or `disabled`", body = ErrorBody),
        (status = 403, description = "The caller's roles manage no accounts (`forbidden`)", body = ErrorBody),
        (status = 404, description = "Not an account the caller manages (`not_found`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn enable(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<AccountId>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(
        accounts::set_disabled(&state.store, &caller, id, false).await?,
    ))
}
