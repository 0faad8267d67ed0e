//! 案件列表: every case on the phone, searched by name, ID number or any
//! text, filtered by status, type, tier and month. Rows are built once when
//! the cases load; each keystroke filters them in memory (5,000 cases stay
//! smooth) and only the first page of hits is drawn.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{Locale, t, use_i18n};
use crate::phone;
use crate::routes::case_form::dispute_type_options;
use crate::routes::case_page::status_label;
use domain::case::{CaseStatus, dispute_type_name};
use domain::case_query::{CaseQuery, CaseRow, TierFilter};
use domain::dates::format_iso;
use domain::rules;
use leptos::prelude::*;

/// A row's parties, or — on a finance office's phone, which holds the
/// amounts only — that they are not shown.
pub fn parties_line(i18n: leptos_i18n::I18nContext<Locale>, names: String) -> impl IntoView {
    move || {
        if names.is_empty() {
            crate::lazy_text::say(i18n, "（不显示当事人）", "(parties not shown)")().to_owned()
        } else {
            names.clone()
        }
    }
}
use leptos::task::spawn_local;

/// Rows drawn at first and added by "显示更多".
const PAGE: usize = 50;

/// `2024-05` → (2024, 5).
fn parse_month(text: &str) -> Option<(i16, i8)> {
    let (y, m) = text.split_once('-')?;
    let (y, m) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&m).then_some((y, m))
}

/// Milliseconds from the page's clock (the list reports its filter time).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    0.0
}

