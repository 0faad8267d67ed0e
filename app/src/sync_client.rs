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

/// How long to wait before the automatic retry after `failures` syncs in a
/// row could not reach the server: 15 s, doubling up to 30 minutes, with
/// `jitter` (0 to 1) spreading the phones of a village that all regain
/// signal at once over the upper half of the delay.
pub fn retry_delay_s(failures: u32, jitter: f64) -> u32 {
    const FIRST: u32 = 15;
    const LONGEST: u32 = 30 * 60;
    let full = FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(LONGEST);
    let jitter = jitter.clamp(0.0, 1.0);
    (f64::from(full) * (0.5 + 0.5 * jitter)).round() as u32
}

/// Bytes per uploaded piece of a photo: small enough that a piece gets
/// through a weak mountain signal, and a dropped one costs little.
pub const UPLOAD_PIECE: u64 = 256 * 1024;

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
        /// Refused (4xx): the status, the server's message and the field
        /// it is about, if any.
        Refused {
            status: u16,
            message: String,
            field: Option<String>,
        },
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
            let text = res
                .text()
                .await
                .map_err(|e| Failure::Offline(e.to_string()))?;
            // no content (204) reads as `null`: `()`. One deserializer for
            // every answer (a second one, e.g. from a `Value`, would copy
            // each type's decoding into the first load)
            let text = if text.is_empty() { "null" } else { &text };
            return serde_json::from_str::<T>(text).map_err(|e| Failure::Offline(e.to_string()));
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
            status,
            message: body["message"]
                .as_str()
                .unwrap_or("请求被拒绝 / refused")
                .to_owned(),
            field: body["field"].as_str().map(str::to_owned),
        })
    }

    /// Sends one piece of an attachment's bytes.
    pub async fn put_piece<T: DeserializeOwned>(
        url: &str,
        token: &str,
        offset: u64,
        piece: &web_sys::Blob,
    ) -> Result<T, Failure> {
        let req = gloo_net::http::Request::put(url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("Upload-Offset", &offset.to_string())
            .header("Content-Type", "application/octet-stream")
            .body(piece.clone())
            .map_err(|e| Failure::Offline(e.to_string()))?;
        answer(req.send().await).await
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

    pub async fn put<B: Serialize, T: DeserializeOwned>(
        url: &str,
        token: &str,
        body: &B,
    ) -> Result<T, Failure> {
        let req = gloo_net::http::Request::put(url)
            .header("Authorization", &format!("Bearer {token}"))
            .json(body)
            .map_err(|e| Failure::Offline(e.to_string()))?;
        answer(req.send().await).await
    }

    pub async fn delete<T: DeserializeOwned>(url: &str, token: &str) -> Result<T, Failure> {
        let req = gloo_net::http::Request::delete(url)
            .header("Authorization", &format!("Bearer {token}"));
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
            reference_cursor: 0,
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

// Office actions (docs/sync.md, "Office actions"): a supervising role locks
// and unlocks cases and revokes lost phones. Online only; called from the
// lazily loaded case page and device screen, never from Home.

pub use domain::api::{CaseLock, DeviceSession};

/// Why an office action did not happen: the message for people, and the
/// request field it is about (e.g. `reason`), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionError {
    pub message: String,
    pub field: Option<String>,
}

impl ActionError {
    /// The message, when the error is about `field` (shown next to it).
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl From<String> for ActionError {
    fn from(message: String) -> Self {
        ActionError {
            message,
            field: None,
        }
    }
}

/// Whether the browser says it has a network (`navigator.onLine`); on the
/// server, true.
pub fn online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().is_none_or(|w| w.navigator().on_line())
    }
    #[cfg(not(feature = "hydrate"))]
    true
}

/// What an office action says when the browser has no network.
pub const NEEDS_NETWORK: &str =
    "此操作需要网络，请联网后再试 / this needs a network: try again when online";

#[cfg(feature = "hydrate")]
fn action_error(f: http::Failure) -> ActionError {
    match f {
        http::Failure::Offline(e) => ActionError::from(format!(
            "无法连接服务器，请联网后再试 / cannot reach the server, try again when online: {e}"
        )),
        http::Failure::Refused { message, field, .. } => ActionError { message, field },
        revoked @ http::Failure::Revoked => ActionError::from(revoked.text()),
    }
}

/// The token of the logged-in session, or why there is none; checks the
/// network first.
#[cfg(feature = "hydrate")]
async fn office_token() -> Result<String, ActionError> {
    if !online() {
        return Err(ActionError::from(NEEDS_NETWORK.to_owned()));
    }
    match session().await? {
        Some(s) => Ok(s.token),
        None => Err(ActionError::from("请先登录 / log in first".to_owned())),
    }
}

/// Locks a case for review (`Some(reason)`) or unlocks it (`None`), on the
/// server (online). The phone's copy changes at the next sync's pull.
pub async fn set_case_lock(
    case_id: String,
    reason: Option<String>,
) -> Result<CaseLock, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}/lock");
        match reason {
            Some(reason) => {
                let body = serde_json::json!({ "reason": reason });
                http::put(&url, &token, &body).await.map_err(action_error)
            }
            None => http::delete(&url, &token).await.map_err(action_error),
        }
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

