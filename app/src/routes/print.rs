//! A4 print views laid out like the Ministry of Justice's 2010 forms
//! (docs/domain.md §7): 口头协议登记表 and 人民调解协议书. Printed from the
//! phone's store, so they work offline; the browser's print dialog can also
//! save a PDF. Chinese only: these are official documents.

use crate::phone;
use crate::records::Profile;
use domain::case::{Case, Party, PartyRole, Performance, dispute_type_name};
use domain::validate::Sex;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

fn chinese_date(d: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn sex(p: &Party) -> &'static str {
    match p.sex {
        Some(Sex::Male) => "男",
        Some(Sex::Female) => "女",
        None => "",
    }
}

fn age_on(p: &Party, day: jiff::civil::Date) -> String {
    p.resident_id
        .as_ref()
        .and_then(|id| {
            let born = id.birth_date();
            let mut years = day.year() - born.year();
            if (day.month(), day.day()) < (born.month(), born.day()) {
                years -= 1;
            }
            (years >= 0).then(|| years.to_string())
        })
        .unwrap_or_default()
}

/// "当事人（申请人）：李建国，女，74岁，彝族，身份证号码：…，住址：…，联系电话：…"
/// with only what is known (an empty item leaves no stray comma).
fn party_line(p: &Party, day: jiff::civil::Date) -> String {
    let age = age_on(p, day);
    let items = [
        p.name.clone(),
        sex(p).to_owned(),
        if age.is_empty() {
            age
        } else {
            format!("{age}岁")
        },
        p.ethnicity.clone().unwrap_or_default(),
        p.resident_id
            .as_ref()
            .map(|i| format!("身份证号码：{}", i.as_str()))
            .unwrap_or_default(),
        if p.address.is_empty() {
            String::new()
        } else {
            format!("住址：{}", p.address)
        },
        p.phone
            .as_ref()
            .map(|i| format!("联系电话：{}", i.as_str()))
            .unwrap_or_default(),
    ];
    let known: Vec<String> = items.into_iter().filter(|s| !s.is_empty()).collect();
    format!("{}：{}", party_role(p), known.join("，"))
}

fn performance_text(c: &Case) -> String {
    match c.performance {
        Some(Performance::Immediate) => "即时履行".into(),
        Some(Performance::ByDate { due }) => format!("限期履行，于{}前履行完毕", chinese_date(due)),
        None => String::new(),
    }
}

fn party_role(p: &Party) -> &'static str {
    match p.role {
        PartyRole::Applicant => "当事人（申请人）",
        PartyRole::Respondent => "当事人（被申请人）",
        PartyRole::ThirdParty => "第三人",
    }
}

#[component]
pub fn PrintPage() -> impl IntoView {
    let params = use_params_map();
    let found = RwSignal::new(None::<Result<Option<(Case, Profile)>, String>>);
    Effect::new(move |_| {
        let id = params.read().get("id").unwrap_or_default();
        spawn_local(async move {
            let result = async {
                let case = phone::case(id).await?;
                let profile = phone::profile().await?;
                Ok::<_, String>(case.map(|c| (c, profile)))
            }
            .await;
            found.try_set(Some(result));
        });
    });
    let form = move || params.read().get("form").unwrap_or_default();
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
    };
    view! {
        <div class="print-bar no-print">
            <a class="button button--quiet" href=move || format!("/cases/{}", params.read().get("id").unwrap_or_default())>"‹ 返回案件"</a>
            <button type="button" class="button button--primary" on:click=print data-testid="print-button">"打印 / 存为 PDF"</button>
        </div>
        {move || match found.get() {
            None => view! { <p class="muted no-print">"加载中…"</p> }.into_any(),
            Some(Err(e)) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
            Some(Ok(None)) => view! { <p class="card">"本机没有这个案件。"</p> }.into_any(),
            Some(Ok(Some((c, p)))) => match form().as_str() {
                "register" => oral_register(&c, &p).into_any(),
                "agreement" => agreement(&c, &p).into_any(),
                _ => view! { <p class="card">"没有这种表格。"</p> }.into_any(),
            },
        }}
    }
}

fn number(c: &Case, p: &Profile) -> String {
    c.number(&p.number_prefix)
        .unwrap_or_else(|| format!("({})　　人调字第　　号", c.received_on.year()))
}

