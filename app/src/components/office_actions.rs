//! On a case's page, for a supervising office (judicial office, township
//! leader, bureau: `Role::supervises`): lock the case for review with a
//! reason, or unlock it (docs/sync.md, "Office actions"). Online only: the
//! server changes the case, and this device's copy follows with a sync,
//! started at once.

use crate::i18n::{Locale, use_i18n};
use crate::online::{self, ActionError, use_sync_status};
use crate::phone;
use domain::case::Case;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Whether the logged-in role supervises the units below it.
pub fn supervises(role: &domain::Role) -> bool {
    role.supervises()
}

/// Whether the browser has a network, kept up to date by its `online` and
/// `offline` events (true on the server).
pub fn use_online() -> RwSignal<bool> {
    let online = RwSignal::new(online::online());
    #[cfg(feature = "hydrate")]
    {
        let on = window_event_listener(leptos::ev::online, move |_| {
            online.try_set(true);
        });
        let off = window_event_listener(leptos::ev::offline, move |_| {
            online.try_set(false);
        });
        on_cleanup(move || {
            on.remove();
            off.remove();
        });
    }
    online
}

/// What the last action came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// The server took it; this device is syncing to get the new version.
    Syncing { locked: bool },
    /// The new version is on this device.
    Synced { locked: bool },
    /// The server took it, but this device's copy changes at a later sync.
    Later { locked: bool },
}

