//! What sync has to say about one case, on its page: changes the server
//! refused (with its reasons, and a way to send the case again once fixed),
//! and notices of merges where the server's order decided between this
//! phone's value and someone else's (the replaced version stays in the
//! phone's history).

use crate::i18n::{Locale, use_i18n};
use crate::phone;
use crate::records::HistoryEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A case field's name for people (Chinese / English).
pub fn field_label(field: &str, en: bool) -> String {
    let (zh, english) = match field {
        "summary" => ("简要案情", "brief facts"),
        "place" => ("地点", "place"),
        "risk" => ("风险等级", "risk level"),
        "parties" => ("当事人", "parties"),
        "status" => ("状态", "status"),
        "outcome" => ("调解结果", "outcome"),
        "agreed_terms" => ("协议内容", "agreed terms"),
        "dispute_type" => ("纠纷类型", "dispute type"),
        "received_on" => ("受理日期", "date received"),
        "closed_on" => ("结案日期", "closing date"),
        "sessions" => ("调解记录", "sessions"),
        "performance" => ("履行方式", "performance"),
        "amount_involved" => ("涉及金额", "amount involved"),
        "follow_up" => ("回访", "follow-up visit"),
        "forms" => ("卷宗材料", "dossier forms"),
        "mediator" => ("调解员", "mediator"),
        "source" => ("纠纷来源", "source"),
        "owner_id" => ("负责人", "owner"),
        "seq" => ("案号", "case number"),
        "attachments" => ("照片", "photos"),
        "locked_reason" => ("锁定", "lock"),
        "risk_assessment" => ("风险研判", "risk assessment"),
        "kind" => ("调解方式", "kind"),
        "unit_id" => ("调委会", "committee"),
        "deaths" => ("死亡人数", "deaths"),
        "disability_grade" => ("伤残等级", "disability grade"),
        "independent" => ("独立调解", "mediated on its own"),
        "major_review" => ("重大纠纷核实", "major-case review"),
        _ => (field, field),
    };
    if en { english } else { zh }.to_owned()
}

/// A value as words: texts and numbers as they are; a record (a visit,
/// a party) as its texts in a row, in the order of their names, without
/// ids; a list item by item.
fn plain(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(plain)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("；"),
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| *k != "id" && !k.ends_with("_id") && *k != "kind")
            .map(|(_, v)| plain(v))
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// A replaced value, short enough for a notice.
pub fn shown(value: Option<&serde_json::Value>) -> String {
    let text = value.map(plain).unwrap_or_default();
    let text = if text.is_empty() {
        "（空）".to_owned()
    } else {
        text
    };
    let mut short: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        short.push('…');
    }
    short
}

/// The unread conflict notices among a case's history.
fn unread_conflicts(history: Vec<HistoryEntry>) -> Vec<HistoryEntry> {
    history
        .into_iter()
        .filter(|h| !h.overridden.is_empty() && !h.seen)
        .collect()
}

