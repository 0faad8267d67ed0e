//! The HTTP error: every handler's error becomes a response here, once.
//! Each service's typed error maps to a status and a `{code, message,
//! field?}` body (`domain::api::ErrorBody`, message Chinese first);
//! internal details are logged with their context, never sent.

use crate::service::accounts::AccountsError;
use crate::service::attachments::AttachmentError;
use crate::service::auth::AuthError;
use crate::service::cases::CaseError;
use crate::service::claims::ClaimError;
use crate::service::duty::DutyError;
use crate::service::office::OfficeError;
use crate::service::push::PushError;
use crate::service::sync::SyncError;
use crate::store::StoreError;
use axum::Json;
use axum::http::StatusCode;
use axum::http::header::RETRY_AFTER;
use axum::response::{IntoResponse, Response};
use domain::api::{ErrorBody, ErrorCode};

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
        code: ErrorCode,
        field: Option<String>,
        message: String,
    },
    /// The request does not fit the server's state (e.g. an upload piece at
    /// the wrong offset): 409; the client asks where things stand and retries.
    #[error("conflict: {message}")]
    Conflict {
        code: ErrorCode,
        field: Option<String>,
        message: String,
    },
    #[error("request body too large")]
    TooLarge { limit: usize },
    /// The account's photo storage is full: 413 `quota_exceeded`.
    #[error("quota exceeded")]
    QuotaExceeded { used: u64, quota: u64 },
    /// No valid session (`unauthenticated`), a revoked device (`revoked`:
    /// the app wipes its local data), a disabled account (`disabled`), or a
    /// failed log-in (`bad_credentials`).
    #[error("unauthenticated: {code:?}")]
    Unauthenticated { code: ErrorCode },
    /// Outside what the caller's roles may do.
    #[error("forbidden")]
    Forbidden,
    /// Too many requests: try again after this many seconds (`Retry-After`).
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    /// A refusal of the edge itself (`edge.rs`): a body that is not JSON
    /// (415), a path too long (414), a method the path does not have (405),
    /// a path the API does not have (404).
    #[error("refused at the edge: {code:?}")]
    Edge { status: StatusCode, code: ErrorCode },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn malformed(field: Option<String>, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            code: ErrorCode::Malformed,
            field,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(format!("store: {e:#}"))
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Unauthenticated => ApiError::Unauthenticated {
                code: ErrorCode::Unauthenticated,
            },
            AuthError::Revoked => ApiError::Unauthenticated {
                code: ErrorCode::Revoked,
            },
            AuthError::Expired => ApiError::Unauthenticated {
                code: ErrorCode::Expired,
            },
            AuthError::Disabled => ApiError::Unauthenticated {
                code: ErrorCode::Disabled,
            },
            AuthError::BadCredentials => ApiError::Unauthenticated {
                code: ErrorCode::BadCredentials,
            },
            AuthError::DeviceInUse => ApiError::Conflict {
                code: ErrorCode::DeviceInUse,
                field: Some("device_id".into()),
                message: "此设备编号已属于其他账号，请重新打开应用后登录 / this device id belongs to another account: reopen the app and log in".into(),
            },
            AuthError::Invalid { field, message } => ApiError::invalid(field, message),
            AuthError::Store(e) => e.into(),
            AuthError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        match e {
            CaseError::NotFound => ApiError::NotFound,
            CaseError::Forbidden => ApiError::Forbidden,
            CaseError::Deleted => ApiError::Conflict {
                code: ErrorCode::Deleted,
                field: Some("id".into()),
                message: "案件已删除 / the case was deleted".into(),
            },
            CaseError::Invalid { field, message } => ApiError::Invalid { field, message },
            CaseError::Store(e) => e.into(),
        }
    }
}

