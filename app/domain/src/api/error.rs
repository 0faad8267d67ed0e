use serde::{Deserialize, Serialize};

/// Why a request was refused, as a machine reads it (the `code` of every
/// error body). The app turns it into words in the user's language; the
/// server's `message` is for people reading the API by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body, query or path does not read (not JSON, an unknown
    /// field, a bad id).
    Malformed,
    /// 400: a push's seqs do not start at 1 and strictly increase.
    SeqOrder,
    /// 400: more mutations than one push may carry.
    BatchTooLarge,
    /// 401: no valid session.
    Unauthenticated,
    /// 401: the device was revoked (the app wipes its data).
    Revoked,
    /// 401: the session went unused too long or is too old: the app keeps
    /// its data and asks for the password again (a new log-in with the same
    /// `device_id`).
    Expired,
    /// 401: the account is disabled.
    Disabled,
    /// 401: a log-in with a wrong phone number or password.
    BadCredentials,
    /// 403: outside what the caller's roles may do.
    Forbidden,
    /// 404: not there, or not in the caller's organisation (or a path the
    /// API does not have).
    NotFound,
    /// 405: the path does not take this method (`Allow` lists those it does).
    MethodNotAllowed,
    /// 408: the request did not arrive in time.
    Timeout,
    /// 409: an upload piece at the wrong offset (ask where it stands).
    OffsetMismatch,
    /// 409: the case was deleted.
    Deleted,
    /// 409: the device id belongs to another account.
    DeviceInUse,
    /// 409: someone changed it since the caller read it (a claim's step
    /// signed meanwhile): read it again.
    Stale,
    /// 413: the body is over the endpoint's limit.
    TooLarge,
    /// 413: the account's photo storage is full (`--photo-quota-mib`).
    QuotaExceeded,
    /// 414: the path and query are over 8 KiB.
    UriTooLong,
    /// 415: a JSON endpoint was sent something other than
    /// `Content-Type: application/json`.
    UnsupportedMediaType,
    /// 422: a field's value is refused (`field` names it).
    Invalid,
    /// 429: too many requests; try again later.
    RateLimited,
    /// 500: the server failed (details are in its log, never sent).
    Internal,
    /// 503: the database or a queue is unavailable.
    Unavailable,
}

impl ErrorCode {
    pub fn code(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed",
            ErrorCode::SeqOrder => "seq_order",
            ErrorCode::BatchTooLarge => "batch_too_large",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Revoked => "revoked",
            ErrorCode::Expired => "expired",
            ErrorCode::Disabled => "disabled",
            ErrorCode::BadCredentials => "bad_credentials",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::OffsetMismatch => "offset_mismatch",
            ErrorCode::Deleted => "deleted",
            ErrorCode::DeviceInUse => "device_in_use",
            ErrorCode::Stale => "stale",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::QuotaExceeded => "quota_exceeded",
            ErrorCode::UriTooLong => "uri_too_long",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Invalid => "invalid",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
        }
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.code() == *other
    }
}

/// The body of every refused request (错误): a machine-readable `code`, a
/// `message` to show (Chinese, then English), and the `field` at fault when
/// one is known. Also the schema of the OpenAPI document's error responses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    /// The field at fault, e.g. `mutations[0].seq` or `Upload-Offset`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Chinese first, then English: `请先登录 / log in first`.
    pub message: String,
}
