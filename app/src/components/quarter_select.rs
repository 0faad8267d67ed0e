//! A quarter (季度) to choose, labelled in the app's language: the claims
//! screen's draft, summary and 定额补助发放 cards.

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use domain::claim::Quarter;
use leptos::prelude::*;

/// `2026年第3季度`, or `Q3 2026`.
pub fn quarter_name(q: Quarter, en: bool) -> String {
    if en { q.label_en() } else { q.label_zh() }
}

/// A quarter to choose among `options`, labelled in the app's language;
/// `on_pick` runs after `quarter` takes the choice.
#[component]
pub fn QuarterSelect(
    id: &'static str,
    testid: &'static str,
    options: Vec<Quarter>,
    quarter: RwSignal<Quarter>,
    on_pick: Callback<Quarter>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    view! {
        <div class="field">
            <label for=id>{say(i18n, "季度", "Quarter")}</label>
            <select id=id data-testid=testid
                on:change=move |ev| {
                    if let Ok(q) = event_target_value(&ev).parse::<Quarter>() {
                        quarter.set(q);
                        on_pick.run(q);
                    }
                }>
                {options.into_iter().map(|q| {
                    view! { <option value=q.to_string() selected=move || quarter.get() == q>{move || quarter_name(q, en())}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}