/// The lock card. Shown only to a supervising role; the case is on this
/// device, so it is not deleted (the server says so if it was meanwhile).
#[component]
pub fn OfficeActions(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_sync_status();
    let online = use_online();
    let office = LocalResource::new(|| async {
        matches!(online::session().await, Ok(Some(s)) if supervises(&s.role))
    });
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ActionError>);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    // the lock the server now has, until this device's copy has it too;
    // `true` once a second sync was asked for
    let expected = RwSignal::new(None::<(Option<String>, bool)>);

    // only a change of lock redraws the card (not a photo added meanwhile)
    let locked =
        Memo::new(move |_| case.with(|c| c.as_ref().is_some_and(|c| c.locked_reason.is_some())));
    let locked = move || locked.get();
    let case_id = move || {
        case.with_untracked(|c| c.as_ref().map(|c| c.id))
            .unwrap_or(domain::CaseId(uuid::Uuid::nil()))
    };

    // when a sync ends, re-read the case: the page then shows the server's
    // version. A sync already under way when the office acted may have
    // pulled before the change: then one more sync.
    let reread = move || {
        let Some((want, retried)) = expected.get_untracked() else {
            return;
        };
        let id = case_id();
        spawn_local(async move {
            let stored = phone::case(id.to_string()).await.ok().flatten();
            let want_locked = want.is_some();
            match stored {
                Some(stored) if stored.locked_reason == want => {
                    case.try_set(Some(stored));
                    expected.try_set(None);
                    outcome.try_set(Some(Outcome::Synced {
                        locked: want_locked,
                    }));
                }
                _ if !retried => {
                    expected.try_set(Some((want, true)));
                    online::sync_now(status).await;
                }
                _ => {
                    expected.try_set(None);
                    outcome.try_set(Some(Outcome::Later {
                        locked: want_locked,
                    }));
                }
            }
        });
    };
    Effect::new(move |was_running: Option<bool>| {
        let running = status.with(|s| s.running);
        if was_running == Some(true) && !running {
            reread();
        }
        running
    });

    let act = move |lock: bool| {
        error.set(None);
        outcome.set(None);
        if !online.get_untracked() || !online::online() {
            error.set(Some(ActionError::from(online::NEEDS_NETWORK.to_owned())));
            return;
        }
        let wanted = if lock {
            let text = reason.get_untracked().trim().to_owned();
            if text.is_empty() {
                error.set(Some(ActionError {
                    message: "请填写锁定原因 / give the reason for the lock".to_owned(),
                    field: Some("reason".to_owned()),
                }));
                return;
            }
            Some(text)
        } else {
            None
        };
        let id = case_id();
        busy.set(true);
        spawn_local(async move {
            match online::set_case_lock(id, wanted).await {
                Ok(answer) => {
                    let now_locked = answer.locked_reason.is_some();
                    // the page shows the server's answer at once; the sync
                    // below brings the whole new version
                    case.try_update(|c| {
                        if let Some(c) = c {
                            c.locked_reason = answer.locked_reason.clone();
                        }
                    });
                    if now_locked {
                        reason.try_set(String::new());
                    }
                    outcome.try_set(Some(Outcome::Syncing { locked: now_locked }));
                    expected.try_set(Some((answer.locked_reason, false)));
                    busy.try_set(false);
                    // returns at once if a sync is already running: its end
                    // re-reads the case all the same
                    online::sync_now(status).await;
                }
                Err(e) => {
                    error.try_set(Some(e));
                    busy.try_set(false);
                }
            }
        });
    };
    let on_lock = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        act(true);
    };
    let on_unlock = move |_| act(false);

    let reason_error = move || {
        error.with(|e| {
            e.as_ref()
                .is_some_and(|e| e.field.as_deref() == Some("reason"))
        })
    };
    let error_text = move || error.with(|e| e.as_ref().map(|e| e.message.clone()));
    let status_line = move || {
        outcome.get().map(|o| match o {
            Outcome::Syncing { locked: true } => {
                crate::lazy_text::say(i18n, "已锁定，正在同步…", "Locked; syncing…").into_any()
            }
            Outcome::Syncing { locked: false } => {
                crate::lazy_text::say(i18n, "已解除锁定，正在同步…", "Unlocked; syncing…")
                    .into_any()
            }
            Outcome::Synced { locked: true } => {
                crate::lazy_text::say(i18n, "已锁定，已同步", "Locked, synced").into_any()
            }
            Outcome::Synced { locked: false } => {
                crate::lazy_text::say(i18n, "已解除锁定，已同步", "Unlocked, synced").into_any()
            }
            Outcome::Later { locked: true } => crate::lazy_text::say(
                i18n,
                "已锁定；本机将在下次同步时更新",
                "Locked; this device updates at its next sync",
            )
            .into_any(),
            Outcome::Later { locked: false } => crate::lazy_text::say(
                i18n,
                "已解除锁定；本机将在下次同步时更新",
                "Unlocked; this device updates at its next sync",
            )
            .into_any(),
        })
    };
    let needs_network = move || {
        (!online.get()).then(|| view! { " " <span>{crate::lazy_text::say(i18n, "（需联网）", "(needs a network)")}</span> })
    };

    let shown = move || office.get() == Some(true) && case.with(Option::is_some);
    // the cases that look like this one (重复申报核查), for an office
    let duplicates =
        crate::components::duplicate_notes::ask_duplicates(format!("/api/v1/cases/{}", case_id()));
    view! {
        <Show when=shown>
            <crate::components::duplicate_notes::DuplicateNotes found=duplicates case_id=case_id() />
            <section class="card lock-card" data-testid="lock-card" data-locked=move || locked().to_string()>
                <h2 class="card__label">{crate::lazy_text::say(i18n, "审核锁定", "Lock for review")}</h2>
                {move || if locked() {
                    view! {
                        <p class="muted">{crate::lazy_text::say(i18n, "此案件已锁定（原因见上）。审核完毕后解除锁定，调解员即可继续修改。", "This case is locked (reason above). Unlock it when the review is done, and the mediator can change it again.")}</p>
                        <p class="field__error" role="alert" data-testid="lock-error">{error_text}</p>
                        <button type="button" class="button" data-testid="unlock-submit"
                            disabled=move || busy.get() on:click=on_unlock>
                            {crate::lazy_text::say(i18n, "解除锁定", "Unlock")} {needs_network}
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <form class="form" on:submit=on_lock>
                            <div class="field" class:field--error=reason_error>
                                <label for="f-lock-reason">
                                    {crate::lazy_text::say(i18n, "锁定原因", "Reason for the lock")} <span class="field__required">" *"</span>
                                </label>
                                <input id="f-lock-reason" type="text" data-testid="lock-reason"
                                    required maxlength="200" autocomplete="off"
                                    placeholder=move || if i18n.get_locale() == Locale::en { "e.g. quarterly review" } else { "季度审核中" }
                                    aria-invalid=move || reason_error().to_string()
                                    aria-describedby="f-lock-reason-error"
                                    prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                                <p id="f-lock-reason-error" class="field__error" role="alert" data-testid="lock-error">{error_text}</p>
                            </div>
                            <p class="muted">{crate::lazy_text::say(i18n, "锁定后，调解员的手机在下次同步时收到，解除锁定前不能修改此案件。", "The mediator's phone learns of the lock at its next sync; the case cannot be changed until it is unlocked.")}</p>
                            <button type="submit" class="button button--primary" data-testid="lock-submit"
                                disabled=move || busy.get()>
                                {crate::lazy_text::say(i18n, "锁定", "Lock")} {needs_network}
                            </button>
                        </form>
                    }.into_any()
                }}
                <p class="muted" role="status" data-testid="lock-status">{status_line}</p>
            </section>
        </Show>
    }
}
