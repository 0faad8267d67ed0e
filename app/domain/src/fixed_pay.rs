//! The fixed part of a full-time mediator's subsidy (定额补助, REFERENCE.md
//! §3): for each month, the amount the rule set in force on the month's
//! last day gives the mediator's committee (800 yuan in Chuxiong since
//! 2014) when the judicial office records that the duty was performed
//! (履职), nothing — with the office's reason — when it was not. The
//! decision is a person's, recorded with their name and time; a
//! correction is a new decision after it, never a change of the old one.

use crate::money::Money;
use crate::screening::{Cadence, Period};
use crate::time::Timestamp;
use crate::{PersonId, UnitId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar month on China's calendar, written `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(Period);

/// A text that is not a month.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("月份格式无效 “{0}”，应如 2026-11 / not a month, e.g. 2026-11")]
pub struct MonthError(pub String);

impl Month {
    pub fn containing(day: jiff::civil::Date) -> Month {
        Month(Period::containing(Cadence::Monthly, day))
    }

    pub fn first_day(self) -> jiff::civil::Date {
        self.0.start()
    }

    pub fn last_day(self) -> jiff::civil::Date {
        self.0.end()
    }

    pub fn prev(self) -> Option<Month> {
        self.0.prev().map(Month)
    }

    /// `2026年11月`.
    pub fn label_zh(self) -> String {
        self.0.label_zh()
    }

    pub fn label_en(self) -> String {
        self.0.label_en()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.key())
    }
}

impl FromStr for Month {
    type Err = MonthError;
    fn from_str(s: &str) -> Result<Month, MonthError> {
        match Period::parse(s) {
            Ok(p) if p.cadence() == Cadence::Monthly => Ok(Month(p)),
            _ => Err(MonthError(s.to_owned())),
        }
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The judicial office's decision on one mediator's month (履职认定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DutyDecision {
    pub person_id: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-11")))]
    pub month: Month,
    pub performed: bool,
    /// What the month pays: the rule set's fixed amount, or 0.00.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("800.00")))]
    pub amount: Money,
    /// Why it was not performed (the office's words).
    pub reason: Option<String>,
    pub by: PersonId,
    pub by_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

/// A full-time mediator in the office's month: what their unit reported
/// (the screening compliance of REFERENCE.md §5) beside the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyRow {
    pub person_id: PersonId,
    pub name: String,
    pub unit_id: UnitId,
    pub unit_name: String,
    /// Screening records of the committee and its groups in the month.
    pub records: u32,
    /// Whether the committee itself filed a screening in the month (its
    /// monthly duty).
    pub unit_reported: bool,
    /// The last decision, if one was made.
    pub decision: Option<DutyDecision>,
}

/// An office's month of fixed subsidies: every full-time mediator below it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyMonth {
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-11")))]
    pub month: Month,
    pub rows: Vec<DutyRow>,
    /// The decided months' amounts, summed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("29600.00")))]
    pub total: Money,
    /// Mediators not decided yet.
    pub undecided: u32,
}

/// One mediator's month paid in a fixed-subsidy payment (定额补助发放):
/// the amount of the decision that held when the bureau paid the township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FixedPart {
    pub person_id: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-07")))]
    pub month: Month,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("800.00")))]
    pub amount: Money,
}

/// `POST /api/v1/duty`: the office's decision on a mediator's month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DutyRequest {
    pub person_id: PersonId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, examples("2026-11")))]
    pub month: Month,
    pub performed: bool,
    /// Required when not performed.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The last decision of each (person, month) among `all`, oldest first.
pub fn latest(all: Vec<DutyDecision>) -> Vec<DutyDecision> {
    let mut out: Vec<DutyDecision> = Vec::new();
    for d in all {
        match out
            .iter_mut()
            .find(|x| x.person_id == d.person_id && x.month == d.month)
        {
            Some(x) if x.at <= d.at => *x = d,
            Some(_) => {}
            None => out.push(d),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(person: &str, month: &str, performed: bool, at: &str) -> DutyDecision {
        DutyDecision {
            person_id: PersonId::stable(person),
            month: month.parse().unwrap(),
            performed,
            amount: if performed {
                Money::yuan(800)
            } else {
                Money::ZERO
            },
            reason: (!performed).then(|| "未按月排查".into()),
            by: PersonId::stable("staff"),
            by_name: "所员".into(),
            at: at.parse().unwrap(),
        }
    }

    #[test]
    fn months_read_and_write_their_key() {
        let m: Month = "2026-11".parse().unwrap();
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.last_day(), jiff::civil::Date::new(2026, 11, 30).unwrap());
        assert!("2026-Q3".parse::<Month>().is_err(), "a quarter is no month");
        assert_eq!(m.label_zh(), "2026年11月");
    }

    #[test]
    fn the_last_decision_of_a_month_holds() {
        let all = vec![
            decision("a", "2026-10", false, "2026-11-02T01:00:00Z"),
            decision("b", "2026-10", true, "2026-11-02T01:00:00Z"),
            decision("a", "2026-10", true, "2026-11-03T01:00:00Z"),
            decision("a", "2026-09", false, "2026-10-03T01:00:00Z"),
        ];
        let now = latest(all);
        assert_eq!(now.len(), 3);
        let a10 = now
            .iter()
            .find(|d| d.person_id == PersonId::stable("a") && d.month.to_string() == "2026-10")
            .unwrap();
        assert!(a10.performed, "the correction holds");
    }
}
