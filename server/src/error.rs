//! The HTTP error type: every handler error is mapped to a response here,
//! once. Internal details are logged, never sent to the client. Every
//! rejection is JSON `{code, message, field?}` (message Chinese first).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    /// Bad input: the field and a message the UI can show (Chinese first).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A request that cannot be read at all (not JSON, unknown fields, too
    /// many items): 400 with the field when one is known.
    #[error("bad request: {message}")]
    BadRequest {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    /// The request does not fit the server's state (e.g. an upload piece at
    /// the wrong offset): 409; the client asks where things stand and retries.
    #[error("conflict: {message}")]
    Conflict {
        code: &'static str,
        field: Option<String>,
        message: String,
    },
    #[error("request body too large")]
    TooLarge { limit: usize },
    /// No valid session (`unauthenticated`), a revoked device (`revoked`:
    /// the app wipes its local data), a disabled account (`disabled`), or a
    /// failed log-in (`bad_credentials`).
    #[error("unauthenticated: {code}")]
    Unauthenticated { code: &'static str },
    /// Outside the caller's organisation subtree.
    #[error("forbidden")]
    Forbidden,
    #[error("rate limited")]
    RateLimited,
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        ApiError::Internal(e.into())
    }
}

/// The body of every rejected request (错误): a machine-readable `code`, a
/// `message` to show (Chinese, then English), and the `field` at fault when
/// one is known. Also the schema of the OpenAPI document's error responses.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody<'a> {
    /// e.g. `malformed`, `invalid`, `unauthenticated`, `revoked`, `too_large`.
    pub code: &'a str,
    /// The field at fault, e.g. `mutations[0].seq` or `Upload-Offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
    /// Chinese first, then English: `请先登录 / log in first`.
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, field, message) = match &self {
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                None,
                "未找到 / not found".to_owned(),
            ),
            ApiError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                Some(field.as_str()),
                message.clone(),
            ),
            ApiError::BadRequest {
                code,
                field,
                message,
            } => (
                StatusCode::BAD_REQUEST,
                *code,
                field.as_deref(),
                message.clone(),
            ),
            ApiError::Conflict {
                code,
                field,
                message,
            } => (
                StatusCode::CONFLICT,
                *code,
                field.as_deref(),
                message.clone(),
            ),
            ApiError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                None,
                format!(
                    "请求过大（上限 {limit} 字节） / request body too large (limit {limit} bytes)"
                ),
            ),
            ApiError::Unauthenticated { code } => (
                StatusCode::UNAUTHORIZED,
                *code,
                None,
                match *code {
                    "revoked" => {
                        "此设备已被注销，请重新登录 / this device was revoked: log in again"
                    }
                    "disabled" => "账号已停用 / the account is disabled",
                    "bad_credentials" => "手机号或密码错误 / wrong phone number or password",
                    _ => "请先登录 / log in first",
                }
                .to_owned(),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                "forbidden",
                None,
                "超出您的管辖范围 / outside your organisation".to_owned(),
            ),
            ApiError::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                None,
                "请求过于频繁，请稍后再试 / too many requests, try again later".to_owned(),
            ),
            ApiError::Unavailable(err) => {
                tracing::error!(error = format!("{err:#}"), "service unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    None,
                    "服务暂不可用 / service unavailable".to_owned(),
                )
            }
            ApiError::Internal(err) => {
                tracing::error!(error = format!("{err:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    None,
                    "服务器内部错误 / internal error".to_owned(),
                )
            }
        };
        (
            status,
            Json(ErrorBody {
                code,
                field,
                message,
            }),
        )
            .into_response()
    }
}
