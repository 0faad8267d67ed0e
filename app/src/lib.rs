//! Tiaojie 调解通 — the Leptos app. Rendered on the server (`ssr`) and
//! hydrated on the phone (`hydrate`). Browser-only code lives behind
//! `#[cfg(feature = "hydrate")]` so server rendering never touches `web_sys`.

#![recursion_limit = "256"]

pub mod clock;
pub mod components;
#[cfg(feature = "hydrate")]
pub mod device;
pub mod directory;
mod i18n_gen;
#[cfg(feature = "hydrate")]
pub mod idb;
mod lazy_text;
pub mod locale_pref;
#[cfg(feature = "hydrate")]
pub mod notify;
pub mod online;
pub mod phone;
pub mod pwa;
pub mod records;
pub mod reminders;
pub mod routes;
pub mod sync_plan;
pub mod texts;

pub use i18n_gen::i18n;

use i18n::I18nContextProvider;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy,
    components::{Route, Router, Routes},
    path,
};

/// Where the server serves the app shell that the service worker caches.
pub const APP_SHELL_PATH: &str = "/app-shell";

/// Content-hashed asset paths the server found at start-up; the shell links them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssetPaths {
    /// e.g. `/pkg/tiaojie.k9Hs0aQ.css`
    pub stylesheet: String,
    /// The wasm-bindgen JS glue, e.g. `/pkg/tiaojie.Xy12.js`
    pub script: String,
    /// e.g. `/pkg/tiaojie.Ab34.wasm`
    pub wasm: String,
}

/// The document head both shells share (plain tags: the app shell is
/// rendered without the app's meta context).
///
/// The app starts from a module script instead of Leptos' `HydrationScripts`,
/// which preloads the wasm at high priority from the head. A server-rendered
/// page (a first visit, on whatever network) is already readable, so its
/// wasm waits until the module runs and does not compete with the first
/// paint. The cached app shell has nothing to show until the app runs, and
/// its files come from the phone: it preloads the wasm (docs/perf.md).
fn head(assets: AssetPaths, preload_wasm: bool) -> impl IntoView {
    let boot = boot_script(&assets);
    view! {
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
        <meta name="theme-color" content="#0f6b5c" />
        <link rel="manifest" href="/manifest.webmanifest" />
        <link rel="icon" href="/favicon.ico" sizes="32x32" />
        <link rel="icon" href="/icons/icon.svg" type="image/svg+xml" />
        <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
        <link rel="stylesheet" id="leptos" href=assets.stylesheet />
        {preload_wasm.then(|| view! {
            <link rel="preload" href={assets.wasm.clone()} as="fetch" type="application/wasm" crossorigin="" />
        })}
        <script type="module" inner_html=boot></script>
    }
}

/// The one inline script of every page: it loads the wasm and starts the
/// app. The server's Content-Security-Policy allows it by its hash.
pub fn boot_script(assets: &AssetPaths) -> String {
    format!(
        "import init, {{ hydrate }} from {:?};\ninit({{ module_or_path: {:?} }}).then(hydrate);",
        assets.script, assets.wasm
    )
}

/// The app shell the service worker caches: no page in the body; the app
/// renders whatever page the URL names from the phone's store. The
/// `data-shell` mark tells the wasm to render, not hydrate.
pub fn app_shell(assets: AssetPaths) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                {head(assets, true)}
                <title>"调解通 Tiaojie"</title>
            </head>
            <body data-shell="csr"></body>
        </html>
    }
}

/// The HTML document around a server-rendered page. Used by the server only.
pub fn shell(assets: AssetPaths) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                {head(assets, false)}
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
    // Chinese first: English only when the user picked it (locale_pref),
    // whatever language the browser announces.
    view! {
        <I18nContextProvider ssr_lang_header_getter=locale_pref::language_source()>
            <Title text="调解通 Tiaojie" />
            <Meta name="description" content="调解通：人民调解员的离线记录、以案定补与排查提醒工具" />
            <Link rel="preload" href="/icons/icon.svg" as_="image" />
            <Router>
                <components::update_banner::UpdateBanner />
                <online::SyncAgent />
                <Routes fallback=routes::not_found::NotFound>
                    <Route path=path!("/") view=routes::home::HomePage />
                    <Route path=path!("/subsidy") view={Lazy::<routes::lazy::Subsidy>::new()} />
                    <Route path=path!("/cases") view={Lazy::<routes::lazy::CaseList>::new()} />
                    <Route path=path!("/cases/new/oral") view={Lazy::<routes::lazy::OralForm>::new()} />
                    <Route path=path!("/cases/new/general") view={Lazy::<routes::lazy::OralForm>::new()} />
                    <Route path=path!("/cases/:id") view={Lazy::<routes::lazy::CaseDetail>::new()} />
                    <Route path=path!("/cases/:id/print/:form") view={Lazy::<routes::lazy::CaseDetail>::new()} />
                    <Route path=path!("/data") view={Lazy::<routes::lazy::Data>::new()} />
                    <Route path=path!("/screenings/new") view={Lazy::<routes::lazy::Screening>::new()} />
                    <Route path=path!("/compliance") view={Lazy::<routes::lazy::Accounts>::new()} />
                    <Route path=path!("/inbox") view={Lazy::<routes::lazy::Inbox>::new()} />
                    <Route path=path!("/login") view={Lazy::<routes::lazy::Login>::new()} />
                    <Route path=path!("/devices") view={Lazy::<routes::lazy::Accounts>::new()} />
                    <Route path=path!("/accounts") view={Lazy::<routes::lazy::Accounts>::new()} />
                    <Route path=path!("/claims") view={Lazy::<routes::lazy::Claims>::new()} />
                    <Route path=path!("/my-subsidy") view={Lazy::<routes::lazy::Claims>::new()} />
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// The wasm entry point: hydrate a server-rendered page, or render the page
/// into the cached app shell (`<body data-shell>`, see `server/src/offline.rs`).
#[cfg(feature = "entry")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let from_shell = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .is_some_and(|b| b.has_attribute("data-shell"));
    // Screens other than Home are lazily loaded wasm chunks (routes/lazy.rs):
    // hydration waits for the current screen's chunk; client rendering
    // draws it when it arrives. The screen marks the page interactive
    // (pwa::page_shown).
    if from_shell {
        locale_pref::apply_to_shell();
        leptos::mount::mount_to_body(App);
    } else {
        leptos::mount::hydrate_lazy(App);
    }
}
