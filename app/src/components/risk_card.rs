//! On a case's page: its risk assessment (风险研判, docs/domain.md §9) — the
//! step it is at, the responsible person (包保人) and every step taken,
//! from the case on this device (offline) — and, online, the next step the
//! user may take: the committee agrees the level (村议定); the township's
//! judicial office confirms it and names a responsible person (乡审定),
//! downgrades it (降级) or closes it out (销号). The server takes the step
//! (`PUT /api/v1/cases/{id}/risk`) and this device's copy follows with a
//! sync, started at once.

use crate::components::office_actions::{supervises, use_online};
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, ActionError, use_sync_status};
use domain::api::{CaseRisk, RiskStepRequest};
use domain::case::Case;
use domain::risk::{RiskAction, RiskAssessment, RiskStep};
use domain::screening::Schedule;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The schedule of the user's locality as the case screens read it: its
/// risk levels name a case's level (高/中/低, or 红/橙/黄 where a locality
/// uses colours). Chuxiong's until this device's copy is read.
#[derive(Debug, Clone, Copy)]
pub struct Locality(pub RwSignal<Schedule>);

impl Locality {
    /// Reads the locality's schedule from this device (once, in the
    /// browser) and provides it to the screen's components.
    pub fn provide() -> Locality {
        let schedule = RwSignal::new(Schedule::five_ones());
        Effect::new(move |_| {
            spawn_local(async move {
                if let Ok(found) = crate::phone::locality_schedule().await {
                    schedule.try_set(found);
                }
            });
        });
        let locality = Locality(schedule);
        provide_context(locality);
        locality
    }

    /// The one provided, or Chuxiong's.
    pub fn used() -> Locality {
        use_context::<Locality>().unwrap_or_else(|| Locality(RwSignal::new(Schedule::five_ones())))
    }

    /// A level's short name (高, 红色), as the locality writes it.
    pub fn level_name(self, code: &str, en: bool) -> String {
        self.0.with(|s| {
            s.risk_levels
                .get(code)
                .map(|l| {
                    if en {
                        l.name_en.clone()
                    } else {
                        l.name_zh.clone()
                    }
                })
                .unwrap_or_else(|| code.to_owned())
        })
    }

    /// A level with its word: 高风险, 红色风险, high risk.
    pub fn risk_name(self, code: &str, en: bool) -> String {
        self.0.with(|s| s.risk_name(code, en))
    }
}

/// The steps the user may take now: a field role agrees; an office also
/// confirms, downgrades and closes out.
fn next_actions(a: Option<&RiskAssessment>, office: bool) -> Vec<RiskAction> {
    let step = a.map(|a| a.step);
    let mut out = Vec::new();
    if matches!(step, None | Some(RiskStep::Proposed)) {
        out.push(RiskAction::Agree);
    }
    if office {
        if step == Some(RiskStep::Agreed) {
            out.push(RiskAction::Confirm);
        }
        if step == Some(RiskStep::Confirmed) {
            out.push(RiskAction::Downgrade);
        }
        if step != Some(RiskStep::Closed) {
            out.push(RiskAction::Close);
        }
    }
    out
}

fn action_code(a: RiskAction) -> &'static str {
    match a {
        RiskAction::Propose => "propose",
        RiskAction::Agree => "agree",
        RiskAction::Confirm => "confirm",
        RiskAction::Downgrade => "downgrade",
        RiskAction::Close => "close",
    }
}

