//! Building the router and running the server until it is told to stop.

use crate::config::ServeArgs;
use crate::http::assets::Site;
use crate::http::offline::Offline;
use crate::http::state::AppState;
use crate::service::{reference, reminders};
use crate::store::Store;
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;

/// A bound, ready-to-run server.
pub struct Application {
    listener: TcpListener,
    router: Router,
    head_timeout: Duration,
    local_addr: SocketAddr,
    scheduler: reminders::Scheduler,
}

impl Application {
    /// Binds the listener and builds the router. The database must be migrated.
    pub async fn build(args: &ServeArgs, store: Store) -> anyhow::Result<Application> {
        let listener = TcpListener::bind(args.addr)
            .await
            .map_err(|e| anyhow::anyhow!("无法监听 / cannot listen on {}: {e}", args.addr))?;
        let local_addr = listener.local_addr()?;
        // the documents this build ships with, for the devices to pull
        reference::publish_builtin(&store).await?;
        let site = Site::discover(&args.site_root);
        let options = site.leptos_options(local_addr);
        let offline = Offline::new(&site);
        let push = reminders::web_push_channel(&store, &args.remind).await?;
        let scheduler = reminders::Scheduler::new(store.clone(), &args.remind, push.clone())?;
        let mut state = AppState::new(store, options, site.paths.clone(), offline);
        state.web_push = push;
        state.escalate = Some(scheduler.wake_handle());
        state.client_ip_header = args.client_ip_header.clone();
        state.photo_quota = args.photo_quota_mib.saturating_mul(1024 * 1024);
        state.sessions = crate::service::auth::SessionLimits {
            idle_secs: args.session_idle_secs,
            max_secs: args.session_max_secs,
        };
        Ok(Application {
            listener,
            router: crate::http::router(
                state,
                &site,
                Duration::from_secs(args.body_idle_timeout_secs),
            ),
            head_timeout: Duration::from_secs(args.head_timeout_secs),
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
        let served =
            crate::http::serve::serve(self.listener, self.router, self.head_timeout, shutdown)
                .await;
        reminders.abort();
        served
    }
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
