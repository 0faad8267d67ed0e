//! The phone's reminders (排查提醒): computed here, offline, from what the
//! last sync brought (the unit tree and the schedule) and what is recorded
//! on this phone (screening records, cases), with the same domain code the
//! server uses. Home shows them; the screening form starts from one.

use crate::phone::ReminderInputs;
use domain::case::{Case, CaseStatus, RiskLevel};
use domain::dates::format_iso;
use domain::screening::{
    Counts, Digest, DigestLine, RecordIndex, RecordRef, ReminderState, Schedule, Subject, UnitRef,
    applying, case_risks, digest, units_in_charge,
};
use domain::{PersonId, UnitId, UnitKind};
use jiff::civil::Date;
use std::collections::HashMap;

/// What Home and the form need.
#[derive(Debug, Clone)]
pub struct Reminders {
    pub digest: Digest,
    pub schedule: Schedule,
    /// The units the user answers for, in order, with their kinds.
    pub units: Vec<(UnitId, UnitKind)>,
    pub names: HashMap<UnitId, String>,
    /// Who records on this phone (the session's person).
    pub person: PersonId,
    /// The user supervises (a judicial office, a township, the bureau):
    /// duty lines lead to the compliance view, not to the form.
    pub office: bool,
    /// The open high-risk cases of the user's units (高风险纠纷), newest
    /// first, at most [`MAX_HIGH_RISK`]; and how many there are.
    pub high_risk: Vec<RiskCase>,
    pub high_risk_total: usize,
    pub index_today: Date,
    /// Milliseconds the computation took (measured, see docs/perf.md).
    pub compute_ms: f64,
}

impl Reminders {
    pub fn name(&self, unit: UnitId) -> String {
        self.names.get(&unit).cloned().unwrap_or_else(|| "—".into())
    }
}

/// The most high-risk cases Home lists.
pub const MAX_HIGH_RISK: usize = 10;

/// An open high-risk case, as Home lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskCase {
    pub case_id: String,
    /// The parties' names.
    pub parties: String,
    pub unit: String,
    pub received_on: Date,
    pub status: CaseStatus,
}

/// The schedule that applies: the one of a locality among the units the
/// sync brought (the city's code above the user), else the newest there
/// is — `domain::screening::applying`, the server's choice too.
fn pick_schedule(inputs: &ReminderInputs) -> Option<Schedule> {
    let codes: Vec<&str> = inputs.units.iter().map(|u| u.code.as_str()).collect();
    applying(&inputs.schedules, &codes).cloned()
}

/// The reminders of the user's units on `today`; none before the first
/// sync brought the unit tree and a schedule. `clock` reads a monotonic
/// time in milliseconds (the browser's `performance.now()`).
pub fn compute(inputs: &ReminderInputs, today: Date, clock: impl Fn() -> f64) -> Option<Reminders> {
    let schedule = pick_schedule(inputs)?;
    let root = inputs.root?;
    let person = inputs.person?;
    let started = clock();
    let units: Vec<UnitRef> = units_in_charge(root, &inputs.units);
    if units.is_empty() {
        return None;
    }
    let records: Vec<RecordRef<'_>> = inputs.screenings.iter().map(|r| r.record_ref()).collect();
    let mine: std::collections::HashSet<UnitId> = units.iter().map(|u| u.id).collect();
    let risks = case_risks(inputs.cases.iter().filter(|c| mine.contains(&c.unit_id)));
    let mut high: Vec<&Case> = inputs
        .cases
        .iter()
        .filter(|c| {
            c.risk == RiskLevel::High && c.status != CaseStatus::Closed && mine.contains(&c.unit_id)
        })
        .collect();
    high.sort_by_key(|c| std::cmp::Reverse((c.received_on, c.id)));
    let index = RecordIndex::build(&schedule, &records, today);
    let digest = digest(&index.reminders(&units, &risks));
    let compute_ms = clock() - started;
    let names: HashMap<UnitId, String> = inputs
        .units
        .iter()
        .map(|u| (u.id, u.name.clone()))
        .collect();
    let high_risk = high
        .iter()
        .take(MAX_HIGH_RISK)
        .map(|c| RiskCase {
            case_id: c.id.to_string(),
            parties: c
                .parties
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(" / "),
            unit: names.get(&c.unit_id).cloned().unwrap_or_default(),
            received_on: c.received_on,
            status: c.status,
        })
        .collect();
    Some(Reminders {
        office: inputs.role.is_some_and(domain::Role::supervises),
        high_risk,
        high_risk_total: high.len(),
        digest,
        units: units.iter().map(|u| (u.id, u.kind)).collect(),
        names,
        person,
        schedule,
        index_today: today,
        compute_ms,
    })
}

