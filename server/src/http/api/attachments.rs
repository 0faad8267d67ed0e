//! `/api/v1/attachments/{sha256}`: upload a content in pieces (`PUT`, with
//! `Upload-Offset`), ask where an upload stands (`GET …/upload`), and fetch
//! a stored content (`GET`). Every request is scoped to the caller's cases.

use crate::http::body::read_bytes;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::service::Caller;
use crate::service::attachments::{self, parse_sha256};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::api::ErrorBody;
use domain::api::{MAX_UPLOAD_PIECE, UploadStatus};

/// The header naming where a piece starts in the whole content.
pub const UPLOAD_OFFSET: &str = "upload-offset";

/// Upload a piece of an attachment (上传附件)
///
/// The piece's bytes start at `Upload-Offset` in the whole content; the last
/// piece is checked against the SHA-256 and stored. A content the server
/// already holds is complete at once.
#[utoipa::path(
    put,
    path = "/api/v1/attachments/{sha256}",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The content's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
        ("Upload-Offset" = Option<u64>, Header, description = "Where this piece starts in the whole content (default 0)"),
    ),
    request_body(
        description = "The piece: 1 byte to 1 MiB of the content",
        content(("application/octet-stream")),
    ),
    responses(
        (status = 200, description = "Where the upload now stands", body = UploadStatus),
        (status = 400, description = "Bad hash, `Upload-Offset` or empty piece (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "No case or screening record the caller records refers to this content", body = ErrorBody),
        (status = 409, description = "The server holds a different number of bytes (`offset_mismatch`): ask and resume", body = ErrorBody),
        (status = 413, description = "Piece over 1 MiB (`too_large`), or the account's photo storage is full (`quota_exceeded`, `--photo-quota-mib`)", body = ErrorBody),
        (status = 422, description = "More bytes than declared, or the bytes do not match the hash (`invalid`)", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn put(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<UploadStatus>, ApiError> {
    let sha256 = parse_sha256(&sha256)?;
    let offset = match headers.get(UPLOAD_OFFSET) {
        None => 0,
        Some(v) => v
            .to_str()
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| {
                ApiError::malformed(
                    Some("Upload-Offset".into()),
                    "Upload-Offset 应为非负整数 / Upload-Offset must be a whole number",
                )
            })?,
    };
    let piece = read_bytes(body, MAX_UPLOAD_PIECE).await?;
    Ok(Json(
        attachments::upload(
            &state.store,
            &caller,
            sha256,
            offset,
            &piece,
            state.photo_quota,
        )
        .await?,
    ))
}

/// Where an upload stands (续传位置)
///
/// How many bytes the server holds, so an interrupted upload resumes there.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{sha256}/upload",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The content's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
    ),
    responses(
        (status = 200, description = "Where the upload stands", body = UploadStatus),
        (status = 400, description = "Bad hash (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "No case the caller sees refers to this content", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn upload_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
) -> Result<Json<UploadStatus>, ApiError> {
    let sha256 = parse_sha256(&sha256)?;
    Ok(Json(
        attachments::status(&state.store, &caller, sha256).await?,
    ))
}

/// Fetch a stored attachment (下载附件)
///
/// The bytes, with their content type; they never change under their name.
#[utoipa::path(
    get,
    path = "/api/v1/attachments/{sha256}",
    tag = "attachments",
    security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The content's SHA-256, 64 lowercase hex digits", pattern = "^[0-9a-f]{64}$"),
    ),
    responses(
        (status = 200, description = "The content: a photo or a PDF",
            content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf")),
            headers(
                ("ETag" = String, description = "The SHA-256 in quotes"),
                ("Cache-Control" = String, description = "`no-store`: no browser keeps a copy (parties' personal data)"),
            )
        ),
        (status = 400, description = "Bad hash (`malformed`)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`, `revoked` or `disabled`", body = ErrorBody),
        (status = 404, description = "Not stored, or no case the caller sees refers to it", body = ErrorBody),
        (status = 429, description = "Too many requests from this device or account (`rate_limited`)", body = ErrorBody),
    )
)]
#[tracing::instrument(skip_all, fields(session = %caller.session_id))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let sha256 = parse_sha256(&sha256)?;
    let (content_type, data) = attachments::download(&state.store, &caller, sha256).await?;
    let content_type = HeaderValue::from_str(&content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let etag = HeaderValue::from_str(&format!("\"{sha256}\""))
        .map_err(|e| ApiError::Internal(format!("etag: {e}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            // a photo of signed paper holds parties' personal data: no
            // browser keeps a copy that outlives the log-out
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::ETAG, etag),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        data,
    )
        .into_response())
}
