//! 回访抽查 on the claims screen (docs/claims.md): at 初审 the judicial
//! office draws the claim's call-back sample, telephones a party of each
//! sampled case and records what they said. Above the lines: the draw (or
//! the button that makes it); under each sampled line: where its check
//! stands, every call, and — for 初审's signer while it waits — the form
//! that records a call.

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::texts::one_language;
use domain::api::ClaimView;
use domain::spot_check::{CallBack, CallRequest, CheckResult, DrawRequest, SpotCheck};
use domain::{CaseId, ClaimId};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The sample as drawn, or, for 初审's signer, the button that draws it.
#[component]
pub fn SpotCheckHead(
    view: ClaimView,
    mine: bool,
    busy: RwSignal<bool>,
    on_changed: Callback<Option<ClaimView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let claim = &view.claim;
    let (id, version) = (claim.id, claim.version);
    let rule = domain::rules::builtin()
        .iter()
        .find(|r| r.id == claim.rule_set)
        .and_then(|r| r.spot_check);
    let error = RwSignal::new(None::<String>);
    match (&claim.spot_check, rule) {
        (Some(check), _) => {
            let waiting = domain::spot_check::waiting(claim).len();
            let (n, by, at, seed) = (
                check.cases.len(),
                check.by_name.clone(),
                check.at.china_minute(),
                check.seed,
            );
            Some(view! {
                <p class="muted" data-testid="spot-check" data-waiting=waiting>
                    {move || if en() {
                        format!("Call-backs: {n} drawn ({by} {at}, seed {seed}), {waiting} to call")
                    } else {
                        format!("回访抽查：抽取 {n} 件（{by} {at}，随机数 {seed}），待回访 {waiting} 件")
                    }}
                </p>
            }.into_any())
        }
        (None, Some(rule)) if mine => {
            let draw = move |_| {
                busy.set(true);
                error.set(None);
                spawn_local(async move {
                    match online::draw_spot_check(id, DrawRequest { version }).await {
                        Ok(next) => on_changed.run(Some(next)),
                        Err(e) => {
                            error.try_set(Some(e.message));
                        }
                    }
                    busy.try_set(false);
                });
            };
            let (percent, least) = (rule.percent, rule.at_least);
            Some(view! {
                <div class="notice" data-testid="spot-check">
                    <p>{move || if en() {
                        format!("Call back {percent}% of the cases, at least {least}, before passing it.")
                    } else {
                        format!("初审前须电话回访：随机抽取 {percent}%，至少 {least} 件。")
                    }}</p>
                    <button type="button" class="button button--primary" data-testid="spot-draw" disabled=busy on:click=draw>
                        {say(i18n, "抽取回访案件", "Draw the cases to call")}
                    </button>
                    <p class="field-error" role="alert" data-testid="spot-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
                </div>
            }.into_any())
        }
        _ => None,
    }
}

/// The answers of a call, by the code of the choice that says them.
const HEARD: [(&str, bool, bool, bool, &str, &str); 4] = [
    ("none", false, false, false, "未接通", "no answer"),
    (
        "yes",
        true,
        true,
        true,
        "认可调解，满意",
        "confirmed, satisfied",
    ),
    (
        "unhappy",
        true,
        true,
        false,
        "认可调解，不满意",
        "confirmed, not satisfied",
    ),
    (
        "denied",
        true,
        false,
        false,
        "不认可调解",
        "denied the mediation",
    ),
];

/// What one call heard, in a few words.
fn heard(c: &CallBack, en: bool) -> &'static str {
    HEARD
        .iter()
        .find(|h| (h.1, h.2, h.3) == (c.reached, c.confirms, c.satisfied))
        .map_or("", |h| if en { h.5 } else { h.4 })
}

/// Under a sampled line: its result, its calls and, when `form`, the
/// form that records the next call (one choice: the answers cannot
/// disagree).
#[component]
pub fn SpotCheckLine(
    check: SpotCheck,
    case_id: CaseId,
    form: bool,
    id: ClaimId,
    version: u64,
    busy: RwSignal<bool>,
    on_changed: Callback<Option<ClaimView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let result = check.result(case_id);
    let state = match result {
        CheckResult::Waiting => ("waiting", "待回访", "to call"),
        CheckResult::Passed => ("passed", "回访通过", "passed"),
        CheckResult::Failed => ("failed", "回访未通过", "failed"),
    };
    let calls = check
        .calls
        .iter()
        .filter(|c| c.case_id == case_id)
        .map(|c| {
            let text = format!("{} {}：", c.at.china_minute(), c.by_name);
            let notes = (!c.notes.is_empty()).then(|| format!("（{}）", c.notes));
            let c = c.clone();
            view! { <li data-testid="spot-call">{text} {move || heard(&c, en())} {notes}</li> }
        })
        .collect_view();
    let choice = RwSignal::new(String::new());
    let notes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let record = move |_| {
        let Some(h) = choice.with_untracked(|c| HEARD.iter().find(|h| h.0 == c)) else {
            error.set(Some("请选择回访结果 / choose what you heard".into()));
            return;
        };
        let req = CallRequest {
            version,
            case_id,
            reached: h.1,
            confirms: h.2,
            satisfied: h.3,
            notes: notes.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match online::record_call(id, req).await {
                Ok(next) => on_changed.run(Some(next)),
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="device-row__meta" data-testid="spot-line" data-result=state.0>
            <span class="chip chip--alert">{move || if en() { state.2 } else { state.1 }}</span>
            <ul class="plain-list">{calls}</ul>
            {(form && result == CheckResult::Waiting).then(|| view! {
                <div class="form form--inline" data-testid="spot-form">
                    <select data-testid="spot-heard" aria-label=move || if en() { "What you heard" } else { "回访结果" }
                        on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {HEARD.iter().map(|h| view! { <option value=h.0>{move || if en() { h.5 } else { h.4 }}</option> }).collect_view()}
                    </select>
                    <input type="text" data-testid="spot-notes"
                        placeholder=move || if en() { "What they said" } else { "当事人怎么说（不认可时必填）" }
                        prop:value=notes on:input=move |ev| notes.set(event_target_value(&ev)) />
                    <button type="button" class="button" data-testid="spot-record" disabled=busy on:click=record>
                        {say(i18n, "记录", "Record")}
                    </button>
                    <p class="field-error" role="alert" data-testid="spot-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
                </div>
            })}
        </div>
    }
}
