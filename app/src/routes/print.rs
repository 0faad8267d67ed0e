//! A4 print views laid out like the Ministry of Justice's 2010 forms
//! (《人民调解文书格式》, docs/domain.md §7), filled from the case: the six
//! forms of a dossier (一案六表: 申请书 or 口头申请记录, 受理登记表, 调查记录,
//! 调解记录, 协议书, 回访记录), its cover (卷宗封面) and table of contents
//! (卷内目录), the whole dossier at once, and 口头协议登记表 for an oral
//! case. Printed from the phone's store, so they work offline; the
//! browser's print dialog can also save a PDF. Chinese only: these are
//! official documents. What the app does not know (an investigation's
//! words, a date not yet come) is left blank to be written by hand.

use crate::phone;
use crate::records::Profile;
use domain::case::{Case, CaseKind, Party, PartyRole, Performance, Source, dispute_type_name};
use domain::rules::{FormCode, Outcome};
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

/// A paper's heading: the case number and the committee's full name.
#[derive(Clone)]
struct Head {
    number: String,
    committee: String,
}

#[component]
pub fn PrintPage() -> impl IntoView {
    let params = use_params_map();
    let found = RwSignal::new(None::<Result<Option<(Case, Head)>, String>>);
    Effect::new(move |_| {
        let id = params.read().get("id").unwrap_or_default();
        spawn_local(async move {
            let result = async {
                let Some(case) = phone::case(id).await? else {
                    return Ok(None);
                };
                let profile = phone::profile().await?;
                // the seal is the case's committee's, not the reader's
                let committee = phone::committee_name(case.unit_id)
                    .await?
                    .unwrap_or_else(|| profile.unit_name.clone());
                let head = Head {
                    number: number(&case, &profile),
                    committee,
                };
                Ok::<_, String>(Some((case, head)))
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
            Some(Ok(Some((c, h)))) => match form().as_str() {
                "register" => oral_register(&c, &h).into_any(),
                "agreement" => agreement(&c, &h).into_any(),
                "application" => application(&c, &h),
                "acceptance" => acceptance(&c, &h).into_any(),
                "investigation" => investigation(&c, &h).into_any(),
                "mediation_record" => mediation_records(&c, &h).into_any(),
                "follow_up" => follow_up(&c, &h).into_any(),
                "cover" => cover(&c, &h).into_any(),
                "contents" => contents(&c, &h).into_any(),
                "dossier" => view! {
                    {cover(&c, &h)}
                    {contents(&c, &h)}
                    {application(&c, &h)}
                    {acceptance(&c, &h)}
                    {investigation(&c, &h)}
                    {mediation_records(&c, &h)}
                    {(c.outcome == Some(Outcome::Agreed)).then(|| agreement(&c, &h))}
                    {follow_up(&c, &h)}
                }.into_any(),
                _ => view! { <p class="card">"没有这种表格。"</p> }.into_any(),
            },
        }}
    }
}

fn number(c: &Case, p: &Profile) -> String {
    c.number(&p.number_prefix)
        .unwrap_or_else(|| format!("({})　　人调字第　　号", c.received_on.year()))
}

/// A date to be written by hand: `　　年　　月　　日`.
const BLANK_DATE: &str = "　　　　年　　月　　日";

fn names(c: &Case) -> String {
    c.parties
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join("、")
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::PartyApplication => "当事人申请",
        Source::OwnInitiative => "调委会主动调解",
        Source::PoliceReferral => "公安机关移送",
        Source::CourtReferral => "人民法院委托移送",
        Source::GovernmentAssignment => "政府部门指派",
    }
}

fn outcome_text(c: &Case) -> &'static str {
    match c.outcome {
        Some(Outcome::Agreed) => "调解成功，达成协议",
        Some(Outcome::NotAgreed) => "调解不成，未达成协议",
        None => "",
    }
}

fn type_name(c: &Case) -> String {
    dispute_type_name(&c.dispute_type)
        .map(str::to_owned)
        .unwrap_or_else(|| c.dispute_type.trim_start_matches("local:").to_owned())
}

