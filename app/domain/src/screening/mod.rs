//! Screening and prevention (排查, "五个一", docs/domain.md §5, §9): the
//! calendar of weekly, monthly and quarterly duties, the schedule that says
//! which unit owes which, the records that show a duty done, the reminders
//! (done, due, overdue) and compliance rates computed from them, and the
//! follow-up intervals of disputes by risk level (the assessment itself is
//! `crate::risk`).
//!
//! All dates are China calendar days; callers pass "now" (a
//! `jiff::Timestamp`) or "today" (from [`china_today`]).

mod digest;
mod form;
mod period;
mod record;
mod reminder;
mod report;
mod schedule;

pub use digest::{Digest, DigestLine, case_risks, digest, risk_code, units_in_charge};
pub use form::{FOUND, NOTHING_FOUND, ScreeningDraft};
pub use period::{Cadence, Period, PeriodKeyError, china_today};
pub use record::{
    EARLIEST, MAX_COVERAGE_CHARS, MAX_NOTES_CHARS, RecordError, ScreeningOutcome, ScreeningRecord,
};
pub use reminder::{
    Compliance, Counts, MAX_LOOKBACK, RECENT_PERIODS, RecordIndex, RecordRef, Reminder,
    ReminderState, RiskRef, Subject, UnitRef, reminders, summary,
};
pub use report::{
    ComplianceReport, DutyColumn, DutyStat, FIRST_VIEW_DAY, MAX_OVERDUE_LISTED, MeetingRow,
    OverdueUnit, RATE_PERIODS, TownshipRow, ViewDayError, report, view_day,
};
pub use schedule::{
    Duty, DutyKind, RiskFollowUp, Schedule, ScheduleError, applying, applying_by_unit,
    applying_index, parse_schedule,
};
