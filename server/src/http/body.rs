//! Request bodies: a size cap, strict JSON (unknown fields rejected, with
//! the path of the field at fault in the error: `mutations[3].payload`).
//!
//! A body over the cap is still read to its end (up to [`DRAIN_LIMIT`]) and
//! thrown away before the 413 goes out: a client still sending when the
//! server answered and closed would otherwise see a broken connection
//! instead of the answer.

use super::error::ApiError;
use axum::body::{Body, Bytes};
use domain::strict::Unreadable;
use http_body_util::BodyExt;
use serde::de::DeserializeOwned;

/// Past this, an oversized body is not drained any more: the connection is
/// closed on the sender.
pub const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// The whole body, or 413 when it holds more than `limit` bytes.
pub async fn read_bytes(mut body: Body, limit: usize) -> Result<Bytes, ApiError> {
    let mut out = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        // a body that stopped arriving (408), or a connection dropped
        // mid-body: nothing stored
        let frame = match frame.map_err(axum::Error::into_inner) {
            Ok(frame) => frame,
            Err(e) if e.is::<tower_http::timeout::TimeoutError>() => {
                return Err(ApiError::Edge {
                    status: axum::http::StatusCode::REQUEST_TIMEOUT,
                    code: domain::api::ErrorCode::Timeout,
                });
            }
            Err(_) => {
                return Err(ApiError::malformed(
                    None,
                    "请求体未完整收到 / the body was cut off",
                ));
            }
        };
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen > DRAIN_LIMIT {
            break;
        }
        if seen <= limit {
            out.extend_from_slice(&data);
        }
    }
    if seen > limit {
        return Err(ApiError::TooLarge { limit });
    }
    Ok(Bytes::from(out))
}

pub async fn read_json<T: DeserializeOwned>(body: Body, limit: usize) -> Result<T, ApiError> {
    let bytes = read_bytes(body, limit).await?;
    domain::strict::from_slice(&bytes).map_err(|e| match e {
        Unreadable::UnknownField { ref path } => {
            ApiError::malformed(Some(path.clone()), e.to_string())
        }
        Unreadable::Bad { path, reason } => ApiError::malformed(
            path,
            format!("无法读取请求 / cannot read the request: {reason}"),
        ),
    })
}