/// Reads the phone's data and computes its reminders now.
pub async fn load() -> Result<Option<Reminders>, String> {
    let inputs = crate::phone::reminder_inputs().await?;
    Ok(compute(&inputs, crate::clock::today_in_china(), now_ms))
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// How many lines Home's card lists before "还有 N 项".
pub const SHOWN: usize = 6;

/// One line of Home's card, ready to draw in either language (`[zh, en]`).
#[derive(Debug, Clone, PartialEq)]
pub struct CardLine {
    pub state: ReminderState,
    /// The duty's code, or `follow_up`.
    pub duty: String,
    /// The period's key (`2026-W47`), empty for a follow-up.
    pub period: String,
    pub href: String,
    pub title: [String; 2],
    pub sub: [String; 2],
}

/// A high-risk case as Home's card draws it.
#[derive(Debug, Clone, PartialEq)]
pub struct CardCase {
    pub href: String,
    pub parties: String,
    pub sub: [String; 2],
}

/// What Home's card draws: the counts and the first [`SHOWN`] lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub counts: Counts,
    pub lines: Vec<CardLine>,
    pub high_risk: Vec<CardCase>,
    pub high_risk_total: usize,
    /// Lines not listed.
    pub more: usize,
    /// The computation alone, and IndexedDB reads plus the computation (ms).
    pub compute_ms: f64,
    pub load_ms: f64,
}

impl Reminders {
    /// The line's title, where it goes, and the line under it.
    fn describe(&self, line: &DigestLine, en: bool) -> (String, String, String) {
        let deadline = format_iso(line.due_on);
        match &line.subject {
            Subject::Duty { code, period } => {
                let title = match (self.schedule.duty(code), en) {
                    (Some(d), false) => d.name_zh.clone(),
                    (Some(d), true) => d.name_en.clone(),
                    (None, _) => code.clone(),
                };
                let units = match (line.units.as_slice(), en) {
                    ([one], _) => self.name(*one),
                    (all, true) => format!("{} units", all.len()),
                    (all, false) => format!("{} 个单位", all.len()),
                };
                let sub = if en {
                    format!("{} · {units} · by {deadline}", period.label_en())
                } else {
                    format!("{} · {units} · 截止 {deadline}", period.label_zh())
                };
                let href = if self.office {
                    "/compliance".to_owned()
                } else {
                    format!("/screenings/new?duty={code}&period={}", period.key())
                };
                (title, href, sub)
            }
            Subject::FollowUp { case_id, level } => {
                // as the locality names its levels (高风险, 红色风险)
                let level = self.schedule.risk_name(level, en);
                let title = if en {
                    format!("Follow up a {level} case")
                } else {
                    format!("{level}纠纷回访稳控")
                };
                let unit = line
                    .units
                    .first()
                    .map(|u| self.name(*u))
                    .unwrap_or_default();
                let sub = if en {
                    format!("{unit} · by {deadline}")
                } else {
                    format!("{unit} · 截止 {deadline}")
                };
                (title, format!("/cases/{case_id}"), sub)
            }
        }
    }

    /// Home's card of these reminders.
    pub fn card(&self, load_ms: f64) -> Card {
        let lines = self
            .digest
            .lines
            .iter()
            .take(SHOWN)
            .map(|line| {
                let (title_zh, href, sub_zh) = self.describe(line, false);
                let (title_en, _, sub_en) = self.describe(line, true);
                let (duty, period) = match &line.subject {
                    Subject::Duty { code, period } => (code.clone(), period.key()),
                    Subject::FollowUp { .. } => ("follow_up".to_owned(), String::new()),
                };
                CardLine {
                    state: line.state,
                    duty,
                    period,
                    href,
                    title: [title_zh, title_en],
                    sub: [sub_zh, sub_en],
                }
            })
            .collect();
        let high_risk = self
            .high_risk
            .iter()
            .map(|c| {
                let (zh, en) = match c.status {
                    CaseStatus::Registered => ("已受理", "registered"),
                    CaseStatus::Mediating => ("调解中", "mediating"),
                    CaseStatus::Closed => ("已结案", "closed"),
                };
                let day = format_iso(c.received_on);
                CardCase {
                    href: format!("/cases/{}", c.case_id),
                    parties: c.parties.clone(),
                    sub: [
                        format!("{} · 受理 {day} · {zh}", c.unit),
                        format!("{} · received {day} · {en}", c.unit),
                    ],
                }
            })
            .collect();
        Card {
            counts: self.digest.counts,
            lines,
            high_risk,
            high_risk_total: self.high_risk_total,
            more: self.digest.lines.len().saturating_sub(SHOWN),
            compute_ms: self.compute_ms,
            load_ms,
        }
    }
}

// Home's card reaches the computation only through this lazy function:
// built with `--split`, the schedule, the reminder index and the record
// types are a wasm chunk of their own, fetched when Home first asks (the
// worker precaches it), not part of the first load (docs/perf.md).