#[component]
pub fn SyncNotes(#[prop(into)] case_id: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let en = move || i18n.get_locale() == Locale::en;
    let refresh = RwSignal::new(0u32);
    let notes = LocalResource::new(move || {
        refresh.track();
        let id = case_id.get();
        async move {
            let refused = phone::refused(id.clone()).await.unwrap_or_default();
            let conflicts = unread_conflicts(phone::history(id).await.unwrap_or_default());
            (refused, conflicts)
        }
    });
    let retry = move |_| {
        spawn_local(async move {
            if phone::retry_refused(case_id.get_untracked()).await.is_ok() {
                refresh.update(|n| *n += 1);
            }
        });
    };
    let seen = move |_| {
        spawn_local(async move {
            if phone::mark_conflicts_seen(case_id.get_untracked())
                .await
                .is_ok()
            {
                refresh.update(|n| *n += 1);
            }
        });
    };
    move || {
        let (refused, conflicts) = notes.get().unwrap_or_default();
        let refused_view = (!refused.is_empty()).then(|| {
            view! {
                <section class="card notice notice--warn" role="alert" data-testid="refused">
                    <h2 class="card__label">{crate::lazy_text::say(i18n, "服务器未接受此案件的修改", "The server did not accept changes to this case")}</h2>
                    <ul>
                        {refused
                            .into_iter()
                            .map(|e| view! { <li data-testid="refused-reason">{e.error.unwrap_or_default()}</li> })
                            .collect_view()}
                    </ul>
                    <p class="muted">{crate::lazy_text::say(i18n, "请按上面的原因改正案件，然后点“重新提交”，下次同步时再发送。", "Fix the case as the reason says, then tap “Send again”: it goes with the next sync.")}</p>
                    <button class="button" data-testid="retry-refused" on:click=retry>
                        {crate::lazy_text::say(i18n, "重新提交", "Send again")}
                    </button>
                </section>
            }
        });
        // a new case number alone is not a merge with anyone's changes
        let numbers_only = conflicts.iter().all(|h| h.overridden == ["seq"]);
        let conflict_view = (!conflicts.is_empty()).then(|| {
            let lines = conflicts
                .iter()
                .flat_map(|h| {
                    let before = serde_json::to_value(&h.case).unwrap_or_default();
                    h.overridden
                        .iter()
                        .map(|field| {
                            let label = field_label(field, en());
                            // this phone's value that someone's later change replaced
                            let was = h.theirs_won.then(|| shown(before.get(field)));
                            (field == "seq", h.theirs_won, label, was)
                        })
                        .collect::<Vec<_>>()
                })
                .map(|(number, theirs, label, was)| {
                    if number {
                        // the server gave the case a new number (案号)
                        let old = was.unwrap_or_default();
                        let data_was = old.clone();
                        return view! {
                            <li data-testid="renumbered" data-was=data_was>
                                <strong>{label}</strong>
                                {crate::lazy_text::say(i18n, "：本会另一件案件已先用了第 ", ": another case of your committee already had number ")}
                                {old}
                                {crate::lazy_text::say(i18n, " 号，服务器给此案换了新案号（见页首）。如已打印，请按新案号改正纸质文书。", ", so the server gave this case a new number (at the top of the page). If you printed it, correct the paper forms.")}
                            </li>
                        }
                        .into_any();
                    }
                    view! {
                        <li data-testid="conflict-field" data-theirs=theirs.to_string()>
                            <strong>{label}</strong>
                            {if theirs {
                                crate::lazy_text::say(i18n, "：他人在你之后也改了这里，已采用其修改；你的内容保存在本机历史中。", ": someone changed this after you; their change was kept, and yours is in this phone's history.").into_any()
                            } else {
                                crate::lazy_text::say(i18n, "：你和他人都改了这里，按服务器顺序采用了你的修改；他人的内容保存在服务器历史中。", ": you and someone else both changed this; yours came later and was kept; theirs is in the server's history.").into_any()
                            }}
                            {was.map(|was| view! { " " {crate::lazy_text::say(i18n, "你原来填的是", "You had")} " " <q>{was}</q> })}
                        </li>
                    }
                    .into_any()
                })
                .collect_view();
            view! {
                <section class="card notice" role="status" data-testid="conflict-notice">
                    <h2 class="card__label">{if numbers_only {
                        crate::lazy_text::say(i18n, "案号已更改", "The case number changed")
                    } else {
                        crate::lazy_text::say(i18n, "同步时与他人的修改合并", "Merged with someone else's changes")
                    }}</h2>
                    <ul>{lines}</ul>
                    <button class="button button--quiet" data-testid="conflict-seen" on:click=seen>
                        {crate::lazy_text::say(i18n, "知道了", "Got it")}
                    </button>
                </section>
            }
        });
        view! { {refused_view} {conflict_view} }
    }
}

#[cfg(test)]
mod tests {
    use super::shown;
    use serde_json::json;

    #[test]
    fn a_replaced_value_reads_as_words() {
        let visit = json!({"on": "2026-12-05", "note": "司法所回访：已履行"});
        assert_eq!(shown(Some(&visit)), "司法所回访：已履行 2026-12-05");
        let sessions = json!([
            {"id": "0192f0c1-0000-7000-8000-000000000001", "held_on": "2026-11-02", "place": "村委会", "record": "双方同意"},
            {"id": "0192f0c1-0000-7000-8000-000000000002", "held_on": "2026-11-09", "place": "", "record": "签订协议"}
        ]);
        assert_eq!(
            shown(Some(&sessions)),
            "2026-11-02 村委会 双方同意；2026-11-09 签订协议"
        );
        assert_eq!(shown(Some(&json!({"kind": "immediate"}))), "（空）");
        assert_eq!(shown(None), "（空）");
        assert_eq!(shown(Some(&json!(12))), "12");
        let long = "长".repeat(80);
        assert_eq!(
            shown(Some(&json!(long))).chars().count(),
            61,
            "cut at 60, with …"
        );
    }
}
