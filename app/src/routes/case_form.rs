//! 口头调解登记 (the 30-yuan path, about a minute in a courtyard) and 新增纠纷
//! (a general dispute that sessions follow). One form, two shapes; the draft
//! is kept as the mediator types, and the case is stored — case, outbox
//! entry and all — before the app says "saved".

use crate::components::autosave::use_autosave;
use crate::components::field::{FieldProblem, ProblemSummary, Segmented, SelectField, TextField};
use crate::components::lang_switch::LangSwitch;
use crate::i18n::{Locale, t, use_i18n};
use crate::{bind, bind_party, clock, phone};
use domain::CaseId;
use domain::case::DISPUTE_TYPES;
use domain::case_form::{CaseDraft, NewCase, PartyDraft};
use domain::problem::FieldError;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

/// Dispute types as select options, in the user's language.
pub fn dispute_type_options(locale: Locale) -> Vec<(String, String)> {
    DISPUTE_TYPES
        .iter()
        .map(|(code, zh, en)| {
            let label = if locale == Locale::en { en } else { zh };
            ((*code).to_owned(), (*label).to_owned())
        })
        .collect()
}

/// Puts keyboard focus on the first field with a problem.
pub fn focus_first_problem() {
    request_animation_frame(|| {
        let first = |selector: &str| document().query_selector(selector).ok().flatten();
        if let Some(el) = first("[aria-invalid=\"true\"]").or_else(|| first(".problems")) {
            use leptos::wasm_bindgen::JsCast;
            if let Some(el) = el.dyn_ref::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
            el.scroll_into_view();
        }
    });
}

#[component]
fn PartyFields(
    draft: RwSignal<CaseDraft>,
    index: usize,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let field = move |name: &str| format!("parties[{index}].{name}");
    let heading = move || match (index, i18n.get_locale() == Locale::en) {
        (0, false) => "当事人（申请人）".to_owned(),
        (1, false) => "当事人（对方）".to_owned(),
        (n, false) => format!("第三人 {}", n - 1),
        (0, true) => "Party (applicant)".to_owned(),
        (1, true) => "Party (other side)".to_owned(),
        (n, true) => format!("Third party {}", n - 1),
    };
    let sexes = move || {
        let en = i18n.get_locale() == Locale::en;
        [
            ("", "按身份证号", "from the ID number"),
            ("male", "男", "male"),
            ("female", "女", "female"),
        ]
        .iter()
        .map(|(v, zh, e)| ((*v).to_owned(), (if en { *e } else { *zh }).to_owned()))
        .collect::<Vec<_>>()
    };
    view! {
        <fieldset class="card party" data-party=index>
            <legend class="card__label">{heading}</legend>
            <TextField name=field("name") bind=bind_party!(draft, index, name) errors required=true autocomplete="off">
                {t!(i18n, f_name)}
            </TextField>
            <TextField name=field("resident_id") bind=bind_party!(draft, index, resident_id) errors
                autocomplete="off" placeholder="18位，如 53230119800101001X">
                {t!(i18n, f_resident_id)}
            </TextField>
            <TextField name=field("phone") bind=bind_party!(draft, index, phone) errors input_type="tel" inputmode="tel" autocomplete="off">
                {t!(i18n, f_phone)}
            </TextField>
            {move || view! {
                <SelectField name=field("sex") bind=bind_party!(draft, index, sex) errors options=sexes()>
                    {t!(i18n, f_sex)}
                </SelectField>
            }}
            <TextField name=field("address") bind=bind_party!(draft, index, address) errors autocomplete="off">
                {t!(i18n, f_address)}
            </TextField>
        </fieldset>
    }
}

