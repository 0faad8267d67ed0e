//! 账号管理: for the judicial office and the bureau's business section, the
//! accounts of the people of the units below (never the office's own
//! colleagues): a new password for someone who forgot theirs, told to them
//! in person; an account stopped when someone leaves (its phones are
//! logged out and wiped at their next connection) or let in again
//! (docs/security.md, "Accounts"). Online only.

use crate::components::lang_switch::LangSwitch;
use crate::components::office_actions::use_online;
use crate::components::office_screen::{OfficeScreen, load_office};
use crate::i18n::{Locale, t, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, AccountView};
use domain::{AccountId, Capability};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The rows, or `None` for an office whose roles manage no accounts.
type Screen = OfficeScreen<Option<Vec<AccountView>>>;

async fn load() -> Screen {
    load_office(|session| async move {
        if !session.role.may(Capability::ManageAccounts) {
            return Ok(None);
        }
        online::accounts().await.map(Some)
    })
    .await
}

/// Whether a row matches what was typed in the search box (name, number
/// or unit).
fn matches(row: &AccountView, query: &str) -> bool {
    let q = query.trim();
    q.is_empty()
        || row.person_name.contains(q)
        || row.phone.contains(q)
        || row.unit_name.contains(q)
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let screen = RwSignal::new(Screen::Loading);
    let query = RwSignal::new(String::new());
    let message = RwSignal::new(None::<(bool, String)>);
    let busy = RwSignal::new(None::<AccountId>);
    // the row whose new password is being typed, and the text
    let editing = RwSignal::new(None::<AccountId>);
    let password = RwSignal::new(String::new());
    let field_error = RwSignal::new(None::<String>);

    let reload = move || {
        spawn_local(async move {
            let next = load().await;
            screen.try_set(next);
        });
    };
    Effect::new(move |_| reload());
    Effect::new(move |_| {
        if online.get() && screen.with_untracked(|s| *s == OfficeScreen::Offline) {
            reload();
        }
    });

    let replace_row = move |row: AccountView| {
        screen.try_update(|s| {
            if let OfficeScreen::Ready(Some(rows)) = s {
                for r in rows.iter_mut().filter(|r| r.id == row.id) {
                    *r = row.clone();
                }
            }
        });
    };
    let en = move || i18n.get_locale() == Locale::en;

    let save_password = move |row: AccountView| {
        message.set(None);
        let text = password.get_untracked();
        let n = text.chars().count();
        if !(8..=128).contains(&n) {
            field_error.set(Some(if en() {
                "The password needs 8 to 128 characters.".to_owned()
            } else {
                "密码需要 8 到 128 个字符。".to_owned()
            }));
            return;
        }
        field_error.set(None);
        busy.set(Some(row.id));
        spawn_local(async move {
            match online::set_password(row.id, text).await {
                Ok(done) => {
                    editing.try_set(None);
                    password.try_set(String::new());
                    let said = if en() {
                        format!(
                            "New password set for {} ({}). Tell it to them in person; phones already logged in stay so.",
                            done.person_name, done.phone
                        )
                    } else {
                        format!(
                            "已为 {}（{}）设置新密码。请当面告知本人；已登录的手机不受影响。",
                            done.person_name, done.phone
                        )
                    };
                    message.try_set(Some((true, said)));
                }
                Err(e) => {
                    if e.field.as_deref() == Some("password") {
                        field_error.try_set(Some(e.message));
                    } else {
                        message.try_set(Some((false, e.message)));
                    }
                }
            }
            busy.try_set(None);
        });
    };

    let set_disabled = move |row: AccountView, disabled: bool| {
        message.set(None);
        #[cfg(feature = "hydrate")]
        {
            if !online::online() {
                message.set(Some((false, online::NEEDS_NETWORK.to_owned())));
                return;
            }
            if disabled {
                let question = if en() {
                    format!(
                        "Stop the account of {} ({})? They can no longer log in, and their phones are logged out and wiped at their next connection.",
                        row.person_name, row.phone
                    )
                } else {
                    format!(
                        "停用 {}（{}）的账号？停用后不能登录，其手机下次联网时会退出登录并清除本机数据。",
                        row.person_name, row.phone
                    )
                };
                let go = web_sys::window()
                    .and_then(|w| w.confirm_with_message(&question).ok())
                    .unwrap_or(false);
                if !go {
                    return;
                }
            }
        }
        busy.set(Some(row.id));
        spawn_local(async move {
            match online::set_account_disabled(row.id, disabled).await {
                Ok(done) => replace_row(done),
                Err(e) => {
                    message.try_set(Some((false, e.message)));
                }
            }
            busy.try_set(None);
        });
    };

    let row_view = move |row: AccountView| {
        let id = row.id;
        let stopped = row.disabled_at.is_some();
        let working = move || busy.with(|b| *b == Some(id));
        let roles = row
            .roles
            .iter()
            .map(|r| if en() { r.name_en() } else { r.name_zh() })
            .collect::<Vec<_>>()
            .join(if en() { ", " } else { "、" });
        let last_seen = row.last_seen_at.map(|t| t.china_minute());
        let (for_password, for_state) = (row.clone(), row.clone());
        view! {
            <li class="device-row" data-testid="account-row" data-phone=row.phone.clone() data-disabled=stopped.to_string()>
                <div class="device-row__who">
                    <strong>{row.person_name.clone()}</strong> " " <span>{row.phone.clone()}</span>
                </div>
                <div class="device-row__meta muted">{row.unit_name.clone()} " · " {roles}</div>
                <div class="device-row__meta muted">
                    {match last_seen {
                        Some(at) => view! { {say(i18n, "最近联网", "last online")} " " <time>{at}</time> }.into_any(),
                        None => say(i18n, "还没有用手机登录过", "never logged in on a phone").into_any(),
                    }}
                </div>
                <div class="device-row__state">
                    {if stopped {
                        view! { <span class="chip chip--alert" data-testid="account-state">{say(i18n, "已停用", "stopped")}</span> }.into_any()
                    } else {
                        view! { <span class="chip" data-testid="account-state">{say(i18n, "在用", "in use")}</span> }.into_any()
                    }}
                    <button type="button" class="button" data-testid="reset-password" disabled=working
                        on:click=move |_| {
                            password.set(String::new());
                            field_error.set(None);
                            editing.set(Some(id));
                        }>
                        {say(i18n, "重设密码", "New password")}
                    </button>
                    {if stopped {
                        view! {
                            <button type="button" class="button" data-testid="enable-account" disabled=working
                                on:click=move |_| set_disabled(for_state.clone(), false)>
                                {say(i18n, "启用", "Let in again")}
                            </button>
                        }.into_any()
                    } else {
                        view! {
                            <button type="button" class="button button--danger" data-testid="disable-account" disabled=working
                                on:click=move |_| set_disabled(for_state.clone(), true)>
                                {say(i18n, "停用", "Stop")}
                            </button>
                        }.into_any()
                    }}
                </div>
                <Show when=move || editing.get() == Some(id)>
                    {
                        let row = for_password.clone();
                        view! {
                            <form class="form" data-testid="password-form"
                                on:submit=move |ev: leptos::ev::SubmitEvent| {
                                    ev.prevent_default();
                                    save_password(row.clone());
                                }>
                                <div class="field">
                                    <label for="f-new-password">{say(i18n, "新密码（8 到 128 个字符）", "New password (8 to 128 characters)")}</label>
                                    <input id="f-new-password" type="text" autocomplete="new-password" autocapitalize="off" spellcheck="false"
                                        prop:value=password on:input=move |ev| password.set(event_target_value(&ev))
                                        aria-invalid=move || field_error.with(|e| e.is_some()).to_string() />
                                    <p class="field-error" role="alert" data-testid="password-error">{move || field_error.get().map(|e| crate::texts::one_language(&e, en()))}</p>
                                </div>
                                <button type="submit" class="button button--primary" data-testid="save-password" disabled=working>
                                    {say(i18n, "确定", "Set")}
                                </button>
                                <button type="button" class="button button--quiet" on:click=move |_| editing.set(None)>
                                    {say(i18n, "取消", "Cancel")}
                                </button>
                            </form>
                        }
                    }
                </Show>
            </li>
        }
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "账号管理", "Accounts")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="accounts-page">
            {move || message.get().map(|(good, text)| view! {
                <p class=if good { "notice" } else { "notice notice--bad" } role="alert" data-testid="accounts-message">{crate::texts::one_language(&text, en())}</p>
            })}
            {move || match screen.get() {
                OfficeScreen::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                OfficeScreen::LoggedOut => view! {
                    <p class="card" data-testid="accounts-denied">{say(i18n, "请先登录司法所或司法局的账号。", "Log in first with a judicial office or bureau account.")}</p>
                    <a class="button" href="/login">{t!(i18n, sync_login)}</a>
                }.into_any(),
                OfficeScreen::NotOffice | OfficeScreen::Ready(None) => view! {
                    <p class="card" data-testid="accounts-denied">{say(i18n, "只有司法所和司法局业务科室的账号可以管理账号。", "Only judicial office and bureau business-section accounts manage accounts.")}</p>
                }.into_any(),
                OfficeScreen::Offline => view! {
                    <p class="notice" role="status" data-testid="accounts-offline">{say(i18n, "需要网络才能管理账号，请联网后再试。", "Managing accounts needs a network: try again when online.")}</p>
                }.into_any(),
                OfficeScreen::Failed(e) => view! {
                    <p class="notice notice--bad" role="alert" data-testid="accounts-error">{e}</p>
                    <button type="button" class="button" on:click=move |_| reload()>{say(i18n, "重试", "Try again")}</button>
                }.into_any(),
                OfficeScreen::Ready(Some(rows)) => view! {
                    <p class="muted">{say(i18n, "辖区内调解组织和下级单位人员的账号。忘记密码时可重设新密码并当面告知本人；人员离开时请停用。", "The accounts of the people of the units below you. Give someone who forgot the password a new one and tell it to them in person; stop the account of someone who left.")}</p>
                    <div class="field">
                        <label for="f-account-search">{say(i18n, "查找（姓名、手机号或单位）", "Find (name, phone or unit)")}</label>
                        <input id="f-account-search" type="search" data-testid="account-search"
                            prop:value=query on:input=move |ev| query.set(event_target_value(&ev)) />
                    </div>
                    {if rows.is_empty() {
                        view! { <p class="card muted" data-testid="accounts-empty">{say(i18n, "辖区内还没有账号。", "No accounts in your units yet.")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="device-list" data-testid="accounts-list">
                                {move || rows.iter().filter(|r| query.with(|q| matches(r, q))).cloned().map(row_view).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }.into_any(),
            }}
        </main>
    }
}
