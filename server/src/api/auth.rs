//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`:
//! a phone logs in once while online and keeps a device session (a bearer
//! token) for months; logging out or an office's revocation ends it.

use super::body::read_json;
use crate::auth::{self, Caller};
use crate::db::{self, people, sessions};
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use domain::Phone;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;
use uuid::Uuid;

/// Log-in bodies are small.
const LOGIN_BODY_LIMIT: usize = 4 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub phone: String,
    pub password: String,
    /// Made by the app at each log-in (UUID); also its sync client id.
    pub device_id: Uuid,
    /// e.g. "Redmi 9A · Chrome"; shown to offices that revoke devices.
    #[serde(default)]
    pub device_name: String,
}

#[derive(Debug, Serialize)]
pub struct ScopeView {
    pub role: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: String,
}

#[derive(Debug, Serialize)]
pub struct Identity {
    pub session_id: String,
    pub person_id: String,
    pub name: String,
    pub phone: String,
    pub scopes: Vec<ScopeView>,
}

#[derive(Debug, Serialize)]
pub struct LoginResponse {
    /// Keep it secret: it is the device's key until revoked.
    pub token: String,
    #[serde(flatten)]
    pub identity: Identity,
}

/// Verified against when the phone number is unknown, so both answers take
/// as long (no account probing by timing).
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash("not-a-real-password").expect("argon2 works"));

#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    body: Body,
) -> Result<Json<LoginResponse>, ApiError> {
    let req: LoginRequest = read_json(body, LOGIN_BODY_LIMIT).await?;
    let phone =
        Phone::parse(req.phone.trim()).map_err(|e| ApiError::invalid("phone", e.to_string()))?;
    if req.password.is_empty() || req.password.chars().count() > password::MAX_LEN {
        return Err(ApiError::invalid(
            "password",
            "请输入密码 / enter the password",
        ));
    }
    let device_name: String = req.device_name.trim().chars().take(100).collect();
    if state
        .limits
        .login
        .check_key(&phone.as_str().to_owned())
        .is_err()
    {
        return Err(ApiError::RateLimited);
    }
    let account = people::account_by_phone(&state.db, &phone).await?;
    let stored = account
        .as_ref()
        .map_or_else(|| DUMMY_HASH.clone(), |a| a.password_hash.clone());
    let password_ok = {
        let given = req.password.clone();
        tokio::task::spawn_blocking(move || password::verify(&given, &stored))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?
    };
    let Some(account) = account.filter(|_| password_ok) else {
        return Err(ApiError::Unauthenticated {
            code: "bad_credentials",
        });
    };
    if account.disabled_at.is_some() {
        return Err(ApiError::Unauthenticated { code: "disabled" });
    }
    let token = auth::new_token();
    let session_id = Uuid::now_v7().to_string();
    let now = db::now_text();
    sessions::insert(
        &state.db,
        &sessions::NewSession {
            id: &session_id,
            account_id: &account.id,
            device_id: &req.device_id.to_string(),
            device_name: &device_name,
            token_hash: &auth::token_hash(&token),
        },
        &now,
    )
    .await?;
    tracing::info!(account = %account.id, session = %session_id, "device logged in");
    let identity = identity(&state, &session_id, &account.person_id, &account.phone).await?;
    Ok(Json(LoginResponse { token, identity }))
}

async fn identity(
    state: &AppState,
    session_id: &str,
    person_id: &str,
    phone: &str,
) -> Result<Identity, ApiError> {
    let name = sessions::person_name(&state.db, person_id)
        .await?
        .unwrap_or_default();
    let scopes = auth::scopes_of(&state.db, person_id)
        .await?
        .into_iter()
        .map(|s| ScopeView {
            role: s.role,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            unit_kind: s.unit_kind,
        })
        .collect();
    Ok(Identity {
        session_id: session_id.to_owned(),
        person_id: person_id.to_owned(),
        name,
        phone: phone.to_owned(),
        scopes,
    })
}

/// `GET /api/v1/auth/me`: the cached identity, refreshed.
pub async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<Identity>, ApiError> {
    let phone: String = sqlx::query_scalar("SELECT phone FROM account WHERE id = $1")
        .bind(&caller.account_id)
        .fetch_one(state.db.pool())
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(Json(
        identity(&state, &caller.session_id, &caller.person_id, &phone).await?,
    ))
}

/// `POST /api/v1/auth/logout`: this device's session ends at once.
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::http::StatusCode, ApiError> {
    sessions::revoke(&state.db, &caller.session_id, &db::now_text()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
