//! The phone's reminders (提醒): which units a mediator answers for, the
//! open cases whose risk needs following up, and the reminders of both
//! folded into the lines of the Home card — one line per duty, period and
//! state ("上周 18 个小组未排查"), one per follow-up.

use super::reminder::{Counts, Reminder, ReminderState, RiskRef, Subject, UnitRef, summary};
use crate::case::{Case, CaseStatus, RiskLevel};
use crate::ids::UnitId;
use crate::org::UnitRecord;
use jiff::civil::Date;
use std::collections::{HashMap, HashSet};

/// The units a user at `root` answers for: `root` and every unit below it
/// (a village committee and its villager groups), `root` first, the rest in
/// the order given. Units above it (the township, the city) are not its
/// duty. A root the list does not hold gives no unit.
pub fn units_in_charge(root: UnitId, units: &[UnitRecord]) -> Vec<UnitRef> {
    let mut children: HashMap<UnitId, Vec<&UnitRecord>> = HashMap::new();
    for u in units {
        if let Some(parent) = u.parent_id {
            children.entry(parent).or_default().push(u);
        }
    }
    let Some(top) = units.iter().find(|u| u.id == root) else {
        return Vec::new();
    };
    let mut out = vec![unit_ref(top)];
    let mut seen: HashSet<UnitId> = HashSet::from([root]);
    let mut next = vec![root];
    while let Some(id) = next.pop() {
        for child in children.get(&id).into_iter().flatten() {
            // a cycle in bad data must not loop for ever
            if seen.insert(child.id) {
                out.push(unit_ref(child));
                next.push(child.id);
            }
        }
    }
    let code: HashMap<UnitId, &str> = units.iter().map(|u| (u.id, u.code.as_str())).collect();
    out[1..].sort_by(|a, b| code.get(&a.id).cmp(&code.get(&b.id)));
    out
}

fn unit_ref(u: &UnitRecord) -> UnitRef {
    UnitRef {
        id: u.id,
        kind: u.kind,
        since: None,
    }
}

/// The risk level's code in the schedule's follow-ups.
pub fn risk_code(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Low => "low",
        RiskLevel::Medium => "medium",
        RiskLevel::High => "high",
    }
}

/// The open (not closed) cases as risk items to follow up: followed up
/// last at their latest session, or when they were received.
pub fn case_risks<'c>(cases: impl IntoIterator<Item = &'c Case>) -> Vec<RiskRef<'static>> {
    cases
        .into_iter()
        .filter(|c| c.status != CaseStatus::Closed && c.risk_open())
        .map(|c| RiskRef {
            case_id: c.id,
            unit_id: c.unit_id,
            level: risk_code(c.risk),
            last_follow_up: c
                .sessions
                .iter()
                .map(|s| s.held_on)
                .max()
                .unwrap_or(c.received_on)
                .max(c.received_on),
        })
        .collect()
}

/// One line of the Home card: a duty of one period that some units have
/// not done, or one case to follow up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestLine {
    pub subject: Subject,
    pub state: ReminderState,
    /// The last day to act (see [`Reminder::due_on`]).
    pub due_on: Date,
    /// The units it is about, in the order of the reminders.
    pub units: Vec<UnitId>,
    /// The most periods any of those units missed lately.
    pub missed_recent: u8,
}

/// The Home card: how many reminders are in each state, and the lines of
/// those not done — overdue first, then by the last day to act.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digest {
    pub counts: Counts,
    pub lines: Vec<DigestLine>,
}

impl Digest {
    /// What the app badge shows: reminders still to act on.
    pub fn open(&self) -> u32 {
        self.counts.due + self.counts.overdue
    }
}

