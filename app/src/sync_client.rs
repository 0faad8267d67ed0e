//! The phone's sync loop (docs/sync.md): log-in, then push the outbox and
//! pull the committee's changes, one step at a time, with nothing held open
//! across the network. One sync at a time; the status is a signal the UI
//! shows (n of m sent). On the server every call answers [`NOT_HERE`].

#![cfg_attr(not(feature = "hydrate"), allow(unused_variables, dead_code))]

#[cfg(not(feature = "hydrate"))]
use crate::local::NOT_HERE;
use crate::records::Session;
use leptos::prelude::*;

/// How a sync is going, for the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncStatus {
    pub running: bool,
    /// Changes sent so far in this sync, and how many were queued.
    pub sent: u32,
    pub total: u32,
    /// The last outcome, for people (Chinese / English).
    pub message: String,
    pub failed: bool,
}

/// The app-wide sync status (provided by [`SyncAgent`]).
pub fn use_sync_status() -> RwSignal<SyncStatus> {
    use_context::<RwSignal<SyncStatus>>().unwrap_or_else(|| RwSignal::new(SyncStatus::default()))
}

/// Changes per push (the server takes up to 500).
const PUSH_BATCH: usize = 200;
/// Changes per pull page.
const PULL_LIMIT: u32 = 500;

#[cfg(feature = "hydrate")]
mod http {
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    pub enum Failure {
        /// No network or no server: try again later.
        Offline(String),
        /// The device was revoked or logged out elsewhere: wipe.
        Revoked,
        /// Refused (4xx): the server's message.
        Refused { message: String },
    }

    impl Failure {
        pub fn text(&self) -> String {
            match self {
                Failure::Offline(e) => format!(
                    "无法连接服务器，稍后自动重试 / cannot reach the server, will retry: {e}"
                ),
                Failure::Revoked => "此设备已被注销 / this device was revoked".into(),
                Failure::Refused { message, .. } => message.clone(),
            }
        }
    }

    async fn answer<T: DeserializeOwned>(
        res: Result<gloo_net::http::Response, gloo_net::Error>,
    ) -> Result<T, Failure> {
        let res = res.map_err(|e| Failure::Offline(e.to_string()))?;
        if res.ok() {
            return res
                .json::<T>()
                .await
                .map_err(|e| Failure::Offline(e.to_string()));
        }
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        let code = body["code"].as_str().unwrap_or_default();
        if status == 401 && code != "bad_credentials" {
            return Err(Failure::Revoked);
        }
        if status >= 500 {
            return Err(Failure::Offline(format!("HTTP {status}")));
        }
        Err(Failure::Refused {
            message: body["message"]
                .as_str()
                .unwrap_or("请求被拒绝 / refused")
                .to_owned(),
        })
    }

