//! 设备管理: for a supervising office, the phones the people of the units
//! below have logged in on, most recently used first, and a way to revoke
//! a lost one (docs/sync.md, "Office actions"): at its next request the
//! phone is told, logs out and wipes its data. Online only.

use crate::components::lang_switch::LangSwitch;
use crate::components::office_actions::use_online;
use crate::components::office_screen::{OfficeScreen, load_office};
use crate::i18n::{t, use_i18n};
use crate::online::{self, DeviceSession};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the screen can show.
/// The rows, and the logged-in person's phone (their own devices).
type Screen = OfficeScreen<(Vec<DeviceSession>, String)>;

/// A browser's user agent, short enough for a row.
fn short(device: &str) -> String {
    let mut out: String = device.chars().take(48).collect();
    if device.chars().count() > 48 {
        out.push('…');
    }
    out
}

async fn load() -> Screen {
    load_office(|session| async move {
        let mut rows = online::devices().await?;
        // most recently used first (text order is time order)
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen_at));
        Ok((rows, session.phone))
    })
    .await
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let online = use_online();
    let screen = RwSignal::new(Screen::Loading);
    let message = RwSignal::new(None::<String>);
    let busy = RwSignal::new(None::<domain::DeviceSessionId>);

    let reload = move || {
        spawn_local(async move {
            let next = load().await;
            screen.try_set(next);
        });
    };
    Effect::new(move |_| reload());
    // back online: the list can be fetched now
    Effect::new(move |_| {
        if online.get() && screen.with_untracked(|s| *s == OfficeScreen::Offline) {
            reload();
        }
    });

    let revoke = move |row: DeviceSession, mine: bool| {
        message.set(None);
        #[cfg(feature = "hydrate")]
        {
            if !online::online() {
                message.set(Some(online::NEEDS_NETWORK.to_owned()));
                return;
            }
            let own = if mine {
                "\n这是你本人的设备：若是这台手机，它也会被退出登录并清除数据。\nThis is one of your own devices: if it is this phone, it is wiped too."
            } else {
                ""
            };
            let question = format!(
                "注销 {name}（{phone}）的设备“{device}”？该手机下次联网时将退出登录并清除本机数据。\nRevoke the device “{device}” of {name} ({phone})? At its next connection it is logged out and its data wiped.{own}",
                name = row.person_name,
                phone = row.phone,
                device = short(&row.device_name),
            );
            let go = web_sys::window()
                .and_then(|w| w.confirm_with_message(&question).ok())
                .unwrap_or(false);
            if !go {
                return;
            }
            busy.set(Some(row.id));
            spawn_local(async move {
                match online::revoke_device(row.id).await {
                    Ok(revoked) => {
                        screen.try_update(|s| {
                            if let OfficeScreen::Ready((rows, _)) = s {
                                for r in rows.iter_mut().filter(|r| r.id == revoked.id) {
                                    *r = revoked.clone();
                                }
                            }
                        });
                    }
                    Err(e) => {
                        message.try_set(Some(e.message));
                    }
                }
                busy.try_set(None);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (row, mine);
    };

    let rows_view = move |rows: Vec<DeviceSession>, own_phone: String| {
        if rows.is_empty() {
            return view! { <p class="card muted" data-testid="devices-empty">{crate::lazy_text::say(i18n, "辖区内还没有登录过的设备。", "No one in your units has logged in on a device yet.")}</p> }
                .into_any();
        }
        let items = rows
            .into_iter()
            .map(|row| {
                let revoked = row.revoked_at.is_some();
                let mine = row.phone == own_phone;
                let id = row.id;
                let working = move || busy.with(|b| *b == Some(id));
                let last_seen = row.last_seen_at.china_minute();
                let since = row.created_at.china_minute();
                let revoked_at = row.revoked_at.map(|t| t.china_minute());
                let device_title = row.device_name.clone();
                let device = short(&row.device_name);
                let for_button = row.clone();
                view! {
                    <li class="device-row" data-testid="device-row" data-phone=row.phone.clone()
                        data-revoked=revoked.to_string()>
                        <div class="device-row__who">
                            <strong>{row.person_name.clone()}</strong> " "
                            <span>{row.phone.clone()}</span>
                            {mine.then(|| view! { " " <span class="chip">{crate::lazy_text::say(i18n, "本人", "you")}</span> })}
                        </div>
                        <div class="device-row__meta muted">
                            {row.unit_name.clone()} " · " <span title=device_title>{device}</span>
                        </div>
                        <div class="device-row__meta muted">
                            {crate::lazy_text::say(i18n, "最近使用", "last used")} " " <time>{last_seen}</time>
                            " · " {crate::lazy_text::say(i18n, "登录于", "logged in")} " " <time>{since}</time>
                        </div>
                        <div class="device-row__state">
                            {if revoked {
                                view! {
                                    <span class="chip chip--alert" data-testid="device-state">{crate::lazy_text::say(i18n, "已注销", "revoked")}</span>
                                    {revoked_at.map(|at| view! { " " <time class="muted">{at}</time> })}
                                }.into_any()
                            } else {
                                view! {
                                    <span class="chip" data-testid="device-state">{crate::lazy_text::say(i18n, "在用", "active")}</span>
                                    <button type="button" class="button button--danger" data-testid="revoke-device"
                                        disabled=working
                                        on:click=move |_| revoke(for_button.clone(), mine)>
                                        {crate::lazy_text::say(i18n, "注销", "Revoke")}
                                    </button>
                                }.into_any()
                            }}
                        </div>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="device-list" data-testid="devices-list">{items}</ul> }.into_any()
    };

    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{crate::lazy_text::say(i18n, "设备管理", "Devices")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="devices-page">
            {move || message.get().map(|text| view! {
                <p class="notice notice--bad" role="alert" data-testid="revoke-error">{text}</p>
            })}
            {move || match screen.get() {
                OfficeScreen::Loading => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                OfficeScreen::LoggedOut => view! {
                    <p class="card" data-testid="devices-denied">{crate::lazy_text::say(i18n, "请先登录司法所、乡镇或司法局的账号。", "Log in first with a judicial office, township or bureau account.")}</p>
                    <a class="button" href="/login">{t!(i18n, sync_login)}</a>
                }.into_any(),
                OfficeScreen::NotOffice => view! {
                    <p class="card" data-testid="devices-denied">{crate::lazy_text::say(i18n, "只有司法所、乡镇分管领导和司法局的账号可以管理设备。", "Only judicial office, township leader and bureau accounts manage devices.")}</p>
                }.into_any(),
                OfficeScreen::Offline => view! {
                    <p class="notice" role="status" data-testid="devices-offline">{crate::lazy_text::say(i18n, "需要网络才能查看和注销设备，请联网后再试。", "Viewing and revoking devices needs a network: try again when online.")}</p>
                }.into_any(),
                OfficeScreen::Failed(e) => view! {
                    <p class="notice notice--bad" role="alert" data-testid="devices-error">{e}</p>
                    <button type="button" class="button" on:click=move |_| reload()>{crate::lazy_text::say(i18n, "重试", "Try again")}</button>
                }.into_any(),
                OfficeScreen::Ready((rows, own_phone)) => view! {
                    <p class="muted">{crate::lazy_text::say(i18n, "辖区内人员登录过的设备，最近使用的在前。手机丢失时请注销：该手机下次联网时会退出登录并清除本机数据。", "Devices that people in your units have logged in on, most recently used first. Revoke a lost phone: at its next connection it is logged out and its data wiped.")}</p>
                    {rows_view(rows, own_phone)}
                }.into_any(),
            }}
        </main>
    }
}