/// Folds reminders into the Home card's lines.
pub fn digest(reminders: &[Reminder]) -> Digest {
    let mut lines: Vec<DigestLine> = Vec::new();
    let mut at: HashMap<(Subject, ReminderState), usize> = HashMap::new();
    for r in reminders.iter().filter(|r| r.state != ReminderState::Done) {
        let key = (r.subject.clone(), r.state);
        match at.get(&key) {
            Some(&i) => {
                let line = &mut lines[i];
                line.units.push(r.unit_id);
                line.missed_recent = line.missed_recent.max(r.missed_recent);
                line.due_on = line.due_on.min(r.due_on);
            }
            None => {
                at.insert(key, lines.len());
                lines.push(DigestLine {
                    subject: r.subject.clone(),
                    state: r.state,
                    due_on: r.due_on,
                    units: vec![r.unit_id],
                    missed_recent: r.missed_recent,
                });
            }
        }
    }
    // overdue first; then the sooner deadline; the schedule's order stays
    lines.sort_by(|a, b| b.state.cmp(&a.state).then(a.due_on.cmp(&b.due_on)));
    Digest {
        counts: summary(reminders),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::UnitKind;
    use crate::screening::{Period, RecordIndex, RecordRef, Schedule};
    use jiff::civil::date;

    fn unit(key: &str, kind: UnitKind, parent: Option<&str>) -> UnitRecord {
        UnitRecord {
            id: UnitId::stable(key),
            code: key.into(),
            name: key.into(),
            kind,
            parent_id: parent.map(UnitId::stable),
        }
    }

    fn tree() -> Vec<UnitRecord> {
        vec![
            unit("city", UnitKind::City, None),
            unit("town", UnitKind::Township, Some("city")),
            unit("v1", UnitKind::Village, Some("town")),
            unit("v1-g2", UnitKind::VillagerGroup, Some("v1")),
            unit("v1-g1", UnitKind::VillagerGroup, Some("v1")),
            unit("v2", UnitKind::Village, Some("town")),
            unit("v2-g1", UnitKind::VillagerGroup, Some("v2")),
        ]
    }

    #[test]
    fn a_village_answers_for_itself_and_its_groups_only() {
        let ids: Vec<UnitId> = units_in_charge(UnitId::stable("v1"), &tree())
            .iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(
            ids,
            vec![
                UnitId::stable("v1"),
                UnitId::stable("v1-g1"),
                UnitId::stable("v1-g2")
            ]
        );
        assert!(units_in_charge(UnitId::stable("elsewhere"), &tree()).is_empty());
    }

    #[test]
    fn a_cycle_in_the_tree_ends() {
        let mut units = tree();
        units[2].parent_id = Some(UnitId::stable("v1-g1")); // v1 under its own group
        assert_eq!(units_in_charge(UnitId::stable("v1"), &units).len(), 3);
    }

    #[test]
    fn groups_missing_one_week_make_one_line() {
        let schedule = Schedule::five_ones();
        let units = units_in_charge(UnitId::stable("v1"), &tree());
        // Friday 2027-01-01, in ISO week 2026-W53; g1 screened in W52 only
        let today = date(2027, 1, 1);
        let records = [RecordRef {
            unit_id: UnitId::stable("v1-g1"),
            duty: "group_weekly_screening",
            date: date(2026, 12, 22),
        }];
        let rs = RecordIndex::build(&schedule, &records, today).reminders(&units, &[]);
        let d = digest(&rs);
        let w52 = Period::parse("2026-W52").unwrap();
        let line = d
            .lines
            .iter()
            .find(|l| {
                l.subject
                    == Subject::Duty {
                        code: "group_weekly_screening".into(),
                        period: w52,
                    }
            })
            .expect("last week's line");
        assert_eq!(line.state, ReminderState::Overdue);
        assert_eq!(line.units, vec![UnitId::stable("v1-g2")]);
        // overdue lines come first
        assert_eq!(d.lines[0].state, ReminderState::Overdue);
        assert!(
            d.lines
                .windows(2)
                .all(|w| w[0].state >= w[1].state || w[0].due_on <= w[1].due_on)
        );
        // every reminder not done is in exactly one line
        let open: usize = d.lines.iter().map(|l| l.units.len()).sum();
        assert_eq!(open as u32, d.open());
    }

    #[test]
    fn open_cases_are_followed_up_from_their_latest_session() {
        let mut case = crate::sample::cases(
            1,
            7,
            UnitId::stable("v1"),
            crate::PersonId::stable("m"),
            date(2026, 11, 1),
            date(2026, 11, 1),
        )
        .remove(0);
        case.status = CaseStatus::Mediating;
        case.risk = RiskLevel::High;
        case.received_on = date(2026, 11, 1);
        case.sessions.clear();
        let risks = case_risks(std::slice::from_ref(&case));
        assert_eq!(risks.len(), 1);
        assert_eq!(risks[0].level, "high");
        assert_eq!(risks[0].last_follow_up, date(2026, 11, 1));
        case.status = CaseStatus::Closed;
        assert!(case_risks([&case]).is_empty());
    }
}