fn seal(h: &Head) -> impl IntoView + use<> {
    view! { <p class="paper__sign" data-testid="paper-seal">{h.committee.clone()} "（印）"</p> }
}

fn party_lines(c: &Case, day: jiff::civil::Date) -> impl IntoView + use<> {
    c.parties
        .iter()
        .map(|party| view! { <p class="paper__party">{party_line(party, day)}</p> })
        .collect_view()
}

/// 口头协议登记表.
fn oral_register(c: &Case, h: &Head) -> impl IntoView + use<> {
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
            <p class="paper__number" data-testid="print-number">{h.number.clone()}</p>
            <table class="paper__table">
                <tr><th>"调解日期"</th><td colspan="2">{chinese_date(c.received_on)}</td><th>"调解地点"</th><td colspan="2">{c.place.clone()}</td></tr>
                <tr><th>"纠纷类型"</th><td colspan="2">{type_name(c)}</td><th>"涉及金额"</th><td colspan="2">{amount}</td></tr>
                <tr class="paper__head"><th></th><th>"姓名"</th><th>"性别"</th><th>"身份证号码"</th><th>"联系电话"</th><th>"住址"</th></tr>
                {parties}
                <tr><th>"纠纷简要情况"</th><td colspan="5" class="paper__long">{c.summary.clone()}</td></tr>
                <tr><th>"调解结果"</th><td colspan="5">"调解成功，双方达成口头协议"</td></tr>
                <tr><th>"协议内容"</th><td colspan="5" class="paper__long">{c.agreed_terms.clone()}</td></tr>
                <tr><th>"履行情况"</th><td colspan="5">{performance_text(c)}</td></tr>
                <tr><th>"调解员"</th><td colspan="2">{c.mediator.clone()}</td><th>"登记日期"</th><td colspan="2">{chinese_date(c.received_on)}</td></tr>
            </table>
            {seal(h)}
        </article>
    }
}

/// 人民调解协议书 (People's Mediation Law art. 29).
fn agreement(c: &Case, h: &Head) -> impl IntoView + use<> {
    let day = c.closed_on.unwrap_or(c.received_on);
    let copies = c.parties.len() + 1;
    let signatures = c
        .parties
        .iter()
        .map(|party| view! { <p>{party_role(party)} "（签名盖章或按指印）：" <span class="paper__blank"></span> " " {party.name.clone()}</p> })
        .collect_view();
    view! {
        <article class="paper" data-testid="print-agreement">
            <h1 class="paper__title">"人民调解协议书"</h1>
            <p class="paper__number" data-testid="print-number">{h.number.clone()}</p>
            {party_lines(c, day)}
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
                <p>{h.committee.clone()} "（印）"</p>
                <p>{chinese_date(day)}</p>
            </div>
        </article>
    }
}