impl From<ClaimError> for ApiError {
    fn from(e: ClaimError) -> Self {
        match e {
            ClaimError::NotFound => ApiError::NotFound,
            ClaimError::Forbidden => ApiError::Forbidden,
            ClaimError::Invalid { field, message } => ApiError::Invalid { field, message },
            ClaimError::Stale => ApiError::Conflict {
                code: ErrorCode::Stale,
                field: None,
                message: "申报已被他人处理，请刷新后再看 / someone else acted on it meanwhile: read it again".into(),
            },
            ClaimError::Store(e) => e.into(),
        }
    }
}

impl From<DutyError> for ApiError {
    fn from(e: DutyError) -> Self {
        match e {
            DutyError::NotFound => ApiError::NotFound,
            DutyError::Forbidden => ApiError::Forbidden,
            DutyError::Invalid { field, message } => ApiError::Invalid { field, message },
            DutyError::Store(e) => e.into(),
        }
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::BatchTooLarge => ApiError::BadRequest {
                code: ErrorCode::BatchTooLarge,
                field: Some("mutations".into()),
                message: format!(
                    "一次最多同步 {n} 条 / at most {n} mutations per push",
                    n = domain::sync::MAX_PUSH_MUTATIONS
                ),
            },
            SyncError::SeqOrder { field } => ApiError::BadRequest {
                code: ErrorCode::SeqOrder,
                field: Some(field),
                message: "序号必须从1起严格递增 / seq must start at 1 and strictly increase within a push".into(),
            },
            SyncError::Malformed { field, message } => ApiError::malformed(Some(field), message),
            SyncError::Invalid { field, message } => ApiError::invalid(field, message),
            SyncError::Forbidden => ApiError::Forbidden,
            SyncError::Unavailable(why) => ApiError::Unavailable(why.to_owned()),
            SyncError::Failed(why) => ApiError::Internal(why),
            SyncError::Store(e) => e.into(),
        }
    }
}

impl From<AttachmentError> for ApiError {
    fn from(e: AttachmentError) -> Self {
        match e {
            AttachmentError::Malformed { field, message } => {
                ApiError::malformed(Some(field.into()), message)
            }
            AttachmentError::NotFound => ApiError::NotFound,
            AttachmentError::OffsetMismatch { received } => ApiError::Conflict {
                code: ErrorCode::OffsetMismatch,
                field: Some("Upload-Offset".into()),
                message: format!(
                    "服务器已收到 {received} 字节，请从该处续传 / the server holds {received} bytes: resume there"
                ),
            },
            AttachmentError::Quota { used, quota } => ApiError::QuotaExceeded { used, quota },
            AttachmentError::Invalid { field, message } => ApiError::invalid(field, message),
            AttachmentError::Store(e) => e.into(),
        }
    }
}

