//! The reminders of the screening schedule and of risk follow-ups: what is
//! done, due and overdue for each unit. The phone (its own few units, for the
//! Home badge) and the server (every unit, for notices and the compliance
//! view) run this same code on the same data, so they agree.
//!
//! **Definitions** (see [`Duty`](super::Duty)): a period's duty is *done*
//! when a record of that duty for that unit is dated inside it. The running
//! period without a record is *due* (from its first day, or from its last
//! `lead_days` days). The period before it, if it has no record, is *due*
//! until its end plus `grace_days`, then *overdue*. Only the running and the
//! previous period give reminders; the last [`RECENT_PERIODS`] ended periods
//! give the count of missed ones, and [`RecordIndex::compliance`] rates up to
//! [`MAX_LOOKBACK`] of them. Periods that ended before the schedule's
//! `effective_from` or the unit's `since` are not counted at all (not even
//! the running one, when the schedule starts later).
//!
//! **Cost.** [`RecordIndex::build`] reads each record once: it finds the
//! record's duty (a scan of the schedule's few duties), turns its date into a
//! running period number by integer arithmetic, and sets one bit in a `u64`
//! kept per (unit, duty) — bit *k* for the period *k* periods before the
//! running one. Records in later periods or more than 63 periods back are
//! ignored. Each unit then costs a hash lookup and a few bit tests per duty:
//! O(records + units × duties) in all.

use super::period::{Cadence, Period, china_today, day_number, ordinal};
use super::schedule::Schedule;
use crate::UnitKind;
use crate::dates;
use crate::ids::{CaseId, UnitId};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// How many ended periods the missed count of a reminder looks at.
pub const RECENT_PERIODS: u8 = 4;
/// The most ended periods [`RecordIndex::compliance`] can rate.
pub const MAX_LOOKBACK: u8 = 63;

/// A unit as the reminders need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRef {
    pub id: UnitId,
    pub kind: UnitKind,
    /// The day the unit was set up, if known: periods that ended before it
    /// are not held against it.
    pub since: Option<Date>,
}

/// A record as the reminders need it: borrowed, so the server can pass a
/// year of a province's records without copying them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    pub unit_id: UnitId,
    /// The duty's code.
    pub duty: &'a str,
    /// The China date the duty was done.
    pub date: Date,
}

/// An open risk item as its follow-up reminder needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RiskRef<'a> {
    pub case_id: CaseId,
    /// The unit that follows it up (the case's owner's unit).
    pub unit_id: UnitId,
    /// The risk level code.
    pub level: &'a str,
    /// The last follow-up, or the day the level was set.
    pub last_follow_up: Date,
}

/// Where a reminder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReminderState {
    /// 已完成
    Done,
    /// 待完成
    Due,
    /// 已逾期
    Overdue,
}

impl ReminderState {
    pub fn code(self) -> &'static str {
        match self {
            ReminderState::Done => "done",
            ReminderState::Due => "due",
            ReminderState::Overdue => "overdue",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReminderState::Done => "已完成",
            ReminderState::Due => "待完成",
            ReminderState::Overdue => "已逾期",
        }
    }
}

/// What a reminder is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// A duty of the schedule in one period.
    Duty { code: String, period: Period },
    /// The follow-up (回访/稳控) of a risk item.
    FollowUp { case_id: CaseId, level: String },
}

/// One reminder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub unit_id: UnitId,
    pub subject: Subject,
    pub state: ReminderState,
    /// The last day to act: the period's end plus the grace days, or the
    /// follow-up's date. Overdue exactly when today is later.
    #[serde(with = "crate::dates::iso")]
    pub due_on: Date,
    /// For a duty: how many of the last [`RECENT_PERIODS`] ended periods had
    /// no record and are past their grace. Zero for follow-ups.
    pub missed_recent: u8,
}