/// Reads the phone's data, computes the reminders, sets the badge, leaves
/// the counts for the service worker, notifies once a day when allowed,
/// and gives Home's card.
#[cfg_attr(feature = "entry", leptos::prelude::lazy)]
#[cfg(feature = "hydrate")]
pub async fn load_card() -> Result<Option<Card>, String> {
    let started = now_ms();
    let reminders = load().await?;
    Ok(reminders.map(|r| {
        announce(&r);
        r.card(now_ms() - started)
    }))
}

/// Asks to notify (from a tap); once granted, asks for the periodic wake-up.
#[cfg(feature = "hydrate")]
pub async fn allow_notifications() -> String {
    let answer = crate::notify::request_permission().await;
    if answer == "granted" {
        crate::notify::register_periodic_check().await;
        crate::online::register_push(true).await;
    }
    answer
}

#[cfg(feature = "hydrate")]
fn announce(r: &Reminders) {
    let open = r.digest.open();
    crate::notify::set_badge(open);
    let day = format_iso(r.index_today);
    let counts = r.digest.counts;
    // for the service worker, woken by Periodic Background Sync
    let summary = serde_json::json!({
        "open": open,
        "overdue": counts.overdue,
        "due": counts.due,
        "day": day,
    })
    .to_string();
    leptos::task::spawn_local(async move {
        let _ = crate::phone::save_reminder_summary(summary).await;
        if crate::notify::permission() != "granted" {
            return;
        }
        crate::notify::register_periodic_check().await;
        // the server's messages too, where they can arrive (once per log-in)
        crate::online::register_push(false).await;
        if open == 0 || crate::notify::shown_today(&day) {
            return;
        }
        let body = format!(
            "{} 项已逾期，{} 项待完成。打开调解通查看。/ {} overdue, {} due.",
            counts.overdue, counts.due, counts.overdue, counts.due
        );
        if crate::notify::show("调解通 · 排查提醒", &body, "tiaojie-reminders")
            .await
            .is_ok()
        {
            crate::notify::mark_shown(&day);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::org::UnitRecord;
    use jiff::civil::date;

    fn unit(key: &str, kind: UnitKind, parent: Option<&str>) -> UnitRecord {
        UnitRecord {
            id: UnitId::stable(key),
            code: key.into(),
            name: format!("{key}-name"),
            kind,
            parent_id: parent.map(UnitId::stable),
        }
    }

    fn inputs(role: &str) -> ReminderInputs {
        let mut cases = domain::sample::cases(
            4,
            11,
            UnitId::stable("v"),
            PersonId::stable("m"),
            date(2026, 11, 20),
            date(2026, 11, 25),
        );
        for (i, c) in cases.iter_mut().enumerate() {
            c.risk = RiskLevel::High;
            c.status = CaseStatus::Registered;
            c.received_on = date(2026, 11, 20 + i as i8);
        }
        cases[1].status = CaseStatus::Closed; // closed: not listed
        cases[2].unit_id = UnitId::stable("elsewhere"); // not the user's
        ReminderInputs {
            root: Some(UnitId::stable("v")),
            person: Some(PersonId::stable("m")),
            role: Some(role.parse().unwrap()),
            units: vec![
                unit("t", UnitKind::Township, None),
                unit("v", UnitKind::Village, Some("t")),
                unit("g1", UnitKind::VillagerGroup, Some("v")),
            ],
            schedules: vec![Schedule::five_ones()],
            screenings: Vec::new(),
            cases,
        }
    }

    #[test]
    fn open_high_risk_cases_of_the_users_units_are_listed_newest_first() {
        let r = compute(&inputs("mediator"), date(2026, 11, 29), || 0.0).unwrap();
        assert_eq!(r.high_risk_total, 2);
        assert_eq!(r.high_risk[0].received_on, date(2026, 11, 23));
        assert_eq!(r.high_risk[1].received_on, date(2026, 11, 20));
        assert_eq!(r.high_risk[0].unit, "v-name");
        // the township is not the mediator's duty; the village and its group are
        assert_eq!(r.units.len(), 2);
        let card = r.card(1.0);
        assert!(
            card.lines
                .iter()
                .any(|l| l.href.starts_with("/screenings/new?duty="))
        );
        assert_eq!(card.high_risk.len(), 2);
        assert!(card.high_risk[0].sub[0].contains("受理 2026-11-23"));
    }

    #[test]
    fn an_office_is_sent_to_the_compliance_view_and_nothing_shows_before_a_sync() {
        let r = compute(&inputs("judicial_staff"), date(2026, 11, 29), || 0.0).unwrap();
        assert!(
            r.card(0.0)
                .lines
                .iter()
                .all(|l| l.href == "/compliance" || l.href.starts_with("/cases/"))
        );
        let mut never_synced = inputs("mediator");
        never_synced.schedules.clear();
        assert!(compute(&never_synced, date(2026, 11, 29), || 0.0).is_none());
        let mut logged_out = inputs("mediator");
        logged_out.root = None;
        assert!(compute(&logged_out, date(2026, 11, 29), || 0.0).is_none());
    }
}
