//! 排查履职 — for a judicial office or the city: per township and duty of
//! the "五个一", how many units owe it, how many reported this and last
//! period, how many are overdue and the rate over the last four ended
//! periods; the overdue units by name; the quarterly analysis meetings and
//! trainings recorded. Computed by the server from every synced record
//! (docs/screening.md). Online only.

use crate::clock;
use crate::components::lang_switch::LangSwitch;
use crate::components::office_actions::use_online;
use crate::components::office_screen::{OfficeScreen, load_office};
use crate::components::photo_thumb::PhotoThumb;
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use domain::dates::{format_iso, parse_iso};
use domain::screening::{ComplianceReport, Period, ViewDayError, view_day};
use jiff::civil::Date;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};

type Screen = OfficeScreen<Box<ComplianceReport>>;

async fn load(on: Option<Date>) -> Screen {
    load_office(|_| async move { online::compliance(on).await.map(Box::new) }).await
}

fn period_label(key: &str, en: bool) -> String {
    match Period::parse(key) {
        Ok(p) if en => p.label_en(),
        Ok(p) => p.label_zh(),
        Err(_) => key.to_owned(),
    }
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let online = use_online();
    let screen = RwSignal::new(Screen::Loading);
    let query = use_query_map();
    let on_text = move || query.with(|q| q.get("on").unwrap_or_default());
    Effect::new(move |_| {
        online.get();
        let Ok(on) = view_day(&on_text(), clock::today_in_china()) else {
            return; // named next to the field; nothing is asked
        };
        screen.set(Screen::Loading);
        spawn_local(async move {
            let next = load(on).await;
            screen.try_set(next);
        });
    });
    // a day picked: the address says it, so a reload or a shared link shows the same view
    let navigate = use_navigate();
    let pick = move |ev: leptos::ev::Event| {
        let day = event_target_value(&ev);
        let to = if day.is_empty() {
            "/compliance".to_owned()
        } else {
            format!("/compliance?on={day}")
        };
        navigate(&to, Default::default());
    };
    let day_problem = move || view_day(&on_text(), clock::today_in_china()).err();
    let not_a_date = say(
        i18n,
        "查看日期应为日期，如 2026-11-23",
        "The date must be a date, e.g. 2026-11-23",
    );
    let after_today = say(
        i18n,
        "查看日期不能晚于今天",
        "The date cannot be after today",
    );
    let too_early = say(
        i18n,
        "查看日期不能早于 2000-01-01",
        "The date cannot be before 2000-01-01",
    );
    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "排查履职情况", "Screening compliance")}</h1>
            <LangSwitch />
        </header>
        <main class="page page-wide" data-testid="compliance">
            <div class="field field--inline">
                <label for="compliance-on">{say(i18n, "查看日期", "As of")}</label>
                <input id="compliance-on" type="date" data-field="on"
                    max=move || format_iso(clock::today_in_china())
                    prop:value=move || parse_iso(&on_text()).map(format_iso).unwrap_or_default()
                    aria-invalid=move || day_problem().is_some().to_string()
                    on:change=pick />
                <Show when=move || !on_text().is_empty()>
                    <a href="/compliance" data-testid="compliance-today">{say(i18n, "回到今天", "Today")}</a>
                </Show>
                {move || day_problem().map(|p| {
                    let message = match p {
                        ViewDayError::AfterToday => after_today,
                        ViewDayError::NotADate => not_a_date,
                        ViewDayError::TooEarly => too_early,
                    };
                    view! { <p class="field__error" role="alert" data-error-for="on">{message}</p> }
                })}
            </div>
            {move || if day_problem().is_some() { ().into_any() } else { match screen.get() {
                OfficeScreen::Loading => view! { <p class="muted">"…"</p> }.into_any(),
                OfficeScreen::LoggedOut => view! { <p class="notice">{say(i18n, "请先登录。", "Log in first.")} " " <a href="/login">{say(i18n, "登录", "Log in")}</a></p> }.into_any(),
                OfficeScreen::NotOffice => view! { <p class="notice">{say(i18n, "排查履职情况供司法所、乡镇和市司法局查看。", "This view is for judicial offices, townships and the city bureau.")}</p> }.into_any(),
                OfficeScreen::Offline => view! { <p class="notice" data-testid="compliance-offline">{say(i18n, "需要联网：履职情况由服务器按全部已同步记录计算。", "Needs a connection: the server computes it from every synced record.")}</p> }.into_any(),
                OfficeScreen::Failed(e) => view! { <p class="notice notice--bad">{e}</p> }.into_any(),
                OfficeScreen::Ready(r) => report_view(*r, en).into_any(),
            }}}
        </main>
    }
}

