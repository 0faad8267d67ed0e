//! How many changes on this phone still wait for the server (the outbox),
//! read from IndexedDB after the page is interactive.

use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

#[component]
pub fn PendingSync() -> impl IntoView {
    let i18n = use_i18n();
    // re-counted when a sync starts and ends
    let status = crate::online::use_sync_status();
    let count = LocalResource::new(move || {
        status.with(|s| s.running);
        crate::phone::pending_count()
    });
    view! {
        <p class="pending-sync">
            <span>{t!(i18n, pending_sync)}</span>
            <Suspense fallback=|| view! { <strong data-testid="pending-sync">"…"</strong> }>
                {move || count.get().map(|n| {
                    let text = n.map_or_else(|_| "?".to_owned(), |n| n.to_string());
                    view! { <strong data-testid="pending-sync" data-ready="true">{text}</strong> }
                })}
            </Suspense>
        </p>
    }
}
