//! 登录: a phone logs in once while online (phone number and password); the
//! session then works offline until it is revoked, it expires or the user
//! logs out. A phone that still holds a session (an expired one) logs in
//! again here with the same number: its records stay.

use crate::i18n::{t, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, use_sync_status};
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let status = use_sync_status();
    let phone = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let revoked = use_query_map().with_untracked(|q| q.get("revoked").is_some());
    let stopped = use_query_map().with_untracked(|q| q.get("stopped").is_some());
    // the session this phone still holds: its number is the only one that
    // may log in here again
    let held = LocalResource::new(online::session);
    let held_session = move || held.get().and_then(Result::ok).flatten();
    Effect::new(move || {
        if let Some(s) = held_session() {
            phone.set(s.phone);
        }
    });
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match online::login(phone.get_untracked(), password.get_untracked()).await {
                Ok(_) => {
                    navigate("/", Default::default());
                    online::sync_now(status).await;
                }
                Err(e) => {
                    error.try_set(Some(e.message));
                }
            }
            busy.try_set(false);
        });
    };
    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{t!(i18n, login_title)}</h1>
        </header>
        <main class="page page-narrow">
            {revoked.then(|| view! { <p class="notice notice--warn" role="alert" data-testid="revoked">{t!(i18n, login_revoked)}</p> })}
            {stopped.then(|| view! { <p class="notice notice--warn" role="alert" data-testid="stopped">{say(i18n, "此账号已被停用，本机数据已清除。如有疑问请联系司法所。", "This account was stopped and the phone's data wiped. Ask the judicial office if in doubt.")}</p> })}
            {move || held_session().map(|s| view! {
                <p class="notice" role="status" data-testid="login-again">
                    {if s.expired {
                        say(i18n, "登录已过期。请输入密码重新登录，本机的记录都会保留。", "The log-in has expired. Enter the password to log in again; everything on this phone is kept.")()
                    } else {
                        say(i18n, "本机已登录。再次输入密码可重新登录，本机的记录都会保留。", "This phone is logged in. Enter the password to log in again; everything on this phone is kept.")()
                    }}
                    " " {s.name} " · " {s.unit_name}
                </p>
            })}
            <form class="form" on:submit=submit data-testid="login-form">
                <div class="field">
                    <label for="f-phone">{t!(i18n, login_phone)}</label>
                    <input id="f-phone" type="tel" inputmode="numeric" autocomplete="username" required
                        readonly=move || held_session().is_some()
                        prop:value=phone on:input=move |ev| phone.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="f-password">{t!(i18n, login_password)}</label>
                    <input id="f-password" type="password" autocomplete="current-password" required
                        prop:value=password on:input=move |ev| password.set(event_target_value(&ev)) />
                </div>
                <p class="field-error" role="alert" data-testid="login-error">
                    {move || error.get().map(|e| crate::texts::one_language(&e, i18n.get_locale() == crate::i18n::Locale::en))}
                </p>
                <button class="button button--primary" type="submit" data-testid="login-submit" disabled=move || busy.get()>
                    {t!(i18n, login_submit)}
                </button>
            </form>
            <p class="muted">{t!(i18n, login_hint)}</p>
        </main>
    }
}
