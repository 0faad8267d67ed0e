//! Progressive-web-app plumbing: the service worker registration.

/// Registers `/sw.js`. A failure is logged, not fatal: the app works online
/// without it.
#[cfg(feature = "hydrate")]
pub fn register_service_worker() {
    use wasm_bindgen::{JsValue, closure::Closure};
    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let promise = container.register("/sw.js");
    let on_error = Closure::<dyn FnMut(JsValue)>::new(|err: JsValue| {
        leptos::logging::warn!("service worker registration failed: {err:?}");
    });
    let _ = promise.catch(&on_error);
    // registered once per page load; the closure must outlive this call
    on_error.forget();
}

/// Marks `<body data-hydrated="true">` once the wasm app has taken over the
/// server-rendered page (tests and support staff look for it).
#[cfg(feature = "hydrate")]
pub fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// No service worker on the server.
#[cfg(not(feature = "hydrate"))]
pub fn register_service_worker() {}
