//! The sync loop (docs/sync.md): push the outbox in batches, upload the
//! photos, then pull both streams until the server has nothing more — one
//! step at a time, with nothing held open across the network, one sync at
//! a time. What to send and what the answers do are `crate::sync_plan`'s
//! decisions; this is the I/O around them. When the server cannot be
//! reached, the next try is set with exponential back-off (and Background
//! Sync, where the browser has it, wakes the app when the network
//! returns).

use super::agent::SyncStatus;
use super::client::{self, ApiError, Stream};
use crate::idb::LocalStore;
use crate::records::Session;
use crate::sync_plan::{self, PULL_LIMIT, PUSH_BATCH, Tally};
use leptos::prelude::*;

/// Why a sync stopped: the message for people, and whether the network
/// was at fault (then the agent retries with back-off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub message: String,
    pub retry: bool,
}

impl Failed {
    fn here(e: impl std::fmt::Display) -> Failed {
        Failed {
            message: e.to_string(),
            retry: false,
        }
    }
}

thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Bumped by every sync: a retry timer set before it no longer fires.
    static RETRY_GENERATION: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One sync: push everything queued, upload the photos, pull until the
/// server has nothing more. Never two at once (a second call returns at
/// once). Outbox entries leave only once the server acknowledged them.
pub async fn sync_now(status: RwSignal<SyncStatus>) {
    if RUNNING.get() {
        return;
    }
    RUNNING.set(true);
    // shown at once, while the sync chunk loads
    status.try_update(|s| s.running = true);
    run_sync(status).await;
    RUNNING.set(false);
}

/// The sync itself and what follows it (the status, the back-off), in the
/// lazily loaded sync chunk: Home's first load carries only [`sync_now`].
/// (The browser-side tests build without the `entry` feature: there it is
/// a plain function, so the test wasm has no chunk imports.)
#[cfg_attr(feature = "entry", leptos::lazy)]
async fn run_sync(status: RwSignal<SyncStatus>) {
    sync_and_report(status).await
}

async fn sync_and_report(status: RwSignal<SyncStatus>) {
    RETRY_GENERATION.set(RETRY_GENERATION.get().wrapping_add(1));
    status.try_update(|s| {
        s.running = true;
        s.sent = 0;
        s.total = 0;
        s.bytes_sent = 0;
        s.bytes_total = 0;
        s.failed = false;
        s.retry_in_s = None;
    });
    let result = run(status).await;
    let retry = status
        .try_update(|s| {
            s.running = false;
            match result {
                Ok(message) => {
                    s.message = message;
                    s.failed = false;
                    s.failures = 0;
                    None
                }
                Err(Failed { message, retry }) => {
                    s.message = message;
                    s.failed = true;
                    if !retry {
                        return None;
                    }
                    s.failures += 1;
                    let delay = sync_plan::retry_delay_s(s.failures, js_sys::Math::random());
                    s.retry_in_s = Some(delay);
                    Some(delay)
                }
            }
        })
        .flatten();
    if let Some(delay) = retry {
        retry_later(status, delay);
        background::register(status);
    }
}

/// Runs a sync after `delay_s` seconds unless another sync ran meanwhile.
fn retry_later(status: RwSignal<SyncStatus>, delay_s: u32) {
    let generation = RETRY_GENERATION.get();
    set_timeout(
        move || {
            if RETRY_GENERATION.get() == generation {
                leptos::task::spawn_local(sync_if_online(status));
            }
        },
        std::time::Duration::from_secs(u64::from(delay_s)),
    );
}

/// A sync, when there is a network and a session.
pub async fn sync_if_online(status: RwSignal<SyncStatus>) {
    if super::actions::online() && matches!(super::account::session().await, Ok(Some(_))) {
        sync_now(status).await;
    }
}

/// Background Sync (Chrome on Android): the service worker is woken when
/// the network returns and asks the open app to sync (public/sw.js). The
/// sync itself runs in the page, where the Rust code lives.
pub mod background {
    use super::SyncStatus;
    use js_sys::{Function, Reflect};
    use leptos::prelude::RwSignal;
    use wasm_bindgen::{JsCast, JsValue};

    pub const TAG: &str = "tiaojie-sync";

    thread_local! {
        static LISTENING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// Asks for a `sync` event once the network is back (where supported),
    /// and listens (once) for the service worker's call to sync.
    pub fn register(status: RwSignal<SyncStatus>) {
        if !LISTENING.replace(true)
            && let Some(w) = web_sys::window()
        {
            let on_message = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(
                move |ev: web_sys::MessageEvent| {
                    if asks_to_sync(&ev.data()) {
                        leptos::task::spawn_local(super::sync_if_online(status));
                    }
                },
            );
            let _ = w
                .navigator()
                .service_worker()
                .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
            on_message.forget();
        }
        leptos::task::spawn_local(async {
            let Some(window) = web_sys::window() else {
                return;
            };
            let Ok(ready) = window.navigator().service_worker().ready() else {
                return;
            };
            let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
                return;
            };
            let Ok(manager) = Reflect::get(&registration, &"sync".into()) else {
                return;
            };
            let register = Reflect::get(&manager, &"register".into())
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok());
            if let Some(register) = register
                && let Ok(promise) = register.call1(&manager, &JsValue::from_str(TAG))
                && let Ok(promise) = promise.dyn_into::<js_sys::Promise>()
            {
                let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
            }
        });
    }

    /// Whether a message from the service worker asks for a sync.
    pub fn asks_to_sync(data: &JsValue) -> bool {
        Reflect::get(data, &"type".into())
            .ok()
            .and_then(|t| t.as_string())
            .is_some_and(|t| t == TAG)
    }
}

