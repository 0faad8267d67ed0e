//! The HTTP layer: the router, the extractors (`Caller`, `PathId`), the
//! one mapping of every service's error to a response, the JSON API's
//! handlers, the built site's files and the app shell. Imports point one
//! way: http → service → store → domain.

pub mod api;
pub mod assets;
pub mod body;
pub mod edge;
pub mod error;
pub mod extract;
pub mod headers;
pub mod limits;
pub mod login_gate;
pub mod offline;
pub mod query;
pub mod serve;
pub mod state;

use app::{App, shell};
use assets::Site;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use state::AppState;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

/// All routes: health, the JSON API, server functions, the Leptos pages, and
/// the built site's static files. A request body that sends nothing for
/// `body_idle_timeout` is cut off (408 `timeout`, `body.rs`).
pub fn router(state: AppState, site: &Site, body_idle_timeout: std::time::Duration) -> Router {
    let routes = generate_route_list(App);
    let pages_context = {
        let directory = state.directory.clone();
        let split = site.split.as_ref().map(|s| s.leptos_manifest());
        move || {
            headers::provide_page_nonce();
            provide_context(directory.clone());
            if let Some(split) = &split {
                provide_context(split.clone());
            }
        }
    };
    let pages_shell = {
        let paths = state.assets.clone();
        move || shell(paths.clone())
    };

    let static_files = ServiceBuilder::new()
        .layer(axum::middleware::from_fn(assets::cache_control))
        .service(
            ServeDir::new(&site.root)
                .precompressed_br()
                .precompressed_gzip()
                .append_index_html_on_directories(false)
                .fallback(not_found.with_state(state.clone())),
        );

    Router::new()
        .route("/healthz", get(api::health::healthz))
        .route(app::APP_SHELL_PATH, get(offline::shell))
        .route("/sw.js", get(offline::worker))
        .route("/api/v1/auth/login", post(api::auth::login))
        .route("/api/v1/auth/logout", post(api::auth::logout))
        .route("/api/v1/auth/me", get(api::auth::me))
        .route("/api/v1/sync/push", post(api::sync::push))
        .route("/api/v1/sync/pull", get(api::sync::pull))
        .route("/api/v1/sync/reference", get(api::sync::reference))
        .route("/api/v1/openapi.json", get(api::openapi::openapi_json))
        .route(
            "/api/v1/attachments/{sha256}",
            get(api::attachments::get).put(api::attachments::put),
        )
        .route(
            "/api/v1/attachments/{sha256}/upload",
            get(api::attachments::upload_status),
        )
        .route("/api/v1/cases/{id}", get(api::cases::get))
        .route("/api/v1/cases/{id}/history", get(api::cases::history))
        .route("/api/v1/cases/{id}/money", get(api::cases::money_trail))
        .route("/api/v1/cases/{id}/duplicates", get(api::cases::duplicates))
        .route(
            "/api/v1/cases/{id}/lock",
            put(api::office::lock).delete(api::office::unlock),
        )
        .route(
            "/api/v1/cases/{id}/major-review",
            put(api::office::review_major),
        )
        .route(
            "/api/v1/cases/{id}/referral",
            get(api::referral::get).post(api::referral::act),
        )
        .route(
            "/api/v1/cases/{id}/risk",
            get(api::risk::get).put(api::risk::step),
        )
        .route("/api/v1/devices", get(api::office::devices))
        .route("/api/v1/accounts", get(api::accounts::list))
        .route(
            "/api/v1/accounts/{id}/password",
            post(api::accounts::set_password),
        )
        .route(
            "/api/v1/accounts/{id}/disable",
            post(api::accounts::disable),
        )
        .route("/api/v1/accounts/{id}/enable", post(api::accounts::enable))
        .route("/api/v1/compliance", get(api::office::compliance))
        .route(
            "/api/v1/claims",
            get(api::claims::list).post(api::claims::submit),
        )
        .route("/api/v1/claims/draft", get(api::claims::draft))
        .route("/api/v1/claims/{id}", get(api::claims::get))
        .route(
            "/api/v1/claims/{id}/duplicates",
            get(api::claims::duplicates),
        )
        .route("/api/v1/claims/{id}/steps", post(api::claims::sign))
        .route("/api/v1/claims/steps", post(api::claims::sign_many))
        .route(
            "/api/v1/claims/{id}/special-decisions",
            post(api::claims::decide_special),
        )
        .route(
            "/api/v1/claims/{id}/spot-check",
            post(api::claims::draw_spot_check),
        )
        .route(
            "/api/v1/claims/{id}/spot-check/calls",
            post(api::claims::record_call),
        )
        .route("/api/v1/claims/mine", get(api::claims::mine))
        .route(
            "/api/v1/duty",
            get(api::duty::month).post(api::duty::decide),
        )
        .route("/api/v1/duty/payroll", get(api::duty::payroll))
        .route(
            "/api/v1/duty/township-payments",
            post(api::duty::pay_township),
        )
        .route(
            "/api/v1/duty/mediator-payments",
            post(api::duty::pay_mediator),
        )
        .route("/api/v1/claims/summary", get(api::claims::summary))
        .route(
            "/api/v1/claims/reconciliation",
            get(api::claims::reconciliation),
        )
        .route(
            "/api/v1/claims/summary.xlsx",
            get(api::claims::summary_xlsx),
        )
        .route("/api/v1/claims/summary.csv", get(api::claims::summary_csv))
        .route(
            "/api/v1/claims/summary.html",
            get(api::claims::summary_html),
        )
        .route("/api/v1/claims/{id}/slip.html", get(api::claims::slip_html))
        .route(
            "/api/v1/claims/township-payments",
            post(api::claims::pay_township),
        )
        .route(
            "/api/v1/claims/{id}/mediator-payments",
            post(api::claims::pay_mediator),
        )
        .route("/api/v1/payments/{id}/receipt", post(api::claims::receipt))
        .route("/api/v1/push/key", get(api::push::key))
        .route("/api/v1/inbox", get(api::inbox::list))
        .route("/api/v1/inbox/{id}/read", post(api::inbox::mark_read))
        .route(
            "/api/v1/push/subscription",
            put(api::push::subscribe).delete(api::push::unsubscribe),
        )
        .route(
            "/api/v1/devices/{id}/revoke",
            post(api::office::revoke_device),
        )
        .route("/api/fn/{*fn_name}", post(server_fn).get(server_fn))
        .leptos_routes_with_context(&state, routes, pages_context, pages_shell)
        .fallback_service(static_files)
        // inside the edge, which reads whether a body is empty from the
        // body itself (a timed body no longer says)
        .layer(RequestBodyTimeoutLayer::new(body_idle_timeout))
        .layer(axum::middleware::from_fn(edge::api))
        .layer(axum::middleware::from_fn_with_state(
            headers::SecurityHeaders::new(&state.assets),
            headers::add,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn(State(state): State<AppState>, req: Request<Body>) -> impl IntoResponse {
    let directory = state.directory.clone();
    handle_server_fns_with_context(move || provide_context(directory.clone()), req).await
}

/// Anything that is neither a page nor a file: the app's 404 page.
async fn not_found(State(state): State<AppState>, req: Request<Body>) -> Response {
    let directory = state.directory.clone();
    let paths = state.assets.clone();
    let render = leptos_axum::render_app_to_stream_with_context(
        move || {
            headers::provide_page_nonce();
            provide_context(directory.clone());
        },
        move || shell(paths.clone()),
    );
    render(req).await.into_response()
}
