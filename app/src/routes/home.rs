//! Home: what waits to be sent, the two quick actions of the field
//! (口头调解登记, 新增纠纷), the latest cases on this phone, a place for
//! reminders, and — online — the organisation the app serves.

use crate::components::lang_switch::LangSwitch;
use crate::components::pending_sync::PendingSync;
use crate::components::reminders_card::RemindersCard;
use crate::components::sync_card::SyncCard;
use crate::directory::load_org_summary;
use crate::i18n::{Locale, t, use_i18n};
use crate::phone;
use crate::routes::case_page::status_label;
use domain::case::dispute_type_name;
use domain::case_query::CaseLine;
use domain::dates::format_iso;
use leptos::prelude::*;

/// How many recent cases Home lists.
const RECENT: usize = 5;

/// The latest cases, read as list lines: Home decodes no whole case (the
/// reader of a whole case stays in the case screens' chunks).
async fn recent_cases() -> Result<Vec<CaseLine>, String> {
    Ok(CaseLine::newest(phone::case_lines().await?, RECENT))
}

#[component]
fn RecentCases() -> impl IntoView {
    let i18n = use_i18n();
    let recent = LocalResource::new(recent_cases);
    let en = move || i18n.get_locale() == Locale::en;
    view! {
        <section class="card" aria-labelledby="recent-heading">
            <h2 id="recent-heading" class="card__label">{t!(i18n, recent_cases)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                {move || recent.get().map(|result| match result {
                    Ok(cases) if cases.is_empty() => view! { <p class="muted" data-testid="no-cases">{t!(i18n, no_cases_yet)}</p> }.into_any(),
                    Ok(cases) => view! {
                        <ul class="case-list" data-testid="recent-cases">
                            {cases.into_iter().map(|c| {
                                let names = c.parties.iter().map(|p| p.name.as_str()).filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" / ");
                                view! {
                                    <li><a class="case-row" href=format!("/cases/{}", c.id)>
                                        <span class="case-row__title">{crate::routes::case_list::parties_line(i18n, names)}</span>
                                        <span class="case-row__meta">
                                            {format_iso(c.received_on)} " · " {dispute_type_name(&c.dispute_type).unwrap_or("—")}
                                            " · " {move || status_label(c.status, en())}
                                        </span>
                                    </a></li>
                                }
                            }).collect_view()}
                        </ul>
                        <a class="link" href="/cases">{t!(i18n, all_cases)}</a>
                    }.into_any(),
                    Err(e) => view! { <p class="muted">{e}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// The two quick actions of the field, for whoever records cases: hidden
/// once the phone knows its user's role reads only (an office's review, a
/// finance office; docs/security.md "Roles"). Before log-in, and on the
/// server's page, they show.
#[component]
fn FieldActions() -> impl IntoView {
    let i18n = use_i18n();
    let records = crate::online::use_may(domain::Capability::RecordCases);
    view! {
        <Show when=records>
            <nav class="quick-actions" aria-label="快捷操作 / quick actions" data-testid="field-actions">
                <a class="quick-action quick-action--primary" href="/cases/new/oral" data-testid="new-oral">{t!(i18n, oral_title)}</a>
                <a class="quick-action" href="/cases/new/general" data-testid="new-general">{t!(i18n, general_title)}</a>
            </nav>
        </Show>
    }
}

#[component]
pub fn HomePage() -> impl IntoView {
    crate::pwa::page_shown();
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
            <FieldActions />
            <a class="pending-link" href="/data"><PendingSync /></a>
            <SyncCard />
            <RemindersCard />
            <RecentCases />
            <nav class="links">
                <a class="action" href="/cases" data-testid="cases-link">{t!(i18n, case_list_title)}</a>
                <a class="action" href="/subsidy" data-testid="subsidy-link">{t!(i18n, subsidy_link)}</a>
                <a class="action" href="/data" data-testid="data-link">{t!(i18n, data_title)}</a>
            </nav>
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
                            Err(_) => view! { <p class="muted" data-testid="org-offline">{t!(i18n, org_offline)}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </main>
    }
}
