//! 收件箱 — what the server told this person at once: for an office, open
//! high-risk disputes in the units it supervises (docs/domain.md §9); for
//! anyone, a case referred to their unit and the answer to their own
//! referrals (docs/domain.md §10), each a link to its case. The server
//! writes an item the moment it happens (docs/screening.md); this page
//! asks the server, so it is online only and does not wait for this
//! device's own sync.

use crate::components::lang_switch::LangSwitch;
use crate::components::office_actions::use_online;
use crate::components::office_screen::{OfficeScreen, load_signed_in};
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online;
use domain::api::{Inbox, InboxItem};
use leptos::prelude::*;
use leptos::task::spawn_local;

type Screen = OfficeScreen<Inbox>;

async fn load() -> Screen {
    load_signed_in(|_| online::inbox()).await
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let online = use_online();
    let screen = RwSignal::new(Screen::Loading);
    Effect::new(move |_| {
        online.get();
        spawn_local(async move {
            let next = load().await;
            screen.try_set(next);
        });
    });
    // opening a case marks its item read
    let open = move |item: &InboxItem| {
        if item.read {
            return;
        }
        let id = item.id;
        screen.update(|s| {
            if let OfficeScreen::Ready(inbox) = s {
                for i in inbox.items.iter_mut().filter(|i| i.id == id) {
                    i.read = true;
                }
                inbox.unread = inbox.items.iter().filter(|i| !i.read).count() as u64;
            }
        });
        spawn_local(async move {
            let _ = online::mark_inbox_read(id).await;
        });
    };
    view! {
        <header class="app-bar">
            <a class="app-bar__back" href="/" aria-label="返回 / back">"‹"</a>
            <h1 class="app-bar__title">{say(i18n, "收件箱", "Inbox")}</h1>
            <LangSwitch />
        </header>
        <main class="page" data-testid="inbox">
            {move || match screen.get() {
                // everyone logged in opens the inbox: never `NotOffice`
                OfficeScreen::Loading | OfficeScreen::NotOffice => view! { <p class="muted">"…"</p> }.into_any(),
                OfficeScreen::LoggedOut => view! { <p class="notice">{say(i18n, "请先登录。", "Log in first.")} " " <a href="/login">{say(i18n, "登录", "Log in")}</a></p> }.into_any(),
                OfficeScreen::Offline => view! { <p class="notice" data-testid="inbox-offline">{say(i18n, "需要联网：上报由服务器即时送达。", "Needs a connection: the server delivers reports as they come.")}</p> }.into_any(),
                OfficeScreen::Failed(e) => view! { <p class="notice notice--bad">{e}</p> }.into_any(),
                OfficeScreen::Ready(inbox) if inbox.items.is_empty() => view! {
                    <p class="muted" data-testid="inbox-empty">{say(i18n, "暂无消息。移交给本单位的案件、辖区内的高风险纠纷，一到服务器即送到这里。", "Nothing yet. A case referred to your unit, or a high-risk dispute in your units, arrives here as soon as it reaches the server.")}</p>
                }.into_any(),
                OfficeScreen::Ready(inbox) => {
                    let unread = inbox.unread;
                    let rows = inbox.items.into_iter().map(|item| {
                        let href = item.case_id.map(|id| format!("/cases/{id}")).unwrap_or_else(|| "/".into());
                        let when = item.created_at.china_minute();
                        let read = item.read;
                        let on_open = item.clone();
                        view! {
                            <li class="reminder" class:reminder--overdue=!read data-testid="inbox-item" data-read=read.to_string() data-case=item.case_id.map(|c| c.to_string()).unwrap_or_default()>
                                <a href=href on:click=move |_| open(&on_open)>
                                    <span class="reminder__state">{move || if read { if en() { "Read" } else { "已读" } } else if en() { "New" } else { "未读" }}</span>
                                    <strong>{item.title.clone()}</strong>
                                    <span class="muted">{item.body.clone()} " · " {when}</span>
                                </a>
                            </li>
                        }
                    }).collect_view();
                    view! {
                        <p class="muted" data-testid="inbox-unread" data-unread=unread>
                            {move || if en() { format!("{unread} unread. A case not on this phone yet opens from the server while online.") } else { format!("未读 {unread} 条。尚未同步到本机的案件，联网时可打开查看服务器上的内容。") }}
                        </p>
                        <ul class="reminder-list">{rows}</ul>
                    }.into_any()
                }
            }}
        </main>
    }
}