#[component]
pub fn NewCasePage(oral: bool) -> impl IntoView {
    let i18n = use_i18n();
    // the risk levels' names are the locality's (高/中/低, or colours)
    let locality = crate::components::risk_card::Locality::provide();
    let navigate = use_navigate();
    let draft = RwSignal::new(CaseDraft::default());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);
    let save_error = RwSignal::new(None::<String>);
    let key = if oral {
        "case-form:oral"
    } else {
        "case-form:general"
    };
    let autosave = use_autosave(key.to_owned(), draft, || async {
        let profile = phone::profile().await.ok();
        Some(CaseDraft {
            received_on: domain::dates::format_iso(clock::today_in_china()),
            mediator: profile.map(|p| p.mediator_name).unwrap_or_default(),
            ..CaseDraft::default()
        })
    });

    let save = move |_| {
        if saving.get_untracked() {
            return;
        }
        saving.set(true);
        save_error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let outcome = save_new_case(oral, draft.get_untracked()).await;
            match outcome {
                Ok(id) => {
                    autosave.discard();
                    navigate(&format!("/cases/{id}?saved=1"), Default::default());
                }
                Err(SaveFailure::Invalid(problems)) => {
                    errors.try_set(problems);
                    saving.try_set(false);
                    focus_first_problem();
                }
                Err(SaveFailure::Store(e)) => {
                    save_error.try_set(Some(e));
                    saving.try_set(false);
                }
            }
        });
    };
    let clear = move |_| {
        draft.set(CaseDraft {
            received_on: domain::dates::format_iso(clock::today_in_china()),
            mediator: draft.with_untracked(|d| d.mediator.clone()),
            ..CaseDraft::default()
        });
        errors.set(Vec::new());
        autosave.discard();
    };
    let add_party = move |_| draft.update(|d| d.parties.push(PartyDraft::default()));
    let remove_party = move |_| {
        draft.update(|d| {
            if d.parties.len() > 2 {
                d.parties.pop();
            }
        })
    };
    let party_count = Memo::new(move |_| draft.with(|d| d.parties.len()));

    let title = move || {
        if oral {
            t!(i18n, oral_title).into_any()
        } else {
            t!(i18n, general_title).into_any()
        }
    };
    let performance = bind!(draft, performance);
    let sources = move || {
        [
            ("party_application", "当事人申请", "application by a party"),
            (
                "own_initiative",
                "调委会主动调解",
                "the committee's own initiative",
            ),
            ("police_referral", "公安机关移送", "referred by the police"),
            (
                "court_referral",
                "人民法院委托移送",
                "referred by the court",
            ),
            (
                "government_assignment",
                "政府部门指派",
                "assigned by the government",
            ),
        ]
        .iter()
        .map(|(v, zh, en)| {
            let label = if i18n.get_locale() == Locale::en {
                en
            } else {
                zh
            };
            ((*v).to_owned(), (*label).to_owned())
        })
        .collect::<Vec<_>>()
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{title}</h1>
            <LangSwitch />
        </header>
        <main class="page">
            <form class="form" novalidate on:submit=|ev| ev.prevent_default()
                data-testid="case-form" data-ready=move || autosave.loaded.get().to_string()>
                <Show when=move || autosave.restored.get()>
                    <p class="notice" data-testid="draft-restored">
                        {t!(i18n, draft_restored)} " "
                        <button type="button" class="link" on:click=clear>{t!(i18n, draft_clear)}</button>
                    </p>
                </Show>
                <ProblemSummary errors />
                <div class="card">
                    {move || view! {
                        <SelectField name="dispute_type" bind=bind!(draft, dispute_type) errors options=dispute_type_options(i18n.get_locale())>
                            {t!(i18n, f_dispute_type)}
                        </SelectField>
                    }}
                    {(!oral).then(|| view! {
                        {move || view! {
                            <SelectField name="source" bind=bind!(draft, source) errors options=sources()>
                                {t!(i18n, f_source)}
                            </SelectField>
                        }}
                        <Segmented name="risk" bind=bind!(draft, risk) errors options=["low", "medium", "high"]
                            .into_iter()
                            .map(|code| (code, (move || locality.level_name(code, i18n.get_locale() == Locale::en)).into_any()))
                            .collect()>{t!(i18n, f_risk)}</Segmented>
                    })}
                </div>
                <For each=move || 0..party_count.get() key=|i| *i let:index>
                    <PartyFields draft index errors />
                </For>
                <FieldProblem errors field="parties" />
                <div class="row">
                    <button type="button" class="button button--quiet" on:click=add_party data-testid="add-party">{t!(i18n, add_party)}</button>
                    <Show when=move || { party_count.get() > 2 }>
                        <button type="button" class="button button--quiet" on:click=remove_party>{t!(i18n, remove_party)}</button>
                    </Show>
                </div>
                <div class="card">
                    <TextField name="received_on" bind=bind!(draft, received_on) errors input_type="date" required=true>
                        {if oral { t!(i18n, f_mediated_on).into_any() } else { t!(i18n, f_received_on).into_any() }}
                    </TextField>
                    <TextField name="place" bind=bind!(draft, place) errors>{t!(i18n, f_place)}</TextField>
                    <TextField name="summary" bind=bind!(draft, summary) errors multiline=true required=true>
                        {t!(i18n, f_summary)}
                    </TextField>
                    {oral.then(|| view! {
                        <TextField name="agreed_terms" bind=bind!(draft, agreed_terms) errors multiline=true required=true>
                            {t!(i18n, f_agreed_terms)}
                        </TextField>
                        <Segmented name="performance" bind=performance errors options=vec![
                            ("immediate", t!(i18n, perf_immediate).into_any()),
                            ("by_date", t!(i18n, perf_by_date).into_any()),
                        ]>{t!(i18n, f_performance)}</Segmented>
                        <Show when=move || performance.get.get() == "by_date">
                            <TextField name="due" bind=bind!(draft, due) errors input_type="date" required=true>
                                {t!(i18n, f_due)}
                            </TextField>
                        </Show>
                    })}
                    <TextField name="amount_involved" bind=bind!(draft, amount_involved) errors inputmode="decimal">
                        {t!(i18n, f_amount_involved)}
                    </TextField>
                    <TextField name="mediator" bind=bind!(draft, mediator) errors required=true>
                        {t!(i18n, f_mediator)}
                    </TextField>
                </div>
                {move || save_error.get().map(|e| view! { <p class="field__error" role="alert">{e}</p> })}
                <div class="form__actions">
                    <button type="submit" class="button button--primary" data-testid="save-case"
                        disabled=move || saving.get() || !autosave.loaded.get() on:click=save>
                        {move || if saving.get() { t!(i18n, saving).into_any() } else { t!(i18n, save).into_any() }}
                    </button>
                    <p class="muted draft-status" data-testid="draft-status" aria-live="polite">
                        {move || autosave.saved_at.get().map(|at| view! { {t!(i18n, draft_saved_at)} " " {at} })}
                        {move || autosave.failed.get().map(|e| view! { <span class="field__error" role="alert">{t!(i18n, draft_failed)} " " {e}</span> })}
                    </p>
                </div>
            </form>
        </main>
    }
}