#[component]
pub fn RiskCard(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let locality = Locality::used();
    let level_name = move |code: &str, en: bool| locality.level_name(code, en);
    let status = use_sync_status();
    let online = use_online();
    // the server's view (levels, who may be named) once fetched
    let server = RwSignal::new(None::<CaseRisk>);
    let office = RwSignal::new(false);
    let action = RwSignal::new(String::new());
    let level = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ActionError>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let case_id = move || {
        case.with_untracked(|c| c.as_ref().map(|c| c.id))
            .unwrap_or(domain::CaseId(uuid::Uuid::nil()))
    };
    // the server knows the case once a sync took it (version 1 and up)
    let on_server = Memo::new(move |_| case.with(|c| c.as_ref().is_some_and(|c| c.version > 0)));
    Effect::new(move |_| {
        if !online.get() || !on_server.get() {
            return;
        }
        let id = case_id();
        spawn_local(async move {
            if let Ok(Some(s)) = online::session().await {
                office.try_set(supervises(&s.role));
                if let Ok(view) = online::case_risk(id).await {
                    server.try_set(Some(view));
                }
            }
        });
    });
    let assessment = move || case.with(|c| c.as_ref().and_then(|c| c.risk_assessment.clone()));
    let person_name = move |id: &str| {
        server
            .with(|s| {
                s.as_ref().and_then(|s| {
                    s.candidates
                        .iter()
                        .find(|c| c.person_id.to_string() == id)
                        .map(|c| format!("{}（{}）", c.name, c.unit_name))
                })
            })
            .unwrap_or_else(|| {
                if en() {
                    "named".into()
                } else {
                    "已指定".into()
                }
            })
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        done.set(false);
        let Ok(act) =
            serde_json::from_value::<RiskAction>(serde_json::Value::String(action.get_untracked()))
        else {
            error.set(Some(ActionError {
                message: "请选择操作 / choose a step".into(),
                field: Some("action".into()),
            }));
            return;
        };
        let keep = |s: String| (!s.is_empty()).then_some(s);
        let step = RiskStepRequest {
            action: act,
            level: keep(level.get_untracked()),
            responsible: keep(responsible.get_untracked())
                .and_then(|p| domain::PersonId::parse(&p).ok()),
            note: note.get_untracked(),
        };
        let id = case_id();
        busy.set(true);
        spawn_local(async move {
            match online::risk_step(id, step).await {
                Ok(view) => {
                    case.try_update(|c| {
                        if let Some(c) = c {
                            c.risk_assessment = view.assessment.clone();
                            if let Some(l) = domain::case::RiskLevel::from_code(&view.level) {
                                c.risk = l;
                            }
                        }
                    });
                    server.try_set(Some(view));
                    action.try_set(String::new());
                    note.try_set(String::new());
                    done.try_set(true);
                    busy.try_set(false);
                    online::sync_now(status).await;
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
        <section class="card" data-testid="risk-card" aria-labelledby="risk-heading">
            <h2 id="risk-heading" class="card__label">{say(i18n, "风险研判", "Risk assessment")}</h2>
            {move || {
                let a = assessment();
                let step = a.as_ref().map(|a| a.step);
                let level = case.with(|c| c.as_ref().map(|c| c.risk.code().to_owned())).unwrap_or_default();
                let step_text = match step {
                    None => if en() { "set when registered (not yet agreed)".to_owned() } else { "登记时初定（待村议定）".to_owned() },
                    Some(s) => if en() { s.name_en().to_owned() } else { s.name_zh().to_owned() },
                };
                view! {
                    <p data-testid="risk-step" data-step=step.map(|s| format!("{s:?}").to_lowercase()).unwrap_or_else(|| "none".into()) data-level=level.clone()>
                        <span class="chip" class:chip--alert=level == "high">{level_name(&level, en())}</span>
                        " " {step_text}
                    </p>
                    {a.as_ref().and_then(|a| a.responsible).map(|p| {
                        let id = p.to_string();
                        let shown = id.clone();
                        view! { <p data-testid="risk-responsible" data-person=shown>{move || if en() { "Responsible: " } else { "包保人：" }}{move || person_name(&id)}</p> }
                    })}
                    {a.map(|a| {
                        let rows = a.history.into_iter().map(|e| {
                            let change = match (&e.from, &e.to) {
                                (Some(f), Some(t)) if f != t => format!("{} → {}", level_name(f, en()), level_name(t, en())),
                                (_, Some(t)) => level_name(t, en()),
                                (_, None) => String::new(),
                            };
                            view! {
                                <li data-testid="risk-entry">
                                    <strong>{if en() { e.action.name_en() } else { e.action.name_zh() }}</strong>
                                    " " {change} " · " {e.at.china_minute()}
                                    {(!e.note.is_empty()).then(|| view! { <span class="muted">" · " {e.note.clone()}</span> })}
                                </li>
                            }
                        }).collect_view();
                        view! { <ul class="timeline">{rows}</ul> }
                    })}
                }
            }}
            {move || {
                let actions = next_actions(assessment().as_ref(), office.get());
                let view_ready = server.with(|s| s.is_some());
                (online.get() && view_ready && !actions.is_empty()).then(|| {
                    let options = actions.into_iter().map(|a| view! {
                        <option value=action_code(a)>{if en() { a.name_en() } else { a.name_zh() }}</option>
                    }).collect_view();
                    let levels = move || server.with(|s| s.as_ref().map(|s| s.levels.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|l| view! { <option value=l.code.clone()>{if en() { l.name_en } else { l.name_zh }}</option> })
                        .collect_view();
                    let people = move || server.with(|s| s.as_ref().map(|s| s.candidates.clone()).unwrap_or_default())
                        .into_iter()
                        .map(|c| view! { <option value=c.person_id.to_string()>{format!("{} · {}", c.name, c.unit_name)}</option> })
                        .collect_view();
                    view! {
                        <form class="risk-step" on:submit=submit novalidate>
                            <label class="field">
                                <span class="field__label">{say(i18n, "操作", "Step")}</span>
                                <select id="risk-action" bind:value=action>
                                    <option value="">{say(i18n, "请选择", "Choose")}</option>
                                    {options}
                                </select>
                                {move || field_error("step").or_else(|| field_error("action")).map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                            </label>
                            <Show when=move || matches!(action.get().as_str(), "agree" | "confirm" | "downgrade")>
                                <label class="field">
                                    <span class="field__label">{say(i18n, "风险等级", "Risk level")}</span>
                                    <select id="risk-level" bind:value=level>
                                        <option value="">{say(i18n, "维持当前等级", "Keep the current level")}</option>
                                        {levels}
                                    </select>
                                    {move || field_error("level").map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                                </label>
                            </Show>
                            <Show when=move || action.get() == "confirm">
                                <label class="field">
                                    <span class="field__label">{say(i18n, "包保人", "Responsible person")}</span>
                                    <select id="risk-responsible" bind:value=responsible>
                                        <option value="">{say(i18n, "请选择", "Choose")}</option>
                                        {people}
                                    </select>
                                    {move || field_error("responsible").map(|m| view! { <span class="field__error" role="alert" data-testid="risk-responsible-error">{m}</span> })}
                                </label>
                            </Show>
                            <label class="field">
                                <span class="field__label">{say(i18n, "说明（销号必填）", "Note (needed to close out)")}</span>
                                <textarea id="risk-note" bind:value=note rows="2"></textarea>
                                {move || field_error("note").map(|m| view! { <span class="field__error" role="alert">{m}</span> })}
                            </label>
                            {move || error.with(|e| e.as_ref().filter(|e| e.field.is_none()).map(|e| view! {
                                <p class="notice notice--bad" role="alert" data-testid="risk-error">{e.message.clone()}</p>
                            }))}
                            <button class="button" type="submit" data-testid="risk-submit" disabled=move || busy.get()>
                                {say(i18n, "提交", "Submit")}
                            </button>
                        </form>
                    }
                })
            }}
            <Show when=move || done.get()>
                <p class="notice notice--ok" role="status" data-testid="risk-done">{say(i18n, "已提交，正在同步。", "Done; syncing.")}</p>
            </Show>
        </section>
    }
}
