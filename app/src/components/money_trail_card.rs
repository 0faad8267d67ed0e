//! On a case's page: its money trail (补助变动记录) — every change that
//! moved what the case earns or is paid, oldest first, with who and when,
//! before and after: a fact the rules read, the server's tier, the claim's
//! reductions and returns, the party group's decision, the approval, the
//! payments and the mediator's receipt. For everyone who reads the case's
//! amounts; online only, read when the card is opened.

use crate::components::history_card::how_made;
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, ActionError};
use domain::Money;
use domain::case::{Case, CaseKind};
use domain::claim::{PayMethod, Payee};
use domain::money_trail::{Fact, FactChange, MoneyEntry, MoneyEvent, MoneyTrail};
use domain::rules::{Outcome, Verdict, form_name};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `200.00 元` / `¥200.00`.
fn yuan(m: Money, en: bool) -> String {
    if en {
        format!("¥{m}")
    } else {
        format!("{m} 元")
    }
}

/// A verdict as words: `C 档 200.00 元`, or no subsidy.
fn verdict_words(v: Option<&Verdict>, en: bool) -> String {
    match (v.and_then(|v| v.tier.as_deref().map(|t| (t, v.amount))), en) {
        (Some((tier, amount)), false) => format!("{tier} 档 {}", yuan(amount, en)),
        (Some((tier, amount)), true) => format!("tier {tier}, {}", yuan(amount, en)),
        (None, false) => "无补助".into(),
        (None, true) => "no subsidy".into(),
    }
}

fn yes_no(b: bool, en: bool) -> String {
    match (b, en) {
        (true, false) => "是",
        (false, false) => "否",
        (true, true) => "yes",
        (false, true) => "no",
    }
    .into()
}

/// A fact's name and value, in words.
fn fact_words(f: &Fact, en: bool) -> (&'static str, String) {
    let none = || if en { "none" } else { "无" }.to_owned();
    let pick = |zh: &'static str, english: &'static str| if en { english } else { zh };
    match f {
        Fact::Kind(k) => (
            pick("调解方式", "kind"),
            match k {
                CaseKind::Oral => pick("口头（简易）调解", "oral mediation"),
                CaseKind::General => pick("一般纠纷", "general dispute"),
            }
            .into(),
        ),
        Fact::Outcome(o) => (
            pick("调解结果", "outcome"),
            match o {
                None => pick("未结案", "open"),
                Some(Outcome::Agreed) => pick("调解成功", "agreed"),
                Some(Outcome::NotAgreed) => pick("未达成协议", "not agreed"),
            }
            .into(),
        ),
        Fact::ClosedOn(d) => (
            pick("结案日期", "closing date"),
            d.map_or_else(none, |d| domain::dates::format_iso(d.0)),
        ),
        Fact::Sessions(n) => (pick("调解次数", "sessions"), n.to_string()),
        Fact::OralRegister(b) => (
            pick("口头协议登记表", "oral-agreement register"),
            yes_no(*b, en),
        ),
        Fact::Forms(forms) if forms.is_empty() => (pick("卷宗材料", "dossier forms"), none()),
        Fact::Forms(forms) => (
            pick("卷宗材料", "dossier forms"),
            forms
                .iter()
                .map(|f| {
                    let (zh, english) = form_name(f);
                    if en { english } else { zh }.into_owned()
                })
                .collect::<Vec<_>>()
                .join(if en { ", " } else { "、" }),
        ),
        Fact::Archived(b) => (pick("立卷归档", "archived"), yes_no(*b, en)),
        Fact::Recorded(b) => (
            pick("录入信息系统", "entered in the system"),
            yes_no(*b, en),
        ),
        Fact::Deaths(n) => (pick("死亡人数", "deaths"), n.to_string()),
        Fact::DisabilityGrade(g) => (
            pick("伤残等级", "disability grade"),
            g.map_or_else(none, |g| {
                if en {
                    format!("grade {g}")
                } else {
                    format!("{g} 级")
                }
            }),
        ),
        Fact::Independent(b) => (pick("独立调解", "mediated on its own"), yes_no(*b, en)),
        Fact::MajorVerified(b) => (
            pick("重大纠纷已核实", "major case verified"),
            yes_no(*b, en),
        ),
        Fact::Special(b) => (pick("重特大纠纷", "especially grave"), yes_no(*b, en)),
        Fact::ApprovedAmount(a) => (
            pick("党组核定金额", "amount set by the party group"),
            a.map_or_else(none, |a| yuan(a, en)),
        ),
    }
}

