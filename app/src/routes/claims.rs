//! 补助申报与审批 (以案定补兑现, docs/claims.md): the committee head claims
//! the quarter's closed cases at the server's amounts; the judicial office,
//! the township leader and the bureau sign their steps — passing a claim
//! on, lowering a line's tier or sending lines back, each with a reason —
//! and the finance offices record the payments. What waits for the person
//! logged in comes first. Every step is the server's and needs a network;
//! offline, the list reads as last fetched (kept in IndexedDB, wiped at
//! log-out), with each claim's stage.

use crate::clock::today_in_china;
use crate::components::lang_switch::LangSwitch;
use crate::components::office_actions::use_online;
use crate::components::office_screen::{OfficeScreen, load_signed_in};
use crate::components::quarter_select::{QuarterSelect, quarter_name};
use crate::i18n::{Locale, t, use_i18n};
use crate::lazy_text::say;
use crate::online;
use crate::routes::fixed_pay_card::FixedPayCard;
use crate::routes::reconcile_card::ReconcileView;
use crate::routes::special_form::{SpecialForm, SpecialNote};
use crate::routes::spot_check_card::{SpotCheckHead, SpotCheckLine};
use crate::texts::one_language;
use domain::api::{
    BulkStepRequest, CallBacksDue, ClaimAt, ClaimDraft, ClaimSummary, ClaimView,
    MediatorPaymentRequest, NewClaim, StepRequest, TownshipPaymentRequest,
};
use domain::claim::{Decision, LineAction, LineDecision, PayMethod, Payee, Quarter, Stage, Step};
use domain::fixed_pay::{DutyMonth, DutyRequest, Month};
use domain::rules::TierAmount;
use domain::special::SpecialReport;
use domain::{ClaimId, Money, PersonId, Role, UnitId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

/// The list, and who is looking (their role and unit); `cached` when it
/// is the list as last fetched, read offline.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Listed {
    role: Role,
    unit_id: UnitId,
    claims: Vec<ClaimSummary>,
    cached: bool,
}

type Screen = OfficeScreen<Listed>;

async fn load() -> Screen {
    let screen = load_signed_in(|session| async move {
        let claims = online::claims().await?;
        if let Ok(json) = serde_json::to_string(&claims) {
            // kept before it is shown: the list reads offline next time
            let _ = crate::phone::save_claims(json).await;
        }
        Ok(Listed {
            role: session.role,
            unit_id: session.unit_id,
            claims,
            cached: false,
        })
    })
    .await;
    if screen != OfficeScreen::Offline {
        return screen;
    }
    let cached = crate::phone::claims()
        .await
        .ok()
        .flatten()
        .and_then(|json| serde_json::from_str::<Vec<ClaimSummary>>(&json).ok());
    match (online::session().await, cached) {
        (Ok(Some(session)), Some(claims)) => OfficeScreen::Ready(Listed {
            role: session.role,
            unit_id: session.unit_id,
            claims,
            cached: true,
        }),
        _ => screen,
    }
}

/// `first` and up to `n` periods before it, newest first.
fn recent<T: Copy>(first: T, n: usize, prev: impl Fn(T) -> Option<T>) -> Vec<T> {
    std::iter::successors(Some(first), |p| prev(*p))
        .take(n + 1)
        .collect()
}

/// The quarters a committee may claim: this one and the three before.
fn quarters() -> Vec<Quarter> {
    recent(Quarter::containing(today_in_china()), 3, Quarter::prev)
}

fn step_name(step: Step, en: bool) -> &'static str {
    if en { step.name_en() } else { step.name_zh() }
}

fn stage_name(stage: Stage, en: bool) -> String {
    if en { stage.name_en() } else { stage.name_zh() }
}

/// A reviewer's choice for one line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LineChoice {
    /// `""` keep, `"return"`, or a tier code to reduce to.
    action: String,
    reason: String,
}

