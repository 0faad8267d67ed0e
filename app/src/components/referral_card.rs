//! On a case's page, online: who owns the case (首调负责, docs/domain.md
//! §10), every hand-over, and the next step — the owner refers it up the
//! ladder or across to a sector committee (移交) or withdraws a referral
//! (撤回); the receiving unit's people
//! accept it (接收: they own it now) or decline it with a reason (退回).
//! The server takes the step (`POST /api/v1/cases/{id}/referral`); an
//! acceptance is a new version of the case, which this device pulls with
//! a sync started at once.

use crate::components::office_actions::use_online;
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, ActionError, use_sync_status};
use domain::api::{CaseOwnership, ReferralAction, ReferralRequest};
use domain::case::{Case, CaseStatus};
use domain::referral::HandoverState;
use leptos::prelude::*;
use leptos::task::spawn_local;

fn state_text(s: HandoverState, en: bool) -> &'static str {
    match (s, en) {
        (_, false) => s.name_zh(),
        (HandoverState::Pending, true) => "waiting",
        (HandoverState::Accepted, true) => "accepted",
        (HandoverState::Declined, true) => "declined",
        (HandoverState::Withdrawn, true) => "withdrawn",
    }
}

#[component]
pub fn ReferralCard(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let status = use_sync_status();
    let online = use_online();
    let view_data = RwSignal::new(None::<CaseOwnership>);
    // the logged-in person and the unit of their role
    let me = RwSignal::new(None::<(domain::PersonId, domain::UnitId)>);
    let to_unit = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ActionError>);
    let busy = RwSignal::new(false);
    let on_server = Memo::new(move |_| case.with(|c| c.as_ref().is_some_and(|c| c.version > 0)));
    let closed = Memo::new(move |_| {
        case.with(|c| c.as_ref().is_some_and(|c| c.status == CaseStatus::Closed))
    });
    let case_id = move || {
        case.with_untracked(|c| c.as_ref().map(|c| c.id))
            .unwrap_or(domain::CaseId(uuid::Uuid::nil()))
    };
    Effect::new(move |_| {
        if !online.get() || !on_server.get() {
            return;
        }
        let id = case_id();
        spawn_local(async move {
            if let Ok(Some(s)) = online::session().await {
                me.try_set(Some((s.person_id, s.unit_id)));
            }
            if let Ok(v) = online::case_referral(id).await {
                view_data.try_set(Some(v));
            }
        });
    });

    let send = move |action: ReferralAction| {
        error.set(None);
        let step = ReferralRequest {
            action,
            to_unit: (action == ReferralAction::Refer)
                .then(|| to_unit.get_untracked())
                .and_then(|u| domain::UnitId::parse(&u).ok()),
            note: note.get_untracked(),
        };
        let id = case_id();
        busy.set(true);
        spawn_local(async move {
            match online::referral_step(id, step).await {
                Ok(v) => {
                    let new_owner = v.owner_id;
                    let moved = case
                        .with_untracked(|c| c.as_ref().is_some_and(|c| c.owner_id != new_owner));
                    view_data.try_set(Some(v));
                    note.try_set(String::new());
                    busy.try_set(false);
                    if moved {
                        // the case's new version (its new owner) comes with a sync
                        online::sync_now(status).await;
                    }
                }
                Err(e) => {
                    error.try_set(Some(e));
                    busy.try_set(false);
                }
            }
        });
    };
    let field_error =
        move |name: &'static str| error.with(|e| e.as_ref().and_then(|e| e.message_for(name)));

    view! {
        <Show when=move || view_data.with(|v| v.is_some())>
            <section class="card" data-testid="referral-card" aria-labelledby="referral-heading">
                <h2 id="referral-heading" class="card__label">{say(i18n, "首调负责与移交", "Ownership and referral")}</h2>
                {move || view_data.get().map(|v| {
                    let name = |id: &str| v.names.get(id).cloned().unwrap_or_default();
                    let mine = me.with(|m| m.as_ref().is_some_and(|(p, _)| *p == v.owner_id));
                    let owner = if mine {
                        if en() { "you".to_owned() } else { "本人".to_owned() }
                    } else {
                        name(&v.owner_id.to_string())
                    };
                    let handovers = v.ownership.as_ref().map(|o| o.handovers.clone()).unwrap_or_default();
                    let pending = handovers.last().filter(|h| h.state == HandoverState::Pending).cloned();
                    let receiver = pending.as_ref().is_some_and(|h| me.with(|m| m.as_ref().is_some_and(|(_, u)| *u == h.to_unit)));
                    let referrer = pending.as_ref().is_some_and(|h| me.with(|m| m.as_ref().is_some_and(|(p, _)| *p == h.from_person)));
                    let rows = handovers.iter().map(|h| {
                        let line = format!(
                            "{} → {} · {} · {}",
                            name(&h.from_unit.to_string()),
                            name(&h.to_unit.to_string()),
                            state_text(h.state, en()),
                            h.sent_at.china_minute(),
                        );
                        let notes = [h.note.clone(), h.answer_note.clone()].into_iter().filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" / ");
                        view! {
                            <li data-testid="handover" data-state=format!("{:?}", h.state).to_lowercase()>
                                {line}
                                {(!notes.is_empty()).then(|| view! { <span class="muted">" · " {notes}</span> })}
                            </li>
                        }
                    }).collect_view();
                    let targets = v.targets.clone();
                    let can_refer = mine && pending.is_none() && !closed.get() && !targets.is_empty();
                    view! {
                        <p data-testid="case-owner" data-owner=v.owner_id.to_string()>
                            {if en() { "Owner: " } else { "负责人：" }} {owner}
                        </p>
                        <ul class="timeline">{rows}</ul>
                        {can_refer.then(|| {
                            // up the ladder, then across to the city's sector committees
                            let (up, across): (Vec<_>, Vec<_>) = targets.into_iter().partition(|t| domain::referral::UP_KINDS.contains(&t.kind));
                            let (any_up, any_across) = (!up.is_empty(), !across.is_empty());
                            let options = |list: Vec<domain::api::ReferralTarget>| list.into_iter().map(|t| view! { <option value=t.unit_id.to_string() data-kind=t.kind.code()>{t.name.clone()}</option> }).collect_view();
                            let (up, across) = (options(up), options(across));
                            let options = view! {
                                {any_up.then(|| view! {
                                    <optgroup label=if en() { "Up the ladder" } else { "上级调委会、司法所" }>{up}</optgroup>
                                })}
                                {any_across.then(|| view! {
                                    <optgroup label=if en() { "Sector committees and the centre" } else { "行业性专业性调委会、多元化解中心" }>{across}</optgroup>
                                })}
                            };
                            view! {
                                <label class="field">
                                    <span class="field__label">{if en() { "Refer to" } else { "移交至" }}</span>
                                    <select id="referral-to" bind:value=to_unit>
                                        <option value="">{if en() { "Choose" } else { "请选择" }}</option>
                                        {options}
                                    </select>
                                    {move || field_error("to_unit").map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                                </label>
                            }
                        })}
                        {(can_refer || receiver || referrer).then(|| view! {
                            <label class="field">
                                <span class="field__label">{if en() { "Note (needed to decline)" } else { "说明（退回须填写）" }}</span>
                                <textarea id="referral-note" bind:value=note rows="2"></textarea>
                                {move || field_error("note").map(|m| view! { <span class="field__error" role="alert" data-testid="referral-note-error">{m}</span> })}
                            </label>
                        })}
                        <div class="actions">
                            {can_refer.then(|| view! { <button class="button" type="button" data-testid="refer" disabled=move || busy.get() on:click=move |_| send(ReferralAction::Refer)>{if en() { "Refer" } else { "移交" }}</button> })}
                            {referrer.then(|| view! { <button class="button button--quiet" type="button" data-testid="withdraw" disabled=move || busy.get() on:click=move |_| send(ReferralAction::Withdraw)>{if en() { "Withdraw" } else { "撤回" }}</button> })}
                            {receiver.then(|| view! {
                                <button class="button" type="button" data-testid="accept-referral" disabled=move || busy.get() on:click=move |_| send(ReferralAction::Accept)>{if en() { "Accept" } else { "接收" }}</button>
                                <button class="button button--quiet" type="button" data-testid="decline-referral" disabled=move || busy.get() on:click=move |_| send(ReferralAction::Decline)>{if en() { "Decline" } else { "退回" }}</button>
                            })}
                        </div>
                    }
                })}
                {move || error.with(|e| e.as_ref().filter(|e| !matches!(e.field.as_deref(), Some("note") | Some("to_unit"))).map(|e| view! {
                    <p class="notice notice--bad" role="alert" data-testid="referral-error">{e.message.clone()}</p>
                }))}
            </section>
        </Show>
    }
}