/// 人民调解申请书, or — an oral case — the record of the oral application
/// (口头申请记录); a case that came another way has none, and says so.
fn application(c: &Case, h: &Head) -> AnyView {
    let day = c.received_on;
    let applicants = c
        .parties
        .iter()
        .filter(|p| p.role == PartyRole::Applicant)
        .map(|p| view! { <p>"申请人（签名盖章或按指印）：" <span class="paper__blank"></span> " " {p.name.clone()}</p> })
        .collect_view();
    match (c.source, c.kind) {
        (Source::PartyApplication, CaseKind::General) => view! {
            <article class="paper" data-testid="paper-application">
                <h1 class="paper__title">"人民调解申请书"</h1>
                <p class="paper__number">{h.number.clone()}</p>
                {party_lines(c, day)}
                <h2 class="paper__heading">"申请事项："</h2>
                <p>{format!("请求{}对上述{}纠纷依法进行调解。", h.committee, type_name(c))}</p>
                <h2 class="paper__heading">"事实和理由："</h2>
                <p class="paper__long">{c.summary.clone()}</p>
                <p>"人民调解委员会已将人民调解的性质、原则、效力以及当事人的权利、义务告知申请人。"</p>
                <p>"此致"</p>
                <p>{h.committee.clone()}</p>
                <div class="paper__signatures">
                    {applicants}
                    <p>{chinese_date(day)}</p>
                </div>
            </article>
        }
        .into_any(),
        (Source::PartyApplication, CaseKind::Oral) => view! {
            <article class="paper" data-testid="paper-application">
                <h1 class="paper__title">"口头申请记录"</h1>
                <p class="paper__number">{h.number.clone()}</p>
                <p>{format!("申请时间：{}　　地点：{}", chinese_date(day), c.place)}</p>
                {party_lines(c, day)}
                <h2 class="paper__heading">"申请调解的事项及事实、理由："</h2>
                <p class="paper__long">{c.summary.clone()}</p>
                <p>"以上记录已向申请人宣读，申请人确认无误。"</p>
                <div class="paper__signatures">
                    {applicants}
                    <p>"记录人（签名）：" <span class="paper__blank"></span> " " {c.mediator.clone()}</p>
                </div>
            </article>
        }
        .into_any(),
        (other, _) => view! {
            <article class="paper" data-testid="paper-application">
                <h1 class="paper__title">"人民调解申请书"</h1>
                <p class="paper__number">{h.number.clone()}</p>
                <p>{format!("本案纠纷来源：{}，没有当事人的申请书。来源见人民调解受理登记表。", source_name(other))}</p>
            </article>
        }
        .into_any(),
    }
}

