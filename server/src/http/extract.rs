//! What handlers take from a request: the [`Caller`] behind its bearer
//! token, an id from its path ([`PathId`]), the address it came from
//! ([`ClientAddr`]), and (`body`, `query`) its body and query string,
//! strictly read.

use super::error::ApiError;
use super::state::AppState;
use crate::service::{Caller, auth};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::api::ErrorCode;
use domain::{AccountId, CaseId, ClaimId, DeviceSessionId, InboxItemId, PaymentId};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The caller behind the bearer token, within its request limits (per
/// device session and per account, `limits.rs`).
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated {
                code: ErrorCode::Unauthenticated,
            })?;
        let caller = auth::caller(&state.store, token, state.sessions).await?;
        state
            .limits
            .check_caller(caller.session_id, caller.account_id)?;
        Ok(caller)
    }
}

/// An id in a request's path (`/cases/{id}`), checked when the request is
/// read.
pub struct PathId<T>(pub T);

/// How an id in a path that does not read is answered.
pub trait PathParam: std::str::FromStr {
    fn not_an_id(text: &str) -> ApiError;
}

impl PathParam for CaseId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::malformed(Some("id".into()), "案件编号无效 / invalid case id")
    }
}

impl PathParam for ClaimId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::malformed(Some("id".into()), "申报编号无效 / invalid claim id")
    }
}

impl PathParam for PaymentId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::NotFound
    }
}

/// A device session or an inbox item that is not an id is, like one of
/// another's, not found.
impl PathParam for DeviceSessionId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::NotFound
    }
}

impl PathParam for AccountId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::NotFound
    }
}

impl PathParam for InboxItemId {
    fn not_an_id(_: &str) -> ApiError {
        ApiError::NotFound
    }
}

impl<T: PathParam + Send> FromRequestParts<AppState> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let axum::extract::Path(text) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|e| ApiError::malformed(None, format!("路径无效 / bad path: {e}")))?;
        text.parse().map(PathId).map_err(|_| T::not_an_id(&text))
    }
}

/// The address a request came from: the peer of its connection, or, behind
/// a reverse proxy the operator named (`--client-ip-header`), the address
/// that proxy wrote into that header (the last one of a list, the one the
/// proxy itself added). Without the setting the header is ignored, so a
/// client cannot choose its own address.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |c| c.0.ip());
        let forwarded = state.client_ip_header.as_ref().and_then(|name| {
            let value = parts
                .headers
                .get_all(name)
                .iter()
                .next_back()?
                .to_str()
                .ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        Ok(ClientAddr(forwarded.unwrap_or(peer)))
    }
}
