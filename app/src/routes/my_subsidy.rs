//! 我的补助: a mediator's cases in the quarterly claims — each quarter's
//! cases by tier with their amounts, where each claim stands in the
//! approval — and the payments made to them, with 确认到账 or 没有收到.
//! Read offline from the last time it was fetched (kept in IndexedDB,
//! wiped at log-out); confirming needs a network.

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{Locale, t, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::texts::one_language;
use domain::api::{MySubsidy, ReceiptRequest};
use domain::claim::{Payment, Quarter};
use domain::{Money, PaymentId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// What the page shows: the figures, and whether they are from the server
/// now or from the last fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    Loading,
    Nothing(String),
    Ready { data: MySubsidy, fresh: bool },
}

async fn cached() -> Option<MySubsidy> {
    crate::phone::my_subsidy()
        .await
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str(&json).ok())
}

async fn fetch() -> Result<MySubsidy, String> {
    let data = online::my_subsidy().await.map_err(|e| e.message)?;
    if let Ok(json) = serde_json::to_string(&data) {
        // kept before it is shown: the page reads it offline next time
        let _ = crate::phone::save_my_subsidy(json).await;
    }
    Ok(data)
}

#[component]
pub fn MySubsidyPage() -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let shown = RwSignal::new(Shown::Loading);
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(None::<PaymentId>);
    let note = RwSignal::new(String::new());
    let asking = RwSignal::new(None::<PaymentId>);

    let refresh = move || {
        spawn_local(async move {
            if let Some(data) = cached().await {
                shown.try_set(Shown::Ready { data, fresh: false });
            }
            match fetch().await {
                Ok(data) => {
                    shown.try_set(Shown::Ready { data, fresh: true });
                }
                Err(e) => {
                    if shown.with_untracked(|s| matches!(s, Shown::Loading)) {
                        shown.try_set(Shown::Nothing(e));
                    }
                }
            }
        });
    };
    Effect::new(move |_| refresh());

    let answer = move |id: PaymentId, received: bool| {
        message.set(None);
        busy.set(Some(id));
        let req = ReceiptRequest {
            received,
            note: note.get_untracked(),
        };
        spawn_local(async move {
            match online::confirm_receipt(id, req).await {
                Ok(_) => {
                    asking.try_set(None);
                    note.try_set(String::new());
                    message.try_set(Some((
                        true,
                        if received {
                            if en() {
                                "Thank you: receipt confirmed.".into()
                            } else {
                                "已确认到账。".into()
                            }
                        } else if en() {
                            "The judicial office has been told the money did not arrive.".into()
                        } else {
                            "已告知司法所没有收到这笔钱。".into()
                        },
                    )));
                    refresh();
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
            busy.try_set(None);
        });
    };

    let payment_row = move |p: Payment| {
        let id = p.id;
        let last = p.receipts.last().cloned();
        let received = p.received();
        view! {
            <li class="device-row" data-testid="my-payment" data-received=received.to_string()>
                <div class="device-row__who"><strong>{format!("{} 元", p.amount)}</strong> " · " {domain::dates::format_iso(p.paid_on)}</div>
                <div class="device-row__meta muted">{p.method.name_zh()} " · " {p.reference.clone()} " · " {move || if en() { p.quarter.label_en() } else { p.quarter.label_zh() }}
                    {(!p.fixed.is_empty()).then(|| view! { " · " <span class="chip" data-testid="my-payment-fixed">{say(i18n, "定额补助（按月履职认定）", "Fixed subsidy (by month)")}</span> })}</div>
                <div class="device-row__state">
                    {match last {
                        Some(r) if r.received => view! { <span class="chip">{say(i18n, "已确认到账", "received")}</span> }.into_any(),
                        Some(r) => view! { <span class="chip chip--alert">{say(i18n, "已报未到账", "reported missing")}</span> <span class="muted">{r.note}</span> }.into_any(),
                        None => view! { <span class="chip chip--alert">{say(i18n, "请确认是否到账", "please confirm")}</span> }.into_any(),
                    }}
                    {(!received).then(|| view! {
                        <button type="button" class="button button--primary" data-testid="confirm-receipt" disabled=move || busy.get() == Some(id)
                            on:click=move |_| answer(id, true)>{say(i18n, "确认已到账", "It arrived")}</button>
                        <button type="button" class="button" data-testid="not-received" on:click=move |_| asking.set(Some(id))>{say(i18n, "没有收到", "It did not arrive")}</button>
                    })}
                </div>
                <Show when=move || asking.get() == Some(id)>
                    <div class="form">
                        <div class="field">
                            <label for="f-receipt-note">{say(i18n, "说明（如：查了银行卡，没有这笔钱）", "What you found (e.g. not on my bank card)")}</label>
                            <input id="f-receipt-note" data-testid="receipt-note" prop:value=note on:input=move |ev| note.set(event_target_value(&ev)) />
                        </div>
                        <button type="button" class="button button--primary" data-testid="send-not-received" on:click=move |_| answer(id, false)>{say(i18n, "告知司法所", "Tell the judicial office")}</button>
                    </div>
                </Show>
            </li>
        }
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "我的补助", "My subsidy")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="my-subsidy-page">
            {move || message.get().map(|(good, text)| view! {
                <p class=if good { "notice" } else { "notice notice--bad" } role="alert" data-testid="my-subsidy-message">{one_language(&text, en())}</p>
            })}
            {move || match shown.get() {
                Shown::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Shown::Nothing(e) => view! { <p class="notice" role="status" data-testid="my-subsidy-none">{one_language(&e, en())}</p> }.into_any(),
                Shown::Ready { data, fresh } => {
                    let mut by_quarter: BTreeMap<std::cmp::Reverse<Quarter>, Vec<domain::api::MyLine>> = BTreeMap::new();
                    for l in data.lines {
                        by_quarter.entry(std::cmp::Reverse(l.quarter)).or_default().push(l);
                    }
                    view! {
                        {(!fresh).then(|| view! { <p class="notice" role="status" data-testid="my-subsidy-cached">{say(i18n, "没有网络：显示的是上次联网时的情况。", "Offline: this is how it stood when last online.")}</p> })}
                        {(!data.fixed.is_empty()).then(|| view! {
                            <section class="card" data-testid="my-fixed">
                                <h2 class="card__label">{say(i18n, "定额补助（按月履职认定）", "Fixed subsidy (by month)")}</h2>
                                <ul class="device-list">
                                    {data.fixed.iter().map(|d| {
                                        let m = d.month;
                                        view! {
                                            <li class="device-row" data-testid="my-fixed-month" data-performed=d.performed.to_string()>
                                                <strong>{move || if en() { m.label_en() } else { m.label_zh() }}</strong> " · " {format!("{} 元", d.amount)}
                                                <div class="device-row__meta muted">
                                                    {if d.performed { "已认定履职".to_owned() } else { format!("未认定履职：{}", d.reason.clone().unwrap_or_default()) }}
                                                    " · " {d.by_name.clone()}
                                                </div>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            </section>
                        })}
                        <section class="card" data-testid="my-payments">
                            <h2 class="card__label">{say(i18n, "收到的补助", "Payments to me")}</h2>
                            {if data.payments.is_empty() {
                                view! { <p class="muted">{say(i18n, "还没有发放记录。", "Nothing paid yet.")}</p> }.into_any()
                            } else {
                                view! { <ul class="device-list">{data.payments.into_iter().map(payment_row).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                        {if by_quarter.is_empty() {
                            view! { <p class="card muted" data-testid="my-subsidy-empty">{say(i18n, "您的案件还没有列入补助申报。", "None of your cases is in a claim yet.")}</p> }.into_any()
                        } else {
                            by_quarter.into_iter().map(|(std::cmp::Reverse(q), lines)| {
                                let total = domain::claim::sum(lines.iter().map(|l| l.current.amount));
                                let mut tiers: BTreeMap<String, (u32, Money)> = BTreeMap::new();
                                for l in lines.iter().filter(|l| !l.current.returned) {
                                    let e = tiers.entry(l.current.tier.clone().unwrap_or_default()).or_insert((0, Money::ZERO));
                                    e.0 += 1;
                                    e.1 = domain::claim::sum([e.1, l.current.amount]);
                                }
                                view! {
                                    <section class="card" data-testid="my-quarter">
                                        <h2 class="card__label">{move || if en() { q.label_en() } else { q.label_zh() }} " · " {format!("{total} 元")}</h2>
                                        <p class="muted">{tiers.into_iter().map(|(tier, (n, amount))| format!("{tier} 档 {n} 件 {amount} 元")).collect::<Vec<_>>().join("；")}</p>
                                        <ul class="device-list">
                                            {lines.into_iter().map(|l| view! {
                                                <li class="device-row" data-testid="my-line">
                                                    // the case's page tells why its amount is what it is (补助变动记录)
                                                    <a href=format!("/cases/{}", l.line.case_id) data-testid="my-line-case"><strong>{l.line.number.clone()}</strong></a>
                                                    " · " {domain::dates::format_iso(l.line.closed_on)}
                                                    <div class="device-row__meta">
                                                        {match &l.current.tier {
                                                            Some(t) => format!("{t} 档 {} 元", l.current.amount),
                                                            None => "已退回".to_owned(),
                                                        }}
                                                        " · " <span class="chip">{move || if en() { l.stage.name_en() } else { l.stage.name_zh() }}</span>
                                                    </div>
                                                    {l.current.reason.clone().map(|r| view! { <div class="device-row__meta muted">{r}</div> })}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }
                            }).collect_view().into_any()
                        }}
                    }.into_any()
                }
            }}
        </main>
    }
}