/// 人民调解受理登记表.
fn acceptance(c: &Case, h: &Head) -> impl IntoView + use<> {
    let day = c.received_on;
    let parties = c
        .parties
        .iter()
        .map(|party| {
            view! {
                <tr>
                    <th>{party_role(party)}</th>
                    <td>{party.name.clone()}</td>
                    <td>{sex(party)}</td>
                    <td>{age_on(party, day)}</td>
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
        <article class="paper" data-testid="paper-acceptance">
            <h1 class="paper__title">"人民调解受理登记表"</h1>
            <p class="paper__number">{h.number.clone()}</p>
            <table class="paper__table">
                <tr><th>"受理日期"</th><td colspan="3">{chinese_date(day)}</td><th>"纠纷来源"</th><td colspan="2">{source_name(c.source)}</td></tr>
                <tr><th>"纠纷类型"</th><td colspan="3">{type_name(c)}</td><th>"涉及金额"</th><td colspan="2">{amount}</td></tr>
                <tr class="paper__head"><th></th><th>"姓名"</th><th>"性别"</th><th>"年龄"</th><th>"身份证号码"</th><th>"联系电话"</th><th>"住址"</th></tr>
                {parties}
                <tr><th>"纠纷简要情况"</th><td colspan="6" class="paper__long">{c.summary.clone()}</td></tr>
                <tr><th>"受理意见"</th><td colspan="6">"经审查，符合人民调解受理条件，予以受理。"</td></tr>
                <tr><th>"登记人"</th><td colspan="3">{c.mediator.clone()}</td><th>"登记日期"</th><td colspan="2">{chinese_date(day)}</td></tr>
            </table>
            {seal(h)}
        </article>
    }
}

/// 人民调解调查记录: the heading from the case; the questions and answers
/// are written by hand at the investigation.
fn investigation(c: &Case, h: &Head) -> impl IntoView + use<> {
    view! {
        <article class="paper" data-testid="paper-investigation">
            <h1 class="paper__title">"人民调解调查记录"</h1>
            <p class="paper__number">{h.number.clone()}</p>
            <table class="paper__table">
                <tr><th>"调查时间"</th><td>{BLANK_DATE}</td><th>"调查地点"</th><td></td></tr>
                <tr><th>"调查人"</th><td>{c.mediator.clone()}</td><th>"记录人"</th><td></td></tr>
                <tr><th>"被调查人"</th><td colspan="3"></td></tr>
                <tr><th>"纠纷当事人"</th><td colspan="3">{names(c)}</td></tr>
                <tr><th>"调查事项"</th><td colspan="3" class="paper__long">{c.summary.clone()}</td></tr>
                <tr><th>"调查记录"</th><td colspan="3" class="paper__lines"></td></tr>
            </table>
            <div class="paper__signatures">
                <p>"被调查人（签名或按指印）：" <span class="paper__blank"></span></p>
                <p>"调查人（签名）：" <span class="paper__blank"></span> " " {c.mediator.clone()}</p>
                <p>"记录人（签名）：" <span class="paper__blank"></span></p>
            </div>
        </article>
    }
}

/// 人民调解记录, one paper per session (a blank one before the first).
fn mediation_records(c: &Case, h: &Head) -> impl IntoView + use<> {
    let last = c.sessions.len().saturating_sub(1);
    let signatures = || {
        c.parties
            .iter()
            .map(|party| view! { <p>{party_role(party)} "（签名或按指印）：" <span class="paper__blank"></span> " " {party.name.clone()}</p> })
            .collect_view()
    };
    let paper = |i: usize, when: String, place: String, record: String, result: &'static str| {
        view! {
            <article class="paper" data-testid="paper-mediation-record">
                <h1 class="paper__title">"人民调解记录"</h1>
                <p class="paper__number">{format!("{}　第 {} 次", h.number, i + 1)}</p>
                <table class="paper__table">
                    <tr><th>"调解时间"</th><td>{when}</td><th>"调解地点"</th><td>{place}</td></tr>
                    <tr><th>"当事人"</th><td colspan="3">{names(c)}</td></tr>
                    <tr><th>"人民调解员"</th><td>{c.mediator.clone()}</td><th>"记录人"</th><td></td></tr>
                    <tr><th>"调解情况"</th><td colspan="3" class="paper__lines">{record}</td></tr>
                    <tr><th>"调解结果"</th><td colspan="3">{result}</td></tr>
                </table>
                <div class="paper__signatures">
                    {signatures()}
                    <p>"人民调解员（签名）：" <span class="paper__blank"></span> " " {c.mediator.clone()}</p>
                    <p>"记录人（签名）：" <span class="paper__blank"></span></p>
                </div>
            </article>
        }
    };
    if c.sessions.is_empty() {
        return vec![paper(
            0,
            BLANK_DATE.into(),
            c.place.clone(),
            String::new(),
            "",
        )]
        .collect_view();
    }
    c.sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let result = if i == last { outcome_text(c) } else { "" };
            paper(
                i,
                chinese_date(s.held_on),
                s.place.clone(),
                s.record.clone(),
                result,
            )
        })
        .collect::<Vec<_>>()
        .collect_view()
}

/// 人民调解回访记录.
fn follow_up(c: &Case, h: &Head) -> impl IntoView + use<> {
    let (on, note) = c
        .follow_up
        .as_ref()
        .map_or((BLANK_DATE.to_owned(), String::new()), |f| {
            (chinese_date(f.on), f.note.clone())
        });
    view! {
        <article class="paper" data-testid="paper-follow-up">
            <h1 class="paper__title">"人民调解回访记录"</h1>
            <p class="paper__number">{h.number.clone()}</p>
            <table class="paper__table">
                <tr><th>"回访时间"</th><td>{on}</td><th>"回访人"</th><td>{c.mediator.clone()}</td></tr>
                <tr><th>"回访对象"</th><td colspan="3">{names(c)}</td></tr>
                <tr><th>"协议内容"</th><td colspan="3" class="paper__long">{c.agreed_terms.clone()}</td></tr>
                <tr><th>"履行方式"</th><td colspan="3">{performance_text(c)}</td></tr>
                <tr><th>"回访情况"</th><td colspan="3" class="paper__long">{note}</td></tr>
                <tr><th>"当事人意见"</th><td colspan="3" class="paper__long"></td></tr>
            </table>
            <div class="paper__signatures">
                <p>"被回访人（签名或按指印）：" <span class="paper__blank"></span></p>
                <p>"回访人（签名）：" <span class="paper__blank"></span> " " {c.mediator.clone()}</p>
            </div>
            {seal(h)}
        </article>
    }
}

