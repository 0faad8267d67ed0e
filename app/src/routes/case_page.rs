//! One case, from the phone's store: what happened (timeline), the dossier
//! checklist, the subsidy tier and what is still missing (the shared rules,
//! live and offline), and the next steps — a session, closing, the follow-up
//! visit, photos of signed paper, print.

use crate::components::autosave::use_autosave;
use crate::components::field::{ProblemSummary, Segmented, TextField};
use crate::components::lang_switch::LangSwitch;
use crate::components::photo_thumb::PhotoThumb;
use crate::components::sync_notes::SyncNotes;
use crate::components::tier_preview::TierPreview;
use crate::i18n::{Locale, t, use_i18n};
use crate::online::{self, use_sync_status};
use crate::records::Profile;
use crate::routes::case_form::focus_first_problem;
use crate::{bind, clock, phone};
use domain::api::ServerCase;
use domain::case::{Case, CaseKind, CaseStatus, Performance, RiskLevel, dispute_type_name};
use domain::case_form::{ClosingDraft, FollowUpDraft, SessionDraft};
use domain::dates::format_iso;
use domain::problem::FieldError;
use domain::rules::{CaseFacts, FormCode, Outcome, STANDARD_FORMS, form_name};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_params_map, use_query_map};

#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Missing,
    /// Not on this phone, but the server shows it (online): a referral
    /// across the tree waits at this person's unit.
    Remote,
    Ready,
    Failed(String),
}

/// Changes the case as stored now (so a change made meanwhile — a photo
/// still being compressed — is kept) and shows the result. The inner `Err`
/// holds the problems `edit` found; then nothing was stored.
async fn commit<F>(
    case: RwSignal<Option<Case>>,
    edit: F,
) -> Result<Result<(), Vec<FieldError>>, String>
where
    F: FnOnce(&Case) -> Result<Case, Vec<FieldError>> + 'static,
{
    let Some(id) = case
        .try_with_untracked(|c| c.as_ref().map(|c| c.id.to_string()))
        .flatten()
    else {
        return Err("no case".into());
    };
    match phone::edit_case(id, edit).await? {
        Ok(next) => {
            // the page may have closed meanwhile: the case is saved all the same
            case.try_set(Some(next));
            Ok(Ok(()))
        }
        Err(problems) => Ok(Err(problems)),
    }
}

pub fn status_label(status: CaseStatus, en: bool) -> &'static str {
    match (status, en) {
        (CaseStatus::Registered, false) => "已受理",
        (CaseStatus::Mediating, false) => "调解中",
        (CaseStatus::Closed, false) => "已结案",
        (CaseStatus::Registered, true) => "registered",
        (CaseStatus::Mediating, true) => "mediating",
        (CaseStatus::Closed, true) => "closed",
    }
}

/// The facts the tier preview reads: the case's own once closed; while it is
/// open, as if it were closed today with an agreement (what it could earn).
fn preview_facts(case: &Case, profile: &Profile) -> (CaseFacts, bool) {
    if let Some(facts) = case.facts(profile.committee) {
        return (facts, false);
    }
    let today = clock::today_in_china();
    let mut assumed = case.clone();
    assumed.status = CaseStatus::Closed;
    assumed.outcome = Some(Outcome::Agreed);
    assumed.closed_on = Some(today.max(case.received_on));
    let facts = assumed
        .facts(profile.committee)
        .expect("a closed case with an outcome has facts");
    (facts, true)
}