impl Reminder {
    /// The period, for a duty.
    pub fn period(&self) -> Option<Period> {
        match &self.subject {
            Subject::Duty { period, .. } => Some(*period),
            Subject::FollowUp { .. } => None,
        }
    }

    /// A key that names the unit, the subject and the period — not the
    /// state: `<unit>/<duty>/2026-W53`, `<unit>/follow_up:<case>/2026-05-13`
    /// (the follow-up's date). A unique index on (key, channel) sends each
    /// period's notice at most once per channel; a sender that also wants
    /// to escalate from due to overdue keys on (key, state, channel).
    pub fn reminder_key(&self) -> String {
        match &self.subject {
            Subject::Duty { code, period } => format!("{}/{code}/{}", self.unit_id, period.key()),
            Subject::FollowUp { case_id, .. } => format!(
                "{}/follow_up:{case_id}/{}",
                self.unit_id,
                dates::format_iso(self.due_on)
            ),
        }
    }
}

/// The Home badge's numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub due: u32,
    pub overdue: u32,
    pub done: u32,
}

/// How many reminders are in each state.
pub fn summary(reminders: &[Reminder]) -> Counts {
    let mut c = Counts::default();
    for r in reminders {
        match r.state {
            ReminderState::Done => c.done += 1,
            ReminderState::Due => c.due += 1,
            ReminderState::Overdue => c.overdue += 1,
        }
    }
    c
}

/// One unit's record on one duty over its last ended periods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compliance {
    pub unit_id: UnitId,
    pub duty: String,
    /// Ended periods with a record.
    pub done: u32,
    /// Ended periods counted (fewer than asked when the schedule or the
    /// unit is younger; a period still in its grace without a record is
    /// not counted yet).
    pub of: u32,
}

impl Compliance {
    /// `done` of `of` in whole percent, rounded half up; none if nothing
    /// was counted.
    pub fn percent(&self) -> Option<u32> {
        // in u64 and with done ≤ of: a received value cannot overflow
        let (done, of) = (u64::from(self.done.min(self.of)), u64::from(self.of));
        (of > 0).then(|| ((done * 200 + of) / (2 * of)) as u32)
    }
}

/// Per duty of the schedule, fixed by "today".
struct DutyNow {
    cadence: Cadence,
    grace: i32,
    lead: Option<i32>,
    /// The running period and the ones before it, newest first: entry k is
    /// k periods back; none past the first date jiff knows.
    periods: Vec<Period>,
    /// Day numbers of those periods' ends.
    ends: Vec<i32>,
    /// The running period's number (see `period::ordinal`).
    current: i32,
}

/// The records of a set of units on one day, placed in the schedule's
/// periods. Build it once and ask for any units' reminders or compliance.
pub struct RecordIndex<'s> {
    schedule: &'s Schedule,
    today: Date,
    today_n: i32,
    effective_n: Option<i32>,
    duties: Vec<DutyNow>,
    /// Bit k: a record in the period k periods before the running one.
    marks: HashMap<(UnitId, u16), u64>,
}

