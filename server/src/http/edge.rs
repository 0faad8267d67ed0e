//! The JSON API's edge (`/api/v1/…`): what every request meets before its
//! handler, and what every answer passes after it.
//!
//! - A path and query over [`MAX_URI_BYTES`]: 414 `uri_too_long`.
//! - A body sent to a JSON endpoint with any type but
//!   `application/json`: 415 `unsupported_media_type` (photo pieces, under
//!   `/api/v1/attachments/`, are bytes and exempt).
//! - An answer the framework made without a body (405 with its `Allow`, a
//!   path the API does not have, …) gets the documented `{code, message}`,
//!   so a client never meets a bare status or the app's HTML 404 page.
//!
//! A URI over hyper's own 64 KiB limit is refused by hyper before it gets
//! here, with a bare 414 (docs/sync.md, "Errors").

use super::error::{ApiError, edge_code};
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, TRANSFER_ENCODING};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest path and query the API reads.
pub const MAX_URI_BYTES: usize = 8 * 1024;

const API: &str = "/api/v1/";
const BYTES_ENDPOINTS: &str = "/api/v1/attachments/";

pub async fn api(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with(API) {
        return next.run(req).await;
    }
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return refusal(StatusCode::URI_TOO_LONG);
    }
    if !path.starts_with(BYTES_ENDPOINTS) && has_body(&req) && !is_json(&req) {
        return refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let res = next.run(req).await;
    if (res.status().is_client_error() || res.status().is_server_error()) && !answers_json(&res) {
        // the framework's own headers (a 405's `Allow`) stay
        let mut fresh = refusal(res.status());
        for (name, value) in res.headers() {
            if name != CONTENT_TYPE && name != CONTENT_LENGTH {
                fresh.headers_mut().append(name, value.clone());
            }
        }
        return fresh;
    }
    res
}

fn refusal(status: StatusCode) -> Response {
    ApiError::Edge {
        status,
        code: edge_code(status),
    }
    .into_response()
}

/// Whether the request carries a body: a method that may, and a length
/// over zero or a chunked body.
fn has_body(req: &Request) -> bool {
    let method = req.method();
    if !(method == Method::POST || method == Method::PUT || method == Method::PATCH) {
        return false;
    }
    let headers = req.headers();
    let length = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match length {
        Some(n) => n > 0,
        None => headers.contains_key(TRANSFER_ENCODING) || !is_empty_hint(req.body()),
    }
}

/// A body that says it has ended before a byte was read.
fn is_empty_hint(body: &Body) -> bool {
    HttpBody::is_end_stream(body)
}

/// `application/json`, with or without parameters (`; charset=utf-8`).
fn is_json(req: &Request) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

fn answers_json(res: &Response) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"))
}