#[component]
pub fn CasePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let case = RwSignal::new(None::<Case>);
    let profile = RwSignal::new(None::<Profile>);
    let history = RwSignal::new(0usize);
    let load = RwSignal::new(Load::Loading);
    // the server's copy (in `case`): its committee's name, and whether the
    // parties' contacts were left out
    let remote = RwSignal::new(None::<(String, bool)>);
    // the locality's names of risk levels, for the summary and the risk card
    crate::components::risk_card::Locality::provide();

    let read = move |id: String| async move {
        let found = phone::case(id.clone()).await;
        let p = phone::profile().await;
        match (found, p) {
            (Ok(Some(c)), Ok(p)) => {
                history.try_set(phone::history(id).await.map_or(0, |h| h.len()));
                profile.try_set(Some(p));
                case.try_set(Some(c));
                remote.try_set(None);
                load.try_set(Load::Ready);
            }
            (Ok(None), _) if load.get_untracked() == Load::Remote => {}
            // not on this phone: the server shows it when a referral waits
            // at this person's unit (online, logged in; otherwise missing)
            (Ok(None), _) => {
                match online::server_case(id.parse().unwrap_or(domain::CaseId(uuid::Uuid::nil())))
                    .await
                {
                    Ok(ServerCase {
                        case: found,
                        unit_name,
                        contacts_hidden,
                    }) => {
                        case.try_set(Some(found));
                        remote.try_set(Some((unit_name, contacts_hidden)));
                        load.try_set(Load::Remote);
                    }
                    Err(_) => {
                        load.try_set(Load::Missing);
                    }
                }
            }
            (Err(e), _) | (_, Err(e)) => {
                load.try_set(Load::Failed(e));
            }
        }
    };
    Effect::new(move |_| {
        let id = id.get();
        // another case: not the server copy shown for the one before
        load.set(Load::Loading);
        remote.set(None);
        spawn_local(read(id));
    });
    // a referral accepted here: the sync that follows brings the case to
    // this phone, which then shows its own copy
    let status = use_sync_status();
    Effect::new(move |was_running: Option<bool>| {
        let running = status.with(|s| s.running);
        if was_running == Some(true) && !running && load.get_untracked() == Load::Remote {
            spawn_local(read(id.get_untracked()));
        }
        running
    });
    // a change saved here adds one earlier version (not the switch from
    // the server's copy to this phone's own)
    Effect::new(move |prev: Option<Option<Option<domain::Timestamp>>>| {
        if load.with(|l| *l != Load::Ready) {
            return None;
        }
        let now = case.with(|c| c.as_ref().map(|c| c.updated_at));
        if let Some(Some(before)) = &prev
            && now.as_ref().is_some_and(|n| n != before)
        {
            history.update(|h| *h += 1);
        }
        now
    });

    let en = move || i18n.get_locale() == Locale::en;
    let just_saved = move || query.read().get("saved").is_some();
    // the whole case, not a finance office's copy with the amounts only
    let whole = move || case.with(|c| c.as_ref().is_some_and(|c| !c.parties_hidden()));

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/cases" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{crate::lazy_text::say(i18n, "案件", "Case")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="case-page" data-load=move || format!("{:?}", load.get())>
            {move || match load.get() {
                Load::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Load::Missing => view! {
                    <p class="card" data-testid="case-missing">{crate::lazy_text::say(i18n, "本机没有这个案件（可能尚未同步到这部手机）。", "This case is not on this phone (it may not have been synced here).")}</p>
                    <a class="action" href="/cases">{t!(i18n, case_list_title)}</a>
                }.into_any(),
                Load::Failed(e) => view! { <p class="field__error" role="alert">{e}</p> }.into_any(),
                Load::Remote => view! {
                    <p class="notice" data-testid="case-remote">{crate::lazy_text::say(i18n, "此案件还不在本机，以下是服务器上的内容（只读）。", "This case is not on this phone yet: below is the server's copy (read only).")}</p>
                    <RemoteSummary case remote en />
                    <crate::components::referral_card::ReferralCard case />
                    <Timeline case en />
                }.into_any(),
                Load::Ready => view! {
                    <Show when=just_saved>
                        <p class="notice notice--ok" role="status" data-testid="saved-notice">{crate::lazy_text::say(i18n, "已保存到本机，等待上传到服务器（可在“本机数据”中导出备份）。", "Saved on this phone; waiting to be sent to the server (back it up under Data on this phone).")}</p>
                    </Show>
                    <CaseSummary case profile en />
                    <SyncNotes case_id=id />
                    <crate::components::office_actions::OfficeActions case />
                    // a finance office's copy: its risk, referrals and
                    // history are the parties' and are not asked for
                    <Show when=whole>
                        <crate::components::risk_card::RiskCard case />
                        <crate::components::referral_card::ReferralCard case />
                    </Show>
                    <TierSection case profile />
                    <crate::components::money_trail_card::MoneyTrailCard case />
                    <Timeline case en />
                    <NextSteps case />
                    <FormsChecklist case en />
                    <Show when=whole>
                        <crate::components::major_card::MajorCard case locked=Signal::derive(move || case.with(|c| c.as_ref().is_none_or(unchangeable))) />
                    </Show>
                    <Photos case />
                    <PrintLinks case />
                    <Show when=whole>
                        <crate::components::history_card::HistoryCard case />
                        <p class="muted" data-testid="history-count">
                            {crate::lazy_text::say(i18n, "已保留的早先版本：", "Earlier versions kept:")} " " {move || history.get()}
                        </p>
                    </Show>
                }.into_any(),
            }}
        </main>
    }
}

