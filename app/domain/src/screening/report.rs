//! The compliance view (排查履职情况) of a judicial office or the city: per
//! township and duty, how many units owe it, how many reported in the
//! running and in the previous period, how many are overdue, and the rate
//! over the last ended periods; then the overdue units by name, and the
//! quarterly analysis meetings and trainings recorded (date, attendees).
//! Built from the same [`RecordIndex`] as the phone's reminders.

use super::period::Period;
use super::record::ScreeningRecord;
use super::reminder::{RecordIndex, RecordRef, ReminderState, Subject, UnitRef};
use super::schedule::Schedule;
use crate::UnitKind;
use crate::ids::UnitId;
use crate::org::UnitRecord;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How many ended periods the rate looks at.
pub const RATE_PERIODS: u8 = 4;
/// The most overdue units listed by name (the counts are always whole).
pub const MAX_OVERDUE_LISTED: usize = 500;

/// A duty as a column of the view, with the periods it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyColumn {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The running period's key, e.g. `2026-W48`.
    pub current: String,
    /// The period before it.
    pub previous: String,
}

/// One duty in one township (or another top unit).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyStat {
    pub duty: String,
    /// Units that owe it.
    pub units: u32,
    pub done_current: u32,
    pub done_previous: u32,
    /// Units whose previous period is past its grace with no record.
    pub overdue: u32,
    /// Records in the last [`RATE_PERIODS`] ended periods, of how many
    /// were owed.
    pub done_recent: u32,
    pub owed_recent: u32,
}

impl DutyStat {
    /// `done_recent` of `owed_recent` in whole percent; none if nothing was owed.
    pub fn rate_percent(&self) -> Option<u32> {
        let (done, of) = (
            u64::from(self.done_recent.min(self.owed_recent)),
            u64::from(self.owed_recent),
        );
        (of > 0).then(|| ((done * 200 + of) / (2 * of)) as u32)
    }
}

/// A township's row (or the row of a unit above townships that owes duties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownshipRow {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_id: UnitId,
    pub name: String,
    /// One per duty column, in the columns' order.
    pub duties: Vec<DutyStat>,
}

/// A unit whose previous period is overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OverdueUnit {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_id: UnitId,
    /// e.g. `大潭村 第3村民小组`: the unit with its committee.
    pub name: String,
    pub township: String,
    pub duty: String,
    pub period: String,
    /// How many of the last four ended periods it missed.
    pub missed_recent: u8,
}

/// An analysis meeting or training recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingRow {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit_id: UnitId,
    pub name: String,
    pub duty: String,
    #[serde(with = "crate::dates::iso")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub date: Date,
    pub attendees: Option<u32>,
    pub notes: String,
    /// The photo's SHA-256 (the sign-in sheet, the meeting), if one was
    /// taken: `GET /api/v1/attachments/{sha256}` serves it in scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo_sha256: Option<String>,
}

/// The whole view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplianceReport {
    #[serde(with = "crate::dates::iso")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub today: Date,
    pub duties: Vec<DutyColumn>,
    pub townships: Vec<TownshipRow>,
    /// Overdue units, those that missed most first, at most
    /// [`MAX_OVERDUE_LISTED`].
    pub overdue: Vec<OverdueUnit>,
    /// How many overdue (unit, duty) pairs there are in all.
    pub overdue_total: u32,
    /// Meetings and trainings of the year up to `today`, newest first.
    pub meetings: Vec<MeetingRow>,
}

/// The earliest day the view can be asked about.
pub const FIRST_VIEW_DAY: Date = jiff::civil::date(2000, 1, 1);

/// Why a day cannot be the view's "as of" day (查看日期).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ViewDayError {
    #[error("查看日期应为 YYYY-MM-DD 格式的日期 / on must be a date as YYYY-MM-DD")]
    NotADate,
    #[error("查看日期不能晚于今天 / on cannot be after today")]
    AfterToday,
    #[error("查看日期不能早于 2000-01-01 / on cannot be before 2000-01-01")]
    TooEarly,
}

/// The day the view is asked about (`YYYY-MM-DD`, China date): none when
/// `text` is empty or today; else a date from [`FIRST_VIEW_DAY`] up to
/// `today`. The page checks it before asking, the server again.
pub fn view_day(text: &str, today: Date) -> Result<Option<Date>, ViewDayError> {
    if text.is_empty() {
        return Ok(None);
    }
    match crate::dates::parse_iso(text) {
        None => Err(ViewDayError::NotADate),
        Some(day) if day > today => Err(ViewDayError::AfterToday),
        Some(day) if day < FIRST_VIEW_DAY => Err(ViewDayError::TooEarly),
        Some(day) => Ok((day != today).then_some(day)),
    }
}