fn fact_line(c: &FactChange, en: bool) -> String {
    let (name, now) = fact_words(&c.now, en);
    match &c.was {
        Some(was) => format!(
            "{name}{} {} → {now}",
            if en { ":" } else { "：" },
            fact_words(was, en).1
        ),
        None => format!("{name}{} {now}", if en { ":" } else { "：" }),
    }
}

fn method_words(m: PayMethod, en: bool) -> &'static str {
    match (m, en) {
        (_, false) => m.name_zh(),
        (PayMethod::BankTransfer, true) => "bank transfer",
        (PayMethod::Cash, true) => "cash",
    }
}

/// The entry's headline and the lines under it.
fn entry_words(e: &MoneyEntry, en: bool) -> (String, Vec<String>) {
    let step = |s: domain::claim::Step| if en { s.name_en() } else { s.name_zh() };
    let because = |why: &str| {
        if en {
            format!("Reason: {why}")
        } else {
            format!("理由：{why}")
        }
    };
    match &e.what {
        MoneyEvent::Version {
            version,
            how,
            facts,
            was,
            now,
        } => {
            let head = if en {
                format!("Version {version}: {}", how_made(how, *version, en))
            } else {
                format!("第 {version} 版：{}", how_made(how, *version, en))
            };
            let mut lines: Vec<String> = facts.iter().map(|f| fact_line(f, en)).collect();
            if was != now || was.is_none() {
                let now = verdict_words(now.as_ref(), en);
                lines.push(match (was, en) {
                    (Some(was), false) => {
                        format!("核定补助：{} → {now}", verdict_words(Some(was), en))
                    }
                    (Some(was), true) => {
                        format!("Subsidy: {} → {now}", verdict_words(Some(was), en))
                    }
                    (None, false) => format!("核定补助：{now}"),
                    (None, true) => format!("Subsidy: {now}"),
                });
            }
            (head, lines)
        }
        MoneyEvent::Claimed {
            quarter,
            tier,
            amount,
            late,
            ..
        } => (
            if en {
                format!(
                    "Claimed in {}: tier {tier}, {}{}",
                    quarter.label_en(),
                    yuan(*amount, en),
                    if *late { " (late)" } else { "" }
                )
            } else {
                format!(
                    "列入{}补助申报：{tier} 档 {}{}",
                    quarter.label_zh(),
                    yuan(*amount, en),
                    if *late { "（补报）" } else { "" }
                )
            },
            Vec::new(),
        ),
        MoneyEvent::LineChanged {
            step: s,
            was,
            tier,
            amount,
            reason,
            ..
        } => (
            match (tier, en) {
                (Some(t), false) => format!(
                    "{}核减：{} → {t} 档 {}",
                    step(*s),
                    yuan(*was, en),
                    yuan(*amount, en)
                ),
                (Some(t), true) => format!(
                    "Reduced at {}: {} → tier {t}, {}",
                    step(*s),
                    yuan(*was, en),
                    yuan(*amount, en)
                ),
                (None, false) => format!("{}退回此案：{} → 不发", step(*s), yuan(*was, en)),
                (None, true) => format!(
                    "Sent back at {}: {} → nothing paid",
                    step(*s),
                    yuan(*was, en)
                ),
            },
            vec![because(reason)],
        ),
        MoneyEvent::SpecialDecided {
            approved,
            amount,
            minutes,
            ..
        } => (
            match (approved, amount, en) {
                (true, Some(a), false) => format!("党组决定按重特大纠纷补助 {}", yuan(*a, en)),
                (true, Some(a), true) => format!(
                    "The party group pays it as especially grave: {}",
                    yuan(*a, en)
                ),
                (_, _, false) => "党组决定不按重特大纠纷补助".into(),
                (_, _, true) => "The party group does not pay it as especially grave".into(),
            },
            vec![if en {
                format!("Minutes: {minutes}")
            } else {
                format!("会议纪要：{minutes}")
            }],
        ),
        MoneyEvent::ClaimReturned {
            step: s,
            was,
            opinion,
            ..
        } => (
            if en {
                format!(
                    "The whole claim was sent back at {}: {} not paid",
                    step(*s),
                    yuan(*was, en)
                )
            } else {
                format!("{}退回整份申报：本案 {} 不发", step(*s), yuan(*was, en))
            },
            vec![if en {
                format!("Opinion: {opinion}")
            } else {
                format!("意见：{opinion}")
            }],
        ),
        MoneyEvent::Approved { amount, .. } => (
            if en {
                format!("Approved: this case {}", yuan(*amount, en))
            } else {
                format!("审批通过：本案 {}", yuan(*amount, en))
            },
            Vec::new(),
        ),
        MoneyEvent::Paid {
            payee,
            amount,
            paid,
            paid_on,
            method,
            reference,
            ..
        } => {
            let to = match (payee, en) {
                (Payee::Township, false) => "拨付到乡镇",
                (Payee::Township, true) => "Paid to the township",
                (Payee::Mediator, false) => "核发给调解员",
                (Payee::Mediator, true) => "Paid to the mediator",
            };
            let day = domain::dates::format_iso(*paid_on);
            let method = method_words(*method, en);
            (
                if en {
                    format!("{to}: this case {}", yuan(*amount, en))
                } else {
                    format!("{to}：本案 {}", yuan(*amount, en))
                },
                vec![if en {
                    format!(
                        "Payment of {} on {day}, {method}, {reference}",
                        yuan(*paid, en)
                    )
                } else {
                    format!(
                        "整笔 {}，{day}，{method}，凭证 {reference}",
                        yuan(*paid, en)
                    )
                }],
            )
        }
        MoneyEvent::Receipt { received, .. } => (
            match (received, en) {
                (true, false) => "调解员确认已到账",
                (true, true) => "The mediator confirmed it arrived",
                (false, false) => "调解员说没有收到",
                (false, true) => "The mediator says it did not arrive",
            }
            .into(),
            Vec::new(),
        ),
    }
}