/// 口头协议登记表.
fn oral_register(c: &Case, p: &Profile) -> impl IntoView + use<> {
    let parties = c
        .parties
        .iter()
        .map(|party| {
            view! {
                <tr>
                    <th>{party_role(party)}</th>
                    <td>{party.name.clone()}</td>
                    <td>{sex(party)}</td>
                    <td>{party.resident_id.as_ref().map(|i| i.as_str().to_owned()).unwrap_or_default()}</td>
                    <td>{party.phone.as_ref().map(|i| i.as_str().to_owned()).unwrap_or_default()}</td>
                    <td>{party.address.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let amount = c
        .amount_involved
        .map(|m| format!("{m} 元"))
        .unwrap_or_default();
    view! {
        <article class="paper" data-testid="print-register">
            <h1 class="paper__title">"口头协议登记表"</h1>
            <p class="paper__number" data-testid="print-number">{number(c, p)}</p>
            <table class="paper__table">
                <tr><th>"调解日期"</th><td colspan="2">{chinese_date(c.received_on)}</td><th>"调解地点"</th><td colspan="2">{c.place.clone()}</td></tr>
                <tr><th>"纠纷类型"</th><td colspan="2">{dispute_type_name(&c.dispute_type).unwrap_or("")}</td><th>"涉及金额"</th><td colspan="2">{amount}</td></tr>
                <tr class="paper__head"><th></th><th>"姓名"</th><th>"性别"</th><th>"身份证号码"</th><th>"联系电话"</th><th>"住址"</th></tr>
                {parties}
                <tr><th>"纠纷简要情况"</th><td colspan="5" class="paper__long">{c.summary.clone()}</td></tr>
                <tr><th>"调解结果"</th><td colspan="5">"调解成功，双方达成口头协议"</td></tr>
                <tr><th>"协议内容"</th><td colspan="5" class="paper__long">{c.agreed_terms.clone()}</td></tr>
                <tr><th>"履行情况"</th><td colspan="5">{performance_text(c)}</td></tr>
                <tr><th>"调解员"</th><td colspan="2">{c.mediator.clone()}</td><th>"登记日期"</th><td colspan="2">{chinese_date(c.received_on)}</td></tr>
            </table>
            <p class="paper__sign">{p.unit_name.clone()} "（印）"</p>
        </article>
    }
}

/// 人民调解协议书 (People's Mediation Law art. 29).
fn agreement(c: &Case, p: &Profile) -> impl IntoView + use<> {
    let day = c.closed_on.unwrap_or(c.received_on);
    let parties = c
        .parties
        .iter()
        .map(|party| {
            view! {
                <p class="paper__party">{party_line(party, day)}</p>
            }
        })
        .collect_view();
    let copies = c.parties.len() + 1;
    let signatures = c
        .parties
        .iter()
        .map(|party| view! { <p>{party_role(party)} "（签名盖章或按指印）：" <span class="paper__blank"></span> " " {party.name.clone()}</p> })
        .collect_view();
    view! {
        <article class="paper" data-testid="print-agreement">
            <h1 class="paper__title">"人民调解协议书"</h1>
            <p class="paper__number" data-testid="print-number">{number(c, p)}</p>
            {parties}
            <h2 class="paper__heading">"纠纷主要事实、争议事项："</h2>
            <p class="paper__long">{c.summary.clone()}</p>
            <h2 class="paper__heading">"经调解，自愿达成如下协议："</h2>
            <p class="paper__long">{c.agreed_terms.clone()}</p>
            <h2 class="paper__heading">"履行协议的方式、地点、期限："</h2>
            <p>{performance_text(c)}</p>
            <p>{format!("本协议一式 {copies} 份，当事人各执一份，人民调解委员会留存一份。当事人可以自本协议生效之日起三十日内共同向人民法院申请司法确认。")}</p>
            <div class="paper__signatures">
                {signatures}
                <p>"人民调解员（签名）：" <span class="paper__blank"></span> " " {c.mediator.clone()}</p>
                <p>{p.unit_name.clone()} "（印）"</p>
                <p>{chinese_date(day)}</p>
            </div>
        </article>
    }
}