/// 卷宗封面.
fn cover(c: &Case, h: &Head) -> impl IntoView + use<> {
    let closed = c
        .closed_on
        .map(chinese_date)
        .unwrap_or_else(|| BLANK_DATE.into());
    view! {
        <article class="paper paper--cover" data-testid="paper-cover">
            <p class="paper__committee">{h.committee.clone()}</p>
            <h1 class="paper__title paper__title--cover">"人民调解卷宗"</h1>
            <table class="paper__table">
                <tr><th>"案号"</th><td>{h.number.clone()}</td></tr>
                <tr><th>"案由"</th><td>{format!("{}纠纷", type_name(c).trim_end_matches("纠纷"))}</td></tr>
                <tr><th>"当事人"</th><td>{names(c)}</td></tr>
                <tr><th>"人民调解员"</th><td>{c.mediator.clone()}</td></tr>
                <tr><th>"受理日期"</th><td>{chinese_date(c.received_on)}</td></tr>
                <tr><th>"结案日期"</th><td>{closed.clone()}</td></tr>
                <tr><th>"调解结果"</th><td>{outcome_text(c)}</td></tr>
                <tr><th>"立卷人"</th><td>{c.mediator.clone()}</td></tr>
                <tr><th>"立卷日期"</th><td>{closed}</td></tr>
                <tr><th>"保管期限"</th><td></td></tr>
            </table>
        </article>
    }
}

/// 卷内目录: the dossier's papers in order, each marked when the case
/// does not hold it (a form not marked done, no follow-up, no agreement).
fn contents(c: &Case, h: &Head) -> impl IntoView + use<> {
    let has = |code: &str| c.forms.contains(&FormCode::new(code));
    let absent = |code: &str| if has(code) { "" } else { "未附" };
    let application_note = match c.source {
        Source::PartyApplication => absent("application").to_owned(),
        other => format!("无（{}）", source_name(other)),
    };
    let rows: Vec<(&str, String, String)> = vec![
        (
            "人民调解申请书",
            chinese_date(c.received_on),
            application_note,
        ),
        (
            "人民调解受理登记表",
            chinese_date(c.received_on),
            absent("acceptance").into(),
        ),
        (
            "人民调解调查记录",
            String::new(),
            absent("investigation").into(),
        ),
        (
            "人民调解记录",
            c.sessions
                .first()
                .map(|s| chinese_date(s.held_on))
                .unwrap_or_default(),
            match (c.sessions.len(), has("mediation_record")) {
                (_, false) => "未附".into(),
                (n, true) => format!("{n} 次"),
            },
        ),
        (
            "人民调解协议书",
            c.closed_on.map(chinese_date).unwrap_or_default(),
            match c.outcome {
                Some(Outcome::Agreed) => absent("agreement").into(),
                _ => "未达成协议".into(),
            },
        ),
        (
            "人民调解回访记录",
            c.follow_up
                .as_ref()
                .map(|f| chinese_date(f.on))
                .unwrap_or_default(),
            absent("follow_up").into(),
        ),
        (
            "照片及其他证据",
            String::new(),
            format!("{} 张", c.attachments.len()),
        ),
    ];
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, (name, day, note))| {
            view! {
                <tr data-testid="contents-row">
                    <td>{i + 1}</td><td>{name}</td><td>{day}</td><td></td><td>{note}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <article class="paper" data-testid="paper-contents">
            <h1 class="paper__title">"卷内目录"</h1>
            <p class="paper__number">{h.number.clone()}</p>
            <table class="paper__table">
                <tr class="paper__head"><th>"序号"</th><th>"文书名称"</th><th>"日期"</th><th>"页号"</th><th>"备注"</th></tr>
                {rows}
            </table>
        </article>
    }
}
