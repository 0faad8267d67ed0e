//! Progressive-web-app plumbing: the service worker's registration and the
//! "有新版本，点击更新" flow. A new worker waits until the user agrees, then
//! takes over and the page reloads once.

/// Registers `/sw.js` and sets `update_ready` when a new version is
/// installed and waiting. A failure is logged, not fatal: the app works
/// online without a worker.
#[cfg(feature = "hydrate")]
pub fn register_service_worker(update_ready: leptos::prelude::RwSignal<bool>) {
    use leptos::prelude::Set;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{ServiceWorkerRegistration, ServiceWorkerState};

    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    wasm_bindgen_futures::spawn_local(async move {
        let registration =
            match wasm_bindgen_futures::JsFuture::from(container.register("/sw.js")).await {
                Ok(r) => r.unchecked_into::<ServiceWorkerRegistration>(),
                Err(err) => {
                    leptos::logging::warn!("service worker registration failed: {err:?}");
                    return;
                }
            };
        // a worker waiting from an earlier visit, while an older one runs this page
        let controlled = container.controller().is_some();
        if registration.waiting().is_some() && controlled {
            update_ready.set(true);
        }
        let reg = registration.clone();
        let on_found = Closure::<dyn FnMut()>::new(move || {
            let Some(installing) = reg.installing() else {
                return;
            };
            let worker = installing.clone();
            let on_state = Closure::<dyn FnMut()>::new(move || {
                let has_controller = web_sys::window()
                    .is_some_and(|w| w.navigator().service_worker().controller().is_some());
                // the first install has no older version to replace: nothing to announce
                if worker.state() == ServiceWorkerState::Installed && has_controller {
                    update_ready.set(true);
                }
            });
            installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
            on_state.forget();
        });
        registration.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
    });
}

/// Switches to the waiting version: it takes control, then the page reloads.
#[cfg(feature = "hydrate")]
pub fn apply_update() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    let Some(window) = web_sys::window() else {
        return;
    };
    let container = window.navigator().service_worker();
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(reg) = wasm_bindgen_futures::JsFuture::from(container.get_registration()).await
        else {
            return;
        };
        let Some(waiting) = reg
            .dyn_into::<web_sys::ServiceWorkerRegistration>()
            .ok()
            .and_then(|r| r.waiting())
        else {
            return;
        };
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
        let _ = waiting.post_message(&message);
    });
}

/// Called by every screen as it is built: once the first screen is on the
/// page and live (client-rendered into the cached shell, or hydrated after
/// its lazily loaded wasm chunk arrived), marks
/// `<body data-hydrated="true" data-render="csr|hydrate">` (tests and
/// support staff look for it) and the `tiaojie:interactive` performance mark
/// (the start-up benchmark reads it, docs/perf.md). Later screens change
/// nothing.
pub fn page_shown() {
    #[cfg(feature = "hydrate")]
    leptos::prelude::Effect::new(mark_interactive);
}

#[cfg(feature = "hydrate")]
fn mark_interactive() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(body) = window.document().and_then(|d| d.body()) else {
        return;
    };
    if body.has_attribute("data-hydrated") {
        return;
    }
    let mode = if body.has_attribute("data-shell") {
        "csr"
    } else {
        "hydrate"
    };
    let _ = body.set_attribute("data-hydrated", "true");
    let _ = body.set_attribute("data-render", mode);
    if let Some(p) = window.performance() {
        let _ = p.mark("tiaojie:interactive");
    }
}