/// A case's risk assessment, its levels and who may be named (online).
pub async fn case_risk(case_id: String) -> Result<domain::api::CaseRisk, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}/risk");
        http::get(&url, &token).await.map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = case_id;
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// Takes a step of a case's risk assessment on the server (online); the
/// phone's copy follows at the next sync.
pub async fn risk_step(
    case_id: String,
    step: domain::api::RiskStepRequest,
) -> Result<domain::api::CaseRisk, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}/risk");
        http::put(&url, &token, &step).await.map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (case_id, step);
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// `PushSubscription.toJSON()`, as `PUT /api/v1/push/subscription` takes it.
#[cfg(feature = "hydrate")]
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct PushSubscriptionJson {
    endpoint: String,
    #[serde(default)]
    expiration_time: Option<f64>,
    keys: PushKeys,
}

#[cfg(feature = "hydrate")]
#[derive(serde::Serialize, serde::Deserialize)]
struct PushKeys {
    p256dh: String,
    auth: String,
}

#[cfg(feature = "hydrate")]
#[derive(serde::Deserialize)]
struct PushKey {
    public_key: String,
}

/// Registers this device for the server's Web Push messages when
/// notifications are allowed and the server sends Web Push: once per
/// log-in (`again`: also when the user has just turned notifications on).
/// Quiet when anything is missing (no Push API, the browser's push service
/// out of reach as from mainland China — then not tried again until the
/// next log-in —, Web Push off on the server): the reminders are computed
/// on the phone anyway, and the inbox works everywhere. A lazily loaded
/// chunk: the HTTP client it needs stays out of the first load.
#[cfg_attr(feature = "entry", lazy)]
#[cfg(feature = "hydrate")]
pub async fn register_push(again: bool) {
    // Home may ask twice at once (its card loads again after a sync): one
    // registration at a time
    thread_local! {
        static BUSY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    struct Turn;
    impl Drop for Turn {
        fn drop(&mut self) {
            BUSY.with(|b| b.set(false));
        }
    }
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    let _turn = Turn;
    if crate::notify::permission() != "granted" || !online() {
        return;
    }
    let Ok(Some(s)) = session().await else {
        return;
    };
    let this_login = format!("{}|", s.device_id);
    if !again && crate::notify::push_registered().is_some_and(|m| m.starts_with(&this_login)) {
        return;
    }
    let Ok(key) = http::get::<PushKey>("/api/v1/push/key", &s.token).await else {
        return;
    };
    let subscription = match crate::notify::push_subscription(&key.public_key).await {
        Ok(Some(json)) => js_sys::JSON::stringify(&json)
            .ok()
            .map(String::from)
            .and_then(|text| serde_json::from_str::<PushSubscriptionJson>(&text).ok()),
        _ => None,
    };
    let Some(subscription) = subscription else {
        crate::notify::mark_push_registered(&format!("{this_login}-"));
        return;
    };
    let mark = format!("{this_login}{}", subscription.endpoint);
    if http::put::<_, ()>("/api/v1/push/subscription", &s.token, &subscription)
        .await
        .is_ok()
    {
        crate::notify::mark_push_registered(&mark);
    }
}

/// A case as the server holds it, when it is not on this device (online):
/// a referral across the tree waits at the caller's unit.
pub async fn server_case(case_id: String) -> Result<domain::api::ServerCase, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}");
        http::get(&url, &token).await.map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = case_id;
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// Who owns a case, its hand-overs and where it may go (online).
pub async fn case_referral(case_id: String) -> Result<domain::api::CaseOwnership, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}/referral");
        http::get(&url, &token).await.map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = case_id;
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// Refers, withdraws, accepts or declines on the server (online).
pub async fn referral_step(
    case_id: String,
    step: domain::api::ReferralRequest,
) -> Result<domain::api::CaseOwnership, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/cases/{case_id}/referral");
        http::post(&url, Some(&token), &step)
            .await
            .map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (case_id, step);
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// The device sessions of the people below the caller's units (online).
pub async fn devices() -> Result<Vec<DeviceSession>, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        http::get("/api/v1/devices", &token)
            .await
            .map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

