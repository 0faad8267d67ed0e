//! 定额补助发放 (docs/claims.md, "Paying the fixed part"): the quarter's
//! fixed subsidies as the judicial offices decided them. The bureau's
//! finance records paying each township (拨付) once its months are all
//! decided; the township's finance office records paying each mediator
//! (核发) once the bureau has paid. The amounts shown are the server's and
//! are sent back as paid, for the server to check again. Online only, like
//! every payment.

use crate::clock::today_in_china;
use crate::components::quarter_select::QuarterSelect;
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::texts::one_language;
use domain::claim::{PayMethod, Payment, Quarter};
use domain::fixed_payroll::{FixedMediatorPayment, FixedTownshipPayment, Payroll};
use domain::{Money, PersonId, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn FixedPayCard(
    /// The bureau's finance (拨付) or a township's (核发).
    bureau: bool,
    options: Vec<Quarter>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let quarter = RwSignal::new(options.get(1).copied().unwrap_or(options[0]));
    let shown = RwSignal::new(None::<Payroll>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let paid_on = RwSignal::new(domain::dates::format_iso(today_in_china()));
    let reference = RwSignal::new(String::new());
    let method = RwSignal::new(PayMethod::BankTransfer);

    let load = move || {
        let q = quarter.get_untracked();
        spawn_local(async move {
            match online::payroll(q).await {
                Ok(p) => {
                    shown.try_set(Some(p));
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
        });
    };
    Effect::new(move |_| load());

    let day = move || {
        let day = domain::dates::parse_iso(&paid_on.get_untracked());
        if day.is_none() {
            error.set(Some(if en() {
                "Choose the payment date.".into()
            } else {
                "请选择付款日期。".into()
            }));
        }
        day
    };
    let done = move |result: Result<Payment, online::ActionError>| match result {
        Ok(_) => {
            error.try_set(None);
            reference.try_set(String::new());
            message.try_set(Some((
                true,
                match (bureau, en()) {
                    (true, false) => "已登记拨付。".into(),
                    (true, true) => "Payment recorded.".into(),
                    (false, false) => "已登记核发。".into(),
                    (false, true) => "Payment recorded.".into(),
                },
            )));
            load();
        }
        Err(e) => {
            error.try_set(Some(e.message));
        }
    };
    let pay_township = move |township: UnitId, money: Money| {
        let Some(day) = day() else { return };
        busy.set(true);
        let req = FixedTownshipPayment {
            township_id: township,
            quarter: quarter.get_untracked(),
            amount: money,
            paid_on: day,
            voucher: reference.get_untracked(),
        };
        spawn_local(async move {
            done(online::pay_fixed_township(req).await);
            busy.try_set(false);
        });
    };
    let pay_mediator = move |person: PersonId, owed: Money| {
        let Some(day) = day() else { return };
        busy.set(true);
        let req = FixedMediatorPayment {
            mediator_id: person,
            quarter: quarter.get_untracked(),
            amount: owed,
            paid_on: day,
            method: method.get_untracked(),
            reference: reference.get_untracked(),
        };
        spawn_local(async move {
            done(online::pay_fixed_mediator(req).await);
            busy.try_set(false);
        });
    };

    view! {
        <section class="card" data-testid="fixed-pay-card">
            <h2 class="card__label">{say(i18n, "定额补助发放", "Fixed subsidy payments")}</h2>
            <QuarterSelect id="f-fixed-quarter" testid="fixed-quarter" options quarter on_pick=Callback::new(move |_| {
                shown.set(None);
                load();
            }) />
            <p class="field-error" role="alert" data-testid="fixed-pay-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
            <div class="field"><label for="f-fixed-date">{if bureau { say(i18n, "拨付日期", "Date paid") } else { say(i18n, "发放日期", "Date paid") }}</label>
                <input id="f-fixed-date" type="date" data-testid="fixed-pay-date" prop:value=paid_on on:input=move |ev| paid_on.set(event_target_value(&ev)) /></div>
            {(!bureau).then(|| view! {
                <div class="field"><label for="f-fixed-method">{say(i18n, "发放方式", "How")}</label>
                    <select id="f-fixed-method" on:change=move |ev| method.set(if event_target_value(&ev) == "cash" { PayMethod::Cash } else { PayMethod::BankTransfer })>
                        <option value="bank_transfer">{say(i18n, "银行转账", "bank transfer")}</option>
                        <option value="cash">{say(i18n, "现金", "cash")}</option>
                    </select></div>
            })}
            <div class="field"><label for="f-fixed-ref">{if bureau { say(i18n, "凭证号", "Voucher number") } else { say(i18n, "转账流水号或收据号", "Bank reference or receipt number") }}</label>
                <input id="f-fixed-ref" data-testid="fixed-pay-reference" prop:value=reference on:input=move |ev| reference.set(event_target_value(&ev)) /></div>
            {move || shown.get().map(|p| view! {
                <p class="muted" data-testid="fixed-total">{format!("{} 元", p.amount)}</p>
                <ul class="device-list">
                    {p.townships.into_iter().map(|t| {
                        let township = t.township_id;
                        let due = t.amount;
                        let paid = t.paid.clone();
                        let state = t.state.clone();
                        let ready = t.paid.is_none() && t.undecided == 0;
                        view! {
                            <li class="device-row" data-testid="fixed-township" data-township=township.to_string()>
                                <div class="device-row__who"><strong>{t.township.clone()}</strong> " · " {format!("{due} 元")}</div>
                                <div class="device-row__state">
                                    <span class=if ready { "chip chip--alert" } else { "chip" } data-testid="fixed-township-state">{move || one_language(&state, en())}</span>
                                    {(bureau && ready).then(|| view! {
                                        <button type="button" class="button button--primary" data-testid="fixed-pay-township" disabled=busy on:click=move |_| pay_township(township, due)>{say(i18n, "登记拨付", "Record the payment")}</button>
                                    })}
                                </div>
                                {(!bureau).then(|| view! {
                                    <ul class="device-list">
                                        {t.people.into_iter().map(|person| {
                                            let id = person.person_id;
                                            let owed = person.amount;
                                            let state = person.state.clone();
                                            let payable = paid.is_some() && person.paid.is_none() && owed > Money::ZERO;
                                            view! {
                                                <li class="device-row" data-testid="fixed-person" data-person=id.to_string()>
                                                    <div class="device-row__who"><strong>{person.name.clone()}</strong> " · " {person.unit_name.clone()} " · " {format!("{owed} 元")}</div>
                                                    <div class="device-row__state">
                                                        {(!state.is_empty()).then(|| view! { <span class="chip" data-testid="fixed-person-state">{move || one_language(&state, en())}</span> })}
                                                        {payable.then(|| view! {
                                                            <button type="button" class="button button--primary" data-testid="fixed-pay-mediator" disabled=busy on:click=move |_| pay_mediator(id, owed)>{say(i18n, "登记已发放", "Record as paid")}</button>
                                                        })}
                                                    </div>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