#[component]
fn CaseSummary(
    case: RwSignal<Option<Case>>,
    profile: RwSignal<Option<Profile>>,
    en: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locality = crate::components::risk_card::Locality::used();
    move || {
        let (Some(c), Some(p)) = (case.get(), profile.get()) else {
            return ().into_any();
        };
        let number = c
            .number(&p.number_prefix)
            .unwrap_or_else(|| t_unnumbered(en()));
        let kind = match (c.kind, en()) {
            (CaseKind::Oral, false) => "口头调解",
            (CaseKind::Oral, true) => "oral mediation",
            (CaseKind::General, false) => "一般纠纷",
            (CaseKind::General, true) => "general dispute",
        };
        let parties = c
            .parties
            .iter()
            .map(|party| {
                let id = party.resident_id.as_ref().map(|id| id.masked()).unwrap_or_default();
                let phone = party.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default();
                view! {
                    <li><strong>{party.name.clone()}</strong> " " <span class="muted">{id} " " {phone}</span></li>
                }
            })
            .collect_view();
        let locked = c.is_locked();
        let claimed = c.claim_id.is_some();
        view! {
            <section class="card case-head">
                <p class="case-number" data-testid="case-number">{number}</p>
                <p class="chips">
                    <span class="chip">{kind}</span>
                    <span class="chip" data-testid="case-status">{status_label(c.status, en())}</span>
                    <span class="chip" class:chip--alert=c.risk == RiskLevel::High data-testid="case-risk">{locality.risk_name(c.risk.code(), en())}</span>
                    // in a claim, or held by an office for review: the
                    // chip says which (the reason is below)
                    {locked.then(|| if claimed {
                        view! { <span class="chip chip--alert" data-testid="locked-chip">{t!(i18n, locked)}</span> }.into_any()
                    } else {
                        view! { <span class="chip chip--alert" data-testid="locked-chip">{crate::lazy_text::say(i18n, "审核中，暂不能修改", "under review: cannot be changed for now")}</span> }.into_any()
                    })}
                </p>
                {c.locked_reason.clone().map(|reason| view! {
                    <p class="notice notice--warn" data-testid="locked-reason">{t!(i18n, locked_by_office)} " " {reason}</p>
                })}
                <ul class="parties">{parties}</ul>
                {c.parties_hidden().then(|| view! { <PartiesHidden /> })}
                <Facts case=c.clone() />
                <p class="summary">{c.summary.clone()}</p>
                {(!c.agreed_terms.is_empty()).then(|| view! {
                    <h3 class="card__label">{t!(i18n, f_agreed_terms)}</h3>
                    <p data-testid="agreed-terms">{c.agreed_terms.clone()}</p>
                })}
            </section>
        }
        .into_any()
    }
}

/// The dispute's type, day, place and mediator.
#[component]
fn Facts(case: Case) -> impl IntoView {
    let i18n = use_i18n();
    let type_name = dispute_type_name(&case.dispute_type).unwrap_or("—");
    view! {
        <dl class="facts">
            <div><dt>{t!(i18n, f_dispute_type)}</dt><dd>{type_name}</dd></div>
            <div><dt>{t!(i18n, f_received_on)}</dt><dd>{format_iso(case.received_on)}</dd></div>
            <div><dt>{t!(i18n, f_place)}</dt><dd>{case.place}</dd></div>
            <div><dt>{t!(i18n, f_mediator)}</dt><dd>{case.mediator}</dd></div>
        </dl>
    }
}

