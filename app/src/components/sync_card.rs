//! Home's sync card: who is logged in, "立即同步", progress and the last
//! outcome; or a way to log in.

use crate::i18n::{t, use_i18n};
use crate::online::{self, SyncStatus, use_sync_status};
use leptos::prelude::*;

#[component]
pub fn SyncCard() -> impl IntoView {
    let i18n = use_i18n();
    let status = use_sync_status();
    // re-read after each sync (the cursor and last-sync time change)
    let session = LocalResource::new(move || {
        status.with(|s| s.running);
        online::session()
    });
    let sync = move |_| {
        leptos::task::spawn_local(async move { online::sync_now(status).await });
    };
    // log-out wipes this phone: unsent changes are named first (the export
    // on 本机数据 keeps them)
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let pending = crate::phone::pending_count().await.unwrap_or(0);
            #[cfg(feature = "hydrate")]
            {
                let en = i18n.get_locale_untracked() == crate::i18n::Locale::en;
                let warning = match (pending > 0, en) {
                    (true, false) => format!(
                        "还有 {pending} 条修改未同步，退出登录将清除本机全部数据。建议先同步或在“本机数据”中导出。仍要退出吗？"
                    ),
                    (true, true) => format!(
                        "{pending} changes are not synced; logging out wipes this phone. Sync or export them first. Log out anyway?"
                    ),
                    (false, false) => "退出登录将清除本机数据。确定吗？".to_owned(),
                    (false, true) => "Logging out wipes this phone's data. Continue?".to_owned(),
                };
                let go = web_sys::window()
                    .and_then(|w| w.confirm_with_message(&warning).ok())
                    .unwrap_or(false);
                if go
                    && online::logout().await.is_ok()
                    && let Some(w) = web_sys::window()
                {
                    let _ = w.location().set_href("/login");
                }
            }
            let _ = pending;
        });
    };
    view! {
        <section class="card sync-card" aria-labelledby="sync-heading" data-testid="sync-card">
            <h2 id="sync-heading" class="card__label">{t!(i18n, sync_title)}</h2>
            {move || match session.get() {
                Some(Ok(Some(s))) => {
                    // a supervising office manages the devices below it (a lazy screen)
                    let office = s.role.supervises();
                    let manages = s.role.may(domain::Capability::ManageAccounts);
                    // an expired log-in: the records stay; the password again resumes the sync
                    let expired = s.expired.then(|| view! {
                        <p class="notice notice--warn" role="alert" data-testid="session-expired">
                            {crate::lazy_text::say(i18n, "登录已过期，本机记录都还在。请重新输入密码后同步。", "The log-in has expired; everything on this phone is kept. Enter the password again to sync.")}
                        </p>
                        <a class="button button--primary" href="/login" data-testid="relogin-link">
                            {crate::lazy_text::say(i18n, "重新登录", "Log in again")}
                        </a>
                    });
                    view! {
                        <p data-testid="logged-in">{s.name} " · " {s.unit_name}</p>
                        {expired}
                        <button
                            class="button"
                            data-testid="sync-now"
                            disabled=move || status.with(|s| s.running)
                            on:click=sync
                        >
                            {t!(i18n, sync_now)}
                        </button>
                        <button class="button button--quiet" data-testid="logout" on:click=logout>
                            {t!(i18n, logout)}
                        </button>
                        {office.then(|| view! {
                            <a class="button button--quiet" href="/devices" data-testid="devices-link">{t!(i18n, devices_link)}</a>
                            <a class="button button--quiet" href="/compliance" data-testid="compliance-link">{t!(i18n, compliance_link)}</a>
                        })}
                        {manages.then(|| view! {
                            <a class="button button--quiet" href="/accounts" data-testid="accounts-link">{crate::lazy_text::say(i18n, "账号管理", "Accounts")}</a>
                        })}
                        // the quarterly money loop: claims and their steps; a mediator's own subsidy
                        <a class="button button--quiet" href="/claims" data-testid="claims-link">{crate::lazy_text::say(i18n, "补助申报与审批", "Subsidy claims")}</a>
                        {(s.role == domain::Role::Mediator).then(|| view! {
                            <a class="button button--quiet" href="/my-subsidy" data-testid="my-subsidy-link">{crate::lazy_text::say(i18n, "我的补助", "My subsidy")}</a>
                        })}
                        // everyone: referrals to their unit, answers to their own
                        <a class="button button--quiet" href="/inbox" data-testid="inbox-link">{crate::lazy_text::say(i18n, "收件箱", "Inbox")}</a>
                    }.into_any()
                }
                Some(_) => view! {
                    <a class="button" href="/login" data-testid="login-link">{t!(i18n, sync_login)}</a>
                }.into_any(),
                None => view! { <p class="muted">"…"</p> }.into_any(),
            }}
            <p
                class="sync-status"
                role="status"
                data-testid="sync-status"
                data-running=move || status.with(|s| s.running).to_string()
                data-failed=move || status.with(|s| s.failed).to_string()
            >
                {move || {
                    let en = i18n.get_locale() == crate::i18n::Locale::en;
                    status.with(|s| status_text(s, en))
                }}
            </p>
            <Show when=move || status.with(|s| s.running)>
                <progress
                    class="sync-progress"
                    data-testid="sync-progress"
                    max="1000"
                    value=move || status.with(progress_permille)
                ></progress>
            </Show>
        </section>
    }
}

