//! What every handler can reach.

use super::limits::Limits;
use super::offline::Offline;
use crate::service::auth::SessionLimits;
use crate::service::directory::StoreDirectory;
use crate::service::reminders::web_push::WebPush;
use crate::service::sync::PushQueue;
use crate::store::Store;
use app::AssetPaths;
use app::directory::DirectoryHandle;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub leptos_options: LeptosOptions,
    pub assets: AssetPaths,
    /// The store as the UI's server functions see it.
    pub directory: DirectoryHandle,
    /// The app shell and service worker of this build.
    pub offline: Offline,
    /// Behind a reverse proxy: the header it writes the client's address
    /// in (`--client-ip-header`); `None` takes the connection's peer.
    pub client_ip_header: Option<axum::http::HeaderName>,
    /// Log-in and per-device request limits.
    pub limits: Arc<Limits>,
    /// Sync pushes, applied in group commits.
    pub pushes: PushQueue,
    /// The Web Push channel, when on: its public key and endpoint check.
    pub web_push: Option<Arc<WebPush>>,
    /// Wakes the reminder scheduler to escalate a high-risk case at once.
    pub escalate: Option<Arc<tokio::sync::Notify>>,
    /// Bytes of photos each account may store (`--photo-quota-mib`).
    pub photo_quota: u64,
    /// When device sessions expire (`--session-idle-secs`, `--session-max-secs`).
    pub sessions: SessionLimits,
}

impl AppState {
    pub fn new(
        store: Store,
        leptos_options: LeptosOptions,
        assets: AssetPaths,
        offline: Offline,
    ) -> AppState {
        AppState {
            directory: Arc::new(StoreDirectory(store.clone())),
            pushes: PushQueue::start(store.clone()),
            store,
            leptos_options,
            assets,
            offline,
            client_ip_header: None,
            limits: Arc::new(Limits::new()),
            web_push: None,
            escalate: None,
            photo_quota: crate::config::DEFAULT_PHOTO_QUOTA_MIB * 1024 * 1024,
            sessions: SessionLimits::default(),
        }
    }
}

impl FromRef<AppState> for Offline {
    fn from_ref(state: &AppState) -> Self {
        state.offline.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