/// The server's copy of a case referred to this person's unit: who
/// registered it and what it is about; the parties' contacts come with
/// the case once the referral is accepted.
#[component]
fn RemoteSummary(
    case: RwSignal<Option<Case>>,
    remote: RwSignal<Option<(String, bool)>>,
    en: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locality = crate::components::risk_card::Locality::used();
    move || {
        let (Some(c), Some((unit_name, contacts_hidden))) = (case.get(), remote.get()) else {
            return ().into_any();
        };
        let parties = c
            .parties
            .iter()
            .map(|party| view! { <li><strong>{party.name.clone()}</strong></li> })
            .collect_view();
        view! {
            <section class="card case-head" data-testid="remote-summary">
                <p class="case-number" data-testid="remote-unit">{unit_name}</p>
                <p class="chips">
                    <span class="chip" data-testid="case-status">{status_label(c.status, en())}</span>
                    <span class="chip" class:chip--alert=c.risk == RiskLevel::High data-testid="case-risk">{locality.risk_name(c.risk.code(), en())}</span>
                </p>
                <ul class="parties">{parties}</ul>
                {c.parties_hidden().then(|| view! { <PartiesHidden /> })}
                {(contacts_hidden && !c.parties_hidden()).then(|| view! {
                    <p class="muted" data-testid="contacts-hidden">{crate::lazy_text::say(i18n, "接收移交后，案件即同步到本机，当事人的身份证号、电话、住址和照片随之可见。", "Once you accept the referral, the case syncs to this phone with the parties' ID numbers, phones, addresses and the photos.")}</p>
                })}
                <Facts case=c.clone() />
                <p class="summary" data-testid="remote-case-summary">{c.summary.clone()}</p>
            </section>
        }
        .into_any()
    }
}

/// Whether this phone offers no change to the case: locked (a claim, an
/// office's review), or a finance office's copy with the amounts only.
fn unchangeable(c: &Case) -> bool {
    c.is_locked() || c.parties_hidden()
}

/// Said where a finance office's copy of a case leaves the parties out.
#[component]
fn PartiesHidden() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="muted" data-testid="parties-hidden">{crate::lazy_text::say(i18n, "财务只看案号、调解员和金额，不显示当事人信息和案情。", "Finance sees the case number, the mediator and the amounts; the parties and the facts are not shown.")}</p>
    }
}

fn t_unnumbered(en: bool) -> String {
    if en {
        "no case number yet"
    } else {
        "未编号"
    }
    .to_owned()
}

#[component]
fn TierSection(case: RwSignal<Option<Case>>, profile: RwSignal<Option<Profile>>) -> impl IntoView {
    let i18n = use_i18n();
    // the preview judges a case as this phone's committee would: right for
    // the phone's own cases, wrong for another unit's (an office viewing a
    // village's case), where the server's verdict, made with the case's
    // own committee, is the only figure shown
    let preview = Memo::new(move |_| {
        let c = case.get()?;
        let p = profile.get()?;
        let another_units = c.unit_id != p.unit_id && c.server_verdict.is_some();
        (!another_units).then(|| preview_facts(&c, &p))
    });
    let facts = Signal::derive(move || {
        preview
            .get()
            .map(|(f, _)| f)
            .expect("shown only when the case is loaded")
    });
    view! {
        // the server's verdict first, wherever it exists; a difference from
        // the preview below is flagged
        {move || case.with(|c| c.as_ref().and_then(|c| c.server_verdict.clone())).map(|v| {
            let tier = v.tier.clone().unwrap_or_else(|| "—".into());
            let differs = preview.with(|p| p.as_ref().is_some_and(|(f, assumed)| {
                !assumed && domain::rules::evaluate(f, domain::rules::builtin()).ok().map(|e| e.tier) != Some(v.tier.clone())
            }));
            view! {
                <p class="server-verdict" data-testid="server-verdict" data-differs=differs.to_string()>
                    {t!(i18n, server_verdict)} " " <strong data-testid="server-tier">{tier}</strong> " · " {v.amount.to_string()} " 元"
                    {differs.then(|| view! { <span class="notice notice--warn">" " {t!(i18n, server_verdict_differs)}</span> })}
                </p>
            }
        })}
        // a death or grade 1–2 disability earns tier D only once verified
        <Show when=move || case.with(|c| c.as_ref().is_some_and(|c| c.claims_major() && !c.major_verified()))>
            <p class="notice notice--warn" data-testid="major-pending">{crate::lazy_text::say(i18n, "记录了死亡或一、二级伤残：经司法所核实后才按重大纠纷（D 档）计算补贴。", "A death or a grade 1–2 disability is recorded: it counts for a major dispute (tier D) once the judicial office verified it.")}</p>
        </Show>
        <Show when=move || preview.with(Option::is_some)>
            <Show when=move || preview.with(|p| p.as_ref().is_some_and(|(_, assumed)| *assumed))>
                <p class="muted" data-testid="tier-assumed">{crate::lazy_text::say(i18n, "尚未结案。下面是“若今天调解成功结案”的补贴测算：", "Not closed yet. Below: the subsidy if it closed today with an agreement.")}</p>
            </Show>
            <TierPreview facts />
        </Show>
    }
}