#[component]
pub fn CaseListPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = StoredValue::new(Vec::<CaseRow>::new());
    let loaded = RwSignal::new(None::<Result<usize, String>>);
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let dispute_type = RwSignal::new(String::new());
    let tier = RwSignal::new(String::new());
    let month = RwSignal::new(String::new());
    let shown = RwSignal::new(PAGE);
    let filter_ms = RwSignal::new(0.0f64);

    Effect::new(move |_| {
        spawn_local(async move {
            let committee = phone::profile().await.map(|p| p.committee);
            let result = match (phone::cases().await, committee) {
                (Ok(cases), Ok(committee)) => {
                    let built: Vec<CaseRow> = cases
                        .iter()
                        .map(|c| CaseRow::of(c, committee, rules::builtin()))
                        .collect();
                    let n = built.len();
                    rows.try_set_value(built);
                    Ok(n)
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
            loaded.try_set(Some(result));
        });
    });

    let query = Memo::new(move |_| CaseQuery {
        text: text.get(),
        status: match status.get().as_str() {
            "registered" => Some(CaseStatus::Registered),
            "mediating" => Some(CaseStatus::Mediating),
            "closed" => Some(CaseStatus::Closed),
            _ => None,
        },
        dispute_type: Some(dispute_type.get()).filter(|t| !t.is_empty()),
        tier: match tier.get().as_str() {
            "" => None,
            "none" => Some(TierFilter::NoTier),
            code => Some(TierFilter::Code(code.to_owned())),
        },
        month: parse_month(&month.get()),
    });
    // new filters start from the first page
    Effect::new(move |_| {
        query.track();
        shown.set(PAGE);
    });
    let hits = Memo::new(move |_| {
        loaded.track();
        let q = query.get();
        let start = now_ms();
        let found: Vec<CaseRow> =
            rows.with_value(|rows| q.filter(rows).into_iter().cloned().collect());
        filter_ms.set(now_ms() - start);
        found
    });
    let en = move || i18n.get_locale() == Locale::en;

    let select = |id: &'static str,
                  label: &'static str,
                  signal: RwSignal<String>,
                  options: Vec<(String, String)>| {
        view! {
            <select id=id aria-label=label on:change=move |ev| signal.set(event_target_value(&ev))>
                {options.into_iter().map(|(v, l)| {
                    let value = v.clone();
                    view! { <option value=v selected=move || signal.get() == value>{l}</option> }
                }).collect_view()}
            </select>
        }
    };
    let all = move || {
        if en() {
            "all".to_owned()
        } else {
            "全部".to_owned()
        }
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{t!(i18n, case_list_title)}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            <div class="search card">
                <input type="search" id="case-search" data-testid="case-search" enterkeyhint="search"
                    placeholder=move || if en() { "name, ID number, phone, words…" } else { "姓名、身份证号、电话或关键词" }
                    aria-label=move || if en() { "search cases" } else { "搜索案件" }
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                {move || {
                    let en = en();
                    let mut statuses = vec![(String::new(), all())];
                    statuses.extend([CaseStatus::Registered, CaseStatus::Mediating, CaseStatus::Closed].map(|s| {
                        let code = match s {
                            CaseStatus::Registered => "registered",
                            CaseStatus::Mediating => "mediating",
                            CaseStatus::Closed => "closed",
                        };
                        (code.to_owned(), status_label(s, en).to_owned())
                    }));
                    let mut types = vec![(String::new(), all())];
                    types.extend(dispute_type_options(i18n.get_locale()));
                    let mut tiers = vec![(String::new(), all())];
                    tiers.extend(["A", "B", "C", "D", "E"].map(|c| (c.to_owned(), format!("{c} {}", if en { "tier" } else { "档" }))));
                    tiers.push(("none".into(), if en { "no tier".into() } else { "无补贴".into() }));
                    view! {
                        <div class="filters">
                            {select("status-filter", if en { "status" } else { "案件状态" }, status, statuses)}
                            {select("type-filter", if en { "dispute type" } else { "纠纷类型" }, dispute_type, types)}
                            {select("tier-filter", if en { "subsidy tier" } else { "补贴档次" }, tier, tiers)}
                            <input type="month" id="month-filter" aria-label=if en { "month received" } else { "受理月份" }
                                prop:value=move || month.get() on:input=move |ev| month.set(event_target_value(&ev)) />
                        </div>
                    }
                }}
            </div>
            {move || match loaded.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
                Some(Ok(total)) => view! {
                    <p class="muted" data-testid="case-count" data-total=total data-hits=move || hits.with(Vec::len)
                        data-query=move || text.get()
                        data-filter-ms=move || format!("{:.2}", filter_ms.get())>
                        {move || if en() {
                            format!("{} of {total} cases", hits.with(Vec::len))
                        } else {
                            format!("共 {total} 件，符合 {} 件", hits.with(Vec::len))
                        }}
                    </p>
                    <ul class="case-list" data-testid="case-list">
                        {move || hits.with(|hits| hits.iter().take(shown.get()).map(|row| {
                            let href = format!("/cases/{}", row.id);
                            let kind = dispute_type_name(&row.dispute_type).unwrap_or("—");
                            let tier = row.tier.clone().unwrap_or_else(|| "—".into());
                            let no_tier = row.tier.is_none();
                            let status = status_label(row.status, en());
                            let number = row.seq.map(|n| format!("#{n}")).unwrap_or_default();
                            view! {
                                <li>
                                    <a class="case-row" href=href data-case-id=row.id.clone()>
                                        <span class="case-row__title">{parties_line(i18n, row.title.clone())}</span>
                                        <span class="case-row__meta">{number} " " {format_iso(row.received_on)} " · " {kind} " · " {status}</span>
                                        <span class="tier__badge" class:tier__badge--none=no_tier>{tier}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view())}
                    </ul>
                    <Show when=move || { hits.with(Vec::len) > shown.get() }>
                        <button type="button" class="button button--quiet" data-testid="show-more"
                            on:click=move |_| shown.update(|n| *n += PAGE)>{crate::lazy_text::say(i18n, "显示更多", "Show more")}</button>
                    </Show>
                    <Show when=move || total == 0>
                        <p class="muted" data-testid="no-cases">{t!(i18n, no_cases_yet)}</p>
                    </Show>
                }.into_any(),
            }}
        </main>
    }
}
