//! 重特大纠纷 on the claims screen (docs/claims.md): what a line reported
//! as especially grave says — the committee's reason and the party group's
//! decision — and, for whoever speaks for the party group while the claim
//! waits at 审批, the form that records the decision with its amount.

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::texts::one_language;
use domain::api::ClaimView;
use domain::claim::ClaimLine;
use domain::special::{SpecialDecision, SpecialRequest};
use domain::{CaseId, ClaimId, Money};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The rule set's name of the tier the party group decides (重特大纠纷).
fn tier_name(en: bool) -> &'static str {
    domain::rules::builtin()
        .iter()
        .rev()
        .flat_map(|r| &r.tiers)
        .find(|t| t.amount == domain::rules::TierAmount::ByApproval)
        .map_or("", |t| if en { &t.name_en } else { &t.name_zh })
}

/// The report and decision under a line, when it was reported.
#[component]
pub fn SpecialNote(line: ClaimLine, decision: Option<SpecialDecision>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    line.special.map(|reason| {
        let decided = decision.map(|d| {
            let minutes = d.minutes.clone();
            move || match (d.amount, en()) {
                (Some(a), false) => format!("党组认定：{a} 元（{minutes}）"),
                (Some(a), true) => format!("Party group: {a} yuan ({minutes})"),
                (None, false) => format!("党组不认定（{minutes}）"),
                (None, true) => format!("Party group: not recognised ({minutes})"),
            }
        });
        view! {
            <div class="device-row__meta" data-testid="line-special">
                <span class="chip chip--alert">{move || tier_name(en())}</span> " "
                <span class="muted">{reason}</span>
                {match decided {
                    Some(text) => view! { " · " <strong data-testid="special-decided">{text}</strong> }.into_any(),
                    None => view! { " · " <span>{say(i18n, "待党组决定", "awaits decision")}</span> }.into_any(),
                }}
            </div>
        }
    })
}

/// The party group's decision on one waiting line.
#[component]
pub fn SpecialForm(
    id: ClaimId,
    version: u64,
    case_id: CaseId,
    busy: RwSignal<bool>,
    on_changed: Callback<Option<ClaimView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let amount = RwSignal::new(String::new());
    let minutes = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let decide = move |approved: bool| {
        let amount = if approved {
            match amount.get_untracked().trim().parse::<Money>() {
                Ok(a) => Some(a),
                Err(_) => {
                    error.set(Some(if en() {
                        "Write the amount in yuan, e.g. 300.00.".into()
                    } else {
                        "请按元填写金额，如 300.00。".into()
                    }));
                    return;
                }
            }
        } else {
            None
        };
        let req = SpecialRequest {
            version,
            case_id,
            approved,
            amount,
            minutes: minutes.get_untracked(),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match online::decide_special(id, req).await {
                Ok(next) => on_changed.run(Some(next)),
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="form form--inline" data-testid="special-form">
            <input type="text" inputmode="decimal" data-testid="special-amount"
                placeholder=move || if en() { "Amount (yuan)" } else { "金额（元）" }
                prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev)) />
            <input type="text" data-testid="special-minutes"
                placeholder=move || if en() { "Minutes no." } else { "会议纪要文号" }
                prop:value=minutes on:input=move |ev| minutes.set(event_target_value(&ev)) />
            <button type="button" class="button button--primary" data-testid="special-approve" disabled=busy on:click=move |_| decide(true)>
                {say(i18n, "认定", "Recognise")}
            </button>
            <button type="button" class="button" data-testid="special-refuse" disabled=busy on:click=move |_| decide(false)>
                {say(i18n, "不认定", "Refuse")}
            </button>
            <p class="field-error" role="alert" data-testid="special-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
        </div>
    }
}