impl From<AccountsError> for ApiError {
    fn from(e: AccountsError) -> Self {
        match e {
            AccountsError::Forbidden => ApiError::Forbidden,
            AccountsError::NotFound => ApiError::NotFound,
            AccountsError::Invalid { field, message } => ApiError::invalid(field, message),
            AccountsError::Store(e) => e.into(),
            AccountsError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<OfficeError> for ApiError {
    fn from(e: OfficeError) -> Self {
        match e {
            OfficeError::Forbidden => ApiError::Forbidden,
            OfficeError::NotFound => ApiError::NotFound,
            OfficeError::Store(e) => e.into(),
        }
    }
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Off => ApiError::NotFound,
            PushError::Invalid { field, message } => ApiError::invalid(field, message),
            PushError::Store(e) => e.into(),
        }
    }
}

impl ApiError {
    /// The status and the documented body (`{code, field, message}`) of
    /// this refusal; a bulk answer carries the body per item.
    pub fn status_and_body(self) -> (StatusCode, ErrorBody) {
        let (status, code, field, message) = match self {
            ApiError::NotFound => (
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                None,
                "未找到 / not found".to_owned(),
            ),
            ApiError::Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::Invalid,
                Some(field),
                message,
            ),
            ApiError::BadRequest {
                code,
                field,
                message,
            } => (StatusCode::BAD_REQUEST, code, field, message),
            ApiError::Conflict {
                code,
                field,
                message,
            } => (StatusCode::CONFLICT, code, field, message),
            ApiError::TooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::TooLarge,
                None,
                format!(
                    "请求过大（上限 {limit} 字节） / request body too large (limit {limit} bytes)"
                ),
            ),
            ApiError::QuotaExceeded { used, quota } => {
                let mib = |b: u64| b.div_ceil(1024 * 1024);
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::QuotaExceeded,
                    None,
                    format!(
                        "本账号的照片存储已满（已用 {} MB，上限 {} MB），请联系司法所 / this account's photo storage is full ({} of {} MB): ask the judicial office",
                        mib(used),
                        mib(quota),
                        mib(used),
                        mib(quota)
                    ),
                )
            }
            ApiError::Unauthenticated { code } => (
                StatusCode::UNAUTHORIZED,
                code,
                None,
                match code {
                    ErrorCode::Revoked => {
                        "此设备已被注销，请重新登录 / this device was revoked: log in again"
                    }
                    ErrorCode::Expired => {
                        "登录已过期，请重新输入密码 / the log-in has expired: enter the password again"
                    }
                    ErrorCode::Disabled => "账号已停用 / the account is disabled",
                    ErrorCode::BadCredentials => {
                        "手机号或密码错误 / wrong phone number or password"
                    }
                    _ => "请先登录 / log in first",
                }
                .to_owned(),
            ),
            ApiError::Forbidden => (
                StatusCode::FORBIDDEN,
                ErrorCode::Forbidden,
                None,
                "不在您的岗位或管辖范围内 / not within your role or organisation".to_owned(),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                None,
                format!(
                    "请求过于频繁，请 {retry_after_secs} 秒后再试 / too many requests, try again in {retry_after_secs} s"
                ),
            ),
            ApiError::Edge { status, code } => (status, code, None, edge_message(code).to_owned()),
            ApiError::Unavailable(err) => {
                tracing::error!(error = %err, "service unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    None,
                    "服务暂不可用 / service unavailable".to_owned(),
                )
            }
            ApiError::Internal(err) => {
                tracing::error!(error = %err, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorCode::Internal,
                    None,
                    "服务器内部错误 / internal error".to_owned(),
                )
            }
        };
        (
            status,
            ErrorBody {
                code,
                field,
                message,
            },
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = match &self {
            ApiError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let (status, body) = self.status_and_body();
        match retry {
            Some(secs) => (status, [(RETRY_AFTER, secs.to_string())], Json(body)).into_response(),
            None => (status, Json(body)).into_response(),
        }
    }
}

/// The words of the edge's refusals.
fn edge_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::UnsupportedMediaType => {
            "请求须为 JSON（Content-Type: application/json） / the body must be JSON (Content-Type: application/json)"
        }
        ErrorCode::UriTooLong => "请求地址过长 / the request's address is too long",
        ErrorCode::MethodNotAllowed => {
            "此地址不支持该请求方法 / this address does not take that method"
        }
        ErrorCode::NotFound => "未找到 / not found",
        ErrorCode::TooLarge => "请求过大 / request too large",
        ErrorCode::Timeout => "请求未在时限内收完 / the request did not arrive in time",
        ErrorCode::Internal => "服务器内部错误 / internal error",
        ErrorCode::Unavailable => "服务暂不可用 / service unavailable",
        _ => "请求无法处理 / the request cannot be handled",
    }
}

/// The code of a status the framework answered without a body.
pub fn edge_code(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::TooLarge,
        StatusCode::URI_TOO_LONG => ErrorCode::UriTooLong,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::REQUEST_TIMEOUT => ErrorCode::Timeout,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthenticated,
        StatusCode::FORBIDDEN => ErrorCode::Forbidden,
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT => ErrorCode::Unavailable,
        s if s.is_server_error() => ErrorCode::Internal,
        _ => ErrorCode::Malformed,
    }
}