#[component]
fn Entry(e: MoneyEntry, en: bool) -> impl IntoView {
    let (head, lines) = entry_words(&e, en);
    let when = e.at.map(|t| t.china_minute()).unwrap_or_default();
    let who =
        e.by.clone()
            .unwrap_or_else(|| if en { "unknown" } else { "未知" }.into());
    view! {
        <li class="history__version" data-testid="money-entry" data-kind=e.what.code()>
            <p><strong>{head}</strong></p>
            <p class="muted">{who} " · " {when}</p>
            {(!lines.is_empty()).then(|| view! {
                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            })}
        </li>
    }
}

/// The money-trail card: closed at first; opening it reads the trail.
#[component]
pub fn MoneyTrailCard(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let asked = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<MoneyTrail, ActionError>>);
    let open = move |_| {
        if asked.get_untracked() {
            return;
        }
        let Some(id) = case.with_untracked(|c| c.as_ref().map(|c| c.id)) else {
            return;
        };
        asked.set(true);
        spawn_local(async move {
            let got = online::money_trail(id).await;
            if got.is_err() {
                // a later opening tries again (the network may be back)
                asked.try_set(false);
            }
            answer.try_set(Some(got));
        });
    };
    view! {
        <details class="card step" data-testid="money-card">
            <summary class="step__title" on:click=open>{say(i18n, "补助变动记录", "Subsidy changes")}</summary>
            {move || match answer.get() {
                None => view! { <p class="muted">{say(i18n, "正在读取…", "Loading…")}</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="field__error" role="alert" data-testid="money-error">{e.message}</p>
                }.into_any(),
                Some(Ok(t)) => {
                    let en = en();
                    let now = verdict_words(Some(&t.verdict), en);
                    let empty = t.entries.is_empty();
                    view! {
                        <p data-testid="money-now">
                            {if en { "The server's verdict now: " } else { "现在核定：" }} <strong>{now}</strong>
                        </p>
                        {empty.then(|| view! { <p class="muted">{say(i18n, "还没有变动。", "No changes yet.")}</p> })}
                        <ol class="history" data-testid="money-entries">
                            {t.entries.into_iter().map(|e| view! { <Entry e en /> }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
        </details>
    }
}