/// What the status line says, in the user's language: n of m changes and
/// photo kilobytes while running; else the last outcome, with the
/// automatic retry if one is set.
fn status_text(s: &SyncStatus, en: bool) -> String {
    if s.running {
        let mut text = if en {
            format!("syncing… {} of {}", s.sent, s.total)
        } else {
            format!("同步中… {} / {}", s.sent, s.total)
        };
        if s.bytes_total > 0 {
            let (sent, total) = (s.bytes_sent / 1024, s.bytes_total.div_ceil(1024));
            text.push_str(&if en {
                format!(" · photos {sent} of {total} KB")
            } else {
                format!(" · 照片 {sent} / {total} KB")
            });
        }
        text
    } else {
        let message = crate::texts::one_language(&s.message, en);
        match s.retry_in_s {
            Some(seconds) if en => format!("{message} (retrying in {seconds} s)"),
            Some(seconds) => format!("{message}（{seconds} 秒后自动重试）"),
            None => message,
        }
    }
}

/// The bar: changes fill the first half (all of it without photos), photo
/// bytes the second.
fn progress_permille(s: &SyncStatus) -> u32 {
    let changes = if s.total == 0 {
        1.0
    } else {
        f64::from(s.sent.min(s.total)) / f64::from(s.total)
    };
    let share = if s.bytes_total == 0 {
        changes
    } else {
        0.5 * changes + 0.5 * (s.bytes_sent.min(s.bytes_total) as f64 / s.bytes_total as f64)
    };
    (share * 1000.0).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_counts_changes_then_photo_bytes() {
        let s = |sent, total, bytes_sent, bytes_total| SyncStatus {
            running: true,
            sent,
            total,
            bytes_sent,
            bytes_total,
            ..SyncStatus::default()
        };
        assert_eq!(progress_permille(&s(0, 4, 0, 0)), 0);
        assert_eq!(progress_permille(&s(2, 4, 0, 0)), 500);
        assert_eq!(progress_permille(&s(4, 4, 0, 1000)), 500);
        assert_eq!(progress_permille(&s(4, 4, 500, 1000)), 750);
        assert_eq!(progress_permille(&s(0, 0, 1000, 1000)), 1000);
        assert_eq!(
            progress_permille(&s(9, 4, 2000, 1000)),
            1000,
            "never past the end"
        );
        assert_eq!(
            status_text(&s(1, 3, 2048, 10_240), false),
            "同步中… 1 / 3 · 照片 2 / 10 KB"
        );
        assert_eq!(
            status_text(&s(1, 3, 2048, 10_240), true),
            "syncing… 1 of 3 · photos 2 of 10 KB"
        );
        let failed = SyncStatus {
            message: "没有信号，记录已存在手机里 / no signal: kept on this phone".into(),
            retry_in_s: Some(30),
            ..SyncStatus::default()
        };
        assert_eq!(
            status_text(&failed, false),
            "没有信号，记录已存在手机里（30 秒后自动重试）"
        );
        assert_eq!(
            status_text(&failed, true),
            "no signal: kept on this phone (retrying in 30 s)"
        );
    }
}