/// Why a save did not happen.
enum SaveFailure {
    Invalid(Vec<FieldError>),
    Store(String),
}

/// Marks in the page's performance timeline (`tiaojie:save-case` is what
/// the benchmark reads: checking the form and the IndexedDB commit).
fn perf_mark(name: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = name;
}

fn perf_measure(name: &str, since: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(p) = web_sys::window().and_then(|w| w.performance()) {
        let _ = p.measure_with_start_mark(name, since);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, since);
}

/// Checks the draft and stores the new case with its outbox entry; returns its id.
async fn save_new_case(oral: bool, draft: CaseDraft) -> Result<CaseId, SaveFailure> {
    let profile = phone::profile().await.map_err(SaveFailure::Store)?;
    perf_mark("tiaojie:save-start");
    let today = clock::today_in_china();
    let new = NewCase {
        id: CaseId::new_v7(),
        unit_id: profile.unit_id,
        owner_id: profile.mediator_id,
        // numbered by the store, in the saving transaction
        seq: None,
        now: clock::now(),
    };
    let case = if oral {
        draft.oral_case(&new, today)
    } else {
        draft.general_case(&new, today)
    }
    .map_err(SaveFailure::Invalid)?;
    let draft_key = if oral {
        "case-form:oral"
    } else {
        "case-form:general"
    };
    let case = phone::save_new_case(case, draft_key.to_owned())
        .await
        .map_err(SaveFailure::Store)?;
    perf_measure("tiaojie:save-case", "tiaojie:save-start");
    // the first name typed becomes the phone's mediator
    if profile.mediator_name.is_empty() {
        let mut profile = profile;
        profile.mediator_name = case.mediator.clone();
        let _ = phone::save_profile(profile).await;
    }
    Ok(case.id)
}