fn report_view(
    r: ComplianceReport,
    en: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let columns = r.duties.clone();
    let head = columns
        .iter()
        .map(|c| {
            let (zh, en_name) = (c.name_zh.clone(), c.name_en.clone());
            let previous = c.previous.clone();
            view! {
                <th scope="col">
                    {move || if en() { en_name.clone() } else { zh.clone() }}
                    <br /><small>{move || period_label(&previous, en())}</small>
                </th>
            }
        })
        .collect_view();
    let rows = r
        .townships
        .iter()
        .map(|t| {
            let cells = t
                .duties
                .iter()
                .map(|d| {
                    if d.units == 0 {
                        return view! { <td class="muted">"—"</td> }.into_any();
                    }
                    let rate = d.rate_percent().map_or("—".to_owned(), |p| format!("{p}%"));
                    let (done, units, overdue) = (d.done_previous, d.units, d.overdue);
                    view! {
                        <td data-duty=d.duty.clone() data-units=units data-done-previous=done data-overdue=overdue>
                            <strong>{format!("{done}/{units}")}</strong>
                            {(overdue > 0).then(|| view! { " " <span class="tag tag--bad">{move || if en() { format!("{overdue} overdue") } else { format!("逾期 {overdue}") }}</span> })}
                            <br /><small>{move || if en() { format!("4-period rate {rate}") } else { format!("近4期 {rate}") }}</small>
                        </td>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <tr data-testid="compliance-row" data-unit=t.unit_id.to_string()>
                    <th scope="row">{t.name.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    let duty_name = move |code: &str| {
        columns
            .iter()
            .find(|c| c.code == code)
            .map(|c| {
                if en() {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_owned())
    };
    let overdue_total = r.overdue_total;
    let listed = r.overdue.len();
    let overdue = r
        .overdue
        .iter()
        .map(|o| {
            let duty = duty_name(&o.duty);
            let period = o.period.clone();
            let missed = o.missed_recent;
            view! {
                <li data-testid="overdue-unit" data-unit=o.unit_id.to_string() data-duty=o.duty.clone()>
                    <strong>{o.name.clone()}</strong> " · " {o.township.clone()} " · " {duty} " · "
                    {move || period_label(&period, en())}
                    {(missed > 1).then(|| view! { " " <span class="tag tag--bad">{move || if en() { format!("missed {missed} of the last 4") } else { format!("近4期缺 {missed} 次") }}</span> })}
                </li>
            }
        })
        .collect_view();
    let meetings = r
        .meetings
        .iter()
        .map(|m| {
            let duty = duty_name(&m.duty);
            let attendees = m.attendees.map_or("—".to_owned(), |n| n.to_string());
            view! {
                <tr data-testid="meeting-row">
                    <td>{format_iso(m.date)}</td>
                    <td>{m.name.clone()}</td>
                    <td>{duty}</td>
                    <td>{attendees}</td>
                    <td>{m.notes.clone()}</td>
                    <td>{m.photo_sha256.clone().map(|sha256| view! {
                        <ul class="photos" data-testid="meeting-photo">
                            <PhotoThumb id=String::new() sha256=Some(sha256) taken_at=format_iso(m.date) position=None />
                        </ul>
                    })}</td>
                </tr>
            }
        })
        .collect_view();
    let no_meetings = r.meetings.is_empty();
    view! {
        <p class="muted">{move || if en() { format!("As of {} (China). Cells: units that reported last period / units that owe it.", format_iso(r.today)) } else { format!("截至 {}。格内为上期已上报单位数/应上报单位数。", format_iso(r.today)) }}</p>
        <div class="table-wrap">
            <table class="table" data-testid="compliance-table">
                <thead><tr><th scope="col">{move || if en() { "Township" } else { "乡镇" }}</th>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <h2 class="section-title">{move || if en() { format!("Overdue ({overdue_total})") } else { format!("逾期未上报（{overdue_total}）") }}</h2>
        {(listed < overdue_total as usize).then(|| view! { <p class="muted">{move || if en() { format!("The first {listed}, those that missed most first.") } else { format!("列出缺报最多的前 {listed} 个。") }}</p> })}
        <ul class="overdue-list">{overdue}</ul>
        <h2 class="section-title">{move || if en() { "Analysis meetings and trainings (last four quarters)" } else { "分析研判会和培训（近四个季度）" }}</h2>
        {if no_meetings {
            view! { <p class="muted" data-testid="no-meetings">{move || if en() { "None recorded." } else { "尚无记录。" }}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr>
                            <th scope="col">{move || if en() { "Date" } else { "日期" }}</th>
                            <th scope="col">{move || if en() { "Unit" } else { "单位" }}</th>
                            <th scope="col">{move || if en() { "Duty" } else { "事项" }}</th>
                            <th scope="col">{move || if en() { "Attendees" } else { "参加人数" }}</th>
                            <th scope="col">{move || if en() { "Notes" } else { "备注" }}</th>
                            <th scope="col">{move || if en() { "Photo" } else { "照片" }}</th>
                        </tr></thead>
                        <tbody>{meetings}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}
