//! The app badge and notifications of the reminders (提醒角标、通知). All
//! are optional browser features: where one is missing nothing happens.
//! Reached through `js_sys::Reflect`, as `web_sys` gates the Badging API
//! behind unstable APIs. The reminders are computed on the phone; a Web
//! Push subscription ([`push_subscription`]) only adds the server's
//! messages where the browser's push service is reachable (not from
//! mainland China).

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn method(target: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(target, &JsValue::from_str(name))
        .ok()?
        .dyn_into::<Function>()
        .ok()
}

/// Sets the app icon's badge (Badging API) to `count`, or clears it at 0.
pub fn set_badge(count: u32) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator: JsValue = window.navigator().into();
    let result = if count == 0 {
        method(&navigator, "clearAppBadge").map(|f| f.call0(&navigator))
    } else {
        method(&navigator, "setAppBadge").map(|f| f.call1(&navigator, &count.into()))
    };
    // a rejected promise (e.g. not installed) is not an error of ours
    if let Some(Ok(p)) = result
        && let Ok(p) = p.dyn_into::<Promise>()
    {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(p).await;
        });
    }
}

/// `granted`, `denied`, `default`, or `unsupported`.
pub fn permission() -> String {
    let global = js_sys::global();
    Reflect::get(&global, &"Notification".into())
        .ok()
        .filter(|n| !n.is_undefined())
        .and_then(|n| Reflect::get(&n, &"permission".into()).ok())
        .and_then(|p| p.as_string())
        .unwrap_or_else(|| "unsupported".into())
}

/// Asks for permission (call from a tap); answers the new state.
pub async fn request_permission() -> String {
    let global = js_sys::global();
    let Ok(notification) = Reflect::get(&global, &"Notification".into()) else {
        return "unsupported".into();
    };
    let Some(request) = method(&notification, "requestPermission") else {
        return "unsupported".into();
    };
    match request
        .call0(&notification)
        .map(|p| p.dyn_into::<Promise>())
    {
        Ok(Ok(p)) => JsFuture::from(p)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(permission),
        _ => permission(),
    }
}

/// Shows a notification through the service worker (the way that works on
/// Android), replacing an earlier one with the same `tag`.
pub async fn show(title: &str, body: &str, tag: &str) -> Result<(), String> {
    let registration = registration().await?;
    let options = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&options, &k.into(), &v).map_err(js_text);
    set("body", body.into())?;
    set("tag", tag.into())?;
    set("icon", "/icons/icon-192.png".into())?;
    set("badge", "/icons/icon-192.png".into())?;
    let data = Object::new();
    Reflect::set(&data, &"url".into(), &"/".into()).map_err(js_text)?;
    set("data", data.into())?;
    call(
        &registration,
        "showNotification",
        &[title.into(), options.into()],
    )
    .await?;
    Ok(())
}

/// The service worker's registration, once it is ready.
async fn registration() -> Result<JsValue, String> {
    let window = web_sys::window().ok_or("no window")?;
    let ready = window
        .navigator()
        .service_worker()
        .ready()
        .map_err(js_text)?;
    JsFuture::from(ready).await.map_err(js_text)
}

/// The Periodic Background Sync tag the service worker answers.
pub const PERIODIC_TAG: &str = "tiaojie-reminders";

/// Asks the browser to wake the service worker about twice a day to
/// remind of open duties (Periodic Background Sync: Chrome, for an
/// installed app; elsewhere nothing happens).
pub async fn register_periodic_check() {
    let Ok(registration) = registration().await else {
        return;
    };
    let Ok(periodic) = Reflect::get(&registration, &"periodicSync".into()) else {
        return;
    };
    if periodic.is_undefined() {
        return;
    }
    let Some(register) = method(&periodic, "register") else {
        return;
    };
    let options = Object::new();
    let _ = Reflect::set(
        &options,
        &"minInterval".into(),
        &JsValue::from_f64(12.0 * 3600.0 * 1000.0),
    );
    if let Ok(p) = register.call2(&periodic, &PERIODIC_TAG.into(), &options)
        && let Ok(p) = p.dyn_into::<Promise>()
    {
        // refused without the site engagement Chrome asks for: not an error
        let _ = JsFuture::from(p).await;
    }
}

fn js_text(e: JsValue) -> String {
    format!("{e:?}")
}

/// Calls `target.name(...args)` and awaits the promise it returns.
async fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, String> {
    let f = method(target, name).ok_or_else(|| format!("{name} missing"))?;
    let promise = f
        .apply(target, &args.iter().collect::<js_sys::Array>())
        .map_err(js_text)?
        .dyn_into::<Promise>()
        .map_err(js_text)?;
    JsFuture::from(promise).await.map_err(js_text)
}

/// This browser's Web Push subscription for the server's key (base64url,
/// `applicationServerKey`), made when there is none, as
/// `PushSubscription.toJSON()`. `None` where there is no Push API; an
/// error where the browser's push service cannot be reached.
pub async fn push_subscription(key: &str) -> Result<Option<JsValue>, String> {
    let registration = registration().await?;
    let manager = Reflect::get(&registration, &"pushManager".into()).map_err(js_text)?;
    if manager.is_undefined() {
        return Ok(None);
    }
    let existing = call(&manager, "getSubscription", &[]).await?;
    let subscription = if existing.is_null() || existing.is_undefined() {
        let options = Object::new();
        Reflect::set(&options, &"userVisibleOnly".into(), &JsValue::TRUE).map_err(js_text)?;
        Reflect::set(&options, &"applicationServerKey".into(), &key.into()).map_err(js_text)?;
        call(&manager, "subscribe", &[options.into()]).await?
    } else {
        existing
    };
    let to_json = method(&subscription, "toJSON").ok_or("toJSON missing")?;
    Ok(Some(to_json.call0(&subscription).map_err(js_text)?))
}

/// The log-in (device id) and endpoint last registered with the server
/// for Web Push, as `<device id>|<endpoint>` (`<device id>|-`: this
/// browser could not subscribe).
pub fn push_registered() -> Option<String> {
    storage().and_then(|s| s.get_item(PUSH_KEY).ok().flatten())
}

pub fn mark_push_registered(mark: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(PUSH_KEY, mark);
    }
}

const PUSH_KEY: &str = "tiaojie.push_registered";

/// Whether today's reminder notice was shown already (kept in
/// `localStorage`: a fact about this browser, not the user's data).
pub fn shown_today(day: &str) -> bool {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .is_some_and(|d| d == day)
}

pub fn mark_shown(day: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, day);
    }
}

const KEY: &str = "tiaojie.reminders_notified_on";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
