//! Claims (以案定补申报) that have waited too long at a step: the people who
//! sign that step over the claiming committee hear of it — in their inbox
//! and through the channels — once per claim and step (the key names both).
//! A grave case waiting at 审批 reminds the party group as well.

use super::message::{Counts, Item, Message};
use super::recipients::Recipient;
use crate::store::claims::StoredClaim;
use crate::store::reminders::CLAIM_MARK;
use domain::api::InboxKind;
use domain::claim::{Claim, Stage, Step};
use domain::{Role, Timestamp, special};
use jiff::civil::Date;

/// One claim waiting for one role.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub claim: Claim,
    /// When it last moved.
    pub since: Timestamp,
    pub role: Role,
    /// The step's code, or `special` for the party group's decision.
    pub what: &'static str,
    pub what_zh: &'static str,
    days: u32,
}

impl Waiting {
    /// `<unit>/claim:<claim>/<step>`: one reminder per claim and step.
    pub fn key(&self) -> String {
        format!(
            "{}{CLAIM_MARK}{}/{}",
            self.claim.unit_id, self.claim.id, self.what
        )
    }

    /// The day it became overdue.
    pub fn due_on(&self) -> Date {
        self.since
            .plus_seconds(i64::from(self.days) * 86_400)
            .china_date()
    }

    fn days_waited(&self, today: Date) -> i32 {
        (today - self.since.china_date()).get_days().max(0)
    }
}

/// The claims that have waited more than `days` for a person: at a step
/// an office signs or pays (到账确认 is the mediator's own, in 我的补助),
/// and at 审批 for the party group when a grave case waits for it.
pub fn waiting(open: &[(StoredClaim, Timestamp)], now: Timestamp, days: u32) -> Vec<Waiting> {
    let limit = now.plus_seconds(-(i64::from(days) * 86_400));
    let mut out = Vec::new();
    for (stored, since) in open {
        if *since > limit {
            continue;
        }
        let Stage::At(step) = stored.claim.stage else {
            continue;
        };
        if step == Step::Receipt {
            continue;
        }
        let wait = |role, what, what_zh| Waiting {
            claim: stored.claim.clone(),
            since: *since,
            role,
            what,
            what_zh,
            days,
        };
        out.push(wait(step.role(), step.code(), step.name_zh()));
        if step == Step::Approval && !special::awaiting(&stored.claim).is_empty() {
            out.push(wait(
                Role::BureauPartyGroup,
                "special",
                "党组决定重特大纠纷",
            ));
        }
    }
    out
}

fn line(w: &Waiting, today: Date) -> String {
    format!(
        "{}{}申报（{} 元）待{}，已等 {} 天",
        w.claim.unit_name,
        w.claim.quarter.label_zh(),
        w.claim.total(),
        w.what_zh,
        w.days_waited(today)
    )
}

/// The message of the claims waiting for one person.
pub fn compose(recipient: &Recipient, waits: &[&Waiting], today: Date) -> Message {
    let lines: Vec<String> = waits.iter().take(3).map(|w| line(w, today)).collect();
    let more = waits.len().saturating_sub(lines.len());
    let items = waits
        .iter()
        .map(|w| Item {
            key: w.key(),
            unit_id: w.claim.unit_id,
            unit_name: w.claim.unit_name.clone(),
            kind: InboxKind::Claim,
            code: w.what.to_owned(),
            name_zh: format!("以案定补申报待{}", w.what_zh),
            period: Some(w.claim.quarter.to_string()),
            case_id: None,
            state: "overdue",
            due_on: domain::dates::format_iso(w.due_on()),
            detail_zh: line(w, today),
        })
        .collect();
    Message {
        recipient: recipient.into(),
        counts: Counts {
            due: 0,
            overdue: waits.len() as u32,
        },
        text_zh: format!(
            "【调解通】以案定补申报等您处理：{}{}。",
            lines.join("；"),
            if more > 0 {
                format!("，另有 {more} 份")
            } else {
                String::new()
            }
        ),
        text_en: format!(
            "Tiaojie: {} subsidy claim(s) have waited for your step; please sign them.",
            waits.len()
        ),
        items,
    }
}
