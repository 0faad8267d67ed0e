//! A case's subsidy tier and what is missing for a better one, computed in
//! the browser by the same `domain::rules` code the server uses — offline.

use crate::i18n::{Locale, t, use_i18n};
use domain::rules::{self, CaseFacts, Item};
use leptos::prelude::*;

/// Shows the tier (or none), the amount, the rule set, what is missing for
/// the best tier still reachable, and what is already met.
#[component]
pub fn TierPreview(#[prop(into)] facts: Signal<CaseFacts>) -> impl IntoView {
    let i18n = use_i18n();
    let evaluation = Memo::new(move |_| rules::evaluate(&facts.get(), rules::builtin()));
    let text = move |item: &Item| {
        if i18n.get_locale() == Locale::en {
            item.en.to_string()
        } else {
            item.zh.to_string()
        }
    };
    let list = move |items: Vec<Item>, class: &'static str| {
        view! {
            <ul class=class>
                {items.into_iter().map(|item| {
                    let code = item.code.to_string();
                    view! { <li data-code=code>{move || text(&item)}</li> }
                }).collect_view()}
            </ul>
        }
    };

    view! {
        <section class="tier card" data-testid="tier-preview" aria-live="polite">
            {move || match evaluation.get() {
                Err(_) => view! { <p class="tier__reason">{t!(i18n, no_rule_set)}</p> }.into_any(),
                Ok(e) => {
                    let tier = e.tier.clone();
                    let has_tier = tier.is_some();
                    let missing = e.missing.clone();
                    let met = e.met.clone();
                    let reason = e.reason.clone();
                    let next = e.next_tier.clone().unwrap_or_default();
                    view! {
                        <div class="tier__head">
                            <span class="tier__label">{t!(i18n, tier_label)}</span>
                            <span class="tier__badge" class:tier__badge--none=!has_tier data-testid="tier">
                                {match tier { Some(code) => code.into_any(), None => t!(i18n, tier_none).into_any() }}
                            </span>
                            <span class="tier__amount" data-testid="amount">
                                {e.amount.to_string()} " " {t!(i18n, yuan)}
                            </span>
                        </div>
                        <p class="tier__rule-set muted">{t!(i18n, rule_set_label)} ": " {e.rule_set.clone()}</p>
                        {reason.map(|r| view! { <p class="tier__reason" data-testid="reason">{move || text(&r)}</p> })}
                        {(!missing.is_empty()).then(|| view! {
                            <h3 class="tier__heading">{t!(i18n, missing_for)} " " {next.clone()}</h3>
                            {list(missing.clone(), "tier__missing")}
                        })}
                        {(!met.is_empty()).then(|| view! {
                            <h3 class="tier__heading">{t!(i18n, met_label)}</h3>
                            {list(met.clone(), "tier__met")}
                        })}
                    }.into_any()
                }
            }}
        </section>
    }
}