/// What a failed call means for the sync: a revoked device is wiped and
/// sent to log in; a network failure is retried later; a refusal is said.
async fn failed(store: &LocalStore, e: ApiError) -> Failed {
    match e {
        // logged out while this sync was under way: nothing to wipe, nowhere
        // to send the user (the log-out does both)
        ApiError::Revoked if matches!(store.session().await, Ok(None)) => {
            Failed::here("已退出登录 / logged out")
        }
        ApiError::Revoked => revoked(store, "revoked").await,
        ApiError::Disabled if matches!(store.session().await, Ok(None)) => {
            Failed::here("已退出登录 / logged out")
        }
        ApiError::Disabled => revoked(store, "stopped").await,
        // the data stays; the sync card asks for the password
        ApiError::Expired => {
            let _ = store.mark_expired().await;
            Failed::here(ApiError::Expired.text())
        }
        other => Failed {
            retry: other.is_offline(),
            message: other.text(),
        },
    }
}

/// A revoked device (a lost phone) or a stopped account (`why`: `revoked`
/// or `stopped`): its data goes, and the user is sent to the log-in
/// screen, which says why.
async fn revoked(store: &LocalStore, why: &str) -> Failed {
    let _ = store.clear_all().await;
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href(&format!("/login?{why}=1"));
    }
    Failed::here(if why == "stopped" {
        "账号已停用，本机数据已清除 / the account was stopped; this phone's data was wiped"
    } else {
        "此设备已被注销，本机数据已清除 / this device was revoked; its data was wiped"
    })
}

/// Pulls one stream page by page until the server has no more; returns
/// how many changes were applied.
async fn pull_stream(
    store: &LocalStore,
    fallback: &Session,
    stream: Stream,
) -> Result<u32, Failed> {
    let mut applied = 0;
    loop {
        let session = store
            .session()
            .await
            .map_err(Failed::here)?
            .unwrap_or_else(|| fallback.clone());
        let cursor = match stream {
            Stream::Changes => session.cursor,
            Stream::Reference => session.reference_cursor,
        };
        let page = match client::pull(&session.token, stream, cursor, PULL_LIMIT).await {
            Ok(page) => page,
            Err(e) => return Err(failed(store, e).await),
        };
        applied += match stream {
            Stream::Changes => store.apply_pull(&page.changes, page.cursor).await,
            Stream::Reference => store.apply_reference(&page.changes, page.cursor).await,
        }
        .map_err(Failed::here)?;
        // a page that moves nothing ends it too (never spin on a bad answer)
        if !page.has_more || page.changes.is_empty() {
            return Ok(applied);
        }
    }
}

async fn run(status: RwSignal<SyncStatus>) -> Result<String, Failed> {
    let store = LocalStore::shared().await.map_err(Failed::here)?;
    let Some(session) = store.session().await.map_err(Failed::here)? else {
        return Err(Failed::here("请先登录再同步 / log in to sync"));
    };
    super::upload::name_photos(&store)
        .await
        .map_err(Failed::here)?;
    let total = store.pending_count().await.map_err(Failed::here)?;
    status.try_update(|s| s.total = total);
    let mut tally = Tally::default();
    loop {
        let (session, batch) = store.next_push(PUSH_BATCH).await.map_err(Failed::here)?;
        if batch.is_empty() {
            break;
        }
        let req = sync_plan::push_request(session.device_id, &batch);
        let answer = match client::push(&session.token, &req).await {
            Ok(answer) => answer,
            Err(e) => return Err(failed(&store, e).await),
        };
        let outcome = store
            .apply_push(&answer.results)
            .await
            .map_err(Failed::here)?;
        tally.sent += outcome.applied + outcome.conflicts;
        tally.refused += outcome.rejected;
        tally.conflicts += outcome.conflicts;
        status.try_update(|s| s.sent = tally.sent);
        if outcome.applied + outcome.conflicts + outcome.rejected == 0 {
            break; // nothing moved: do not spin
        }
    }
    match super::upload::upload_photos(&store, &session.token, status).await {
        Ok((photos, refused)) => {
            tally.photos = photos;
            tally.photos_refused = refused;
        }
        Err(e) => return Err(failed(&store, e).await),
    }
    tally.received = pull_stream(&store, &session, Stream::Changes).await?;
    // the units, schedules and rule sets (read-only here): their own cursor
    pull_stream(&store, &session, Stream::Reference).await?;
    sync_plan::report(&tally).map_err(Failed::here)
}
