//! Form fields bound to a part of a form's state, with the problem of the
//! last save shown next to the field it names (in the user's language).

use crate::i18n::{Locale, use_i18n};
use domain::problem::FieldError;
use leptos::prelude::*;

/// A text value of a form and how to change it.
#[derive(Clone, Copy)]
pub struct Binding {
    pub get: Signal<String>,
    pub set: Callback<String>,
}

/// `bind!(state, field)`: a [`Binding`] to `state`'s field.
#[macro_export]
macro_rules! bind {
    ($state:expr, $field:ident) => {
        $crate::components::field::Binding {
            get: ::leptos::prelude::Signal::derive(move || {
                ::leptos::prelude::With::with(&$state, |d| d.$field.clone())
            }),
            set: ::leptos::prelude::Callback::new(move |v: String| {
                ::leptos::prelude::Update::update(&$state, |d| d.$field = v)
            }),
        }
    };
}

/// `bind_party!(draft, i, field)`: a [`Binding`] to party `i`'s field.
#[macro_export]
macro_rules! bind_party {
    ($state:expr, $i:expr, $field:ident) => {{
        let i: usize = $i;
        $crate::components::field::Binding {
            get: ::leptos::prelude::Signal::derive(move || {
                ::leptos::prelude::With::with(&$state, |d| {
                    d.parties
                        .get(i)
                        .map(|p| p.$field.clone())
                        .unwrap_or_default()
                })
            }),
            set: ::leptos::prelude::Callback::new(move |v: String| {
                ::leptos::prelude::Update::update(&$state, |d| {
                    if let Some(p) = d.parties.get_mut(i) {
                        p.$field = v;
                    }
                })
            }),
        }
    }};
}

/// The DOM id of a form field: `parties[1].name` → `f-parties-1-name`.
pub fn dom_id(field: &str) -> String {
    let mut id = String::from("f-");
    for c in field.chars() {
        match c {
            '[' | '.' => id.push('-'),
            ']' => {}
            c => id.push(c),
        }
    }
    id
}

/// The message of the first problem with `field`, in the user's language.
pub fn message_for(errors: RwSignal<Vec<FieldError>>, field: String) -> Signal<Option<String>> {
    let i18n = use_i18n();
    Signal::derive(move || {
        errors.with(|es| {
            es.iter().find(|e| e.field == field).map(|e| {
                crate::texts::problem(&e.problem, i18n.get_locale() == Locale::en).into_owned()
            })
        })
    })
}

/// The problem with `field`, under it.
#[component]
pub fn FieldProblem(
    errors: RwSignal<Vec<FieldError>>,
    #[prop(into)] field: String,
) -> impl IntoView {
    let id = format!("{}-error", dom_id(&field));
    let message = message_for(errors, field.clone());
    view! {
        {move || message.get().map(|m| view! {
            <p class="field__error" id=id.clone() role="alert" data-error-for=field.clone()>{m}</p>
        })}
    }
}

/// A labelled text input (or textarea) bound to a form value.
#[component]
pub fn TextField(
    /// The field's name as `domain` names it, e.g. `parties[0].name`.
    #[prop(into)]
    name: String,
    bind: Binding,
    errors: RwSignal<Vec<FieldError>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] required: bool,
    #[prop(optional)] placeholder: &'static str,
    children: Children,
) -> impl IntoView {
    let id = dom_id(&name);
    let error_id = format!("{id}-error");
    let message = message_for(errors, name.clone());
    let invalid = move || message.with(Option::is_some).to_string();
    let field = name.clone();
    let on_input = move |ev: leptos::ev::Event| {
        bind.set.run(event_target_value(&ev));
        // the user is fixing it: the old message no longer applies
        let field = field.clone();
        errors.update(|es| es.retain(|e| e.field != field));
    };
    let input = if multiline {
        view! {
            <textarea id=id.clone() name=name.clone() data-field=name.clone() rows="3" aria-required=required.to_string()
                placeholder=placeholder aria-invalid=invalid aria-describedby=error_id.clone()
                prop:value=move || bind.get.get() on:input=on_input></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id.clone() name=name.clone() data-field=name.clone() type=input_type aria-required=required.to_string()
                inputmode=(!inputmode.is_empty()).then_some(inputmode)
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                placeholder=placeholder aria-invalid=invalid aria-describedby=error_id.clone()
                prop:value=move || bind.get.get() on:input=on_input />
        }
        .into_any()
    };
    view! {
        <div class="field" class:field--error=move || message.with(Option::is_some)>
            <label for=id.clone()>{children()}{required.then_some(view! { <span class="field__required" aria-hidden="true">" *"</span> })}</label>
            {input}
            <FieldProblem errors field=name.clone() />
        </div>
    }
}

/// A labelled `<select>` bound to a form value; `options` are (value, label).
#[component]
pub fn SelectField(
    #[prop(into)] name: String,
    bind: Binding,
    errors: RwSignal<Vec<FieldError>>,
    options: Vec<(String, String)>,
    children: Children,
) -> impl IntoView {
    let id = dom_id(&name);
    let options = options
        .into_iter()
        .map(|(value, label)| {
            let v = value.clone();
            view! { <option value=value selected=move || bind.get.get() == v>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id.clone()>{children()}</label>
            <select id=id.clone() name=name.clone() data-field=name.clone()
                on:change=move |ev| bind.set.run(event_target_value(&ev))>{options}</select>
            <FieldProblem errors field=name.clone() />
        </div>
    }
}

/// Buttons for one of a few choices (touch-friendly radio buttons).
#[component]
pub fn Segmented(
    #[prop(into)] name: String,
    bind: Binding,
    errors: RwSignal<Vec<FieldError>>,
    options: Vec<(&'static str, AnyView)>,
    children: Children,
) -> impl IntoView {
    let buttons = options
        .into_iter()
        .map(|(value, label)| {
            view! {
                <button type="button" role="radio" data-value=value
                    aria-checked=move || (bind.get.get() == value).to_string()
                    class:on=move || bind.get.get() == value
                    on:click=move |_| bind.set.run(value.to_owned())>{label}</button>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field">
            <legend>{children()}</legend>
            <div class="segmented" role="radiogroup" data-field=name.clone()>{buttons}</div>
            <FieldProblem errors field=name />
        </fieldset>
    }
}

/// All problems of the last save, at the top of the form.
#[component]
pub fn ProblemSummary(errors: RwSignal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Show when=move || errors.with(|e| !e.is_empty())>
            <div class="problems" role="alert" tabindex="-1" data-testid="problems">
                <p>{move || {
                    let n = errors.with(Vec::len);
                    if i18n.get_locale() == Locale::en {
                        format!("{n} field(s) need attention; nothing was saved.")
                    } else {
                        format!("有 {n} 处需要修改，尚未保存。")
                    }
                }}</p>
            </div>
        </Show>
    }
}