    pub async fn post<B: Serialize, T: DeserializeOwned>(
        url: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<T, Failure> {
        let mut req = gloo_net::http::Request::post(url);
        if let Some(token) = token {
            req = req.header("Authorization", &format!("Bearer {token}"));
        }
        let req = req
            .json(body)
            .map_err(|e| Failure::Offline(e.to_string()))?;
        answer(req.send().await).await
    }

    pub async fn get<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, Failure> {
        let req =
            gloo_net::http::Request::get(url).header("Authorization", &format!("Bearer {token}"));
        answer(req.send().await).await
    }
}

/// Logs in (online), binds this phone to the account's committee and keeps
/// the session; returns it.
pub async fn login(phone: String, password: String) -> Result<Session, String> {
    #[cfg(feature = "hydrate")]
    {
        use crate::records::Profile;
        use domain::rules::CommitteeKind;
        #[derive(serde::Deserialize)]
        struct Scope {
            role: String,
            unit_id: String,
            unit_name: String,
            unit_kind: String,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            token: String,
            person_id: String,
            name: String,
            phone: String,
            scopes: Vec<Scope>,
        }
        let device_id = uuid::Uuid::now_v7().to_string();
        let body = serde_json::json!({
            "phone": phone.trim(), "password": password, "device_id": device_id,
            "device_name": web_sys::window().and_then(|w| w.navigator().user_agent().ok()).unwrap_or_default(),
        });
        let answer: Answer = http::post("/api/v1/auth/login", None, &body)
            .await
            .map_err(|f| f.text())?;
        let scope = answer
            .scopes
            .first()
            .ok_or_else(|| "此账号没有任何职务 / the account holds no role".to_owned())?;
        let store = crate::store::LocalStore::shared()
            .await
            .map_err(|e| e.to_string())?;
        let old = store.profile().await.map_err(|e| e.to_string())?;
        let profile = Profile {
            unit_id: domain::UnitId::parse(&scope.unit_id).map_err(|e| e.to_string())?,
            unit_name: scope.unit_name.clone(),
            committee: scope
                .unit_kind
                .parse::<domain::UnitKind>()
                .ok()
                .and_then(CommitteeKind::of_unit)
                .unwrap_or(old.committee),
            number_prefix: old.number_prefix.clone(),
            mediator_id: domain::PersonId::parse(&answer.person_id).map_err(|e| e.to_string())?,
            mediator_name: answer.name.clone(),
        };
        let session = Session {
            token: answer.token,
            device_id,
            person_id: answer.person_id,
            name: answer.name,
            phone: answer.phone,
            unit_id: scope.unit_id.clone(),
            unit_name: scope.unit_name.clone(),
            role: scope.role.clone(),
            cursor: 0,
            next_seq: 1,
            last_sync: None,
        };
        store
            .begin_session(&session, &profile)
            .await
            .map_err(|e| e.to_string())?;
        Ok(session)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(NOT_HERE.to_owned())
}

/// The stored session, if this phone is logged in.
pub async fn session() -> Result<Option<Session>, String> {
    #[cfg(feature = "hydrate")]
    {
        let store = crate::store::LocalStore::shared()
            .await
            .map_err(|e| e.to_string())?;
        store.session().await.map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "hydrate"))]
    Err(NOT_HERE.to_owned())
}

/// Ends the session on the server (best effort) and wipes this phone's
/// data. The caller has warned about unsent changes first.
pub async fn logout() -> Result<(), String> {
    #[cfg(feature = "hydrate")]
    {
        end_session().await
    }
    #[cfg(not(feature = "hydrate"))]
    Err(NOT_HERE.to_owned())
}

// The network side of sync (HTTP, the protocol's messages, the store's sync
// steps) is reached only through these two lazy functions and the lazily
// loaded log-in screen: built with `--split`, it is a wasm chunk fetched
// the first time the app syncs (the worker precaches it), so the first
// screen does not carry it (docs/perf.md).

/// (The browser-side tests build without the `entry` feature: there the
/// same functions are plain, so the test wasm has no chunk imports.)
#[cfg_attr(feature = "entry", lazy)]
#[cfg(feature = "hydrate")]
async fn end_session() -> Result<(), String> {
    let store = crate::store::LocalStore::shared()
        .await
        .map_err(|e| e.to_string())?;
    if let Ok(Some(session)) = store.session().await {
        let _: Result<serde_json::Value, _> =
            http::post("/api/v1/auth/logout", Some(&session.token), &()).await;
    }
    store.clear_all().await.map_err(|e| e.to_string())
}

#[cfg_attr(feature = "entry", lazy)]
#[cfg(feature = "hydrate")]
async fn run_sync(status: RwSignal<SyncStatus>) -> Result<String, String> {
    run(status).await
}

#[cfg(feature = "hydrate")]
thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// One sync: push everything queued (in batches), then pull until the
/// server has nothing more. Never two at once (a second call returns at
/// once). Outbox entries leave only once the server acknowledged them.
pub async fn sync_now(status: RwSignal<SyncStatus>) {
    #[cfg(feature = "hydrate")]
    {
        if RUNNING.get() {
            return;
        }
        RUNNING.set(true);
        status.try_update(|s| {
            s.running = true;
            s.sent = 0;
            s.total = 0;
            s.failed = false;
        });
        let result = run_sync(status).await;
        RUNNING.set(false);
        status.try_update(|s| {
            s.running = false;
            match result {
                Ok(message) => {
                    s.message = message;
                    s.failed = false;
                }
                Err(message) => {
                    s.message = message;
                    s.failed = true;
                }
            }
        });
    }
}

