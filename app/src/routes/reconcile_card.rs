//! 对账 on the claims screen (docs/claims.md): a quarter's claims summed at
//! every link of the chain — the lines, the approved total, paid to the
//! townships, paid to the mediators, confirmed received — for the city,
//! and every difference to the fen with the cases behind it.

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::texts::one_language;
use domain::claim::{Quarter, Step};
use domain::reconcile::Reconciliation;
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn ReconcileView(quarter: RwSignal<Quarter>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let found = RwSignal::new(None::<Reconciliation>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let load = move || {
        busy.set(true);
        error.set(None);
        let q = quarter.get_untracked();
        spawn_local(async move {
            match online::reconciliation(q).await {
                Ok(r) => {
                    found.try_set(Some(r));
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <button type="button" class="button" data-testid="reconcile" disabled=busy on:click=move |_| load()>
            {say(i18n, "对账", "Reconcile")}
        </button>
        <p class="field-error" role="alert">{move || error.get().map(|e| one_language(&e, en()))}</p>
        {move || found.get().map(|r| {
            let c = r.city;
            // the chain's links, named as its steps are
            let step = |s: Step| move || if en() { s.name_en() } else { s.name_zh() };
            let links = [
                (None, c.lines),
                (Some(Step::Approval), c.approved),
                (Some(Step::TownshipPayment), c.to_township),
                (Some(Step::MediatorPayment), c.to_mediators),
                (Some(Step::Receipt), c.received),
            ];
            view! {
                <dl class="totals" data-testid="reconcile-city">
                    {links.into_iter().map(|(link, amount)| view! {
                        <dt>{match link {
                            Some(s) => step(s).into_any(),
                            None => say(i18n, "明细", "Lines").into_any(),
                        }}</dt>
                        <dd>{format!("{amount} 元")}</dd>
                    }).collect_view()}
                </dl>
                {if r.differences.is_empty() {
                    view! { <p data-testid="reconcile-ok">{say(i18n, "各环节金额一致，没有差额。", "Every link agrees to the fen.")}</p> }.into_any()
                } else {
                    view! {
                        <ul class="device-list" data-testid="reconcile-differences">
                            {r.differences.into_iter().map(|d| {
                                let cases: Vec<String> = d.lines.iter().map(|l| format!("{} {} 元", l.number, l.amount)).collect();
                                view! {
                                    <li class="device-row" data-testid="reconcile-difference" data-gap=d.gap.code()>
                                        <strong>{d.unit_name.clone()}</strong> " · " {let what = d.what.clone(); move || one_language(&what, en())}
                                        {d.mediator.map(|m| view! { " · " {m} })}
                                        <div class="device-row__meta">{format!("{} → {} 元", d.expected, d.found)}</div>
                                        <div class="device-row__meta muted">{cases.join("；")}</div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            }
        })}
    }
}
