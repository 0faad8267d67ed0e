//! The device's Web Push subscription (the reminders' browser channel,
//! docs/screening.md): registered with the server's key once per log-in,
//! quietly skipped where anything is missing.

use super::client;
use domain::api::SubscriptionBody;

/// Registers this device for the server's Web Push messages when
/// notifications are allowed and the server sends Web Push: once per
/// log-in (`again`: also when the user has just turned notifications on).
/// Quiet when anything is missing (no Push API, the browser's push service
/// out of reach as from mainland China — then not tried again until the
/// next log-in —, Web Push off on the server): the reminders are computed
/// on the phone anyway, and the inbox works everywhere. A lazily loaded
/// chunk: the HTTP client it needs stays out of the first load.
#[cfg_attr(feature = "entry", leptos::lazy)]
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
    if crate::notify::permission() != "granted" || !super::actions::online() {
        return;
    }
    let Ok(Some(s)) = super::account::session().await else {
        return;
    };
    let this_login = format!("{}|", s.device_id);
    if !again && crate::notify::push_registered().is_some_and(|m| m.starts_with(&this_login)) {
        return;
    }
    let Ok(key) = client::push_key(&s.token).await else {
        return;
    };
    let subscription = match crate::notify::push_subscription(&key.public_key).await {
        Ok(Some(json)) => js_sys::JSON::stringify(&json)
            .ok()
            .map(String::from)
            .and_then(|text| serde_json::from_str::<SubscriptionBody>(&text).ok()),
        _ => None,
    };
    let Some(subscription) = subscription else {
        crate::notify::mark_push_registered(&format!("{this_login}-"));
        return;
    };
    let mark = format!("{this_login}{}", subscription.endpoint);
    if client::subscribe(&s.token, &subscription).await.is_ok() {
        crate::notify::mark_push_registered(&mark);
    }
}
