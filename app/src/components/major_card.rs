//! On a general case's page, 重大纠纷: the deaths, the disability grade (GB/T
//! 16180, 一级 the gravest) and whether the committee mediated on its own,
//! as the mediator records them; whether a photo of the evidence is
//! attached; and where the judicial office's check stands. A death or a
//! grade 1–2 disability earns tier D only once the judicial office
//! verified it here (online), with its opinion (docs/domain.md, "Major
//! cases").

use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, use_may, use_sync_status};
use crate::phone;
use domain::Capability;
use domain::case::{Case, CaseKind};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The grades a form offers: none, then 一级 (the gravest) to 十级.
const GRADES: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// Where the judicial office's check stands, in words.
fn review_state(case: &Case, en: bool) -> (&'static str, String) {
    let Some(review) = &case.major_review else {
        return (
            "pending",
            if en {
                "Waiting for the judicial office to verify."
            } else {
                "待司法所核实。"
            }
            .to_owned(),
        );
    };
    let who = format!("{} · {}", review.by_name, review.at.china_minute());
    match (review.verified, review.covers(case)) {
        (_, false) => (
            "stale",
            if en {
                "The facts changed since the judicial office's check: it must verify them again."
                    .to_owned()
            } else {
                "核实后事实有改动，需司法所重新核实。".to_owned()
            },
        ),
        (true, true) => (
            "verified",
            if en {
                format!("Verified by {who}: {}", review.opinion)
            } else {
                format!("已核实（{who}）：{}", review.opinion)
            },
        ),
        (false, true) => (
            "refused",
            if en {
                format!("Not verified ({who}): {}", review.opinion)
            } else {
                format!("未通过核实（{who}）：{}", review.opinion)
            },
        ),
    }
}

#[component]
pub fn MajorCard(case: RwSignal<Option<Case>>, locked: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let records = use_may(Capability::RecordCases);
    let reviews = use_may(Capability::Review);
    let status = use_sync_status();
    let general = move || case.with(|c| c.as_ref().is_some_and(|c| c.kind == CaseKind::General));
    let problem = RwSignal::new(None::<String>);
    let opinion = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let change = move |edit: Box<dyn FnOnce(&mut Case) + Send + Sync>| {
        crate::components::case_edit::change_case(case, problem, edit)
    };

    let deaths = move || case.with(|c| c.as_ref().map_or(0, |c| c.deaths));
    let grade = move || case.with(|c| c.as_ref().and_then(|c| c.disability_grade));
    let independent = move || case.with(|c| c.as_ref().is_some_and(|c| c.independent));
    let claims = move || case.with(|c| c.as_ref().is_some_and(Case::claims_major));
    let evidence = move || case.with(|c| c.as_ref().map_or(0, Case::major_evidence));
    let editable = move || records() && !locked.get();

    let review = move |verified: bool| {
        problem.set(None);
        let text = opinion.get_untracked().trim().to_owned();
        if text.is_empty() {
            problem.set(Some(
                if en() {
                    "Write the opinion first."
                } else {
                    "请先填写核实意见。"
                }
                .to_owned(),
            ));
            return;
        }
        let Some(id) = case.with_untracked(|c| c.as_ref().map(|c| c.id)) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match online::review_major(id, verified, text).await {
                Ok(answer) => {
                    // the page shows the server's answer at once; the sync
                    // brings the whole new version to this phone
                    case.try_update(|c| {
                        if let Some(c) = c {
                            c.major_review = Some(answer.major_review.clone());
                            c.server_verdict = Some(answer.verdict.clone());
                        }
                    });
                    opinion.try_set(String::new());
                    online::sync_now(status).await;
                    if let Ok(Some(stored)) = phone::case(id.to_string()).await
                        && stored.major_review.is_some()
                    {
                        case.try_set(Some(stored));
                    }
                }
                Err(e) => {
                    problem.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };

    view! {
        <Show when=general>
            <section class="card major-card" data-testid="major-card">
                <h2 class="card__label">{say(i18n, "重大纠纷（死亡或伤残）", "Major dispute (death or disability)")}</h2>
                <div class="field">
                    <label for="f-deaths">{say(i18n, "死亡人数", "Deaths")}</label>
                    <input id="f-deaths" type="number" inputmode="numeric" min="0" max="99"
                        prop:value=move || deaths().to_string() disabled=move || !editable()
                        on:change=move |ev| {
                            let n = event_target_value(&ev).trim().parse::<u32>().unwrap_or(0).min(99);
                            change(Box::new(move |c: &mut Case| c.deaths = n));
                        } />
                </div>
                <div class="field">
                    <label for="f-disability">{say(i18n, "伤残等级（GB/T 16180，一级最重）", "Disability grade (GB/T 16180, grade 1 the gravest)")}</label>
                    <select id="f-disability" disabled=move || !editable()
                        on:change=move |ev| {
                            let g = event_target_value(&ev).parse::<u8>().ok().filter(|g| (1..=10).contains(g));
                            change(Box::new(move |c: &mut Case| c.disability_grade = g));
                        }>
                        <option value="" selected=move || grade().is_none()>{say(i18n, "无伤残", "none")}</option>
                        {GRADES.iter().enumerate().map(|(i, zh)| {
                            let g = i as u8 + 1;
                            view! { <option value=g.to_string() selected=move || grade() == Some(g)>{move || if en() { format!("grade {g}") } else { format!("伤残{zh}级") }}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" id="f-independent" prop:checked=independent disabled=move || !editable()
                        on:change=move |_| change(Box::new(|c: &mut Case| c.independent = !c.independent)) />
                    {say(i18n, "由本调委会独立调解", "Mediated by this committee on its own")}
                </label>
                <Show when=claims>
                    <p class="muted" data-testid="major-evidence" data-count=move || evidence().to_string()>
                        {move || match (evidence(), en()) {
                            (0, false) => "还没有证明照片：在下方“照片”中选“重大纠纷证明”后拍照（伤残鉴定书、死亡证明或报警回执）。".to_owned(),
                            (0, true) => "No evidence photo yet: under Photos choose “major-case evidence” and take one (disability assessment, death record or police report).".to_owned(),
                            (n, false) => format!("证明照片 {n} 张。"),
                            (n, true) => format!("{n} evidence photo(s)."),
                        }}
                    </p>
                    <p class="notice" data-testid="major-review" data-state=move || case.with(|c| c.as_ref().map(|c| review_state(c, false).0))>
                        {move || case.with(|c| c.as_ref().map(|c| review_state(c, en()).1))}
                    </p>
                    <Show when=move || reviews() && !records()>
                        <div class="field">
                            <label for="f-major-opinion">{say(i18n, "核实意见（不通过时写明缺少什么）", "Opinion (if not verified, say what is missing)")}</label>
                            <textarea id="f-major-opinion" rows="2" prop:value=opinion
                                on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
                        </div>
                        <button type="button" class="button button--primary" data-testid="verify-major" disabled=move || busy.get()
                            on:click=move |_| review(true)>{say(i18n, "核实通过", "Verify")}</button>
                        <button type="button" class="button" data-testid="refuse-major" disabled=move || busy.get()
                            on:click=move |_| review(false)>{say(i18n, "不予核实", "Do not verify")}</button>
                    </Show>
                </Show>
                {move || problem.get().map(|e| view! { <p class="field__error" role="alert" data-testid="major-problem">{e}</p> })}
            </section>
        </Show>
    }
}
