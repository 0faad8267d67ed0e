//! The security headers of every answer (docs/security.md, "Headers"):
//!
//! - `Content-Security-Policy`: scripts only from this server, plus the
//!   inline boot script by its SHA-256 (`app::boot_script`, fixed per
//!   build: the cached app shell has it too), the inline scripts a
//!   server-rendered page streams (its resources' data) by this answer's
//!   nonce, and wasm compilation (`'wasm-unsafe-eval'`); no inline styles,
//!   no plug-ins, no `<base>`, no framing; requests only to this server
//!   (and `data:`, which the import of a saved file reads its photos from);
//!   pictures also from `blob:` (a photo is shown from the phone's store)
//!   and `data:`.
//!
//! The nonce is made here for each request and handed to the page's
//! renderer through the request's extensions ([`provide_page_nonce`]),
//! so the scripts Leptos writes carry the nonce the header names.
//! - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!   `X-Frame-Options: DENY` (for browsers that predate `frame-ancestors`).
//!
//! A handler that sets one of them itself keeps its own.

use app::AssetPaths;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The headers, made once at start-up (the policy in two halves, around
/// each answer's nonce).
#[derive(Clone)]
pub struct SecurityHeaders {
    fixed: Arc<Vec<(HeaderName, HeaderValue)>>,
    /// The policy up to the nonce, and after it.
    csp: Arc<(String, String)>,
}

impl SecurityHeaders {
    pub fn new(assets: &AssetPaths) -> SecurityHeaders {
        let boot = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(app::boot_script(assets).as_bytes()));
        let rest = [
            "style-src 'self'",
            "img-src 'self' blob: data:",
            // data: — a photo in an imported file is read back by fetch
            "connect-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
        .join("; ");
        let value = |v: &str| HeaderValue::from_str(v).expect("an ASCII header value");
        SecurityHeaders {
            fixed: Arc::new(vec![
                (X_CONTENT_TYPE_OPTIONS, value("nosniff")),
                (REFERRER_POLICY, value("no-referrer")),
                (X_FRAME_OPTIONS, value("DENY")),
            ]),
            csp: Arc::new((
                "default-src 'self'; script-src 'self' 'nonce-".to_owned(),
                format!("' 'sha256-{boot}' 'wasm-unsafe-eval'; {rest}"),
            )),
        }
    }
}

/// The middleware: makes the request's nonce, then adds each header the
/// answer does not have.
pub async fn add(State(headers): State<SecurityHeaders>, mut req: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    let (before, after) = &*headers.csp;
    let csp = HeaderValue::from_str(&format!("{before}{}{after}", &*nonce))
        .expect("a nonce is URL-safe base64");
    req.extensions_mut().insert(nonce);
    let mut res = next.run(req).await;
    let fixed = headers.fixed.iter().cloned();
    for (name, value) in std::iter::once((CONTENT_SECURITY_POLICY, csp)).chain(fixed) {
        if !res.headers().contains_key(&name) {
            res.headers_mut().insert(name, value);
        }
    }
    res
}

/// Inside a page's render: the nonce [`add`] made for its request, for the
/// scripts Leptos writes (in place of the one `leptos_axum` makes, which
/// no header names).
pub fn provide_page_nonce() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}