impl<'s> RecordIndex<'s> {
    /// Indexes `records` for `today` (the China date, see
    /// [`china_today`]). Records of duties the schedule does not have are
    /// ignored.
    pub fn build(schedule: &'s Schedule, records: &[RecordRef<'_>], today: Date) -> Self {
        let duties: Vec<DutyNow> = schedule
            .duties
            .iter()
            .map(|d| {
                let mut periods = vec![Period::containing(d.cadence, today)];
                while periods.len() <= usize::from(MAX_LOOKBACK) {
                    match periods.last().and_then(|p| p.prev()) {
                        Some(p) => periods.push(p),
                        None => break,
                    }
                }
                DutyNow {
                    cadence: d.cadence,
                    grace: i32::from(d.grace_days),
                    lead: d.lead_days.map(i32::from),
                    ends: periods.iter().map(|p| day_number(p.end())).collect(),
                    periods,
                    current: ordinal(d.cadence, today),
                }
            })
            .collect();
        let mut marks: HashMap<(UnitId, u16), u64> = HashMap::with_capacity(records.len() / 8);
        let mut last: Option<(&str, usize)> = None;
        for r in records {
            // records often come in runs of one duty: remember the last lookup
            let found = match last {
                Some((code, i)) if code == r.duty => Some(i),
                _ => schedule.duties.iter().position(|d| d.code == r.duty),
            };
            let Some(i) = found else { continue };
            last = Some((r.duty, i));
            let d = &duties[i];
            let back = d.current - ordinal(d.cadence, r.date);
            if (0..=i32::from(MAX_LOOKBACK)).contains(&back) {
                *marks.entry((r.unit_id, i as u16)).or_insert(0) |= 1 << back;
            }
        }
        RecordIndex {
            schedule,
            today,
            today_n: day_number(today),
            effective_n: schedule.effective_from.map(day_number),
            duties,
            marks,
        }
    }

    pub fn today(&self) -> Date {
        self.today
    }

    /// Whether the unit has a record of the duty in the period (within the
    /// last [`MAX_LOOKBACK`] periods before the running one).
    pub fn has_record(&self, unit: UnitId, duty: &str, period: Period) -> bool {
        let Some(i) = self.schedule.duties.iter().position(|d| d.code == duty) else {
            return false;
        };
        let d = &self.duties[i];
        if period.cadence() != d.cadence {
            return false;
        }
        let back = d.current - ordinal(d.cadence, period.start());
        (0..=i32::from(MAX_LOOKBACK)).contains(&back) && self.mask(unit, i) & (1 << back) != 0
    }

    fn mask(&self, unit: UnitId, duty: usize) -> u64 {
        self.marks.get(&(unit, duty as u16)).copied().unwrap_or(0)
    }

    /// The first day a period must end on or after to count for the unit.
    fn counts_from(&self, unit: &UnitRef) -> Option<i32> {
        let since = unit.since.map(day_number);
        match (self.effective_n, since) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Whether ended period k (k ≥ 1) of duty `d` has been missed: counted,
    /// without a record and past its grace. `None` when it is not judged
    /// (not counted, or still in grace without a record).
    fn judged(&self, d: &DutyNow, mask: u64, k: usize, from: Option<i32>) -> Option<bool> {
        let end = *d.ends.get(k)?;
        if from.is_some_and(|from| end < from) {
            return None;
        }
        if mask & (1 << k) != 0 {
            return Some(false);
        }
        (self.today_n > end + d.grace).then_some(true)
    }

    /// The reminders of `units` (each once, in the given order, duties in
    /// the schedule's order, the older period first) followed by those of
    /// `risks` (one per case; a case listed twice counts its latest
    /// follow-up). Units not yet set up (`since` after today) have none.
    pub fn reminders(&self, units: &[UnitRef], risks: &[RiskRef<'_>]) -> Vec<Reminder> {
        let mut out = Vec::with_capacity(units.len() * 2 + risks.len());
        let mut seen = HashSet::with_capacity(units.len());
        for unit in units {
            if !seen.insert(unit.id) || unit.since.is_some_and(|s| s > self.today) {
                continue;
            }
            let from = self.counts_from(unit);
            for (i, duty) in self.schedule.duties.iter().enumerate() {
                if !duty.applies_to(unit.kind) {
                    continue;
                }
                let d = &self.duties[i];
                let mask = self.mask(unit.id, i);
                let missed = (1..=usize::from(RECENT_PERIODS))
                    .filter(|&k| self.judged(d, mask, k, from) == Some(true))
                    .count() as u8;
                let reminder = |period: Period, state| Reminder {
                    unit_id: unit.id,
                    subject: Subject::Duty {
                        code: duty.code.clone(),
                        period,
                    },
                    state,
                    due_on: plus_days(period.end(), d.grace),
                    missed_recent: missed,
                };
                // the period before the running one
                if let (Some(&prev), Some(&end)) = (d.periods.get(1), d.ends.get(1)) {
                    let counted = from.is_none_or(|from| end >= from);
                    if counted && mask & 0b10 == 0 {
                        let state = if self.today_n > end + d.grace {
                            ReminderState::Overdue
                        } else {
                            ReminderState::Due
                        };
                        out.push(reminder(prev, state));
                    }
                }
                // the running period (not owed if it ends before the
                // schedule takes effect)
                let (current, end) = (d.periods[0], d.ends[0]);
                let counted = from.is_none_or(|from| end >= from);
                if mask & 1 != 0 {
                    out.push(reminder(current, ReminderState::Done));
                } else if counted && d.lead.is_none_or(|lead| end - self.today_n < lead) {
                    out.push(reminder(current, ReminderState::Due));
                }
            }
        }
        out.extend(self.follow_ups(risks));
        out
    }

    fn follow_ups(&self, risks: &[RiskRef<'_>]) -> Vec<Reminder> {
        let mut latest: HashMap<CaseId, usize> = HashMap::with_capacity(risks.len());
        let mut order = Vec::with_capacity(risks.len());
        for (i, r) in risks.iter().enumerate() {
            match latest.get_mut(&r.case_id) {
                Some(j) if risks[*j].last_follow_up < r.last_follow_up => *j = i,
                Some(_) => {}
                None => {
                    latest.insert(r.case_id, i);
                    order.push(r.case_id);
                }
            }
        }
        let mut out = Vec::new();
        for case_id in order {
            let r = &risks[latest[&case_id]];
            let Some(f) = self.schedule.follow_up(r.level) else {
                continue;
            };
            let last = day_number(r.last_follow_up);
            let due_n = last + i32::from(f.every_days);
            let state = if self.today_n > due_n {
                ReminderState::Overdue
            } else if self.today_n >= due_n - i32::from(f.lead_days) {
                ReminderState::Due
            } else {
                continue;
            };
            out.push(Reminder {
                unit_id: r.unit_id,
                subject: Subject::FollowUp {
                    case_id,
                    level: r.level.to_owned(),
                },
                state,
                due_on: plus_days(r.last_follow_up, i32::from(f.every_days)),
                missed_recent: 0,
            });
        }
        out
    }

    /// For each unit (once) and each duty it owes: records in the last
    /// `last` ended periods (at most [`MAX_LOOKBACK`]).
    pub fn compliance(&self, units: &[UnitRef], last: u8) -> Vec<Compliance> {
        let last = usize::from(last.min(MAX_LOOKBACK));
        let mut out = Vec::new();
        let mut seen = HashSet::with_capacity(units.len());
        for unit in units {
            if !seen.insert(unit.id) || unit.since.is_some_and(|s| s > self.today) {
                continue;
            }
            let from = self.counts_from(unit);
            for (i, duty) in self.schedule.duties.iter().enumerate() {
                if !duty.applies_to(unit.kind) {
                    continue;
                }
                let d = &self.duties[i];
                let mask = self.mask(unit.id, i);
                let (mut done, mut of) = (0, 0);
                for k in 1..=last {
                    if let Some(missed) = self.judged(d, mask, k, from) {
                        of += 1;
                        done += u32::from(!missed);
                    }
                }
                out.push(Compliance {
                    unit_id: unit.id,
                    duty: duty.code.clone(),
                    done,
                    of,
                });
            }
        }
        out
    }
}

/// `day` + `days`, or the last date jiff knows if that is past it.
fn plus_days(day: Date, days: i32) -> Date {
    if days == 0 {
        return day;
    }
    // `try_days`, not `days`: that one's `expect` would link jiff's error
    // texts into the phone's first load (docs/perf.md)
    jiff::Span::new()
        .try_days(days)
        .ok()
        .and_then(|span| day.checked_add(span).ok())
        .unwrap_or(Date::MAX)
}

/// Every reminder of `units` and `risks` at the moment `now` (read on
/// China's calendar): indexes `records` and asks the index. To ask several
/// questions of the same records, build a [`RecordIndex`] once.
pub fn reminders(
    schedule: &Schedule,
    units: &[UnitRef],
    records: &[RecordRef<'_>],
    risks: &[RiskRef<'_>],
    now: jiff::Timestamp,
) -> Vec<Reminder> {
    RecordIndex::build(schedule, records, china_today(now)).reminders(units, risks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const FRIDAY_W53: Date = date(2027, 1, 1);

    fn unit(key: &str, kind: UnitKind) -> UnitRef {
        UnitRef {
            id: UnitId::stable(key),
            kind,
            since: None,
        }
    }

    fn rec(key: &str, duty: &'static str, date: Date) -> RecordRef<'static> {
        RecordRef {
            unit_id: UnitId::stable(key),
            duty,
            date,
        }
    }

    const WEEKLY: &str = "group_weekly_screening";

    /// (period key, state, missed) of each reminder.
    fn states(rs: &[Reminder]) -> Vec<(String, ReminderState, u8)> {
        rs.iter()
            .map(|r| (r.period().unwrap().key(), r.state, r.missed_recent))
            .collect()
    }

    fn at(
        schedule: &Schedule,
        units: &[UnitRef],
        records: &[RecordRef],
        today: Date,
    ) -> Vec<Reminder> {
        RecordIndex::build(schedule, records, today).reminders(units, &[])
    }

    use ReminderState::{Done, Due, Overdue};

    #[test]
    fn a_group_that_screened_last_week_is_due_this_week() {
        let s = Schedule::five_ones();
        let g = [unit("g", UnitKind::VillagerGroup)];
        let records = [
            rec("g", WEEKLY, date(2026, 12, 22)), // W52
            rec("g", WEEKLY, date(2026, 12, 15)), // W51
            rec("g", WEEKLY, date(2026, 12, 8)),  // W50
            rec("g", WEEKLY, date(2026, 12, 1)),  // W49
        ];
        let rs = at(&s, &g, &records, FRIDAY_W53);
        assert_eq!(states(&rs), [("2026-W53".into(), Due, 0)]);
        assert_eq!(rs[0].due_on, date(2027, 1, 3));
        assert_eq!(
            rs[0].subject,
            Subject::Duty {
                code: WEEKLY.into(),
                period: Period::week(2026, 53).unwrap()
            }
        );
    }

    #[test]
    fn a_missed_week_is_overdue_once_it_has_ended() {
        let s = Schedule::five_ones();
        let g = [unit("g", UnitKind::VillagerGroup)];
        let records = [rec("g", WEEKLY, date(2026, 12, 9))]; // W50 only
        let rs = at(&s, &g, &records, FRIDAY_W53);
        assert_eq!(
            states(&rs),
            [("2026-W52".into(), Overdue, 3), ("2026-W53".into(), Due, 3)],
            "W52, W51 and W49 missed, W50 done"
        );
        assert_eq!(rs[0].due_on, date(2026, 12, 27));
    }

    #[test]
    fn a_record_anywhere_in_the_running_week_makes_it_done() {
        let s = Schedule::five_ones();
        let g = [unit("g", UnitKind::VillagerGroup)];
        for day in [date(2026, 12, 28), FRIDAY_W53, date(2027, 1, 3)] {
            let records = [rec("g", WEEKLY, date(2026, 12, 21)), rec("g", WEEKLY, day)];
            let rs = at(&s, &g, &records, FRIDAY_W53);
            assert_eq!(states(&rs), [("2026-W53".into(), Done, 3)], "{day}");
        }
        // the first day of the next week is not this week
        let records = [
            rec("g", WEEKLY, date(2026, 12, 21)),
            rec("g", WEEKLY, date(2027, 1, 4)),
        ];
        assert_eq!(states(&at(&s, &g, &records, FRIDAY_W53))[0].1, Due);
    }

    #[test]
    fn grace_days_let_a_late_entry_count_before_it_is_overdue() {
        let mut s = Schedule::five_ones();
        s.duties[0].grace_days = 2;
        let g = [unit("g", UnitKind::VillagerGroup)];
        let tuesday = date(2027, 1, 5);
        let rs = at(&s, &g, &[], tuesday);
        assert_eq!(
            states(&rs),
            [("2026-W53".into(), Due, 3), ("2027-W01".into(), Due, 3)]
        );
        assert_eq!(rs[0].due_on, tuesday);
        let rs = at(&s, &g, &[], date(2027, 1, 6));
        assert_eq!(
            states(&rs),
            [("2026-W53".into(), Overdue, 4), ("2027-W01".into(), Due, 4)]
        );
        // entered on Tuesday, dated Sunday: W53 is done
        let late = [rec("g", WEEKLY, date(2027, 1, 3))];
        assert_eq!(
            states(&at(&s, &g, &late, date(2027, 1, 6)))[0].0,
            "2027-W01"
        );
    }

    #[test]
    fn lead_days_hold_back_the_running_period() {
        let mut s = Schedule::five_ones();
        s.duties[1].lead_days = Some(7);
        let v = [unit("v", UnitKind::Village)];
        let may = [rec("v", "village_monthly_screening", date(2026, 5, 20))];
        assert_eq!(states(&at(&s, &v, &may, date(2026, 6, 23))), []);
        assert_eq!(
            states(&at(&s, &v, &may, date(2026, 6, 24))),
            [("2026-06".into(), Due, 3)],
            "May done; April, March, February missed"
        );
        // a done period shows whatever the lead
        let june = [
            may[0],
            rec("v", "village_monthly_screening", date(2026, 6, 2)),
        ];
        assert_eq!(
            states(&at(&s, &v, &june, date(2026, 6, 10))),
            [("2026-06".into(), Done, 3)]
        );
    }

    #[test]
    fn each_kind_of_unit_gets_its_own_duties() {
        let s = Schedule::five_ones();
        let units = [
            unit("c", UnitKind::City),
            unit("t", UnitKind::Township),
            unit("v", UnitKind::Community),
            unit("r", UnitKind::ResidentGroup),
            unit("x", UnitKind::Sector),
        ];
        let today = date(2026, 4, 15);
        let records = [
            rec("t", "quarterly_training", date(2026, 4, 1)),
            rec("t", "quarterly_training", date(2026, 3, 31)),
            rec("t", "quarterly_analysis", date(2026, 2, 1)),
            rec("t", "township_monthly_screening", date(2026, 3, 3)),
            rec("c", "quarterly_analysis", date(2026, 4, 15)),
            rec("v", "village_monthly_screening", date(2026, 4, 15)),
            // a duty the city does not owe, and one nobody has: no effect
            rec("c", "township_monthly_screening", date(2026, 4, 1)),
            rec("r", "weekly_patrol", date(2026, 4, 14)),
        ];
        let rs = at(&s, &units, &records, today);
        let got: Vec<_> = rs
            .iter()
            .map(|r| {
                let Subject::Duty { code, period } = &r.subject else {
                    unreachable!()
                };
                (r.unit_id, code.as_str(), period.key(), r.state)
            })
            .collect();
        let id = |k| UnitId::stable(k);
        assert_eq!(
            got,
            [
                (id("c"), "quarterly_analysis", "2026-Q1".into(), Overdue),
                (id("c"), "quarterly_analysis", "2026-Q2".into(), Done),
                (id("t"), "township_monthly_screening", "2026-04".into(), Due),
                (id("t"), "quarterly_analysis", "2026-Q2".into(), Due),
                (id("t"), "quarterly_training", "2026-Q2".into(), Done),
                (
                    id("v"),
                    "village_monthly_screening",
                    "2026-03".into(),
                    Overdue
                ),
                (id("v"), "village_monthly_screening", "2026-04".into(), Done),
                (id("r"), WEEKLY, "2026-W15".into(), Overdue),
                (id("r"), WEEKLY, "2026-W16".into(), Due),
            ]
        );
    }

    #[test]
    fn periods_before_the_schedule_or_the_unit_are_not_held_against_it() {
        let mut s = Schedule::five_ones();
        let today = FRIDAY_W53;
        s.effective_from = Some(date(2026, 12, 28));
        let g = [unit("g", UnitKind::VillagerGroup)];
        assert_eq!(
            states(&at(&s, &g, &[], today)),
            [("2026-W53".into(), Due, 0)]
        );
        s.effective_from = Some(date(2026, 12, 27)); // the last day of W52 counts it
        assert_eq!(states(&at(&s, &g, &[], today)).len(), 2);
        // a schedule synced ahead of its first day owes nothing yet
        s.effective_from = Some(date(2027, 1, 4));
        assert_eq!(states(&at(&s, &g, &[], today)), []);
        s.effective_from = Some(date(2027, 1, 3)); // the last day of W53
        assert_eq!(
            states(&at(&s, &g, &[], today)),
            [("2026-W53".into(), Due, 0)]
        );
        s.effective_from = None;
        let young = [UnitRef {
            since: Some(date(2026, 12, 16)),
            ..g[0]
        }];
        assert_eq!(
            states(&at(&s, &young, &[], today)),
            [("2026-W52".into(), Overdue, 2), ("2026-W53".into(), Due, 2)],
            "W51 and W52 counted, W50 and W49 not"
        );
        let unborn = [UnitRef {
            since: Some(date(2027, 1, 2)),
            ..g[0]
        }];
        assert_eq!(states(&at(&s, &unborn, &[], today)), []);
    }

    #[test]
    fn a_utc_clock_on_new_years_eve_reads_the_new_year() {
        let s = Schedule::five_ones();
        let units = [
            unit("v", UnitKind::Village),
            unit("g", UnitKind::VillagerGroup),
        ];
        let records = [
            rec("v", "village_monthly_screening", date(2026, 12, 30)),
            rec("g", WEEKLY, date(2026, 12, 31)),
        ];
        let now: jiff::Timestamp = "2026-12-31T16:30:00Z".parse().unwrap();
        let rs = reminders(&s, &units, &records, &[], now);
        assert_eq!(
            states(&rs),
            [
                ("2027-01".into(), Due, 3),
                ("2026-W52".into(), Overdue, 4),
                ("2026-W53".into(), Done, 4),
            ]
        );
    }

    #[test]
    fn risk_items_are_followed_up_by_their_level() {
        let s = Schedule::five_ones();
        let risk = |case: &str, level: &'static str, last| RiskRef {
            case_id: CaseId::stable(case),
            unit_id: UnitId::stable("v"),
            level,
            last_follow_up: last,
        };
        let risks = [
            risk("h", "high", date(2026, 12, 29)),   // due 01-01
            risk("m", "medium", date(2026, 12, 29)), // due 01-05, from 01-04
            risk("l", "low", date(2026, 11, 30)),    // due 12-30: overdue
            risk("l", "low", date(2026, 11, 1)),     // older duplicate: ignored
            risk("u", "red", date(2020, 1, 1)),      // no interval: no reminder
            risk("h2", "high", date(2026, 12, 30)),  // due 01-02
        ];
        let rs = RecordIndex::build(&s, &[], FRIDAY_W53).reminders(&[], &risks);
        let got: Vec<_> = rs
            .iter()
            .map(|r| {
                let Subject::FollowUp { case_id, level } = &r.subject else {
                    unreachable!()
                };
                (*case_id, level.as_str(), r.state, r.due_on)
            })
            .collect();
        assert_eq!(
            got,
            [
                (CaseId::stable("h"), "high", Due, FRIDAY_W53),
                (CaseId::stable("l"), "low", Overdue, date(2026, 12, 30)),
            ]
        );
        let later = RecordIndex::build(&s, &[], date(2027, 1, 4)).reminders(&[], &risks);
        assert_eq!(
            later.iter().map(|r| r.state).collect::<Vec<_>>(),
            [Overdue, Due, Overdue, Overdue]
        );
        assert_eq!(
            rs[0].reminder_key(),
            format!(
                "{}/follow_up:{}/2027-01-01",
                UnitId::stable("v"),
                CaseId::stable("h")
            )
        );
    }

    #[test]
    fn keys_name_unit_duty_and_period_and_units_count_once() {
        let s = Schedule::five_ones();
        let g = unit("g", UnitKind::VillagerGroup);
        let rs = at(&s, &[g, g], &[], FRIDAY_W53);
        let keys: Vec<_> = rs.iter().map(Reminder::reminder_key).collect();
        assert_eq!(
            keys,
            [
                format!("{}/{WEEKLY}/2026-W52", g.id),
                format!("{}/{WEEKLY}/2026-W53", g.id),
            ]
        );
        assert_eq!(
            summary(&rs),
            Counts {
                due: 1,
                overdue: 1,
                done: 0
            }
        );
        let json = serde_json::to_value(&rs[0]).unwrap();
        assert_eq!(
            json["subject"],
            serde_json::json!({"kind": "duty", "code": WEEKLY, "period": "2026-W52"})
        );
        assert_eq!(json["state"], "overdue");
        assert_eq!(json["due_on"], "2026-12-27");
        assert_eq!(serde_json::from_value::<Reminder>(json).unwrap(), rs[0]);
    }

    #[test]
    fn compliance_rates_the_last_ended_periods() {
        let s = Schedule::five_ones();
        let g = unit("g", UnitKind::VillagerGroup);
        // every ISO week of 2026 but each fourth, recorded on its Wednesday
        let mut records = Vec::new();
        let mut p = Period::week(2026, 1).unwrap();
        while p.year() == 2026 {
            if p.number() % 4 != 0 {
                records.push(rec("g", WEEKLY, p.start() + jiff::Span::new().days(2)));
            }
            p = p.next().unwrap();
        }
        let index = RecordIndex::build(&s, &records, date(2027, 1, 5));
        // the last 52 ended weeks are 2026-W02 … 2026-W53: 13 of them are multiples of 4
        let c = index.compliance(&[g, g], 52);
        assert_eq!(
            c,
            [Compliance {
                unit_id: g.id,
                duty: WEEKLY.into(),
                done: 39,
                of: 52
            }]
        );
        assert_eq!(c[0].percent(), Some(75));
        assert!(index.has_record(g.id, WEEKLY, Period::week(2026, 53).unwrap()));
        assert!(!index.has_record(g.id, WEEKLY, Period::week(2026, 52).unwrap()));
        assert!(!index.has_record(g.id, "quarterly_training", Period::week(2026, 53).unwrap()));
        // 63 periods at most; a young schedule counts fewer
        assert_eq!(index.compliance(&[g], 200)[0].of, 63);
        let mut young = s.clone();
        young.effective_from = Some(date(2026, 12, 1));
        let c = RecordIndex::build(&young, &records, date(2027, 1, 5)).compliance(&[g], 52);
        assert_eq!((c[0].done, c[0].of), (4, 5), "W49 … W53; W52 missed");
        let none = Compliance {
            of: 0,
            ..c[0].clone()
        };
        assert_eq!(none.percent(), None);
        assert_eq!(
            Compliance {
                done: 1,
                of: 3,
                ..none.clone()
            }
            .percent(),
            Some(33)
        );
        assert_eq!(
            Compliance {
                done: 2,
                of: 3,
                ..none.clone()
            }
            .percent(),
            Some(67)
        );
        // a received rate with huge or inconsistent counts does not overflow
        assert_eq!(
            Compliance {
                done: u32::MAX,
                of: u32::MAX - 1,
                ..none
            }
            .percent(),
            Some(100)
        );
    }
}