#[component]
pub fn ClaimsPage() -> impl IntoView {
    let i18n = use_i18n();
    let online_now = use_online();
    let screen = RwSignal::new(Screen::Loading);
    let message = RwSignal::new(None::<(bool, String)>);
    let open = RwSignal::new(None::<ClaimView>);
    let busy = RwSignal::new(false);
    let en = move || i18n.get_locale() == Locale::en;

    let reload = move || {
        spawn_local(async move {
            let next = load().await;
            screen.try_set(next);
        });
    };
    Effect::new(move |_| reload());
    Effect::new(move |_| {
        let stale = screen.with_untracked(|s| match s {
            OfficeScreen::Offline => true,
            OfficeScreen::Ready(l) => l.cached,
            _ => false,
        });
        if online_now.get() && stale {
            reload();
        }
    });

    let show = move |id: ClaimId| {
        message.set(None);
        spawn_local(async move {
            match online::claim(id).await {
                Ok(view) => {
                    open.try_set(Some(view));
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
        });
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "补助申报与审批", "Subsidy claims")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="claims-page">
            {move || message.get().map(|(good, text)| view! {
                <p class=if good { "notice" } else { "notice notice--bad" } role="alert" data-testid="claims-message">{one_language(&text, en())}</p>
            })}
            {move || match screen.get() {
                OfficeScreen::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                OfficeScreen::LoggedOut | OfficeScreen::NotOffice => view! {
                    <p class="card">{say(i18n, "请先登录。", "Log in first.")}</p>
                    <a class="button" href="/login">{t!(i18n, sync_login)}</a>
                }.into_any(),
                OfficeScreen::Offline => view! {
                    <p class="notice" role="status" data-testid="claims-offline">{say(i18n, "需要网络才能申报和审批，请联网后再试。", "Claims and approvals need a network: try again when online.")}</p>
                }.into_any(),
                OfficeScreen::Failed(e) => view! {
                    <p class="notice notice--bad" role="alert">{one_language(&e, en())}</p>
                    <button type="button" class="button" on:click=move |_| reload()>{say(i18n, "重试", "Try again")}</button>
                }.into_any(),
                OfficeScreen::Ready(listed) => {
                    let claims_head = matches!(listed.role, Role::CommitteeHead | Role::Mediator);
                    let live = !listed.cached;
                    let (mine, others): (Vec<ClaimSummary>, Vec<ClaimSummary>) =
                        listed.claims.iter().cloned().partition(|c| c.my_step.is_some() || c.special_waiting > 0);
                    let bulk = if live { bulk_group(&mine) } else { None };
                    view! {
                        {listed.cached.then(|| view! { <p class="notice" role="status" data-testid="claims-cached">{say(i18n, "没有网络：显示的是上次联网时的情况。", "Offline: this is how it stood when last online.")}</p> })}
                        {(live && claims_head).then(|| view! { <NewClaimCard unit=listed.unit_id message on_done=Callback::new(move |_| reload()) /> })}
                        {(live && !claims_head).then(|| view! { <SummaryFiles message /> })}
                        {(live && matches!(listed.role, Role::JudicialStaff | Role::JudicialDirector)).then(|| view! { <DutyCard message /> })}
                        {(live && matches!(listed.role, Role::BureauFinance | Role::TownshipFinance)).then(|| view! { <FixedPayCard bureau=listed.role == Role::BureauFinance options=quarters() message /> })}
                        <section class="card" data-testid="claims-waiting">
                            <h2 class="card__label">{say(i18n, "待我处理", "Waiting for me")}</h2>
                            {bulk.map(|(step, claims)| view! { <BulkSign step claims message on_done=Callback::new(move |_| reload()) /> })}
                            {if mine.is_empty() {
                                view! { <p class="muted" data-testid="claims-none-waiting">{say(i18n, "没有等您处理的申报。", "Nothing waits for you.")}</p> }.into_any()
                            } else {
                                view! { <ul class="device-list">{mine.into_iter().map(|c| view! { <ClaimRow claim=c on_open=Callback::new(show) /> }).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                        <section class="card" data-testid="claims-all">
                            <h2 class="card__label">{say(i18n, "全部申报", "All claims")}</h2>
                            {if others.is_empty() {
                                view! { <p class="muted">{say(i18n, "还没有其他申报。", "No other claims yet.")}</p> }.into_any()
                            } else {
                                view! { <ul class="device-list">{others.into_iter().map(|c| view! { <ClaimRow claim=c on_open=Callback::new(show) /> }).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                    }.into_any()
                }
            }}
            {move || open.get().map(|view| view! {
                <ClaimDetail view busy message on_changed=Callback::new(move |next: Option<ClaimView>| {
                    open.set(next);
                    reload();
                }) />
            })}
        </main>
    }
}

/// The claims waiting for the caller at one review step, when there are
/// several: the step with the most.
fn bulk_group(mine: &[ClaimSummary]) -> Option<(Step, Vec<ClaimAt>)> {
    let mut by_step: BTreeMap<&'static str, (Step, Vec<ClaimAt>)> = BTreeMap::new();
    for c in mine {
        if let Some(step) = c.my_step.filter(|s| s.is_review()) {
            by_step
                .entry(step.code())
                .or_insert((step, Vec::new()))
                .1
                .push(ClaimAt {
                    id: c.id,
                    version: c.version,
                });
        }
    }
    by_step
        .into_values()
        .filter(|(_, claims)| claims.len() > 1)
        .max_by_key(|(_, claims)| claims.len())
}

/// 全部通过: passes every claim waiting at `step` with one opinion; each is
/// signed on its own, and the ones refused are named with why.
#[component]
fn BulkSign(
    step: Step,
    claims: Vec<ClaimAt>,
    message: RwSignal<Option<(bool, String)>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let opinion = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let n = claims.len();
    let sign = move || {
        if opinion.with_untracked(|o| o.trim().is_empty()) {
            message.set(Some((false, "请填写意见 / write the opinion".into())));
            return;
        }
        busy.set(true);
        let req = BulkStepRequest {
            step,
            opinion: opinion.get_untracked(),
            claims: claims.clone(),
            overspend_note: None,
        };
        spawn_local(async move {
            match online::sign_many(req).await {
                Ok(answer) => {
                    let signed = answer.results.iter().filter(|r| r.error.is_none()).count();
                    let refused: Vec<String> = answer
                        .results
                        .iter()
                        .filter_map(|r| r.error.as_ref())
                        .map(|e| one_language(&e.message, en()))
                        .collect();
                    let text = if en() {
                        format!("Signed {signed}. {}", refused.join("; "))
                    } else {
                        format!("已签署 {signed} 件。{}", refused.join("；"))
                    };
                    message.try_set(Some((refused.is_empty(), text.trim().to_owned())));
                    on_done.run(());
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="form" data-testid="bulk-sign">
            <label for="f-bulk-opinion">{move || if en() { format!("Opinion ({})", step.name_en()) } else { format!("{}意见", step.name_zh()) }}</label>
            <textarea id="f-bulk-opinion" data-testid="bulk-opinion" rows="2" prop:value=opinion on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
            <button type="button" class="button button--primary" data-testid="bulk-pass" disabled=busy on:click=move |_| sign()>
                {move || if en() { format!("Pass all {n}") } else { format!("全部通过（{n} 件）") }}
            </button>
        </div>
    }
}

#[component]
fn ClaimRow(claim: ClaimSummary, on_open: Callback<ClaimId>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let id = claim.id;
    let waiting = claim.my_step;
    view! {
        <li class="device-row" data-testid="claim-row" data-stage=claim.stage.code() data-unit=claim.unit_name.clone()>
            <div class="device-row__who">
                <strong>{claim.unit_name.clone()}</strong> " · " <span>{move || quarter_name(claim.quarter, en())}</span>
            </div>
            <div class="device-row__meta muted">
                {claim.township_name.clone()} " · "
                {move || if en() { format!("{} cases, {} yuan", claim.lines_left, claim.total) } else { format!("{} 件，{} 元", claim.lines_left, claim.total) }}
            </div>
            <div class="device-row__state">
                <span class="chip" data-testid="claim-stage">{move || stage_name(claim.stage, en())}</span>
                {waiting.map(|step| view! { <span class="chip chip--alert" data-testid="claim-mine">{move || step_name(step, en())}</span> })}
                {(claim.special_waiting > 0).then(|| view! { <span class="chip chip--alert" data-testid="claim-grave-waiting">{say(i18n, "重特大待决定", "grave case to decide")}</span> })}
                {claim.call_backs.map(|due| {
                    let (words, calls) = match due {
                        CallBacksDue::NotDrawn => (None, 0),
                        CallBacksDue::Waiting { calls } => (Some(calls), calls),
                    };
                    view! {
                        <span class="chip chip--alert" data-testid="claim-calls" data-waiting=calls.to_string()>
                            {move || match (words, en()) {
                                (None, false) => "待抽取回访".to_owned(),
                                (None, true) => "call-backs to draw".to_owned(),
                                (Some(n), false) => format!("待回访 {n} 件"),
                                (Some(n), true) => format!("{n} call-backs to make"),
                            }}
                        </span>
                    }
                })}
                <button type="button" class="button" data-testid="open-claim" on:click=move |_| on_open.run(id)>
                    {say(i18n, "查看", "Open")}
                </button>
            </div>
        </li>
    }
}

/// The committee's new claim: pick the quarter, see what may be claimed,
/// untick what not to claim, submit.
#[component]
fn NewClaimCard(
    unit: UnitId,
    message: RwSignal<Option<(bool, String)>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let options = quarters();
    let quarter = RwSignal::new(options.get(1).copied().unwrap_or(options[0]));
    let draft = RwSignal::new(None::<ClaimDraft>);
    let left_out = RwSignal::new(Vec::<domain::CaseId>::new());
    let grave = RwSignal::new(BTreeMap::<domain::CaseId, String>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let look = move || {
        error.set(None);
        busy.set(true);
        let q = quarter.get_untracked();
        spawn_local(async move {
            match online::claim_draft(unit, q).await {
                Ok(d) => {
                    left_out.try_set(Vec::new());
                    grave.try_set(BTreeMap::new());
                    draft.try_set(Some(d));
                }
                Err(e) => {
                    draft.try_set(None);
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    let submit = move || {
        let Some(d) = draft.get_untracked() else {
            return;
        };
        let skip = left_out.get_untracked();
        let cases: Vec<domain::CaseId> = d
            .lines
            .iter()
            .map(|l| l.case_id)
            .filter(|id| !skip.contains(id))
            .collect();
        let special: Vec<SpecialReport> = grave.with_untracked(|g| {
            g.iter()
                .filter(|(id, reason)| cases.contains(id) && !reason.trim().is_empty())
                .map(|(id, reason)| SpecialReport {
                    case_id: *id,
                    reason: reason.clone(),
                })
                .collect()
        });
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match online::submit_claim(NewClaim {
                unit_id: d.unit_id,
                quarter: d.quarter,
                cases,
                special,
            })
            .await
            {
                Ok(done) => {
                    draft.try_set(None);
                    message.try_set(Some((true, if en() {
                        format!("Claim sent: {} cases, {} yuan. The cases are locked while it is approved.", done.claim.lines.len(), done.total)
                    } else {
                        format!("已提交申报：{} 件，{} 元。审批期间这些案件不能修改。", done.claim.lines.len(), done.total)
                    })));
                    on_done.run(());
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    let chosen_total = move || {
        draft.with(|d| {
            d.as_ref().map(|d| {
                left_out.with(|skip| {
                    domain::claim::sum(
                        d.lines
                            .iter()
                            .filter(|l| !skip.contains(&l.case_id))
                            .map(|l| l.amount),
                    )
                })
            })
        })
    };
    view! {
        <section class="card" data-testid="new-claim">
            <h2 class="card__label">{say(i18n, "申报季度补助", "Claim a quarter")}</h2>
            <QuarterSelect id="f-claim-quarter" testid="claim-quarter" options=options.clone() quarter on_pick=Callback::new(move |_| draft.set(None)) />
            <button type="button" class="button" data-testid="claim-draft" disabled=busy on:click=move |_| look()>
                {say(i18n, "查看可申报的案件", "See the cases to claim")}
            </button>
            <p class="field-error" role="alert" data-testid="claim-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
            {move || draft.get().map(|d| {
                if d.lines.is_empty() {
                    return view! { <p class="muted" data-testid="claim-empty">{say(i18n, "这个季度没有可申报的案件（需已同步、已结案并符合补助条件）。", "No cases to claim this quarter (they must be synced, closed and earn a tier).")}</p> }.into_any();
                }
                view! {
                    <ul class="device-list" data-testid="claim-lines">
                        {d.lines.iter().map(|l| {
                            let id = l.case_id;
                            let parties = l.parties.join("、");
                            let kind = domain::case::dispute_type_name(&l.dispute_type).unwrap_or("").to_owned();
                            view! {
                                <li class="device-row" data-testid="claim-line" data-mediator=l.mediator_id.to_string()>
                                    <label class="check">
                                        <input type="checkbox" prop:checked=move || left_out.with(|s| !s.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                left_out.update(|s| if on { s.retain(|x| *x != id) } else { s.push(id) });
                                            } />
                                        " " <strong>{l.number.clone()}</strong>
                                    </label>
                                    <div class="device-row__meta muted">{parties} " · " {kind} " · " {domain::dates::format_iso(l.closed_on)}</div>
                                    <div class="device-row__meta">
                                        {format!("{} · {} · {} 元", l.mediator, l.tier, l.amount)}
                                        {l.late.then(|| view! { " " <span class="chip">{say(i18n, "补报", "late")}</span> })}
                                    </div>
                                    {d.may_report_special.contains(&id).then(|| view! {
                                        <input type="text" class="grave-reason" data-testid="claim-grave"
                                            placeholder=move || if en() { "Especially grave? Why" } else { "重特大纠纷？写明理由" }
                                            on:input=move |ev| {
                                                let v = event_target_value(&ev);
                                                grave.update(|g| { g.insert(id, v); });
                                            } />
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <p data-testid="claim-total"><strong>{move || chosen_total().map(|t| if en() { format!("Total {t} yuan") } else { format!("合计 {t} 元") })}</strong></p>
                    <button type="button" class="button button--primary" data-testid="claim-submit" disabled=busy on:click=move |_| submit()>
                        {say(i18n, "提交申报", "Send the claim")}
                    </button>
                }.into_any()
            })}
        </section>
    }
}

/// One claim: its lines, signatures and payments, and the form of the step
/// that waits for the person looking.
#[component]
fn ClaimDetail(
    view: ClaimView,
    busy: RwSignal<bool>,
    message: RwSignal<Option<(bool, String)>>,
    on_changed: Callback<Option<ClaimView>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let claim = view.claim.clone();
    let id = claim.id;
    let version = claim.version;
    let my_step = view.my_step;
    let choices = RwSignal::new(BTreeMap::<domain::CaseId, LineChoice>::new());
    let opinion = RwSignal::new(String::new());
    let overspend_note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Option<String>, String)>);
    let rules = domain::rules::builtin()
        .iter()
        .find(|r| r.id == claim.rule_set);
    let slip_name = format!(
        "以案定补兑现审批单-{}-{}.html",
        claim.unit_name, claim.quarter
    );

    let sign = move |decision: Decision| {
        let Some(step) = my_step else { return };
        let lines: Vec<LineDecision> = choices.with_untracked(|c| {
            c.iter()
                .filter(|(_, ch)| !ch.action.is_empty())
                .map(|(case_id, ch)| LineDecision {
                    case_id: *case_id,
                    action: if ch.action == "return" {
                        LineAction::Return
                    } else {
                        LineAction::Reduce
                    },
                    tier: (ch.action != "return").then(|| ch.action.clone()),
                    reason: ch.reason.clone(),
                })
                .collect()
        });
        // said here, before the network: what the server would refuse
        if opinion.with_untracked(|o| o.trim().is_empty()) {
            error.set(Some((
                Some("opinion".into()),
                "请填写意见 / write the opinion".into(),
            )));
            return;
        }
        if lines.iter().any(|l| l.reason.trim().is_empty()) {
            error.set(Some((
                Some("reason".into()),
                "请填写理由 / give the reason".into(),
            )));
            return;
        }
        busy.set(true);
        error.set(None);
        let req = StepRequest {
            step,
            version,
            decision,
            opinion: opinion.get_untracked(),
            lines,
            overspend_note: Some(overspend_note.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        spawn_local(async move {
            match online::sign_claim(id, req).await {
                Ok(next) => {
                    message.try_set(Some((
                        true,
                        if en() {
                            "Signed.".to_owned()
                        } else {
                            "已签署。".to_owned()
                        },
                    )));
                    on_changed.run(Some(next));
                }
                Err(e) => {
                    error.try_set(Some((e.field.clone(), e.message)));
                }
            }
            busy.try_set(false);
        });
    };

    let current: BTreeMap<domain::CaseId, domain::claim::CurrentLine> = view
        .current
        .iter()
        .map(|l| (l.case_id, l.clone()))
        .collect();
    let review = my_step.is_some_and(Step::is_review);
    let first_review = my_step == Some(Step::FirstReview);
    // the lines that look like another case (重复申报核查), for an office
    let duplicates =
        crate::components::duplicate_notes::ask_duplicates(format!("/api/v1/claims/{id}"));
    let lines = claim.lines.iter().map(|l| {
        let now = current.get(&l.case_id).cloned();
        let case_id = l.case_id;
        let returned = now.as_ref().is_some_and(|n| n.returned);
        let changed = now.as_ref().is_some_and(|n| n.reason.is_some());
        let lower: Vec<(String, Money)> = rules
            .map(|r| r.tiers.iter().filter_map(|t| match t.amount {
                TierAmount::Fixed(a) if now.as_ref().is_some_and(|n| a < n.amount) => Some((t.code.clone(), a)),
                _ => None,
            }).collect())
            .unwrap_or_default();
        let parties = l.parties.join("、");
        let kind = domain::case::dispute_type_name(&l.dispute_type).unwrap_or("").to_owned();
        view! {
            <li class="device-row" data-testid="claim-detail-line" data-returned=returned.to_string()>
                <div class="device-row__who"><strong>{l.number.clone()}</strong> " " <span>{l.mediator.clone()}</span></div>
                <div class="device-row__meta muted">{parties} " · " {kind} " · " {domain::dates::format_iso(l.closed_on)}
                    {l.late.then(|| view! { " " <span class="chip">{say(i18n, "补报", "late")}</span> })}
                </div>
                <crate::components::duplicate_notes::DuplicateNotes found=duplicates case_id />
                <div class="device-row__meta">
                    {format!("{} · {} 元", l.tier, l.amount)}
                    {now.clone().filter(|_| changed).map(|n| view! {
                        " → " <strong data-testid="line-now">{match &n.tier {
                            Some(t) => format!("{t} · {} 元", n.amount),
                            None => if en() { "sent back".to_owned() } else { "已退回".to_owned() },
                        }}</strong>
                        <span class="muted">" （" {n.reason.clone().unwrap_or_default()} "）"</span>
                    })}
                </div>
                <SpecialNote line=l.clone() decision=claim.special_decisions.iter().find(|d| d.case_id == case_id).cloned() />
                {claim.spot_check.as_ref().filter(|c| c.cases.contains(&case_id)).cloned().map(|check| view! {
                    <SpotCheckLine check case_id form=first_review && !returned id version busy on_changed />
                })}
                {view.special_for_me.contains(&case_id).then(|| view! { <SpecialForm id version case_id busy on_changed /> })}
                {(review && !returned).then(|| view! {
                    <div class="form form--inline">
                        <select data-testid="line-action" aria-label="处理 / action"
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                choices.update(|c| c.entry(case_id).or_insert(LineChoice { action: String::new(), reason: String::new() }).action = v);
                            }>
                            <option value="">{say(i18n, "同意", "keep")}</option>
                            {lower.iter().map(|(code, amount)| view! { <option value=code.clone()>{format!("核减为 {code} 档（{amount} 元）")}</option> }).collect_view()}
                            <option value="return">{say(i18n, "退回此案", "send back")}</option>
                        </select>
                        <input type="text" data-testid="line-reason" placeholder="理由 / reason"
                            on:input=move |ev| {
                                let v = event_target_value(&ev);
                                choices.update(|c| c.entry(case_id).or_insert(LineChoice { action: String::new(), reason: String::new() }).reason = v);
                            } />
                    </div>
                })}
            </li>
        }
    }).collect_view();

    let signatures = claim.signatures.iter().map(|s| {
        let (step, decision) = (s.step, s.decision);
        view! {
            <li class="device-row" data-testid="claim-signature" data-step=s.step.code()>
                <strong>{move || step_name(step, en())}</strong> " · " {s.by_name.clone()} " · " <time>{s.at.china_minute()}</time>
                <div class="device-row__meta">
                    {move || match (decision, en()) {
                        (Decision::Pass, false) => "同意",
                        (Decision::Pass, true) => "passed",
                        (Decision::Return, false) => "退回",
                        (Decision::Return, true) => "sent back",
                    }} " · " {s.opinion.clone()} " · " {format!("{} 元", s.total)}
                </div>
            </li>
        }
    }).collect_view();

    let payments = view.payments.iter().map(|p| {
        let to = match p.payee {
            Payee::Township => claim.township_name.clone(),
            Payee::Mediator => p.mediator.clone().unwrap_or_default(),
        };
        let state = match (p.payee, p.receipts.last()) {
            (Payee::Township, _) => String::new(),
            (_, None) => "待确认".into(),
            (_, Some(r)) if r.received => "已到账".into(),
            (_, Some(r)) => format!("未到账：{}", r.note),
        };
        view! {
            <li class="device-row" data-testid="claim-payment">
                <strong>{to}</strong> " · " {format!("{} 元", p.amount)} " · " {domain::dates::format_iso(p.paid_on)}
                <div class="device-row__meta muted">{p.method.name_zh()} " · " {p.reference.clone()} " " {state}</div>
            </li>
        }
    }).collect_view();

    let pay_form = match my_step {
        Some(Step::TownshipPayment) => {
            Some(view! { <TownshipPayForm view=view.clone() busy on_changed message /> }.into_any())
        }
        Some(Step::MediatorPayment) => {
            Some(view! { <MediatorPayForm view=view.clone() busy on_changed message /> }.into_any())
        }
        _ => None,
    };

    view! {
        <section class="card" data-testid="claim-detail" data-stage=claim.stage.code()>
            <h2 class="card__label">{claim.unit_name.clone()} " · " {move || quarter_name(claim.quarter, en())}</h2>
            <p>
                <span class="chip" data-testid="detail-stage">{move || stage_name(claim.stage, en())}</span> " "
                <strong data-testid="detail-total">{format!("{} 元", view.total)}</strong>
                {(view.total != view.claimed_total).then(|| view! { <span class="muted">{format!("（申报 {} 元）", view.claimed_total)}</span> })}
            </p>
            <p class="muted">{say(i18n, "申报人", "Claimed by")} " " {claim.submitted_by_name.clone()} " · " <time>{claim.submitted_at.china_minute()}</time></p>
            <SpotCheckHead view=view.clone() mine=first_review busy on_changed />
            <ul class="device-list">{lines}</ul>
            {review.then(|| view! {
                <div class="form" data-testid="step-form">
                    <div class="field">
                        <label for="f-opinion">{move || if en() { format!("Opinion ({})", my_step.map(|s| s.name_en()).unwrap_or("")) } else { format!("{}意见", my_step.map(|s| s.name_zh()).unwrap_or("")) }}</label>
                        <textarea id="f-opinion" data-testid="step-opinion" rows="2"
                            prop:value=opinion on:input=move |ev| opinion.set(event_target_value(&ev))></textarea>
                    </div>
                    {(my_step == Some(Step::Approval)).then(|| view! {
                        <div class="field">
                            <label for="f-overspend">{say(i18n, "超支说明（超出经费时填写）", "Overspend note (if over the fund)")}</label>
                            <textarea id="f-overspend" data-testid="overspend-note" rows="2"
                                prop:value=overspend_note on:input=move |ev| overspend_note.set(event_target_value(&ev))></textarea>
                        </div>
                    })}
                    <p class="field-error" role="alert" data-testid="step-error">{move || error.get().map(|(_, m)| one_language(&m, en()))}</p>
                    <button type="button" class="button button--primary" data-testid="step-pass" disabled=busy on:click=move |_| sign(Decision::Pass)>
                        {say(i18n, "同意，送下一环节", "Pass it on")}
                    </button>
                    <button type="button" class="button button--danger" data-testid="step-return" disabled=busy on:click=move |_| sign(Decision::Return)>
                        {say(i18n, "整批退回调委会", "Send it all back")}
                    </button>
                </div>
            })}
            {pay_form}
            {(!claim.signatures.is_empty()).then(|| view! {
                <h3 class="card__label">{say(i18n, "审批记录", "Signatures")}</h3>
                <ul class="device-list">{signatures}</ul>
            })}
            {(!view.payments.is_empty()).then(|| view! {
                <h3 class="card__label">{say(i18n, "付款", "Payments")}</h3>
                <ul class="device-list">{payments}</ul>
            })}
            <button type="button" class="button button--quiet" data-testid="download-slip" on:click=move |_| print_slip(id, slip_name.clone(), message)>{say(i18n, "审批单（A4 打印）", "Slip to print (A4)")}</button>
            <button type="button" class="button button--quiet" on:click=move |_| on_changed.run(None)>{say(i18n, "关闭", "Close")}</button>
        </section>
    }
}

/// Downloads the claim's approval slip to open and print.
fn print_slip(id: ClaimId, name: String, message: RwSignal<Option<(bool, String)>>) {
    spawn_local(async move {
        match online::claim_slip(id).await {
            Ok(bytes) => {
                #[cfg(feature = "hydrate")]
                if let Err(e) = crate::device::download_bytes(&name, &bytes, "text/html") {
                    leptos::logging::warn!("download: {e}");
                }
                let _ = (bytes, name);
            }
            Err(e) => {
                message.try_set(Some((false, e.message)));
            }
        }
    });
}

/// 拨付: the bureau's finance records paying this claim's total to the
/// township's finance office.
#[component]
fn TownshipPayForm(
    view: ClaimView,
    busy: RwSignal<bool>,
    on_changed: Callback<Option<ClaimView>>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let amount = RwSignal::new(view.total.to_string());
    let paid_on = RwSignal::new(domain::dates::format_iso(today_in_china()));
    let voucher = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let (id, township, quarter) = (view.claim.id, view.claim.township_id, view.claim.quarter);
    let pay = move || {
        let Ok(amount) = amount.get_untracked().parse::<Money>() else {
            error.set(Some(if en() {
                "Write the amount in yuan, e.g. 300.00.".into()
            } else {
                "请按元填写金额，如 300.00。".into()
            }));
            return;
        };
        let Some(day) = domain::dates::parse_iso(&paid_on.get_untracked()) else {
            error.set(Some(if en() {
                "Choose the payment date.".into()
            } else {
                "请选择付款日期。".into()
            }));
            return;
        };
        busy.set(true);
        let req = TownshipPaymentRequest {
            township_id: township,
            quarter,
            claims: vec![id],
            amount,
            paid_on: day,
            voucher: voucher.get_untracked(),
        };
        spawn_local(async move {
            match online::pay_township(req).await {
                Ok(_) => {
                    message.try_set(Some((
                        true,
                        if en() {
                            "Payment recorded.".into()
                        } else {
                            "已登记拨付。".into()
                        },
                    )));
                    on_changed.run(online::claim(id).await.ok());
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="form" data-testid="township-pay-form">
            <h3 class="card__label">{say(i18n, "拨付到乡镇财政所", "Pay the township")}</h3>
            <div class="field"><label for="f-pay-amount">{say(i18n, "金额（元）", "Amount (yuan)")}</label>
                <input id="f-pay-amount" inputmode="decimal" data-testid="pay-amount" prop:value=amount on:input=move |ev| amount.set(event_target_value(&ev)) /></div>
            <div class="field"><label for="f-pay-date">{say(i18n, "拨付日期", "Date paid")}</label>
                <input id="f-pay-date" type="date" data-testid="pay-date" prop:value=paid_on on:input=move |ev| paid_on.set(event_target_value(&ev)) /></div>
            <div class="field"><label for="f-pay-voucher">{say(i18n, "凭证号", "Voucher number")}</label>
                <input id="f-pay-voucher" data-testid="pay-voucher" prop:value=voucher on:input=move |ev| voucher.set(event_target_value(&ev)) /></div>
            <p class="field-error" role="alert" data-testid="pay-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
            <button type="button" class="button button--primary" data-testid="pay-township" disabled=busy on:click=move |_| pay()>{say(i18n, "登记拨付", "Record the payment")}</button>
        </div>
    }
}

/// 核发: the township's finance office records paying each mediator.
#[component]
fn MediatorPayForm(
    view: ClaimView,
    busy: RwSignal<bool>,
    on_changed: Callback<Option<ClaimView>>,
    message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let id = view.claim.id;
    let paid: Vec<PersonId> = view.payments.iter().filter_map(|p| p.mediator_id).collect();
    let due: Vec<(PersonId, String, Money)> = view
        .claim
        .due_by_mediator()
        .into_iter()
        .filter(|(m, _, _)| !paid.contains(m))
        .collect();
    let paid_on = RwSignal::new(domain::dates::format_iso(today_in_china()));
    let reference = RwSignal::new(String::new());
    let method = RwSignal::new(PayMethod::BankTransfer);
    let error = RwSignal::new(None::<String>);
    let pay = move |mediator: PersonId, amount: Money| {
        let Some(day) = domain::dates::parse_iso(&paid_on.get_untracked()) else {
            error.set(Some(if en() {
                "Choose the payment date.".into()
            } else {
                "请选择付款日期。".into()
            }));
            return;
        };
        busy.set(true);
        let req = MediatorPaymentRequest {
            mediator_id: mediator,
            amount,
            paid_on: day,
            method: method.get_untracked(),
            reference: reference.get_untracked(),
        };
        spawn_local(async move {
            match online::pay_mediator(id, req).await {
                Ok(next) => {
                    message.try_set(Some((
                        true,
                        if en() {
                            "Payment recorded.".into()
                        } else {
                            "已登记核发。".into()
                        },
                    )));
                    on_changed.run(Some(next));
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <div class="form" data-testid="mediator-pay-form">
            <h3 class="card__label">{say(i18n, "核发到调解员", "Pay the mediators")}</h3>
            <div class="field"><label for="f-mpay-date">{say(i18n, "发放日期", "Date paid")}</label>
                <input id="f-mpay-date" type="date" data-testid="mpay-date" prop:value=paid_on on:input=move |ev| paid_on.set(event_target_value(&ev)) /></div>
            <div class="field"><label for="f-mpay-method">{say(i18n, "发放方式", "How")}</label>
                <select id="f-mpay-method" on:change=move |ev| method.set(if event_target_value(&ev) == "cash" { PayMethod::Cash } else { PayMethod::BankTransfer })>
                    <option value="bank_transfer">{say(i18n, "银行转账", "bank transfer")}</option>
                    <option value="cash">{say(i18n, "现金", "cash")}</option>
                </select></div>
            <div class="field"><label for="f-mpay-ref">{say(i18n, "转账流水号或收据号", "Bank reference or receipt number")}</label>
                <input id="f-mpay-ref" data-testid="mpay-reference" prop:value=reference on:input=move |ev| reference.set(event_target_value(&ev)) /></div>
            <p class="field-error" role="alert" data-testid="mpay-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
            <ul class="device-list">
                {due.into_iter().map(|(m, name, amount)| view! {
                    <li class="device-row" data-testid="mediator-due">
                        <strong>{name}</strong> " · " {format!("{amount} 元")}
                        <button type="button" class="button button--primary" data-testid="pay-mediator" disabled=busy on:click=move |_| pay(m, amount)>{say(i18n, "登记已发放", "Record as paid")}</button>
                    </li>
                }).collect_view()}
            </ul>
        </div>
    }
}

/// 汇总表: the quarter's claims the office sees, as an Excel workbook (汇总
/// and 明细) or the lines as CSV, downloaded from the server.
#[component]
fn SummaryFiles(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let options = quarters();
    let quarter = RwSignal::new(options.get(1).copied().unwrap_or(options[0]));
    let busy = RwSignal::new(false);
    let fetch = move |ext: &'static str| {
        busy.set(true);
        let q = quarter.get_untracked();
        spawn_local(async move {
            match online::claims_file(q, ext).await {
                Ok(bytes) => {
                    #[cfg(feature = "hydrate")]
                    {
                        let (name, kind) = match ext {
                            "xlsx" => (
                                format!("以案定补兑现汇总表-{q}.xlsx"),
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            ),
                            "html" => (format!("以案定补兑现审批表-{q}.html"), "text/html"),
                            _ => (format!("以案定补兑现明细-{q}.csv"), "text/csv"),
                        };
                        if let Err(e) = crate::device::download_bytes(&name, &bytes, kind) {
                            leptos::logging::warn!("download: {e}");
                        }
                    }
                    let _ = bytes;
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <section class="card" data-testid="claims-files">
            <h2 class="card__label">{say(i18n, "兑现汇总表", "Summary for finance")}</h2>
            <QuarterSelect id="f-summary-quarter" testid="summary-quarter" options=options.clone() quarter on_pick=Callback::new(move |_| ()) />
            <button type="button" class="button" data-testid="download-xlsx" disabled=busy on:click=move |_| fetch("xlsx")>
                {say(i18n, "下载 Excel", "Download Excel")}
            </button>
            <button type="button" class="button button--quiet" data-testid="download-csv" disabled=busy on:click=move |_| fetch("csv")>
                {say(i18n, "下载 CSV", "Download CSV")}
            </button>
            <button type="button" class="button button--quiet" data-testid="download-tables" disabled=busy on:click=move |_| fetch("html")>
                {say(i18n, "审批表（A4 打印）", "Tables to print (A4)")}
            </button>
            <ReconcileView quarter />
        </section>
    }
}

/// The months a judicial office decides: this one and the five before.
fn months() -> Vec<Month> {
    recent(Month::containing(today_in_china()), 5, Month::prev)
}

/// 履职认定: every full-time mediator below the judicial office in a month,
/// what their committee reported, and the office's decision (定额补助).
#[component]
fn DutyCard(message: RwSignal<Option<(bool, String)>>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let options = months();
    let month = RwSignal::new(options.get(1).copied().unwrap_or(options[0]));
    let shown = RwSignal::new(None::<DutyMonth>);
    let busy = RwSignal::new(false);
    let asking = RwSignal::new(None::<PersonId>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let m = month.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match online::duty_month(m).await {
                Ok(d) => {
                    shown.try_set(Some(d));
                }
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
            busy.try_set(false);
        });
    };
    let decide = move |person: PersonId, performed: bool| {
        error.set(None);
        let why = reason.get_untracked();
        if !performed && why.trim().is_empty() {
            error.set(Some("请填写未履职的理由 / give the reason".into()));
            return;
        }
        busy.set(true);
        let req = DutyRequest {
            person_id: person,
            month: month.get_untracked(),
            performed,
            reason: (!performed).then_some(why),
        };
        spawn_local(async move {
            match online::decide_duty(req).await {
                Ok(row) => {
                    asking.try_set(None);
                    reason.try_set(String::new());
                    shown.try_update(|s| {
                        if let Some(s) = s {
                            for r in s.rows.iter_mut().filter(|r| r.person_id == row.person_id) {
                                *r = row.clone();
                            }
                            s.undecided =
                                s.rows.iter().filter(|r| r.decision.is_none()).count() as u32;
                            s.total = domain::claim::sum(
                                s.rows
                                    .iter()
                                    .filter_map(|r| r.decision.as_ref().map(|d| d.amount)),
                            );
                        }
                    });
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <section class="card" data-testid="duty-card">
            <h2 class="card__label">{say(i18n, "履职认定（定额补助）", "Duty performed (fixed subsidy)")}</h2>
            <div class="field">
                <label for="f-duty-month">{say(i18n, "月份", "Month")}</label>
                <select id="f-duty-month" data-testid="duty-month"
                    on:change=move |ev| {
                        if let Ok(m) = event_target_value(&ev).parse::<Month>() {
                            month.set(m);
                            shown.set(None);
                        }
                    }>
                    {options.iter().map(|m| {
                        let m = *m;
                        view! { <option value=m.to_string() selected=move || month.get() == m>{move || if en() { m.label_en() } else { m.label_zh() }}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="button" class="button" data-testid="duty-load" disabled=busy on:click=move |_| load()>
                {say(i18n, "查看本月专职调解员", "See the month's mediators")}
            </button>
            <p class="field-error" role="alert" data-testid="duty-error">{move || error.get().map(|e| one_language(&e, en()))}</p>
            {move || shown.get().map(|d| view! {
                <p class="muted" data-testid="duty-summary">{if en() {
                    format!("{} decided, {} to decide; {} yuan", d.rows.len() as u32 - d.undecided, d.undecided, d.total)
                } else {
                    format!("已认定 {} 人，待认定 {} 人，合计 {} 元", d.rows.len() as u32 - d.undecided, d.undecided, d.total)
                }}</p>
                <ul class="device-list">
                    {d.rows.into_iter().map(|r| {
                        let person = r.person_id;
                        let state = match &r.decision {
                            None => ("待认定".to_owned(), "chip chip--alert"),
                            Some(d) if d.performed => (format!("履职 {} 元 · {}", d.amount, d.by_name), "chip"),
                            Some(d) => (format!("未履职 0.00 元 · {}", d.reason.clone().unwrap_or_default()), "chip chip--alert"),
                        };
                        view! {
                            <li class="device-row" data-testid="duty-row" data-person=person.to_string() data-decided=r.decision.is_some().to_string()>
                                <div class="device-row__who"><strong>{r.name.clone()}</strong> " · " <span>{r.unit_name.clone()}</span></div>
                                <div class="device-row__meta muted">
                                    {format!("本月排查记录 {} 条", r.records)} " · "
                                    {if r.unit_reported { "调委会已报月排查" } else { "调委会未报月排查" }}
                                </div>
                                <div class="device-row__state">
                                    <span class=state.1 data-testid="duty-state">{state.0}</span>
                                    <button type="button" class="button" data-testid="duty-performed" disabled=busy on:click=move |_| decide(person, true)>{say(i18n, "履职", "Performed")}</button>
                                    <button type="button" class="button button--quiet" data-testid="duty-not" on:click=move |_| asking.set(Some(person))>{say(i18n, "未履职", "Not performed")}</button>
                                </div>
                                <Show when=move || asking.get() == Some(person)>
                                    <div class="form">
                                        <input type="text" data-testid="duty-reason" placeholder="理由 / reason" prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                                        <button type="button" class="button button--primary" data-testid="duty-not-confirm" disabled=busy on:click=move |_| decide(person, false)>{say(i18n, "确定", "Record")}</button>
                                    </div>
                                </Show>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
