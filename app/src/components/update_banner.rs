//! "有新版本，点击更新": shown when a new version of the app has been
//! downloaded and waits; the switch happens only when the user taps.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

#[component]
pub fn UpdateBanner() -> impl IntoView {
    let i18n = use_i18n();
    let ready = RwSignal::new(false);
    // the worker is registered once the app runs in the browser
    Effect::new(move |first: Option<()>| {
        if first.is_none() {
            #[cfg(feature = "hydrate")]
            crate::pwa::register_service_worker(ready);
        }
    });
    let update = move |_| {
        #[cfg(feature = "hydrate")]
        crate::pwa::apply_update();
    };
    view! {
        <Show when=move || ready.get()>
            <div class="update-banner" role="status" data-testid="update-banner">
                <button type="button" class="update-banner__button" on:click=update>
                    {t!(i18n, update_ready)}
                </button>
            </div>
        </Show>
    }
}
