//! `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`, `GET /api/v1/auth/me`:
//! a phone logs in once while online and keeps a device session (a bearer
//! token) for months; logging out or an office's revocation ends it.

use super::body::read_json;
use crate::auth::{self, Caller};
use crate::db::{self, people, sessions};
use crate::error::{ApiError, ErrorBody};
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

/// `POST /api/v1/auth/login`: a phone number and password, and the device
/// that will hold the session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The account's mobile number (手机号), e.g. `13800000001`.
    pub phone: String,
    pub password: String,
    /// Made by the app at each log-in (UUID); also its sync client id.
    pub device_id: Uuid,
    /// e.g. "Redmi 9A · Chrome"; shown to offices that revoke devices.
    #[serde(default)]
    pub device_name: String,
}

/// A role the person holds at a unit of the organisation (e.g. a village
/// committee's mediator, 人民调解员; a township's judicial office, 司法所).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub role: String,
    pub unit_id: String,
    pub unit_name: String,
    pub unit_kind: String,
}

/// Who holds this device session, and where they hold roles.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Identity {
    pub session_id: String,
    pub person_id: String,
    pub name: String,
    pub phone: String,
    pub scopes: Vec<ScopeView>,
}

/// The new device session's token and the identity behind it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
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

/// Log in (登录) and open a device session
///
/// Answers the bearer token (`tj1_…`) every other request sends. Wrong
/// password and unknown number get the same 401 `bad_credentials`.
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
        (status = 429, description = "Too many log-ins for this number (`rate_limited`)", body = ErrorBody),
    )
)]
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
    // the app makes a new device id at every log-in; one that is another
    // account's is not taken over
    if sessions::device_taken(&state.db, &req.device_id.to_string(), &account.id).await? {
        return Err(ApiError::Conflict {
            code: "device_in_use",
            field: Some("device_id".into()),
            message: "此设备编号已属于其他账号，请重新打开应用后登录 / this device id belongs to another account: reopen the app and log in".into(),
        });
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
    )
)]
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
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::http::StatusCode, ApiError> {
    sessions::revoke(&state.db, &caller.session_id, &db::now_text()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
