//! Building the router and running the server until it is told to stop.

use crate::api;
use crate::assets::{self, Site};
use crate::config::ServeArgs;
use crate::db::Db;
use crate::offline::{self, Offline};
use crate::state::AppState;
use app::{App, shell};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    local_addr: SocketAddr,
    scheduler: crate::reminders::Scheduler,
}

impl Application {
    /// Binds the listener and builds the router. The database must be migrated.
    pub async fn build(args: &ServeArgs, db: Db) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(args.addr)
            .await
            .map_err(|e| anyhow::anyhow!("无法监听 / cannot listen on {}: {e}", args.addr))?;
        let local_addr = listener.local_addr()?;
        // the documents this build ships with, for the devices to pull
        crate::reference::publish_builtin(&db).await?;
        let site = Site::discover(&args.site_root);
        let options = site.leptos_options(local_addr);
        let offline = Offline::new(&site);
        let push = crate::reminders::web_push_channel(&db, &args.remind).await?;
        let scheduler = crate::reminders::Scheduler::new(db.clone(), &args.remind, push.clone())?;
        let mut state = AppState::new(db, options, site.paths.clone(), offline);
        state.web_push = push;
        state.escalate = Some(scheduler.wake_handle());
        Ok(Application {
            listener,
            router: router(state, &site),
            local_addr,
            scheduler,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, then stops accepting and lets open
    /// requests finish.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let reminders = self.scheduler.spawn();
        let served = axum::serve(self.listener, self.router.into_make_service())
            .with_graceful_shutdown(shutdown)
            .await;
        reminders.abort();
        served
    }
}

/// All routes: health, the JSON API, server functions, the Leptos pages, and
/// the built site's static files.
pub fn router(state: AppState, site: &Site) -> Router {
    let routes = generate_route_list(App);
    let pages_context = {
        let directory = state.directory.clone();
        let split = site.split.as_ref().map(|s| s.leptos_manifest());
        move || {
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
        .route(
            "/api/v1/cases/{id}/lock",
            put(api::office::lock).delete(api::office::unlock),
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
        .route("/api/v1/compliance", get(api::office::compliance))
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
        move || provide_context(directory.clone()),
        move || shell(paths.clone()),
    );
    render(req).await.into_response()
}

/// SIGINT (Ctrl-C) and SIGTERM listeners. Installed before the server says
/// it is running, so a signal that arrives right away is not missed (without
/// a listener, SIGTERM kills the process with no graceful shutdown).
pub struct ShutdownSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl ShutdownSignal {
    pub fn install() -> std::io::Result<ShutdownSignal> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(ShutdownSignal {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(ShutdownSignal {})
    }

    /// Resolves on the first SIGINT or SIGTERM.
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => tracing::info!("SIGINT received, shutting down"),
            _ = self.terminate.recv() => tracing::info!("SIGTERM received, shutting down"),
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("Ctrl-C received, shutting down");
        }
    }
}
