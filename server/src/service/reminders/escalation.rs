//! Escalation of high-risk disputes (docs/domain.md §9): an open case marked
//! high risk reaches its township's judicial office and the city bureau at
//! once — in their app inbox and through the channels — and only once
//! (the claim's key names the case and the level).

use super::message::{Counts, Item, Message};
use super::recipients::Recipient;
use crate::store::reminders::ESCALATION_MARK;
use domain::UnitId;
use domain::api::InboxKind;
use domain::case::{Case, CaseStatus, RiskLevel, dispute_type_name};
use domain::sync::{Entity, Mutation, Op};
use std::collections::HashMap;

/// An open, high-risk case whose risk is not closed out (销号).
pub fn needs(case: &Case) -> bool {
    case.risk == RiskLevel::High && case.status != CaseStatus::Closed && case.risk_open()
}

/// `<unit>/escalate:<case>/high`: one escalation per case and level.
pub fn key(case: &Case) -> String {
    format!("{}{ESCALATION_MARK}{}/high", case.unit_id, case.id)
}

/// Whether a pushed mutation may store a high-risk case (checked before the
/// push is applied; the escalation itself reads the stored case).
pub fn may_escalate(m: &Mutation) -> bool {
    m.entity == Entity::Case
        && m.op == Op::Upsert
        && m.payload
            .as_ref()
            .and_then(|p| p.get("risk"))
            .and_then(|r| r.as_str())
            == Some("high")
}

/// The text of one case, without the parties' names (personal data stays
/// in the case, in scope): its type, committee and day received.
fn line(case: &Case, unit_names: &HashMap<UnitId, String>) -> String {
    let unit = unit_names
        .get(&case.unit_id)
        .map(String::as_str)
        .unwrap_or("");
    let kind = dispute_type_name(&case.dispute_type).unwrap_or("其他");
    format!(
        "{unit} {kind}纠纷（{}月{}日受理）",
        case.received_on.month(),
        case.received_on.day()
    )
}

/// The message of `cases` to one supervisor; `level_zh` names a case's
/// high level as its locality does (高风险, 红色风险).
pub fn compose(
    recipient: &Recipient,
    cases: &[&Case],
    unit_names: &HashMap<UnitId, String>,
    level_zh: &dyn Fn(&Case) -> String,
) -> Message {
    let lines: Vec<String> = cases.iter().map(|c| line(c, unit_names)).collect();
    let mut levels: Vec<String> = Vec::new();
    for c in cases {
        let name = level_zh(c);
        if !levels.contains(&name) {
            levels.push(name);
        }
    }
    let items = cases
        .iter()
        .map(|c| Item {
            key: key(c),
            unit_name: unit_names.get(&c.unit_id).cloned().unwrap_or_default(),
            unit_id: c.unit_id,
            kind: InboxKind::Escalation,
            code: "high".into(),
            name_zh: format!("{}纠纷", level_zh(c)),
            period: None,
            case_id: Some(c.id),
            state: "overdue",
            due_on: domain::dates::format_iso(c.received_on),
            detail_zh: line(c, unit_names),
        })
        .collect();
    Message {
        recipient: recipient.into(),
        counts: Counts {
            due: 0,
            overdue: cases.len() as u32,
        },
        text_zh: format!(
            "【调解通】{}纠纷上报：{}。请及时研判并指定包保人。",
            levels.join("、"),
            lines.join("；")
        ),
        text_en: format!(
            "Tiaojie: {} high-risk dispute(s) reported; please assess and name a responsible person.",
            cases.len()
        ),
        items,
    }
}
