//! Home: the product and the organisation the device belongs to. Later issues
//! add the pending-sync count, quick actions and reminders here.

use crate::components::lang_switch::LangSwitch;
use crate::components::pending_sync::PendingSync;
use crate::directory::load_org_summary;
use crate::i18n::{t, use_i18n};
use leptos::prelude::*;

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let summary = Resource::new(|| (), |_| load_org_summary());

    view! {
        <header class="app-bar">
            <img class="app-bar__logo" src="/icons/icon.svg" alt="" width="32" height="32" />
            <h1 class="app-bar__title">{t!(i18n, app_name)}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            <p class="tagline">{t!(i18n, tagline)}</p>
            <PendingSync />
            <section class="card" aria-labelledby="org-heading">
                <h2 id="org-heading" class="card__label">{t!(i18n, organisation)}</h2>
                <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                    {move || Suspend::new(async move {
                        match summary.await {
                            Ok(Some(s)) => view! {
                                <p class="org-name" data-testid="org-name">{s.name}</p>
                                <dl class="stats">
                                    <div><dt>{t!(i18n, townships)}</dt><dd>{s.townships}</dd></div>
                                    <div><dt>{t!(i18n, committees)}</dt><dd>{s.committees}</dd></div>
                                    <div><dt>{t!(i18n, full_time_mediators)}</dt><dd>{s.full_time_mediators}</dd></div>
                                </dl>
                            }.into_any(),
                            Ok(None) => view! { <p class="muted" data-testid="org-name">"—"</p> }.into_any(),
                            Err(_) => view! { <p class="muted">{t!(i18n, load_failed)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <a class="action" href="/subsidy" data-testid="subsidy-link">{t!(i18n, subsidy_link)}</a>
            <p class="muted">{t!(i18n, coming_soon)}</p>
        </main>
    }
}
