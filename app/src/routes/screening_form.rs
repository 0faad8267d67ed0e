//! 排查登记 — a screening report in a few taps: the duty, the units it is
//! for (a village mediator reports for the groups that told them), the day,
//! the area, and "nothing found" (零上报) or the cases registered for what
//! was found, and a photo if wanted. Opened from a Home reminder it starts
//! filled in for that duty and period. The draft (and its photo) survives a
//! reload; the records, their outbox entries and the photo's owner are
//! stored in one transaction before the app says "saved".

use crate::components::autosave::use_autosave;
use crate::components::field::{FieldProblem, ProblemSummary, TextField};
use crate::components::lang_switch::LangSwitch;
use crate::components::photo_thumb::PhotoThumb;
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::reminders::Reminders;
use crate::routes::case_form::focus_first_problem;
use crate::{bind, clock, phone};
use domain::ScreeningId;
use domain::case::{Case, CaseStatus};
use domain::dates::{format_iso, parse_iso};
use domain::problem::FieldError;
use domain::screening::{FOUND, NOTHING_FOUND, Period, ScreeningDraft, Subject};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_query_map;

/// The form as a reminder opens it: that duty, the units that have not
/// reported for that period, a day inside it.
fn fresh(r: &Reminders, duty: Option<&str>, period: Option<Period>) -> ScreeningDraft {
    let today = clock::today_in_china();
    let duty = duty
        .and_then(|d| r.schedule.duty(d))
        .or_else(|| {
            // the first duty one of the user's units owes
            r.schedule
                .duties
                .iter()
                .find(|d| r.units.iter().any(|(_, k)| d.applies_to(*k)))
        })
        .map(|d| d.code.clone())
        .unwrap_or_default();
    let units = period
        .and_then(|p| {
            r.digest.lines.iter().find(|l| {
                l.subject
                    == Subject::Duty {
                        code: duty.clone(),
                        period: p,
                    }
            })
        })
        .map(|l| l.units.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    let date = match period {
        Some(p) if !p.contains(today) && p.end() < today => p.end(),
        _ => today,
    };
    ScreeningDraft {
        duty,
        units,
        date: format_iso(date),
        coverage: "辖区全域".into(),
        outcome: NOTHING_FOUND.into(),
        ..ScreeningDraft::default()
    }
}

#[component]
pub fn ScreeningPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = LocalResource::new(crate::reminders::load);
    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "排查登记", "Screening report")}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            <Suspense fallback=move || view! { <p class="muted">"…"</p> }>
                {move || data.get().map(|result| match result {
                    Ok(Some(r)) => view! { <ScreeningForm r /> }.into_any(),
                    Ok(None) => view! {
                        <p class="notice" data-testid="screening-unsynced">
                            {say(i18n, "请先登录并同步一次：排查日程和本单位的调解小组随同步下载到本机。",
                                "Log in and sync once first: the schedule and your groups come with the sync.")}
                        </p>
                    }.into_any(),
                    Err(e) => view! { <p class="notice notice--bad">{e}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn ScreeningForm(r: Reminders) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let query = use_query_map();
    let (duty_q, period_q) = query.with_untracked(|q| (q.get("duty"), q.get("period")));
    let period = period_q.as_deref().and_then(|p| Period::parse(p).ok());
    let key = match (&duty_q, period) {
        (Some(d), Some(p)) => format!("screening-form:{d}:{}", p.key()),
        _ => "screening-form".to_owned(),
    };
    let r = StoredValue::new(r);
    let draft = RwSignal::new(ScreeningDraft::default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(None::<usize>);
    let save_error = RwSignal::new(None::<String>);
    let start = r.with_value(|r| fresh(r, duty_q.as_deref(), period));
    let autosave = use_autosave(key.clone(), draft, move || async move { Some(start) });
    let cases = LocalResource::new(phone::cases);

    let duties = move || {
        r.with_value(|r| {
            r.schedule
                .duties
                .iter()
                .filter(|d| r.units.iter().any(|(_, k)| d.applies_to(*k)))
                .map(|d| {
                    let name = if en() {
                        d.name_en.clone()
                    } else {
                        d.name_zh.clone()
                    };
                    (d.code.clone(), name)
                })
                .collect::<Vec<_>>()
        })
    };
    let duty = Memo::new(move |_| draft.with(|d| d.duty.clone()));
    let kind = Memo::new(move |_| r.with_value(|r| r.schedule.duty(&duty.get()).map(|d| d.kind)));
    // the units that owe the chosen duty, and whether each has not reported
    // for the period of the chosen date
    let owed = move || {
        let date = draft.with(|d| parse_iso(&d.date));
        r.with_value(|r| {
            let Some(d) = r.schedule.duty(&duty.get()) else {
                return Vec::new();
            };
            let open: Vec<String> = date
                .map(|date| Period::containing(d.cadence, date))
                .and_then(|p| {
                    r.digest.lines.iter().find(|l| {
                        l.subject
                            == Subject::Duty {
                                code: d.code.clone(),
                                period: p,
                            }
                    })
                })
                .map(|l| l.units.iter().map(ToString::to_string).collect())
                .unwrap_or_default();
            r.units
                .iter()
                .filter(|(_, k)| d.applies_to(*k))
                .map(|(id, _)| {
                    let text = id.to_string();
                    let missing = open.contains(&text);
                    (text, r.name(*id), missing)
                })
                .collect::<Vec<_>>()
        })
    };
    let period_label = move || {
        let date = draft.with(|d| parse_iso(&d.date))?;
        let cadence = r.with_value(|r| r.schedule.duty(&duty.get()).map(|d| d.cadence))?;
        let p = Period::containing(cadence, date);
        Some(if en() {
            format!("counts for {}", p.label_en())
        } else {
            format!("计入 {}", p.label_zh())
        })
    };

    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        let built = r.with_value(|r| {
            let person = r.person;
            draft.with_untracked(|d| {
                d.records(
                    &r.schedule,
                    &r.units,
                    person,
                    clock::today_in_china(),
                    ScreeningId::new_v7,
                )
            })
        });
        let records = match built {
            Ok(records) => records,
            Err(problems) => {
                errors.set(problems);
                focus_first_problem();
                return;
            }
        };
        errors.set(Vec::new());
        saving.set(true);
        save_error.set(None);
        let key = key.clone();
        spawn_local(async move {
            let n = records.len();
            autosave.discard();
            match phone::save_screenings(records, key).await {
                Ok(()) => {
                    saved.try_set(Some(n));
                }
                Err(e) => {
                    save_error.try_set(Some(e));
                }
            }
            saving.try_set(false);
        });
    };

    // the photo: compressed and kept on the phone as soon as it is chosen
    let photo = Memo::new(move |_| draft.with(|d| d.photo.clone()));
    let photo_busy = RwSignal::new(false);
    let photo_problem = RwSignal::new(None::<String>);
    let on_photo = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let Some(file) = crate::device::chosen_file(&ev) else {
                return;
            };
            photo_busy.set(true);
            photo_problem.set(None);
            spawn_local(async move {
                match crate::device::keep_form_photo(&file).await {
                    Ok(taken) => {
                        let old = draft.try_update(|d| d.photo.replace(taken)).flatten();
                        errors.try_update(|es| es.retain(|e| e.field != "photo"));
                        if let Some(old) = old {
                            let _ = crate::device::forget_form_photo(&old.id).await;
                        }
                    }
                    Err(e) => {
                        photo_problem.try_set(Some(e));
                    }
                }
                photo_busy.try_set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, photo_busy, photo_problem);
    };
    let remove_photo = move |_| {
        let old = draft.try_update(|d| d.photo.take()).flatten();
        errors.update(|es| es.retain(|e| e.field != "photo"));
        #[cfg(feature = "hydrate")]
        if let Some(old) = old {
            spawn_local(async move {
                let _ = crate::device::forget_form_photo(&old.id).await;
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = old;
    };

    let set_duty = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        draft.update(|d| {
            d.duty = code;
            d.units.clear();
        });
        errors.update(|es| es.retain(|e| e.field != "duty" && e.field != "units"));
    };
    let toggle_unit = move |id: String| {
        draft.update(|d| {
            if let Some(i) = d.units.iter().position(|u| *u == id) {
                d.units.remove(i);
            } else {
                d.units.push(id);
            }
        });
        errors.update(|es| es.retain(|e| e.field != "units"));
    };
    let toggle_case = move |id: String| {
        draft.update(|d| {
            if let Some(i) = d.case_ids.iter().position(|c| *c == id) {
                d.case_ids.remove(i);
            } else {
                d.case_ids.push(id);
            }
        });
        errors.update(|es| es.retain(|e| !e.field.starts_with("outcome")));
    };
    let outcome = move |value: &'static str| {
        draft.update(|d| d.outcome = value.to_owned());
        errors.update(|es| es.retain(|e| !e.field.starts_with("outcome")));
    };
    let recent_cases = move || {
        let mut list: Vec<Case> = cases.get().and_then(Result::ok).unwrap_or_default();
        list.sort_by_key(|c| std::cmp::Reverse(c.received_on));
        list.retain(|c| {
            c.status != CaseStatus::Closed
                || c.received_on
                    >= jiff::Span::new()
                        .try_days(31)
                        .map_or(jiff::civil::Date::MIN, |month| {
                            clock::today_in_china().saturating_sub(month)
                        })
        });
        list.truncate(30);
        list
    };

    view! {
        <Show when=move || saved.get().is_some()>
            <div class="notice notice--ok" role="status" data-testid="screening-saved">
                <p>{move || {
                    let n = saved.get().unwrap_or(0);
                    if en() {
                        format!("Saved on this phone: {n} record(s); they are sent at the next sync.")
                    } else {
                        format!("已保存到本机：{n} 条排查记录，将在下次同步时上报。")
                    }
                }}</p>
                <a class="button" href="/" data-testid="back-home">{say(i18n, "返回首页", "Back to Home")}</a>
            </div>
        </Show>
        <form class="form" novalidate on:submit=|ev| ev.prevent_default()
            data-testid="screening-form" data-ready=move || autosave.loaded.get().to_string()
            class:hidden=move || saved.get().is_some()>
            <Show when=move || autosave.restored.get()>
                <p class="notice" data-testid="draft-restored">{say(i18n, "已恢复上次未保存的填写内容。", "Your unsaved entries were restored.")}</p>
            </Show>
            <ProblemSummary errors />
            <div class="field">
                <label for="f-duty">{say(i18n, "工作职责", "Duty")}</label>
                <select id="f-duty" data-field="duty" on:change=set_duty>
                    {move || duties().into_iter().map(|(code, name)| {
                        let c = code.clone();
                        view! { <option value=code selected=move || duty.get() == c>{name}</option> }
                    }).collect_view()}
                </select>
                <FieldProblem errors field="duty" />
            </div>
            <TextField name="date" bind=bind!(draft, date) errors input_type="date" required=true>
                {say(i18n, "排查日期", "Date")}
            </TextField>
            <p class="muted" data-testid="period-label">{period_label}</p>
            <fieldset class="field" id="f-units" aria-invalid=move || errors.with(|es| es.iter().any(|e| e.field == "units")).to_string()>
                <legend>{say(i18n, "上报单位", "Units reported for")}</legend>
                <ul class="checklist" data-testid="screening-units">
                    {move || owed().into_iter().map(|(id, name, missing)| {
                        let checked_id = id.clone();
                        let toggled = id.clone();
                        view! {
                            <li><label>
                                <input type="checkbox" value=id.clone() data-unit=id
                                    prop:checked=move || draft.with(|d| d.units.contains(&checked_id))
                                    on:change=move |_| toggle_unit(toggled.clone()) />
                                " " {name}
                                {missing.then(|| view! { <span class="tag tag--warn">{say(i18n, "未上报", "not reported")}</span> })}
                            </label></li>
                        }
                    }).collect_view()}
                </ul>
                <FieldProblem errors field="units" />
            </fieldset>
            <Show when=move || kind.get() == Some(domain::screening::DutyKind::Screening)>
                <TextField name="coverage" bind=bind!(draft, coverage) errors required=true placeholder="如：1–5组 沿河片区">
                    {say(i18n, "排查范围", "Area covered")}
                </TextField>
                <TextField name="households" bind=bind!(draft, households) errors inputmode="numeric">
                    {say(i18n, "走访户数", "Households visited")}
                </TextField>
                <fieldset class="field">
                    <legend>{say(i18n, "排查结果", "Result")}</legend>
                    <div class="segmented" role="radiogroup" data-field="outcome">
                        <button type="button" role="radio" data-testid="outcome-nothing"
                            aria-checked=move || draft.with(|d| d.outcome != FOUND).to_string()
                            class:on=move || draft.with(|d| d.outcome != FOUND)
                            on:click=move |_| outcome(NOTHING_FOUND)>{say(i18n, "零上报（未发现纠纷）", "Nothing found")}</button>
                        <button type="button" role="radio" data-testid="outcome-found"
                            aria-checked=move || draft.with(|d| d.outcome == FOUND).to_string()
                            class:on=move || draft.with(|d| d.outcome == FOUND)
                            on:click=move |_| outcome(FOUND)>{say(i18n, "发现纠纷", "Disputes found")}</button>
                    </div>
                </fieldset>
                <Show when=move || draft.with(|d| d.outcome == FOUND)>
                    <fieldset class="field" id="f-outcome-case_ids">
                        <legend>{say(i18n, "排查出的纠纷（选择已登记的案件）", "Disputes found (choose their cases)")}</legend>
                        <ul class="checklist" data-testid="screening-cases">
                            {move || recent_cases().into_iter().map(|c| {
                                let id = c.id.to_string();
                                let checked_id = id.clone();
                                let toggled = id.clone();
                                let names = c.parties.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(" / ");
                                view! {
                                    <li><label>
                                        <input type="checkbox" prop:checked=move || draft.with(|d| d.case_ids.contains(&checked_id))
                                            on:change=move |_| toggle_case(toggled.clone()) />
                                        " " {names} " · " {format_iso(c.received_on)}
                                    </label></li>
                                }
                            }).collect_view()}
                        </ul>
                        <a class="link" href="/cases/new/general">{say(i18n, "先登记新纠纷（本表内容会保留）", "Register a new dispute first (this form is kept)")}</a>
                        <FieldProblem errors field="outcome.case_ids" />
                    </fieldset>
                </Show>
            </Show>
            <Show when=move || kind.get().is_some_and(|k| k.has_attendees())>
                <TextField name="attendees" bind=bind!(draft, attendees) errors inputmode="numeric" required=true>
                    {say(i18n, "参加人数", "People present")}
                </TextField>
            </Show>
            <TextField name="notes" bind=bind!(draft, notes) errors multiline=true>
                {say(i18n, "备注", "Notes")}
            </TextField>
            <div class="field" id="f-photo" data-field="photo">
                <span>{say(i18n, "照片（可选）", "Photo (optional)")}</span>
                {move || photo.get().map(|p| view! {
                    <ul class="photos" data-testid="screening-photo">
                        <PhotoThumb id=p.id sha256=p.sha256 taken_at=p.taken_at.china_minute() position=p.position />
                    </ul>
                    <button type="button" class="button" data-testid="remove-photo" on:click=remove_photo>
                        {say(i18n, "删除照片", "Remove the photo")}
                    </button>
                })}
                <div><label class="button file-button">
                    {move || if photo_busy.get() {
                        say(i18n, "正在处理照片…", "Processing the photo…").into_any()
                    } else {
                        say(i18n, "拍照或选择照片", "Take or choose a photo").into_any()
                    }}
                    <input type="file" accept="image/*" capture="environment" data-testid="screening-photo-input"
                        class="visually-hidden" disabled=move || photo_busy.get() on:change=on_photo />
                </label></div>
                <FieldProblem errors field="photo" />
                {move || photo_problem.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
            </div>
            {move || save_error.get().map(|e| view! { <p class="notice notice--bad" role="alert">{e}</p> })}
            <button class="button button--primary" type="button" data-testid="save-screening"
                disabled=move || saving.get() || !autosave.loaded.get() on:click=save>
                {say(i18n, "保存", "Save")}
            </button>
            <p class="muted">{move || autosave.saved_at.get().map(|at| if en() { format!("Draft kept at {at}") } else { format!("草稿已保存 {at}") })}</p>
        </form>
    }
}
