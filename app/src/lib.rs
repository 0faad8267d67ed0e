//! Tiaojie 调解通 — the Leptos app. Rendered on the server (`ssr`) and
//! hydrated on the phone (`hydrate`). Browser-only code lives behind
//! `#[cfg(feature = "hydrate")]` so server rendering never touches `web_sys`.

#![recursion_limit = "256"]

pub mod components;
pub mod directory;
mod i18n_gen;
pub mod pwa;
pub mod routes;
#[cfg(feature = "hydrate")]
pub mod store;

pub use i18n_gen::i18n;

use i18n::{I18nContextProvider, Locale};
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
};

/// Content-hashed asset paths the server found at start-up; the shell links them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetPaths {
    /// e.g. `/pkg/tiaojie.k9Hs0aQ.css`
    pub stylesheet: String,
}

/// The HTML document around the app. Used by the server only.
pub fn shell(options: LeptosOptions, assets: AssetPaths) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0f6b5c" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/favicon.ico" sizes="32x32" />
                <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <Stylesheet id="leptos" href=assets.stylesheet />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Chinese first: English only when the user picked it (kept in a cookie),
    // whatever language the browser announces.
    let cookie_options = leptos_i18n::context::CookieOptions::<Locale>::default()
        .default_value(Some(Locale::zh_CN))
        .max_age(400_i64 * 24 * 60 * 60 * 1000)
        .path("/");

    view! {
        <I18nContextProvider cookie_options>
            <Title text="调解通 Tiaojie" />
            <Meta name="description" content="调解通：人民调解员的离线记录、以案定补与排查提醒工具" />
            <Link rel="preload" href="/icons/icon.svg" as_="image" />
            <Router>
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=StaticSegment("") view=routes::home::HomePage />
                    <Route path=StaticSegment("subsidy") view=routes::subsidy::SubsidyPage />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// The wasm entry point: hydrate the server-rendered page, then register the
/// service worker.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    pwa::mark_hydrated();
    pwa::register_service_worker();
}