#[cfg(feature = "hydrate")]
async fn run(status: RwSignal<SyncStatus>) -> Result<String, String> {
    use crate::store::LocalStore;
    use domain::sync::{Entity, Mutation, Op, PullResponse, PushRequest, PushResponse};
    let store = LocalStore::shared().await.map_err(|e| e.to_string())?;
    let Some(session) = store.session().await.map_err(|e| e.to_string())? else {
        return Err("请先登录再同步 / log in to sync".into());
    };
    let revoked = |store: LocalStore| async move {
        let _ = store.clear_all().await;
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href("/login?revoked=1");
        }
        "此设备已被注销，本机数据已清除 / this device was revoked; its data was wiped".to_owned()
    };
    let total = store.pending_count().await.map_err(|e| e.to_string())?;
    status.try_update(|s| s.total = total);
    let (mut sent, mut refused, mut conflicts) = (0u32, 0u32, 0u32);
    loop {
        let (session, batch) = store
            .next_push(PUSH_BATCH)
            .await
            .map_err(|e| e.to_string())?;
        if batch.is_empty() {
            break;
        }
        let client_id = uuid::Uuid::parse_str(&session.device_id).map_err(|e| e.to_string())?;
        let mutations = batch
            .iter()
            .filter_map(|(entry, case)| {
                Some(Mutation {
                    seq: entry.seq?,
                    mutation_id: uuid::Uuid::parse_str(&entry.mutation_id).ok()?,
                    entity: Entity::Case,
                    entity_id: uuid::Uuid::parse_str(&entry.entity_id).ok()?,
                    op: match entry.op {
                        crate::records::OutboxOp::Upsert => Op::Upsert,
                        crate::records::OutboxOp::Delete => Op::Delete,
                    },
                    base_version: entry.base_version,
                    payload: match entry.op {
                        crate::records::OutboxOp::Upsert => {
                            case.as_ref().and_then(|c| serde_json::to_value(c).ok())
                        }
                        crate::records::OutboxOp::Delete => None,
                    },
                })
            })
            .collect();
        let req = PushRequest {
            client_id,
            mutations,
        };
        let answer: PushResponse =
            match http::post("/api/v1/sync/push", Some(&session.token), &req).await {
                Ok(a) => a,
                Err(http::Failure::Revoked) => return Err(revoked(store).await),
                Err(f) => return Err(f.text()),
            };
        let outcome = store
            .apply_push(&answer.results)
            .await
            .map_err(|e| e.to_string())?;
        sent += outcome.applied + outcome.conflicts;
        refused += outcome.rejected;
        conflicts += outcome.conflicts;
        status.try_update(|s| s.sent = sent);
        if outcome.applied + outcome.conflicts + outcome.rejected == 0 {
            break; // nothing moved: do not spin
        }
    }
    let mut received = 0;
    loop {
        let session = store
            .session()
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or(session.clone());
        let url = format!(
            "/api/v1/sync/pull?cursor={}&limit={PULL_LIMIT}",
            session.cursor
        );
        let page: PullResponse = match http::get(&url, &session.token).await {
            Ok(p) => p,
            Err(http::Failure::Revoked) => return Err(revoked(store).await),
            Err(f) => return Err(f.text()),
        };
        received += store
            .apply_pull(&page.changes, page.cursor)
            .await
            .map_err(|e| e.to_string())?;
        if !page.has_more {
            break;
        }
    }
    let mut message = format!(
        "已同步：发送 {sent} 条，接收 {received} 条 / synced: {sent} sent, {received} received"
    );
    if conflicts > 0 {
        message.push_str(&format!("；{conflicts} 条与他人修改冲突，已按服务器顺序合并 / {conflicts} merged with others' changes"));
    }
    if refused > 0 {
        return Err(format!(
            "{message}；{refused} 条被服务器拒绝，请查看案件 / {refused} refused by the server: see the cases"
        ));
    }
    Ok(message)
}

/// Starts syncs by itself: when the app opens, when the network comes back,
/// and every five minutes, while logged in. Provides the status signal.
#[component]
pub fn SyncAgent() -> impl IntoView {
    let status = RwSignal::new(SyncStatus::default());
    provide_context(status);
    #[cfg(feature = "hydrate")]
    {
        let start = move || {
            leptos::task::spawn_local(async move {
                let online = web_sys::window().is_some_and(|w| w.navigator().on_line());
                if online && matches!(session().await, Ok(Some(_))) {
                    sync_now(status).await;
                }
            });
        };
        Effect::new(move |_| start());
        let _ = window_event_listener(leptos::ev::online, move |_| start());
        let _ = set_interval_with_handle(start, std::time::Duration::from_secs(300));
    }
}
