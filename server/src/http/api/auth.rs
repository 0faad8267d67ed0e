//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`:
//! a phone logs in once while online and keeps a device session (a bearer
//! token) for months; logging out or an office's revocation ends it.

use crate::http::body::read_json;
use crate::http::error::ApiError;
use crate::http::extract::ClientAddr;
use crate::http::state::AppState;
use crate::service::{Caller, auth};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use domain::api::{ErrorBody, Identity, LoginRequest, LoginResponse};

/// Log-in bodies are small.
const LOGIN_BODY_LIMIT: usize = 4 * 1024;

/// Log in (登录) and open a device session
///
/// Answers the bearer token (`tj1_…`) every other request sends. Wrong
/// password and unknown number get the same 401 `bad_credentials`.
/// Guessing is slowed, not locked out: after 5 wrong passwords from one
/// address the next waits 1 s, then 2, 4… up to 5 min (429 with
/// `Retry-After`); one address gets 20 wrong ones at once, then one every
/// 3 s (docs/security.md, "Log-in").
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in: the token and who it belongs to", body = LoginResponse),
        (status = 400, description = "Not JSON or unknown fields (`malformed`)", body = ErrorBody),
        (status = 401, description = "`bad_credentials` or `disabled`", body = ErrorBody),
        (status = 413, description = "Body over 4 KiB (`too_large`)", body = ErrorBody),
        (status = 422, description = "Phone number or password malformed (`invalid`, with `field`)", body = ErrorBody),
        (status = 429, description = "Too many log-ins from this address or for this number, or too many at once (`rate_limited`; `Retry-After` says when to try again)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(source): ClientAddr,
    body: Body,
) -> Result<Json<LoginResponse>, ApiError> {
    let req: LoginRequest = read_json(body, LOGIN_BODY_LIMIT).await?;
    let phone = auth::check_login(&req)?;
    let gate = &state.limits.login;
    gate.admit(&phone, source)?;
    let answer = {
        let _turn = gate.turn().await?;
        auth::login(&state.store, req).await
    };
    match answer {
        Ok(answer) => {
            gate.right(&phone, source);
            Ok(Json(answer))
        }
        Err(e @ auth::AuthError::BadCredentials) => {
            gate.wrong(&phone, source);
            Err(e.into())
        }
        Err(e) => Err(e.into()),
    }
}

/// The caller's identity
///
/// `GET /api/v1/auth/me`: the identity the app cached at log-in, refreshed.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Who holds this session", body = Identity),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Identity>, ApiError> {
    Ok(Json(auth::me(&state.store, &caller).await?))
}

/// Log out (退出登录)
///
/// `POST /api/v1/auth/logout`: this device's session ends at once; its
/// token is refused from then on.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The session is ended"),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::http::StatusCode, ApiError> {
    auth::logout(&state.store, &caller).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