#[component]
fn Timeline(
    case: RwSignal<Option<Case>>,
    en: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let items = move || {
        let Some(c) = case.get() else {
            return Vec::new();
        };
        let en = en();
        let mut items: Vec<(String, String, String)> = Vec::new();
        items.push((
            format_iso(c.received_on),
            if en { "received" } else { "受理" }.into(),
            c.summary.clone(),
        ));
        for (n, s) in c.sessions.iter().enumerate() {
            let label = if en {
                format!("session {}", n + 1)
            } else {
                format!("第 {} 次调解", n + 1)
            };
            items.push((format_iso(s.held_on), label, s.record.clone()));
        }
        if let (Some(day), Some(outcome)) = (c.closed_on, c.outcome) {
            let label = match (outcome, en) {
                (Outcome::Agreed, false) => "结案：调解成功",
                (Outcome::NotAgreed, false) => "结案：调解未成",
                (Outcome::Agreed, true) => "closed: agreement",
                (Outcome::NotAgreed, true) => "closed: no agreement",
            };
            let perf = match (c.performance, en) {
                (Some(Performance::Immediate), false) => "即时履行".to_owned(),
                (Some(Performance::ByDate { due }), false) => {
                    format!("限期履行至 {}", format_iso(due))
                }
                (Some(Performance::Immediate), true) => "performed at once".to_owned(),
                (Some(Performance::ByDate { due }), true) => {
                    format!("to be performed by {}", format_iso(due))
                }
                (None, _) => String::new(),
            };
            items.push((format_iso(day), label.into(), perf));
        }
        if let Some(visit) = &c.follow_up {
            items.push((
                format_iso(visit.on),
                if en { "follow-up visit" } else { "回访" }.into(),
                visit.note.clone(),
            ));
        }
        for photo in &c.attachments {
            let what = photo
                .form
                .as_ref()
                .map(|f| {
                    let (zh, e) = form_name(f);
                    if en { e.to_string() } else { zh.to_string() }
                })
                .unwrap_or_default();
            items.push((
                format_iso(photo.taken_at.china_date()),
                if en { "photo" } else { "照片" }.into(),
                what,
            ));
        }
        items.sort_by(|a, b| a.0.cmp(&b.0));
        items
    };
    view! {
        <section class="card" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading" class="card__label">{t!(i18n, timeline)}</h2>
            <ol class="timeline" data-testid="timeline">
                {move || items().into_iter().map(|(day, label, detail)| view! {
                    <li><time>{day}</time> " " <strong>{label}</strong> <span class="timeline__detail">{detail}</span></li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The next thing to record, by the case's state.
#[component]
fn NextSteps(case: RwSignal<Option<Case>>) -> impl IntoView {
    // only a change of step redraws the forms: a photo or a ticked box must
    // not close a form the mediator is typing in
    let state = Memo::new(move |_| {
        case.with(|c| {
            c.as_ref().map(|c| {
                (
                    c.kind,
                    c.status,
                    c.follow_up.is_some(),
                    unchangeable(c),
                    c.id,
                )
            })
        })
    });
    let state = move || state.get();
    move || match state() {
        None | Some((_, _, _, true, _)) => ().into_any(),
        Some((CaseKind::General, CaseStatus::Registered | CaseStatus::Mediating, _, _, id)) => {
            view! {
                <SessionForm case id=id.to_string() />
                <ClosingForm case id=id.to_string() />
            }
            .into_any()
        }
        Some((_, CaseStatus::Closed, false, _, id)) => {
            view! { <FollowUpForm case id=id.to_string() /> }.into_any()
        }
        Some(_) => ().into_any(),
    }
}

/// Runs a domain step with the form's draft on the case as stored, and
/// stores the result; problems go next to the form's fields.
fn apply<D>(
    draft: RwSignal<D>,
    case: RwSignal<Option<Case>>,
    errors: RwSignal<Vec<FieldError>>,
    store_error: RwSignal<Option<String>>,
    done: impl FnOnce() + 'static,
    step: impl FnOnce(&D, &Case) -> Result<Case, Vec<FieldError>> + 'static,
) where
    D: Clone + Send + Sync + 'static,
{
    let form = draft.get_untracked();
    store_error.set(None);
    spawn_local(async move {
        match commit(case, move |current| step(&form, current)).await {
            Ok(Ok(())) => {
                errors.try_set(Vec::new());
                done();
            }
            Ok(Err(problems)) => {
                errors.try_set(problems);
                focus_first_problem();
            }
            Err(e) => {
                store_error.try_set(Some(e));
            }
        }
    });
}

#[component]
fn SessionForm(case: RwSignal<Option<Case>>, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(SessionDraft::default());
    let errors = RwSignal::new(Vec::new());
    let store_error = RwSignal::new(None::<String>);
    let autosave = use_autosave(format!("case:{id}:session"), draft, || async {
        Some(SessionDraft {
            held_on: format_iso(clock::today_in_china()),
            ..SessionDraft::default()
        })
    });
    let submit = move |_| {
        apply(
            draft,
            case,
            errors,
            store_error,
            move || {
                autosave.discard();
                draft.set(SessionDraft {
                    held_on: format_iso(clock::today_in_china()),
                    ..SessionDraft::default()
                });
            },
            |d, c| {
                d.add_to(c, clock::today_in_china(), clock::now())
                    .map_err(|problems| {
                        // another session's date, reported against the list: show it on this form's date
                        problems
                            .into_iter()
                            .map(|mut e| {
                                if e.field.starts_with("sessions[") {
                                    e.field = "session.held_on".into();
                                }
                                e
                            })
                            .collect()
                    })
            },
        )
    };
    view! {
        <details class="card step" data-testid="session-form">
            <summary class="step__title">{crate::lazy_text::say(i18n, "添加调解记录", "Add a mediation session")}</summary>
            <ProblemSummary errors />
            <TextField name="session.held_on" bind=bind!(draft, held_on) errors input_type="date" required=true>{t!(i18n, f_session_on)}</TextField>
            <TextField name="session.place" bind=bind!(draft, place) errors>{t!(i18n, f_place)}</TextField>
            <TextField name="session.record" bind=bind!(draft, record) errors multiline=true required=true>{t!(i18n, f_session_record)}</TextField>
            {move || store_error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            <button type="button" class="button button--primary" data-testid="save-session" on:click=submit>{t!(i18n, save)}</button>
        </details>
    }
}

#[component]
fn ClosingForm(case: RwSignal<Option<Case>>, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(ClosingDraft::default());
    let errors = RwSignal::new(Vec::new());
    let store_error = RwSignal::new(None::<String>);
    let autosave = use_autosave(format!("case:{id}:closing"), draft, || async {
        Some(ClosingDraft {
            closed_on: format_iso(clock::today_in_china()),
            outcome: "agreed".into(),
            performance: "immediate".into(),
            ..ClosingDraft::default()
        })
    });
    let submit = move |_| {
        apply(
            draft,
            case,
            errors,
            store_error,
            move || autosave.discard(),
            |d, c| d.close(c, clock::today_in_china(), clock::now()),
        )
    };
    let outcome = bind!(draft, outcome);
    let performance = bind!(draft, performance);
    view! {
        <details class="card step" data-testid="closing-form">
            <summary class="step__title">{crate::lazy_text::say(i18n, "结案", "Close the case")}</summary>
            <ProblemSummary errors />
            <Segmented name="outcome" bind=outcome errors options=vec![
                ("agreed", t!(i18n, outcome_agreed).into_any()),
                ("not_agreed", t!(i18n, outcome_not_agreed).into_any()),
            ]>{t!(i18n, f_outcome)}</Segmented>
            <crate::components::field::FieldProblem errors field="outcome" />
            <crate::components::field::FieldProblem errors field="sessions" />
            <TextField name="closed_on" bind=bind!(draft, closed_on) errors input_type="date" required=true>{t!(i18n, f_closed_on)}</TextField>
            <Show when=move || outcome.get.get() == "agreed">
                <TextField name="agreed_terms" bind=bind!(draft, agreed_terms) errors multiline=true required=true>{t!(i18n, f_agreed_terms)}</TextField>
                <Segmented name="performance" bind=performance errors options=vec![
                    ("immediate", t!(i18n, perf_immediate).into_any()),
                    ("by_date", t!(i18n, perf_by_date).into_any()),
                ]>{t!(i18n, f_performance)}</Segmented>
                <Show when=move || performance.get.get() == "by_date">
                    <TextField name="due" bind=bind!(draft, due) errors input_type="date" required=true>{t!(i18n, f_due)}</TextField>
                </Show>
            </Show>
            {move || store_error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            <button type="button" class="button button--primary" data-testid="save-closing" on:click=submit>{t!(i18n, save)}</button>
        </details>
    }
}

#[component]
fn FollowUpForm(case: RwSignal<Option<Case>>, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(FollowUpDraft::default());
    let errors = RwSignal::new(Vec::new());
    let store_error = RwSignal::new(None::<String>);
    let autosave = use_autosave(format!("case:{id}:follow-up"), draft, || async {
        Some(FollowUpDraft {
            on: format_iso(clock::today_in_china()),
            ..FollowUpDraft::default()
        })
    });
    let submit = move |_| {
        apply(
            draft,
            case,
            errors,
            store_error,
            move || autosave.discard(),
            |d, c| d.record(c, clock::today_in_china(), clock::now()),
        )
    };
    view! {
        <details class="card step" data-testid="follow-up-form">
            <summary class="step__title">{crate::lazy_text::say(i18n, "添加回访记录", "Add follow-up visit")}</summary>
            <ProblemSummary errors />
            <TextField name="follow_up.on" bind=bind!(draft, on) errors input_type="date" required=true>{t!(i18n, f_follow_up_on)}</TextField>
            <TextField name="follow_up.note" bind=bind!(draft, note) errors multiline=true required=true>{t!(i18n, f_follow_up_note)}</TextField>
            {move || store_error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            <button type="button" class="button button--primary" data-testid="save-follow-up" on:click=submit>{t!(i18n, save)}</button>
        </details>
    }
}

/// 一案六表: which forms the dossier holds (structured or photographed),
/// and whether it is archived.
#[component]
fn FormsChecklist(
    case: RwSignal<Option<Case>>,
    en: impl Fn() -> bool + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let store_error = RwSignal::new(None::<String>);
    let general = move || case.with(|c| c.as_ref().is_some_and(|c| c.kind == CaseKind::General));
    let locked = move || case.with(|c| c.as_ref().is_none_or(unchangeable));
    let change = move |edit: Box<dyn FnOnce(&mut Case) + Send + Sync>| {
        crate::components::case_edit::change_case(case, store_error, edit)
    };
    let boxes = move || {
        STANDARD_FORMS
            .iter()
            .map(|code| {
                let form = FormCode::new(code);
                let (zh, e) = form_name(&form);
                let label = if en() { e.to_string() } else { zh.to_string() };
                let has = {
                    let form = form.clone();
                    move || case.with(|c| c.as_ref().is_some_and(|c| c.forms.contains(&form)))
                };
                let toggle = move |_| {
                    let form = form.clone();
                    change(Box::new(move |c: &mut Case| {
                        if !c.forms.remove(&form) {
                            c.forms.insert(form);
                        }
                    }))
                };
                view! {
                    <label class="check"><input type="checkbox" data-form=*code prop:checked=has disabled=locked on:change=toggle />{label}</label>
                }
            })
            .collect_view()
    };
    let archived = move || case.with(|c| c.as_ref().is_some_and(|c| c.archived));
    let toggle_archived = move |_| change(Box::new(|c: &mut Case| c.archived = !c.archived));
    view! {
        <Show when=general>
            <section class="card" data-testid="forms-checklist">
                <h2 class="card__label">{crate::lazy_text::say(i18n, "一案六表", "Dossier forms")}</h2>
                {boxes}
                <label class="check"><input type="checkbox" id="archived" prop:checked=archived disabled=locked on:change=toggle_archived />{t!(i18n, f_archived)}</label>
                {move || store_error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            </section>
        </Show>
    }
}

/// Photos of the signed paper forms, taken with the camera and kept on the phone.
#[component]
fn Photos(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let form = RwSignal::new(String::from("agreement"));
    // the position is evidence of where the paper was signed; asked only when wanted
    let with_position = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = crate::device::chosen_file(&ev) else {
                return;
            };
            let Some(case_id) = case.with_untracked(|c| c.as_ref().map(|c| c.id.to_string()))
            else {
                return;
            };
            busy.set(true);
            problem.set(None);
            let pictured = Some(form.get_untracked())
                .filter(|f| !f.is_empty())
                .map(|f| FormCode::new(&f));
            spawn_local(async move {
                let located = with_position.get_untracked();
                match crate::device::add_photo(case_id, &file, pictured, located).await {
                    Ok(next) => {
                        case.try_set(Some(next));
                    }
                    Err(e) => {
                        problem.try_set(Some(e));
                    }
                }
                busy.try_set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, busy, problem, form, with_position);
    };
    let locked = move || case.with(|c| c.as_ref().is_none_or(unchangeable));
    let photos = move || {
        case.with(|c| {
            c.as_ref()
                .map(|c| c.attachments.clone())
                .unwrap_or_default()
        })
    };
    let options = move || {
        let en = i18n.get_locale() == Locale::en;
        let mut codes: Vec<&str> = vec!["oral_register"];
        codes.extend(STANDARD_FORMS);
        if case.with(|c| c.as_ref().is_some_and(|c| c.kind == CaseKind::General)) {
            codes.push(domain::case::MAJOR_EVIDENCE);
        }
        let mut out: Vec<(String, String)> = codes
            .into_iter()
            .map(|code| {
                let (zh, e) = form_name(&FormCode::new(code));
                (
                    code.to_owned(),
                    if en { e.to_string() } else { zh.to_string() },
                )
            })
            .collect();
        out.push((
            String::new(),
            if en { "other".into() } else { "其他".into() },
        ));
        out
    };
    view! {
        <section class="card" data-testid="photos">
            <h2 class="card__label">{t!(i18n, photos)}</h2>
            <ul class="photos" data-count=move || photos().len()>
                <For each=photos key=|p| p.id.clone() let:photo>
                    <PhotoThumb id=photo.id.clone() sha256=photo.sha256.clone() taken_at=photo.taken_at.china_minute() position=photo.position />
                </For>
            </ul>
            <Show when=move || !locked()>
                <div class="field">
                    <label for="photo-form">{t!(i18n, photo_of)}</label>
                    <select id="photo-form" on:change=move |ev| form.set(event_target_value(&ev))>
                        {move || options().into_iter().map(|(v, l)| {
                            let selected = form.get_untracked() == v;
                            view! { <option value=v selected=selected>{l}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <label class="check">
                    <input type="checkbox" id="photo-position" bind:checked=with_position />
                    {t!(i18n, photo_position)}
                </label>
                <label class="button button--primary file-button">
                    {move || if busy.get() { crate::lazy_text::say(i18n, "正在处理照片…", "Processing the photo…").into_any() } else { crate::lazy_text::say(i18n, "拍照或选择照片", "Take or choose a photo").into_any() }}
                    <input type="file" accept="image/*" capture="environment" data-testid="photo-input"
                        class="visually-hidden" disabled=move || busy.get() on:change=on_file />
                </label>
            </Show>
            {move || problem.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
        </section>
    }
}

#[component]
fn PrintLinks(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let links = move || {
        case.with(|c| {
            c.as_ref().map(|c| {
                (
                    c.id.to_string(),
                    c.kind == CaseKind::Oral,
                    c.outcome == Some(Outcome::Agreed),
                )
            })
        })
    };
    move || {
        links().map(|(id, oral, agreed)| {
            view! {
                <section class="card print-links">
                    <h2 class="card__label">{t!(i18n, print)}</h2>
                    {oral.then(|| view! { <a class="action" href=format!("/cases/{id}/print/register") data-testid="print-register">{crate::lazy_text::say(i18n, "打印口头协议登记表", "Print the oral-agreement register")}</a> })}
                    {agreed.then(|| view! { <a class="action" href=format!("/cases/{id}/print/agreement") data-testid="print-agreement">{crate::lazy_text::say(i18n, "打印人民调解协议书", "Print the mediation agreement")}</a> })}
                    // a general dispute's dossier (一案六表), whole or paper by paper
                    {(!oral).then(|| {
                        let papers = [
                            ("dossier", "打印整本卷宗（封面、目录、各表）", "Print the whole dossier"),
                            ("cover", "卷宗封面", "Dossier cover"),
                            ("contents", "卷内目录", "Table of contents"),
                            ("application", "申请书", "Application"),
                            ("acceptance", "受理登记表", "Acceptance register"),
                            ("investigation", "调查记录", "Investigation record"),
                            ("mediation_record", "调解记录", "Mediation record"),
                            ("follow_up", "回访记录", "Follow-up record"),
                        ];
                        papers
                            .into_iter()
                            .map(|(code, zh, en)| view! {
                                <a class="action" href=format!("/cases/{id}/print/{code}") data-testid=format!("print-link-{code}")>{crate::lazy_text::say(i18n, zh, en)}</a>
                            })
                            .collect_view()
                    })}
                </section>
            }
        })
    }
}
