use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

/// Unknown paths: a 404 with a way home.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::NOT_FOUND);
    }
    crate::pwa::page_shown();
    let i18n = use_i18n();
    view! {
        <main class="page page-narrow">
            <h1>{t!(i18n, not_found)}</h1>
            <a class="button" href="/">{crate::lazy_text::say(i18n, "返回首页", "Back to home")}</a>
        </main>
    }
}
