//! What one recipient is told in one pass: their newly claimed reminders,
//! as a short text (an SMS) and as data (a webhook's JSON, a push
//! notification's payload).

use super::recipients::Recipient;
use domain::api::InboxKind;
use domain::screening::{Reminder, ReminderState, Schedule, Subject, digest};
use domain::{CaseId, PersonId, UnitId};
use serde::Serialize;
use std::collections::HashMap;

/// One reminder as a channel sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// `Reminder::reminder_key`: the same key in every message about it.
    pub key: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    /// `duty`, `follow_up` or `escalation`
    pub kind: InboxKind,
    /// The duty's code, or the risk level's for a follow-up.
    pub code: String,
    pub name_zh: String,
    /// The period's key (`2026-W47`) for a duty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
    /// `due` or `overdue`
    pub state: &'static str,
    pub due_on: String,
    /// One line about this item alone (an escalated case), for an inbox.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail_zh: String,
}

/// Who is told what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub recipient: RecipientOut,
    pub counts: Counts,
    /// e.g. `【调解通】排查提醒：调解小组每周排查 2026年第47周 已逾期 3 个单位（截止 11-22）。`
    pub text_zh: String,
    pub text_en: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecipientOut {
    pub person_id: PersonId,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

impl From<&Recipient> for RecipientOut {
    fn from(r: &Recipient) -> RecipientOut {
        RecipientOut {
            person_id: r.person_id,
            name: r.name.clone(),
            phone: r.phone.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub due: u32,
    pub overdue: u32,
}

/// The most lines a text lists; the rest are counted.
const MAX_LINES: usize = 3;

fn month_day(date: jiff::civil::Date) -> String {
    format!("{}月{}日", date.month(), date.day())
}

/// The message of `reminders` (open ones, of one recipient); a duty is
/// named by the first of `schedules` (those of the reminders' units) that
/// has it.
pub fn compose(
    recipient: &Recipient,
    reminders: &[&Reminder],
    schedules: &[&Schedule],
    unit_names: &HashMap<UnitId, String>,
) -> Message {
    // a risk level as the locality names it (高风险, 红色风险)
    let level_zh = |code: &str| {
        schedules.first().map_or_else(
            || Schedule::five_ones().risk_name(code, false),
            |s| s.risk_name(code, false),
        )
    };
    let owned: Vec<Reminder> = reminders.iter().map(|r| (*r).clone()).collect();
    let d = digest(&owned);
    let duty_name = |code: &str| {
        schedules
            .iter()
            .find_map(|s| s.duty(code))
            .map(|d| (d.name_zh.clone(), d.name_en.clone()))
            .unwrap_or_else(|| (code.to_owned(), code.to_owned()))
    };
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for line in d.lines.iter().take(MAX_LINES) {
        let state = line.state.name_zh();
        match &line.subject {
            Subject::Duty { code, period } => {
                let (name_zh, name_en) = duty_name(code);
                zh.push(format!(
                    "{name_zh} {} {state} {} 个单位（截止{}）",
                    period.label_zh(),
                    line.units.len(),
                    month_day(line.due_on)
                ));
                en.push(format!(
                    "{name_en}, {}: {} for {} unit(s), by {}",
                    period.label_en(),
                    line.state.code(),
                    line.units.len(),
                    line.due_on
                ));
            }
            Subject::FollowUp { level, .. } => {
                zh.push(format!(
                    "{}纠纷回访 {state}（{}）",
                    level_zh(level),
                    month_day(line.due_on)
                ));
                en.push(format!(
                    "follow-up of a {level}-risk dispute: {}, by {}",
                    line.state.code(),
                    line.due_on
                ));
            }
        }
    }
    let more = d.lines.len().saturating_sub(MAX_LINES);
    let tail_zh = if more > 0 {
        format!("；另有 {more} 项")
    } else {
        String::new()
    };
    let tail_en = if more > 0 {
        format!("; and {more} more")
    } else {
        String::new()
    };
    let items = reminders
        .iter()
        .map(|r| {
            let (kind, code, name_zh, period, case_id) = match &r.subject {
                Subject::Duty { code, period } => (
                    InboxKind::Duty,
                    code.clone(),
                    duty_name(code).0,
                    Some(period.key()),
                    None,
                ),
                Subject::FollowUp { case_id, level } => (
                    InboxKind::FollowUp,
                    level.clone(),
                    format!("{}纠纷回访", level_zh(level)),
                    None,
                    Some(*case_id),
                ),
            };
            Item {
                key: r.reminder_key(),
                unit_name: unit_names.get(&r.unit_id).cloned().unwrap_or_default(),
                unit_id: r.unit_id,
                kind,
                code,
                name_zh,
                period,
                case_id,
                state: r.state.code(),
                due_on: domain::dates::format_iso(r.due_on),
                detail_zh: String::new(),
            }
        })
        .collect();
    let count = |s| reminders.iter().filter(|r| r.state == s).count() as u32;
    Message {
        recipient: recipient.into(),
        counts: Counts {
            due: count(ReminderState::Due),
            overdue: count(ReminderState::Overdue),
        },
        text_zh: format!(
            "【调解通】排查提醒：{}{tail_zh}。请打开调解通登记。",
            zh.join("；")
        ),
        text_en: format!("Tiaojie reminder: {}{tail_en}.", en.join("; ")),
        items,
    }
}