/// The view of `units` (a subtree: every unit's parent is in the list or
/// is its root) on `today`, from the records of those units.
/// `meetings` are the records of analysis meetings and trainings whose
/// details (attendees) the view lists.
pub fn report(
    schedule: &Schedule,
    units: &[UnitRecord],
    records: &[RecordRef<'_>],
    meetings: &[ScreeningRecord],
    today: Date,
) -> ComplianceReport {
    let by_id: HashMap<UnitId, &UnitRecord> = units.iter().map(|u| (u.id, u)).collect();
    // each unit's row: its township (or itself, when nothing above it in
    // the list is one)
    let row_of = |u: &UnitRecord| -> UnitId {
        let mut at = u;
        let mut top = u;
        for _ in 0..16 {
            if at.kind == UnitKind::Township {
                return at.id;
            }
            top = at;
            match at.parent_id.and_then(|p| by_id.get(&p)) {
                Some(parent) => at = parent,
                None => break,
            }
        }
        top.id
    };
    let refs: Vec<UnitRef> = units
        .iter()
        .map(|u| UnitRef {
            id: u.id,
            kind: u.kind,
            since: None,
        })
        .collect();
    let index = RecordIndex::build(schedule, records, today);
    let columns: Vec<DutyColumn> = schedule
        .duties
        .iter()
        .map(|d| {
            let current = Period::containing(d.cadence, today);
            DutyColumn {
                code: d.code.clone(),
                name_zh: d.name_zh.clone(),
                name_en: d.name_en.clone(),
                current: current.key(),
                previous: current.prev().map(Period::key).unwrap_or_default(),
            }
        })
        .collect();

    let mut rows: Vec<TownshipRow> = Vec::new();
    let mut row_at: HashMap<UnitId, usize> = HashMap::new();
    let mut unit_row: HashMap<UnitId, usize> = HashMap::with_capacity(units.len());
    for u in units {
        if !schedule.duties.iter().any(|d| d.applies_to(u.kind)) {
            continue;
        }
        let top = row_of(u);
        let i = *row_at.entry(top).or_insert_with(|| {
            rows.push(TownshipRow {
                unit_id: top,
                name: by_id.get(&top).map_or_else(String::new, |t| t.name.clone()),
                duties: columns
                    .iter()
                    .map(|c| DutyStat {
                        duty: c.code.clone(),
                        ..DutyStat::default()
                    })
                    .collect(),
            });
            rows.len() - 1
        });
        unit_row.insert(u.id, i);
        for (j, d) in schedule.duties.iter().enumerate() {
            if !d.applies_to(u.kind) {
                continue;
            }
            let current = Period::containing(d.cadence, today);
            let stat = &mut rows[i].duties[j];
            stat.units += 1;
            stat.done_current += u32::from(index.has_record(u.id, &d.code, current));
            if let Some(previous) = current.prev() {
                stat.done_previous += u32::from(index.has_record(u.id, &d.code, previous));
            }
        }
    }
    let duty_at: HashMap<&str, usize> = schedule
        .duties
        .iter()
        .enumerate()
        .map(|(j, d)| (d.code.as_str(), j))
        .collect();
    for c in index.compliance(&refs, RATE_PERIODS) {
        if let (Some(&i), Some(&j)) = (unit_row.get(&c.unit_id), duty_at.get(c.duty.as_str())) {
            rows[i].duties[j].done_recent += c.done;
            rows[i].duties[j].owed_recent += c.of;
        }
    }
    let mut overdue = Vec::new();
    for r in index.reminders(&refs, &[]) {
        let (ReminderState::Overdue, Subject::Duty { code, period }) = (r.state, &r.subject) else {
            continue;
        };
        if let (Some(&i), Some(&j)) = (unit_row.get(&r.unit_id), duty_at.get(code.as_str())) {
            rows[i].duties[j].overdue += 1;
        }
        let unit = by_id[&r.unit_id];
        let name = match unit.parent_id.and_then(|p| by_id.get(&p)) {
            Some(parent)
                if matches!(unit.kind, UnitKind::VillagerGroup | UnitKind::ResidentGroup) =>
            {
                format!("{} {}", parent.name, unit.name)
            }
            _ => unit.name.clone(),
        };
        overdue.push(OverdueUnit {
            unit_id: r.unit_id,
            name,
            township: unit_row
                .get(&r.unit_id)
                .map_or_else(String::new, |&i| rows[i].name.clone()),
            duty: code.clone(),
            period: period.key(),
            missed_recent: r.missed_recent,
        });
    }
    let overdue_total = overdue.len() as u32;
    overdue.sort_by(|a, b| {
        b.missed_recent
            .cmp(&a.missed_recent)
            .then_with(|| a.township.cmp(&b.township))
            .then_with(|| a.name.cmp(&b.name))
    });
    overdue.truncate(MAX_OVERDUE_LISTED);
    rows.sort_by(|a, b| {
        let code = |id: &UnitId| by_id.get(id).map(|u| u.code.as_str());
        code(&a.unit_id).cmp(&code(&b.unit_id))
    });

    let year_ago = jiff::Span::new()
        .try_days(366)
        .ok()
        .and_then(|span| today.checked_sub(span).ok())
        .unwrap_or(Date::MIN);
    let mut meetings: Vec<MeetingRow> = meetings
        .iter()
        .filter(|m| m.date > year_ago && m.date <= today && by_id.contains_key(&m.unit_id))
        .filter(|m| {
            schedule
                .duty(&m.duty)
                .is_some_and(|d| d.kind.has_attendees())
        })
        .map(|m| MeetingRow {
            unit_id: m.unit_id,
            name: by_id[&m.unit_id].name.clone(),
            duty: m.duty.clone(),
            date: m.date,
            attendees: m.attendees,
            notes: m.notes.clone(),
            photo_sha256: m.photo.as_ref().and_then(|p| p.sha256.clone()),
        })
        .collect();
    meetings.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.name.cmp(&b.name)));
    ComplianceReport {
        today,
        duties: columns,
        townships: rows,
        overdue,
        overdue_total,
        meetings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{PersonId, ScreeningId};
    use crate::screening::ScreeningOutcome;
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
            unit("t1", UnitKind::Township, None),
            unit("t1-v1", UnitKind::Village, Some("t1")),
            unit("t1-v1-g1", UnitKind::VillagerGroup, Some("t1-v1")),
            unit("t1-v1-g2", UnitKind::VillagerGroup, Some("t1-v1")),
            unit("t2", UnitKind::Township, None),
            unit("t2-c1", UnitKind::Community, Some("t2")),
            unit("t2-c1-g1", UnitKind::ResidentGroup, Some("t2-c1")),
        ]
    }

    const TODAY: Date = date(2026, 11, 29); // Sunday of 2026-W48

    fn rec(key: &'static str, duty: &'static str, day: Date) -> RecordRef<'static> {
        RecordRef {
            unit_id: UnitId::stable(key),
            duty,
            date: day,
        }
    }

    #[test]
    fn each_township_counts_its_units_reports_and_overdue_ones() {
        let schedule = Schedule::five_ones();
        let records = [
            // t1-v1-g1 reported last week and this week; g2 only this week
            rec("t1-v1-g1", "group_weekly_screening", date(2026, 11, 20)),
            rec("t1-v1-g1", "group_weekly_screening", date(2026, 11, 24)),
            rec("t1-v1-g2", "group_weekly_screening", date(2026, 11, 25)),
            // t2's group reported the last four weeks
            rec("t2-c1-g1", "group_weekly_screening", date(2026, 11, 2)),
            rec("t2-c1-g1", "group_weekly_screening", date(2026, 11, 9)),
            rec("t2-c1-g1", "group_weekly_screening", date(2026, 11, 16)),
            rec("t2-c1-g1", "group_weekly_screening", date(2026, 10, 27)),
        ];
        let meeting = ScreeningRecord {
            id: ScreeningId::stable("m"),
            unit_id: UnitId::stable("t1"),
            duty: "quarterly_analysis".into(),
            date: date(2026, 10, 15),
            coverage: String::new(),
            households: None,
            outcome: ScreeningOutcome::NothingFound,
            notes: "第四季度形势分析".into(),
            photo: None,
            recorded_by: PersonId::stable("p"),
            attendees: Some(14),
        };
        let r = report(&schedule, &tree(), &records, &[meeting], TODAY);
        assert_eq!(r.townships.len(), 2);
        let weekly = r
            .duties
            .iter()
            .position(|d| d.code == "group_weekly_screening")
            .unwrap();
        assert_eq!(r.duties[weekly].current, "2026-W48");
        assert_eq!(r.duties[weekly].previous, "2026-W47");
        let t1 = &r.townships[0].duties[weekly];
        assert_eq!(r.townships[0].name, "t1");
        assert_eq!(
            (t1.units, t1.done_current, t1.done_previous, t1.overdue),
            (2, 2, 1, 1)
        );
        // over W44..W47: g1 reported in W47 only, g2 never
        assert_eq!((t1.done_recent, t1.owed_recent), (1, 8));
        assert_eq!(t1.rate_percent(), Some(13));
        let t2 = &r.townships[1].duties[weekly];
        assert_eq!((t2.units, t2.done_previous, t2.overdue), (1, 1, 0));
        assert_eq!(t2.rate_percent(), Some(100));
        // the overdue list names the group with its committee
        let g2 = r
            .overdue
            .iter()
            .find(|o| o.unit_id == UnitId::stable("t1-v1-g2") && o.duty == "group_weekly_screening")
            .unwrap();
        assert_eq!(
            (g2.name.as_str(), g2.township.as_str(), g2.period.as_str()),
            ("t1-v1 t1-v1-g2", "t1", "2026-W47")
        );
        assert_eq!(g2.missed_recent, 4);
        assert_eq!(r.overdue[0].missed_recent, 4, "the worst first");
        assert_eq!(r.overdue_total as usize, r.overdue.len());
        let counted: u32 = r
            .townships
            .iter()
            .flat_map(|t| &t.duties)
            .map(|d| d.overdue)
            .sum();
        assert_eq!(counted, r.overdue_total);
        assert_eq!(r.meetings.len(), 1);
        assert_eq!(r.meetings[0].attendees, Some(14));
    }

    #[test]
    fn a_view_of_an_earlier_day_uses_that_days_periods_and_nothing_after_it() {
        let schedule = Schedule::five_ones();
        let records = [
            rec("t1-v1-g1", "group_weekly_screening", date(2026, 11, 13)),
            rec("t1-v1-g1", "group_weekly_screening", date(2026, 11, 20)),
            rec("t1-v1-g2", "group_weekly_screening", date(2026, 11, 25)),
        ];
        let meeting = |day: Date, notes: &str| ScreeningRecord {
            id: ScreeningId::stable(notes),
            unit_id: UnitId::stable("t1"),
            duty: "quarterly_analysis".into(),
            date: day,
            coverage: String::new(),
            households: None,
            outcome: ScreeningOutcome::NothingFound,
            notes: notes.into(),
            photo: None,
            recorded_by: PersonId::stable("p"),
            attendees: Some(9),
        };
        let meetings = [
            meeting(date(2026, 10, 15), "before"),
            meeting(date(2026, 11, 25), "after"),
        ];
        let on = date(2026, 11, 22); // Sunday of 2026-W47
        let r = report(&schedule, &tree(), &records, &meetings, on);
        assert_eq!(r.today, on);
        let weekly = r
            .duties
            .iter()
            .position(|d| d.code == "group_weekly_screening")
            .unwrap();
        assert_eq!(
            (
                r.duties[weekly].current.as_str(),
                r.duties[weekly].previous.as_str()
            ),
            ("2026-W47", "2026-W46")
        );
        let t1 = &r.townships[0].duties[weekly];
        // g1 reported in W46 and W47; g2's record of W48 is after the day
        assert_eq!(
            (t1.units, t1.done_current, t1.done_previous, t1.overdue),
            (2, 1, 1, 1)
        );
        let notes: Vec<&str> = r.meetings.iter().map(|m| m.notes.as_str()).collect();
        assert_eq!(notes, ["before"]);
        // the same records seen a week later: W48 is running, W47 the previous
        let later = report(&schedule, &tree(), &records, &meetings, TODAY);
        let t1 = &later.townships[0].duties[weekly];
        assert_eq!((t1.done_current, t1.done_previous), (1, 1));
        assert_eq!(later.meetings.len(), 2);
    }

    #[test]
    fn the_view_day_is_a_date_up_to_today_and_today_means_none() {
        let today = date(2026, 11, 30);
        assert_eq!(view_day("", today), Ok(None));
        assert_eq!(view_day("2026-11-30", today), Ok(None));
        assert_eq!(view_day("2026-11-23", today), Ok(Some(date(2026, 11, 23))));
        assert_eq!(view_day("2026-12-01", today), Err(ViewDayError::AfterToday));
        assert_eq!(view_day("1999-12-31", today), Err(ViewDayError::TooEarly));
        assert_eq!(view_day("2026-02-30", today), Err(ViewDayError::NotADate));
        assert_eq!(view_day("23/11/2026", today), Err(ViewDayError::NotADate));
    }
}
