//! On a case's page: the case's versions on the server (修改记录) — who
//! made each and when (a phone's sync, or an office's lock, risk step or
//! referral), which parts it changed, and the values a conflict replaced
//! (the sync notice says "theirs is in the server's history": this is
//! where it is). Online only, read when the card is opened.

use crate::components::sync_notes::{field_label, shown};
use crate::i18n::{Locale, use_i18n};
use crate::lazy_text::say;
use crate::online::{self, ActionError};
use domain::api::{CaseHistory, CaseVersion};
use domain::case::Case;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How a version was made, in words.
fn how(v: &CaseVersion, en: bool) -> &'static str {
    match (v.deleted, en) {
        (true, false) => "删除",
        (true, true) => "deleted",
        (false, _) => how_made(&v.how, v.version, en),
    }
}

/// How version `version` was made (`how` as the server names it), in words.
pub fn how_made(how: &str, version: u64, en: bool) -> &'static str {
    match (how, version == 1, en) {
        ("sync", true, false) => "登记",
        ("sync", true, true) => "registered",
        ("sync", false, false) => "手机上修改",
        ("sync", false, true) => "changed on a phone",
        ("lock", _, false) => "锁定",
        ("lock", _, true) => "locked",
        ("unlock", _, false) => "解除锁定",
        ("unlock", _, true) => "unlocked",
        ("risk", _, false) => "风险研判",
        ("risk", _, true) => "risk assessment",
        ("major_verified", _, false) => "核实重大纠纷",
        ("major_verified", _, true) => "major case verified",
        ("major_refused", _, false) => "重大纠纷未通过核实",
        ("major_refused", _, true) => "major case not verified",
        ("claimed", _, false) => "列入补助申报",
        ("claimed", _, true) => "put in a subsidy claim",
        ("claim_returned", _, false) => "补助申报退回",
        ("claim_returned", _, true) => "sent back from the subsidy claim",
        ("special_decided", _, false) => "党组认定重特大纠纷",
        ("special_decided", _, true) => "found especially grave by the party group",
        ("referral", _, false) => "移交",
        ("referral", _, true) => "referral",
        (_, _, false) => "修改",
        (_, _, true) => "changed",
    }
}

#[component]
fn Version(v: CaseVersion, en: bool) -> impl IntoView {
    let i18n = use_i18n();
    let when = v.at.map(|t| t.china_minute()).unwrap_or_default();
    let who =
        v.by.clone()
            .unwrap_or_else(|| if en { "unknown" } else { "未知" }.into());
    let changed = v
        .changed
        .iter()
        .map(|f| field_label(f, en))
        .collect::<Vec<_>>()
        .join(if en { ", " } else { "、" });
    let overridden = v
        .overridden
        .iter()
        .map(|o| {
            let label = field_label(&o.field, en);
            let was = shown(Some(&o.was));
            view! {
                <li data-testid="history-overridden" data-field=o.field.clone()>
                    <strong>{label}</strong>
                    {say(i18n, "：此次修改覆盖了原来的 ", ": this change replaced ")}
                    <q>{was}</q>
                </li>
            }
        })
        .collect_view();
    view! {
        <li class="history__version" data-testid="history-version" data-version=v.version.to_string()>
            <p>
                <strong>{if en { format!("Version {}", v.version) } else { format!("第 {} 版", v.version) }}</strong>
                " · " {how(&v, en)} " · " <span data-testid="history-by">{who}</span>
                " · " <span class="muted">{when}</span>
            </p>
            {(!changed.is_empty()).then(|| view! {
                <p class="muted" data-testid="history-changed">{say(i18n, "改了：", "Changed: ")} {changed}</p>
            })}
            <ul>{overridden}</ul>
        </li>
    }
}

/// The history card: closed at first; opening it reads the versions.
#[component]
pub fn HistoryCard(case: RwSignal<Option<Case>>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let asked = RwSignal::new(false);
    let answer = RwSignal::new(None::<Result<CaseHistory, ActionError>>);
    let open = move |_| {
        if asked.get_untracked() {
            return;
        }
        let Some(id) = case.with_untracked(|c| c.as_ref().map(|c| c.id)) else {
            return;
        };
        asked.set(true);
        spawn_local(async move {
            let got = online::case_history(id).await;
            if got.is_err() {
                // a later opening tries again (the network may be back)
                asked.try_set(false);
            }
            answer.try_set(Some(got));
        });
    };
    view! {
        <details class="card step" data-testid="history-card">
            <summary class="step__title" on:click=open>{say(i18n, "修改记录", "Change history")}</summary>
            {move || match answer.get() {
                None => view! { <p class="muted">{say(i18n, "正在读取…", "Loading…")}</p> }.into_any(),
                Some(Err(e)) => view! {
                    <p class="field__error" role="alert" data-testid="history-error">{e.message}</p>
                }.into_any(),
                Some(Ok(h)) => view! {
                    <ol class="history" data-testid="history-versions">
                        {h.versions.into_iter().map(|v| view! { <Version v en=en() /> }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </details>
    }
}
