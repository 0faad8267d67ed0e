//! Home's sync card: who is logged in, "立即同步", progress and the last
//! outcome; or a way to log in.

use crate::i18n::{t, use_i18n};
use crate::sync_client::{self, use_sync_status};
use leptos::prelude::*;

#[component]
pub fn SyncCard() -> impl IntoView {
    let i18n = use_i18n();
    let status = use_sync_status();
    // re-read after each sync (the cursor and last-sync time change)
    let session = LocalResource::new(move || {
        status.with(|s| s.running);
        sync_client::session()
    });
    let sync = move |_| {
        leptos::task::spawn_local(async move { sync_client::sync_now(status).await });
    };
    // log-out wipes this phone: unsent changes are named first (the export
    // on 本机数据 keeps them)
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let pending = crate::local::pending_count().await.unwrap_or(0);
            #[cfg(feature = "hydrate")]
            {
                let warning = if pending > 0 {
                    format!(
                        "还有 {pending} 条修改未同步，退出登录将清除本机全部数据。建议先同步或在“本机数据”中导出。仍要退出吗？\n{pending} changes are not synced; logging out wipes this phone. Sync or export them first. Log out anyway?"
                    )
                } else {
                    "退出登录将清除本机数据。确定吗？\nLogging out wipes this phone's data. Continue?".to_owned()
                };
                let go = web_sys::window()
                    .and_then(|w| w.confirm_with_message(&warning).ok())
                    .unwrap_or(false);
                if go
                    && sync_client::logout().await.is_ok()
                    && let Some(w) = web_sys::window()
                {
                    let _ = w.location().set_href("/login");
                }
            }
            let _ = pending;
        });
    };
    view! {
        <section class="card sync-card" aria-labelledby="sync-heading" data-testid="sync-card">
            <h2 id="sync-heading" class="card__label">{t!(i18n, sync_title)}</h2>
            {move || match session.get() {
                Some(Ok(Some(s))) => view! {
                    <p data-testid="logged-in">{s.name} " · " {s.unit_name}</p>
                    <button
                        class="button"
                        data-testid="sync-now"
                        disabled=move || status.with(|s| s.running)
                        on:click=sync
                    >
                        {t!(i18n, sync_now)}
                    </button>
                    <button class="button button--quiet" data-testid="logout" on:click=logout>
                        {t!(i18n, logout)}
                    </button>
                }.into_any(),
                Some(_) => view! {
                    <a class="button" href="/login" data-testid="login-link">{t!(i18n, sync_login)}</a>
                }.into_any(),
                None => view! { <p class="muted">"…"</p> }.into_any(),
            }}
            <p
                class="sync-status"
                role="status"
                data-testid="sync-status"
                data-running=move || status.with(|s| s.running).to_string()
                data-failed=move || status.with(|s| s.failed).to_string()
            >
                {move || status.with(|s| if s.running {
                    format!("同步中 / syncing… {} / {}", s.sent, s.total)
                } else {
                    s.message.clone()
                })}
            </p>
        </section>
    }
}