/// The screening compliance view of the caller's units (online, offices),
/// as it stood on the China date `on` (today when `None`).
pub async fn compliance(
    on: Option<jiff::civil::Date>,
) -> Result<domain::screening::ComplianceReport, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = match on {
            Some(day) => format!("/api/v1/compliance?on={}", domain::dates::format_iso(day)),
            None => "/api/v1/compliance".to_owned(),
        };
        http::get(&url, &token).await.map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = on;
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// The caller's inbox: high-risk disputes escalated to them (online).
pub async fn inbox() -> Result<domain::api::Inbox, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        http::get("/api/v1/inbox", &token)
            .await
            .map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

/// Marks an inbox item read (online).
pub async fn mark_inbox_read(id: String) -> Result<(), ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/inbox/{id}/read");
        http::post::<_, ()>(&url, Some(&token), &serde_json::json!({}))
            .await
            .map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        Err(ActionError::from(NOT_HERE.to_owned()))
    }
}

/// Revokes a lost phone's session (online); returns its row, now revoked.
pub async fn revoke_device(id: String) -> Result<DeviceSession, ActionError> {
    #[cfg(feature = "hydrate")]
    {
        let token = office_token().await?;
        let url = format!("/api/v1/devices/{id}/revoke");
        http::post(&url, Some(&token), &serde_json::json!({}))
            .await
            .map_err(action_error)
    }
    #[cfg(not(feature = "hydrate"))]
    Err(ActionError::from(NOT_HERE.to_owned()))
}

// The network side of sync (HTTP, the protocol's messages, the store's sync
// steps) is reached only through lazy functions (these two and
// `register_push`) and the lazily loaded log-in screen: built with
// `--split`, it is a wasm chunk fetched the first time the app syncs (the
// worker precaches it), so the first screen does not carry it
// (docs/perf.md: a Web Push registration reachable from Home without a
// split point brought the HTTP client back into the first load, +8 KB).

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

/// Why a sync stopped: the message for people, and whether the network
/// was at fault (then the agent retries with back-off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub message: String,
    pub retry: bool,
}

impl From<String> for Failed {
    fn from(message: String) -> Self {
        Failed {
            message,
            retry: false,
        }
    }
}

#[cfg_attr(feature = "entry", lazy)]
#[cfg(feature = "hydrate")]
async fn run_sync(status: RwSignal<SyncStatus>) {
    sync_and_report(status).await
}

