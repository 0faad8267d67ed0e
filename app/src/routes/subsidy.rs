//! 以案定补测算: enter a case's facts and see its tier and what is missing,
//! live and offline, from the shared rules.

use crate::components::lang_switch::LangSwitch;
use crate::components::tier_preview::TierPreview;
use crate::i18n::{t, use_i18n};
use domain::Money;
use domain::rules::{CaseFacts, CommitteeKind, FormCode, Method, Outcome, STANDARD_FORMS};
use jiff::civil::Date;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Today in China (UTC+8, no daylight saving), from the device's clock.
fn today_in_china() -> Date {
    #[cfg(feature = "hydrate")]
    let now = jiff::Timestamp::from_millisecond(js_sys::Date::now() as i64)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    #[cfg(not(feature = "hydrate"))]
    let now = jiff::Timestamp::now();
    domain::dates::china_date(now)
}

#[component]
pub fn SubsidyPage() -> impl IntoView {
    let i18n = use_i18n();
    let committee = RwSignal::new(CommitteeKind::Village);
    let closed_on = RwSignal::new(today_in_china());
    let simple = RwSignal::new(true);
    let agreed = RwSignal::new(true);
    let sessions = RwSignal::new(1u32);
    let oral_register = RwSignal::new(true);
    let forms = RwSignal::new(BTreeSet::<FormCode>::new());
    let archived = RwSignal::new(false);
    let recorded = RwSignal::new(true);
    let deaths = RwSignal::new(0u32);
    let disability = RwSignal::new(None::<u8>);
    let independent = RwSignal::new(true);
    let special = RwSignal::new(false);
    let approved = RwSignal::new(None::<Money>);

    // an approval belongs to a special case: unticking "special" forgets it,
    // so a re-ticked box never carries an amount the user cannot see
    Effect::new(move |_| {
        if !special.get() {
            approved.set(None);
        }
    });

    let facts = Signal::derive(move || CaseFacts {
        committee: committee.get(),
        closed_on: closed_on.get(),
        method: if simple.get() {
            Method::Simple
        } else {
            Method::General
        },
        outcome: if agreed.get() {
            Outcome::Agreed
        } else {
            Outcome::NotAgreed
        },
        sessions: sessions.get(),
        oral_register: oral_register.get(),
        forms: forms.get(),
        archived: archived.get(),
        recorded: recorded.get(),
        deaths: deaths.get(),
        disability_grade: disability.get(),
        independent: independent.get(),
        special: special.get(),
        approved_amount: if special.get() { approved.get() } else { None },
    });

    let committee_options = CommitteeKind::ALL.map(|k| {
        view! { <option value=k.code() selected=move || committee.get() == k>{k.name_zh()}</option> }
    });
    let form_boxes = STANDARD_FORMS.map(|code| {
        let form = FormCode::new(code);
        let (zh, _) = domain::rules::form_name(&form);
        let checked = { let form = form.clone(); move || forms.with(|f| f.contains(&form)) };
        let toggle = move |_| forms.update(|f| if !f.remove(&form) { f.insert(form.clone()); });
        view! {
            <label class="check"><input type="checkbox" data-form=code prop:checked=checked on:change=toggle />{zh}</label>
        }
    });
    let check = |label: AnyView, signal: RwSignal<bool>, id: &'static str| {
        view! { <label class="check"><input type="checkbox" id=id bind:checked=signal />{label}</label> }
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回">"‹"</a>
            <h1 class="app-bar__title">{crate::lazy_text::say(i18n, "以案定补测算", "Case subsidy calculator")}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            <p class="muted">{crate::lazy_text::say(i18n, "按现行规则即时测算补助档次，离线可用；正式金额以司法局审核为准。", "Estimates the subsidy tier with the rules in force, offline; the bureau's review sets the final amount.")}</p>
            <TierPreview facts />
            <form class="card form" on:submit=|ev| ev.prevent_default()>
                <label class="field">
                    <span>{t!(i18n, f_committee)}</span>
                    <select id="committee" on:change=move |ev| {
                        if let Some(k) = CommitteeKind::ALL.into_iter().find(|k| k.code() == event_target_value(&ev)) {
                            committee.set(k);
                        }
                    }>{committee_options}</select>
                </label>
                <label class="field">
                    <span>{t!(i18n, f_closed_on)}</span>
                    <input type="date" id="closed-on" prop:value=move || domain::dates::format_iso(closed_on.get())
                        on:change=move |ev| {
                            if let Some(d) = domain::dates::parse_iso(&event_target_value(&ev)) {
                                closed_on.set(d);
                            }
                        } />
                </label>
                <fieldset class="field">
                    <legend>{t!(i18n, f_method)}</legend>
                    <div class="segmented">
                        <button type="button" id="method-simple" class:on=move || simple.get() on:click=move |_| simple.set(true)>{t!(i18n, method_simple)}</button>
                        <button type="button" id="method-general" class:on=move || !simple.get() on:click=move |_| simple.set(false)>{t!(i18n, method_general)}</button>
                    </div>
                </fieldset>
                <fieldset class="field">
                    <legend>{t!(i18n, f_outcome)}</legend>
                    <div class="segmented">
                        <button type="button" id="outcome-agreed" class:on=move || agreed.get() on:click=move |_| agreed.set(true)>{t!(i18n, outcome_agreed)}</button>
                        <button type="button" id="outcome-not-agreed" class:on=move || !agreed.get() on:click=move |_| agreed.set(false)>{t!(i18n, outcome_not_agreed)}</button>
                    </div>
                </fieldset>
                <div class="field">
                    <span>{t!(i18n, f_sessions)}</span>
                    <div class="stepper">
                        <button type="button" id="sessions-less" aria-label="-" on:click=move |_| sessions.update(|n| *n = n.saturating_sub(1))>"−"</button>
                        <output id="sessions">{move || sessions.get()}</output>
                        <button type="button" id="sessions-more" aria-label="+" on:click=move |_| sessions.update(|n| *n = (*n + 1).min(99))>"+"</button>
                    </div>
                </div>
                <fieldset class="field">
                    <legend>{t!(i18n, f_documents)}</legend>
                    {check(t!(i18n, f_oral_register).into_any(), oral_register, "oral-register")}
                    {form_boxes}
                    {check(t!(i18n, f_archived).into_any(), archived, "archived")}
                    {check(t!(i18n, f_recorded).into_any(), recorded, "recorded")}
                </fieldset>
                <fieldset class="field">
                    <legend>{t!(i18n, f_severity)}</legend>
                    <div class="stepper">
                        <span>{t!(i18n, f_deaths)}</span>
                        <button type="button" aria-label="-" on:click=move |_| deaths.update(|n| *n = n.saturating_sub(1))>"−"</button>
                        <output id="deaths">{move || deaths.get()}</output>
                        <button type="button" id="deaths-more" aria-label="+" on:click=move |_| deaths.update(|n| *n = (*n + 1).min(999))>"+"</button>
                    </div>
                    <label class="field">
                        <span>{t!(i18n, f_disability)}</span>
                        <select id="disability" on:change=move |ev| disability.set(event_target_value(&ev).parse::<u8>().ok())>
                            <option value="" selected=move || disability.get().is_none()>{t!(i18n, disability_none)}</option>
                            {(1u8..=10).map(|g| view! { <option value=g.to_string() selected=move || disability.get() == Some(g)>{format!("{g}级")}</option> }).collect_view()}
                        </select>
                    </label>
                    {check(t!(i18n, f_independent).into_any(), independent, "independent")}
                    {check(t!(i18n, f_special).into_any(), special, "special")}
                    <Show when=move || special.get()>
                        <label class="field">
                            <span>{t!(i18n, f_approved_amount)}</span>
                            <input type="text" inputmode="decimal" id="approved-amount"
                                on:input=move |ev| approved.set(event_target_value(&ev).parse::<Money>().ok().filter(|m| *m > Money::ZERO)) />
                        </label>
                    </Show>
                </fieldset>
            </form>
        </main>
    }
}
