//! Home's reminder card (排查提醒): the user's screening duties that are
//! overdue or due, and the open cases to follow up, computed on the phone
//! (offline) after each sync and each visit to Home. The computation lives
//! in `crate::reminders` and is loaded lazily (a wasm chunk): the card
//! itself only draws the lines it is given.

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::use_sync_status;
use crate::reminders::Card;
use domain::screening::ReminderState;
use leptos::prelude::*;

fn state_text(state: ReminderState, en: bool) -> &'static str {
    match (state, en) {
        (ReminderState::Overdue, false) => "已逾期",
        (ReminderState::Overdue, true) => "Overdue",
        (ReminderState::Due, false) => "待完成",
        (ReminderState::Due, true) => "Due",
        (ReminderState::Done, false) => "已完成",
        (ReminderState::Done, true) => "Done",
    }
}

async fn load() -> Result<Option<Card>, String> {
    #[cfg(feature = "hydrate")]
    {
        // logged out (a first visit): nothing to compute, and the
        // computation's chunk is not fetched
        if !matches!(crate::online::session().await, Ok(Some(_))) {
            return Ok(None);
        }
        crate::reminders::load_card().await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Err(crate::phone::NOT_HERE.to_owned())
    }
}

#[component]
pub fn RemindersCard() -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let lang = move || usize::from(en());
    let status = use_sync_status();
    // recomputed when a sync ends (new units, schedule, records), not
    // when one starts: counts the syncs finished
    let synced = Memo::new(move |before: Option<&u32>| {
        let n = before.copied().unwrap_or(0);
        if status.with(|s| s.running) { n } else { n + 1 }
    });
    let data = LocalResource::new(move || {
        synced.track();
        load()
    });
    let permission = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| permission.set(crate::notify::permission()));
    let allow = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            permission.set(crate::reminders::allow_notifications().await);
        });
    };
    // not on a finance office's phone: it has no dispute or duty to mind
    let reads = crate::online::use_may(domain::Capability::ReadCases);
    view! {
        <Show when=reads>
        <section class="card reminders" aria-labelledby="reminders-heading" data-testid="reminders">
            <h2 id="reminders-heading" class="card__label">{say(i18n, "排查提醒", "Screening reminders")}</h2>
            <Suspense fallback=move || view! { <p class="muted">"…"</p> }>
                {move || data.get().map(|result| match result {
                    Err(e) => view! { <p class="muted">{e}</p> }.into_any(),
                    Ok(None) => view! {
                        <p class="muted" data-testid="reminders-unsynced" data-ready="true">
                            {say(i18n, "登录并同步一次后，这里按“五个一”排查日程提醒本单位及各调解小组的排查任务（离线也能提醒）。",
                                "After logging in and syncing once, this lists the screening duties of your committee and its groups (also offline).")}
                        </p>
                    }.into_any(),
                    Ok(Some(card)) => {
                        let counts = card.counts;
                        let more = card.more;
                        let empty = card.lines.is_empty();
                        let high_total = card.high_risk_total;
                        let high = card.high_risk.into_iter().map(|c| {
                            let sub = c.sub.clone();
                            view! {
                                <li class="reminder reminder--overdue" data-testid="high-risk-case">
                                    <a class="reminder__link" href=c.href>
                                        <span class="reminder__state">{move || if en() { "High risk" } else { "高风险" }}</span>
                                        <span class="reminder__title">{c.parties}</span>
                                        <span class="reminder__meta">{move || sub[lang()].clone()}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view();
                        let lines = card.lines.into_iter().map(|line| {
                            let state = line.state;
                            let title = line.title.clone();
                            let sub = line.sub.clone();
                            view! {
                                <li class="reminder" class:reminder--overdue=state == ReminderState::Overdue
                                    data-testid="reminder" data-duty=line.duty data-period=line.period data-state=state.code()>
                                    <a class="reminder__link" href=line.href>
                                        <span class="reminder__state">{move || state_text(state, en())}</span>
                                        <span class="reminder__title">{move || title[lang()].clone()}</span>
                                        <span class="reminder__meta">{move || sub[lang()].clone()}</span>
                                    </a>
                                </li>
                            }
                        }).collect_view();
                        view! {
                            <p class="reminders__counts" data-testid="reminder-counts" data-ready="true"
                                data-open=counts.due + counts.overdue data-overdue=counts.overdue
                                data-compute-ms=format!("{:.3}", card.compute_ms) data-load-ms=format!("{:.1}", card.load_ms)>
                                {move || if en() {
                                    format!("{} overdue · {} due · {} done", counts.overdue, counts.due, counts.done)
                                } else {
                                    format!("已逾期 {} · 待完成 {} · 已完成 {}", counts.overdue, counts.due, counts.done)
                                }}
                            </p>
                            {if empty {
                                view! { <p class="muted" data-testid="reminders-clear">{say(i18n, "本期排查均已完成。", "Every duty of this period is done.")}</p> }.into_any()
                            } else {
                                view! { <ul class="reminder-list">{lines}</ul> }.into_any()
                            }}
                            {(more > 0).then(|| view! {
                                <p class="muted">{move || if en() { format!("and {more} more") } else { format!("还有 {more} 项") }}</p>
                            })}
                            {(high_total > 0).then(|| view! {
                                <div class="high-risk" data-testid="high-risk" data-total=high_total>
                                    <h3 class="card__label">{move || if en() { format!("Open high-risk disputes ({high_total})") } else { format!("未结高风险纠纷（{high_total}）") }}</h3>
                                    <ul class="reminder-list">{high}</ul>
                                </div>
                            })}
                            <a class="button" href="/screenings/new" data-testid="new-screening">{say(i18n, "排查登记", "Record a screening")}</a>
                        }.into_any()
                    }
                })}
            </Suspense>
            <Show when=move || permission.get() == "default">
                <button class="link-button" type="button" data-testid="allow-notifications" on:click=allow>
                    {say(i18n, "开启提醒通知", "Turn on reminder notifications")}
                </button>
            </Show>
        </section>
        </Show>
    }
}