#[cfg(feature = "hydrate")]
thread_local! {
    static RUNNING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Bumped by every sync: a retry timer set before it no longer fires.
    static RETRY_GENERATION: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// One sync: push everything queued (in batches), upload the photos, then
/// pull until the server has nothing more. Never two at once (a second
/// call returns at once). Outbox entries leave only once the server
/// acknowledged them. When the server cannot be reached, the next try is
/// set with exponential back-off (and Background Sync, where the browser
/// has it, wakes the app when the network returns).
pub async fn sync_now(status: RwSignal<SyncStatus>) {
    #[cfg(feature = "hydrate")]
    {
        if RUNNING.get() {
            return;
        }
        RUNNING.set(true);
        // shown at once, while the sync chunk loads
        status.try_update(|s| s.running = true);
        run_sync(status).await;
        RUNNING.set(false);
    }
}

/// The sync itself and what follows it (the status, the back-off), in the
/// lazily loaded sync chunk: Home's first load carries only [`sync_now`].
#[cfg(feature = "hydrate")]
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
                    let delay = retry_delay_s(s.failures, js_sys::Math::random());
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
#[cfg(feature = "hydrate")]
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
#[cfg(feature = "hydrate")]
async fn sync_if_online(status: RwSignal<SyncStatus>) {
    let online = web_sys::window().is_some_and(|w| w.navigator().on_line());
    if online && matches!(session().await, Ok(Some(_))) {
        sync_now(status).await;
    }
}

/// Background Sync (Chrome on Android): the service worker is woken when
/// the network returns and asks the open app to sync (public/sw.js). The
/// sync itself runs in the page, where the Rust code lives.
#[cfg(feature = "hydrate")]
mod background {
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

/// The two things a sync pulls, each with its own cursor.
#[cfg(feature = "hydrate")]
#[derive(Clone, Copy)]
enum Stream {
    /// Cases (`/api/v1/sync/pull`).
    Cases,
    /// Units, schedules, rule sets (`/api/v1/sync/reference`).
    Reference,
}

/// Pulls one stream page by page until the server has no more; returns
/// how many changes were applied.
#[cfg(feature = "hydrate")]
async fn pull_stream(
    store: &crate::store::LocalStore,
    fallback: &Session,
    stream: Stream,
) -> Result<u32, Failed> {
    use domain::sync::PullResponse;
    let mut applied = 0;
    loop {
        let session = store
            .session()
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_else(|| fallback.clone());
        let (path, cursor) = match stream {
            Stream::Cases => ("pull", session.cursor),
            Stream::Reference => ("reference", session.reference_cursor),
        };
        let url = format!("/api/v1/sync/{path}?cursor={cursor}&limit={PULL_LIMIT}");
        let page: PullResponse = match http::get(&url, &session.token).await {
            Ok(p) => p,
            Err(http::Failure::Revoked) => return Err(revoked(store).await),
            Err(f) => return Err(failure(f)),
        };
        applied += match stream {
            Stream::Cases => store.apply_pull(&page.changes, page.cursor).await,
            Stream::Reference => store.apply_reference(&page.changes, page.cursor).await,
        }
        .map_err(|e| e.to_string())?;
        // a page that moves nothing ends it too (never spin on a bad answer)
        if !page.has_more || page.changes.is_empty() {
            return Ok(applied);
        }
    }
}

/// A revoked device (a lost phone): its data goes, and the user is sent to
/// log in again.
#[cfg(feature = "hydrate")]
async fn revoked(store: &crate::store::LocalStore) -> Failed {
    let _ = store.clear_all().await;
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_href("/login?revoked=1");
    }
    Failed::from(
        "此设备已被注销，本机数据已清除 / this device was revoked; its data was wiped".to_owned(),
    )
}

#[cfg(feature = "hydrate")]
fn failure(f: http::Failure) -> Failed {
    Failed {
        retry: matches!(f, http::Failure::Offline(_)),
        message: f.text(),
    }
}

#[cfg(feature = "hydrate")]
async fn run(status: RwSignal<SyncStatus>) -> Result<String, Failed> {
    use crate::store::LocalStore;
    use domain::sync::{Entity, Mutation, Op, PushRequest, PushResponse};
    let store = LocalStore::shared().await.map_err(|e| e.to_string())?;
    let Some(session) = store.session().await.map_err(|e| e.to_string())? else {
        return Err(Failed::from("请先登录再同步 / log in to sync".to_owned()));
    };
    name_photos(&store).await?;
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
            .filter_map(|(entry, payload)| {
                Some(Mutation {
                    seq: entry.seq?,
                    mutation_id: domain::MutationId::parse(&entry.mutation_id).ok()?,
                    entity: match entry.entity.as_str() {
                        "screening" => Entity::Screening,
                        _ => Entity::Case,
                    },
                    entity_id: uuid::Uuid::parse_str(&entry.entity_id).ok()?,
                    op: match entry.op {
                        crate::records::OutboxOp::Upsert => Op::Upsert,
                        crate::records::OutboxOp::Delete => Op::Delete,
                    },
                    base_version: entry.base_version,
                    payload: match entry.op {
                        crate::records::OutboxOp::Upsert => payload.clone(),
                        crate::records::OutboxOp::Delete => None,
                    },
                })
            })
            .collect();
        let req = PushRequest {
            client_id: domain::DeviceId(client_id),
            mutations,
        };
        let answer: PushResponse =
            match http::post("/api/v1/sync/push", Some(&session.token), &req).await {
                Ok(a) => a,
                Err(http::Failure::Revoked) => return Err(revoked(&store).await),
                Err(f) => return Err(failure(f)),
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
    let (photos, photos_refused) = match upload_photos(&store, &session.token, status).await {
        Ok(n) => n,
        Err(http::Failure::Revoked) => return Err(revoked(&store).await),
        Err(f) => return Err(failure(f)),
    };
    let received = pull_stream(&store, &session, Stream::Cases).await?;
    // the units, schedules and rule sets (read-only here): their own cursor
    pull_stream(&store, &session, Stream::Reference).await?;
    let mut message = format!(
        "已同步：发送 {sent} 条，接收 {received} 条 / synced: {sent} sent, {received} received"
    );
    if photos > 0 {
        message.push_str(&format!("；照片 {photos} 张 / {photos} photos"));
    }
    if conflicts > 0 {
        message.push_str(&format!("；{conflicts} 条与他人修改冲突，已按服务器顺序合并 / {conflicts} merged with others' changes"));
    }
    if let Some(why) = photos_refused.first() {
        return Err(Failed::from(format!(
            "{message}；{} 张照片未能上传 / {} photos not uploaded: {why}",
            photos_refused.len(),
            photos_refused.len()
        )));
    }
    if refused > 0 {
        return Err(Failed::from(format!(
            "{message}；{refused} 条被服务器拒绝，请查看案件 / {refused} refused by the server: see the cases"
        )));
    }
    Ok(message)
}

/// Photos taken before the app named them by their SHA-256 get their name
/// now (a change to their case, pushed with the rest).
#[cfg(feature = "hydrate")]
async fn name_photos(store: &crate::store::LocalStore) -> Result<(), String> {
    for photo in store
        .unsent_attachments()
        .await
        .map_err(|e| e.to_string())?
    {
        // a screening photo is named when it is taken
        let crate::store::PhotoOwner::Case(case_id) = &photo.owner else {
            continue;
        };
        let Some(case) = store.case(case_id).await.map_err(|e| e.to_string())? else {
            continue;
        };
        let unnamed = case
            .attachments
            .iter()
            .any(|a| a.id == photo.id && a.sha256.is_none());
        if !unnamed {
            continue;
        }
        let sha256 = crate::device::sha256_of(&photo.blob).await?;
        let id = photo.id.clone();
        let edited = store
            .edit_case(case_id, None, move |current| {
                let mut next = current.clone();
                for a in next.attachments.iter_mut().filter(|a| a.id == id) {
                    a.sha256 = Some(sha256.clone());
                }
                Ok(next)
            })
            .await
            .map_err(|e| e.to_string())?;
        if let Err(problems) = edited {
            return Err(problems
                .into_iter()
                .map(|p| p.zh)
                .collect::<Vec<_>>()
                .join("；"));
        }
    }
    Ok(())
}

/// Uploads the photos the server lacks, in pieces, resuming where the
/// server stands (a dropped connection costs one piece). A photo whose case
/// the server does not hold yet (its change waits or was refused) waits for
/// a later sync. A photo the server refuses (say, over its size limit) is
/// reported and does not hold up the others or the pull. Returns how many
/// photos arrived whole, and the refusals' messages.
#[cfg(feature = "hydrate")]
async fn upload_photos(
    store: &crate::store::LocalStore,
    token: &str,
    status: RwSignal<SyncStatus>,
) -> Result<(u32, Vec<String>), http::Failure> {
    use crate::store::PhotoOwner;
    use domain::api::UploadStatus;
    let local = |e: crate::store::StoreError| http::Failure::Offline(e.to_string());
    let pending = store.unsent_attachments().await.map_err(local)?;
    let waiting = store.pending().await.map_err(local)?;
    let mut todo = Vec::new();
    for photo in pending {
        let owner = match &photo.owner {
            PhotoOwner::Case(id) | PhotoOwner::Screening(id) => id,
        };
        // the server learns of a photo with its owner's change (a screening
        // form not saved yet owns nothing)
        if owner.is_empty()
            || waiting
                .iter()
                .any(|e| e.entity_id == *owner && e.error.is_none())
        {
            continue;
        }
        let named = match &photo.owner {
            PhotoOwner::Case(id) => store.case(id).await.map_err(local)?.and_then(|c| {
                c.attachments
                    .into_iter()
                    .find(|a| a.id == photo.id)
                    .and_then(|a| a.sha256)
            }),
            // named when it was taken (the screening records are not read
            // here: their decoding would join the first load)
            PhotoOwner::Screening(_) => photo.sha256.clone(),
        };
        if let Some(sha256) = named {
            todo.push((photo, sha256));
        }
    }
    let total: u64 = todo.iter().map(|(p, _)| p.blob.size() as u64).sum();
    status.try_update(|s| s.bytes_total = total);
    let (mut done_bytes, mut done, mut refused) = (0u64, 0u32, Vec::new());
    'photos: for (photo, sha256) in todo {
        let size = photo.blob.size() as u64;
        let status_url = format!("/api/v1/attachments/{sha256}/upload");
        let put_url = format!("/api/v1/attachments/{sha256}");
        let mut at: UploadStatus = match http::get(&status_url, token).await {
            Ok(at) => at,
            // the server does not know the case yet: a later sync
            Err(http::Failure::Refused { status: 404, .. }) => continue,
            Err(http::Failure::Refused { message, .. }) => {
                refused.push(message);
                continue;
            }
            Err(f) => return Err(f),
        };
        let mut restarts = 0;
        while !at.complete {
            status.try_update(|s| s.bytes_sent = done_bytes + at.received.min(size));
            let from = at.received;
            let to = (from + UPLOAD_PIECE).min(size);
            let piece = photo
                .blob
                .slice_with_f64_and_f64(from as f64, to as f64)
                .map_err(|e| http::Failure::Offline(format!("{e:?}")))?;
            at = match http::put_piece(&put_url, token, from, &piece).await {
                Ok(at) => at,
                // the answer to an earlier piece was lost, or the bytes did
                // not match and the server started over: ask where it stands
                Err(http::Failure::Refused {
                    status: 409 | 422, ..
                }) if restarts < 3 => {
                    restarts += 1;
                    http::get(&status_url, token).await?
                }
                Err(http::Failure::Refused { message, .. }) => {
                    done_bytes += size;
                    refused.push(message);
                    continue 'photos;
                }
                Err(f) => return Err(f),
            };
        }
        store.mark_attachment_sent(&photo.id).await.map_err(local)?;
        done_bytes += size;
        done += 1;
        status.try_update(|s| s.bytes_sent = done_bytes);
    }
    Ok((done, refused))
}

/// Starts syncs by itself: when the app opens, when the network comes back,
/// and every five minutes, while logged in. Provides the status signal.
#[component]
pub fn SyncAgent() -> impl IntoView {
    let status = RwSignal::new(SyncStatus::default());
    provide_context(status);
    #[cfg(feature = "hydrate")]
    {
        let start = move || leptos::task::spawn_local(sync_if_online(status));
        Effect::new(move |_| start());
        let _ = window_event_listener(leptos::ev::online, move |_| start());
        let _ = set_interval_with_handle(start, std::time::Duration::from_secs(300));
        // (Background Sync's listener is set by the sync chunk, once a sync
        // could not reach the server: `background::register`)
    }
}

#[cfg(test)]
mod tests {
    use super::retry_delay_s;

    #[test]
    fn retries_back_off_exponentially_up_to_half_an_hour() {
        // without jitter: half of 15 s, 30 s, 60 s… ; with full jitter the whole
        let full: Vec<u32> = (1..=10).map(|n| retry_delay_s(n, 1.0)).collect();
        assert_eq!(full, [15, 30, 60, 120, 240, 480, 960, 1800, 1800, 1800]);
        let least: Vec<u32> = (1..=4).map(|n| retry_delay_s(n, 0.0)).collect();
        assert_eq!(least, [8, 15, 30, 60]);
        // out-of-range inputs stay sane
        assert_eq!(retry_delay_s(0, 1.0), 15);
        assert_eq!(retry_delay_s(u32::MAX, 2.0), 1800);
        assert_eq!(retry_delay_s(3, -1.0), 30);
    }

    #[test]
    fn the_delay_always_grows_or_holds_for_the_same_jitter() {
        for jitter in [0.0, 0.3, 0.77, 1.0] {
            let delays: Vec<u32> = (1..40).map(|n| retry_delay_s(n, jitter)).collect();
            assert!(delays.windows(2).all(|w| w[0] <= w[1]), "{delays:?}");
        }
    }
}
