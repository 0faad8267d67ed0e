//! Web Push subscriptions of a device: `GET /api/v1/push/key` (the VAPID
//! application server key), `PUT`/`DELETE /api/v1/push/subscription`.
//! The reminders scheduler sends to them (docs/screening.md).

use super::body::read_json;
use crate::auth::Caller;
use crate::db::{self, reminders as store};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use serde::{Deserialize, Serialize};

const BODY_LIMIT: usize = 4 * 1024;

/// The key a browser subscribes with (`applicationServerKey`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PushKey {
    /// The VAPID public key: an uncompressed P-256 point, base64url.
    pub public_key: String,
}

/// `PushSubscription.toJSON()` as the browser gives it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SubscriptionBody {
    pub endpoint: String,
    #[serde(default)]
    pub expiration_time: Option<f64>,
    pub keys: SubscriptionKeys,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    pub p256dh: String,
    /// The authentication secret, base64url (16 bytes).
    pub auth: String,
}

/// `DELETE /api/v1/push/subscription`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointBody {
    pub endpoint: String,
}

fn push_of(state: &AppState) -> Result<&crate::reminders::web_push::WebPush, ApiError> {
    state.web_push.as_deref().ok_or(ApiError::NotFound)
}

fn decoded_len(field: &str, text: &str, want: usize) -> Result<Vec<u8>, ApiError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| ApiError::invalid(field, "不是 base64url 编码 / not base64url"))?;
    if bytes.len() != want {
        return Err(ApiError::invalid(
            field,
            format!("长度应为 {want} 字节 / must be {want} bytes"),
        ));
    }
    Ok(bytes)
}

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
    )
)]
pub async fn key(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<PushKey>, ApiError> {
    Ok(Json(PushKey {
        public_key: push_of(&state)?.public_key(),
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
        (status = 429, description = "Too many requests from this device (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn subscribe(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<StatusCode, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    let push = push_of(&state)?;
    let req: SubscriptionBody = read_json(body, BODY_LIMIT).await?;
    if !push.endpoint_allowed(&req.endpoint) {
        return Err(ApiError::invalid(
            "endpoint",
            "推送地址须为 https 网址 / the endpoint must be an https URL",
        ));
    }
    let key = decoded_len("keys.p256dh", &req.keys.p256dh, 65)?;
    if key[0] != 4 {
        return Err(ApiError::invalid(
            "keys.p256dh",
            "不是未压缩的 P-256 公钥 / not an uncompressed P-256 key",
        ));
    }
    decoded_len("keys.auth", &req.keys.auth, 16)?;
    let sub = store::Subscription {
        id: crate::auth::sha256_hex(req.endpoint.as_bytes()),
        person_id: caller.person_id.clone(),
        endpoint: req.endpoint,
        p256dh: req.keys.p256dh,
        auth: req.keys.auth,
    };
    store::save_subscription(state.db.pool(), &sub, &caller.session_id, &db::now_text()).await?;
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
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    caller: Caller,
    body: Body,
) -> Result<StatusCode, ApiError> {
    state.limits.check_device(&caller.session_id)?;
    let req: EndpointBody = read_json(body, BODY_LIMIT).await?;
    let id = crate::auth::sha256_hex(req.endpoint.as_bytes());
    store::delete_subscription(state.db.pool(), &id, Some(&caller.session_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
