//! The sync as the screens see it: its status (a signal: n of m sent,
//! the last outcome, the retry countdown) and the component that starts
//! syncs by itself — when the app opens, when the network comes back and
//! every five minutes, while logged in.

use leptos::prelude::*;

/// How a sync is going, for the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub running: bool,
    /// Changes sent so far in this sync, and how many were queued.
    pub sent: u32,
    pub total: u32,
    /// Photo bytes uploaded so far in this sync, and how many were waiting.
    pub bytes_sent: u64,
    pub bytes_total: u64,
    /// The last outcome, for people (Chinese / English).
    pub message: String,
    pub failed: bool,
    /// Syncs in a row that could not reach the server (for the back-off).
    pub failures: u32,
    /// After such a failure: the automatic retry comes in this many seconds.
    pub retry_in_s: Option<u32>,
}

/// The app-wide sync status (provided by [`SyncAgent`]).
pub fn use_sync_status() -> RwSignal<SyncStatus> {
    use_context::<RwSignal<SyncStatus>>().unwrap_or_else(|| RwSignal::new(SyncStatus::default()))
}

/// Starts syncs by itself: when the app opens, when the network comes back,
/// and every five minutes, while logged in. Provides the status signal.
#[component]
pub fn SyncAgent() -> impl IntoView {
    let status = RwSignal::new(SyncStatus::default());
    provide_context(status);
    #[cfg(feature = "hydrate")]
    {
        let start = move || leptos::task::spawn_local(super::engine::sync_if_online(status));
        Effect::new(move |_| start());
        let _ = window_event_listener(leptos::ev::online, move |_| start());
        let _ = set_interval_with_handle(start, std::time::Duration::from_secs(300));
        // (Background Sync's listener is set by the sync chunk, once a sync
        // could not reach the server: `engine::background::register`)
    }
}

/// One sync now (a button, a log-in, an office's change): see
/// `engine::sync_now`. On the server, nothing.
pub async fn sync_now(status: RwSignal<SyncStatus>) {
    #[cfg(feature = "hydrate")]
    super::engine::sync_now(status).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = status;
}
