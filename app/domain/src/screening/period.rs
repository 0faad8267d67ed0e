//! The screening calendar's periods (排查周期): ISO weeks (Monday first),
//! calendar months and quarters, all on China's calendar. A period is known
//! by a stable text key — `2026-W53`, `2026-12`, `2026-Q4` — that the
//! database and the wire use, and shown with a Chinese label.

use crate::dates;
use jiff::civil::{Date, ISOWeekDate, Weekday};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// How often a duty recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// 每周 — ISO weeks, Monday to Sunday; week 1 holds the year's first Thursday.
    Weekly,
    /// 每月 — calendar months.
    Monthly,
    /// 每季度 — quarters: January–March, April–June, July–September, October–December.
    Quarterly,
}

impl Cadence {
    pub const ALL: [Cadence; 3] = [Cadence::Weekly, Cadence::Monthly, Cadence::Quarterly];

    pub fn code(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Cadence::Weekly => "每周",
            Cadence::Monthly => "每月",
            Cadence::Quarterly => "每季度",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }

    /// The fewest days a period of this cadence has (7, 28, 90).
    pub fn min_days(self) -> u8 {
        match self {
            Cadence::Weekly => 7,
            Cadence::Monthly => 28,
            Cadence::Quarterly => 90,
        }
    }
}

/// The calendar day in China at a moment: a device clock in UTC at
/// 2026-12-31T17:00Z is already 2027-01-01 here. Screening periods, due
/// dates and record dates are all China calendar days.
pub fn china_today(now: jiff::Timestamp) -> Date {
    dates::china_date(now)
}

/// One week, month or quarter. Built only through [`Period::containing`] and
/// the checked constructors, so it is always a real period. Orders
/// chronologically within a cadence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    cadence: Cadence,
    /// The ISO week-numbering year for weeks, else the calendar year.
    year: i16,
    /// Week 1–53, month 1–12 or quarter 1–4.
    number: i8,
}

/// A text that is not a period key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("周期格式无效 “{0}”，应如 2026-W05、2026-05、2026-Q2 / not a period key")]
pub struct PeriodKeyError(pub String);

impl Period {
    /// The period of `cadence` that holds `date`.
    pub fn containing(cadence: Cadence, date: Date) -> Period {
        match cadence {
            Cadence::Weekly => {
                let w = date.iso_week_date();
                Period {
                    cadence,
                    year: w.year(),
                    number: w.week(),
                }
            }
            Cadence::Monthly => Period {
                cadence,
                year: date.year(),
                number: date.month(),
            },
            Cadence::Quarterly => Period {
                cadence,
                year: date.year(),
                number: (date.month() - 1) / 3 + 1,
            },
        }
    }

    /// The period of `cadence` that holds `now` on China's calendar.
    pub fn at(cadence: Cadence, now: jiff::Timestamp) -> Period {
        Period::containing(cadence, china_today(now))
    }

    /// ISO week `week` of ISO year `year`, if that year has it (only
    /// "long" years have a week 53).
    pub fn week(year: i16, week: i8) -> Option<Period> {
        ISOWeekDate::new(year, week, Weekday::Monday).ok()?;
        Some(Period {
            cadence: Cadence::Weekly,
            year,
            number: week,
        })
    }

    /// Month 1–12 of `year`.
    pub fn month(year: i16, month: i8) -> Option<Period> {
        Date::new(year, month, 1).ok()?;
        Some(Period {
            cadence: Cadence::Monthly,
            year,
            number: month,
        })
    }

    /// Quarter 1–4 of `year`.
    pub fn quarter(year: i16, quarter: i8) -> Option<Period> {
        if !(1..=4).contains(&quarter) {
            return None;
        }
        Date::new(year, 1, 1).ok()?;
        Some(Period {
            cadence: Cadence::Quarterly,
            year,
            number: quarter,
        })
    }

    pub fn cadence(self) -> Cadence {
        self.cadence
    }

    /// The ISO week-numbering year for a week (2026-12-28 … 2027-01-03 are
    /// all in 2026's week 53), else the calendar year.
    pub fn year(self) -> i16 {
        self.year
    }

    /// Week 1–53, month 1–12 or quarter 1–4.
    pub fn number(self) -> i8 {
        self.number
    }

    /// The first day.
    pub fn start(self) -> Date {
        match self.cadence {
            // built checked, so the week's Monday exists
            Cadence::Weekly => ISOWeekDate::new(self.year, self.number, Weekday::Monday)
                .map_or(Date::MIN, ISOWeekDate::date),
            Cadence::Monthly => Date::new(self.year, self.number, 1).unwrap_or(Date::MIN),
            Cadence::Quarterly => Date::new(self.year, self.number * 3 - 2, 1).unwrap_or(Date::MIN),
        }
    }

    /// The last day, inclusive. (Only the last week jiff knows, 9999-W52,
    /// is cut short at 9999-12-31.)
    pub fn end(self) -> Date {
        match self.cadence {
            Cadence::Weekly => ISOWeekDate::new(self.year, self.number, Weekday::Sunday)
                .map_or(Date::MAX, ISOWeekDate::date),
            Cadence::Monthly => {
                Date::new(self.year, self.number, 1).map_or(Date::MAX, Date::last_of_month)
            }
            Cadence::Quarterly => {
                Date::new(self.year, self.number * 3, 1).map_or(Date::MAX, Date::last_of_month)
            }
        }
    }

    /// Whether `date` falls in this period.
    pub fn contains(self, date: Date) -> bool {
        Period::containing(self.cadence, date) == self
    }

    /// The period after this one; none after the last date jiff knows.
    pub fn next(self) -> Option<Period> {
        Some(Period::containing(
            self.cadence,
            self.end().tomorrow().ok()?,
        ))
    }

    /// The period before this one; none before the first date jiff knows.
    pub fn prev(self) -> Option<Period> {
        Some(Period::containing(
            self.cadence,
            self.start().yesterday().ok()?,
        ))
    }

    /// The stable key: `2026-W53`, `2026-12`, `2026-Q4`. Years before 0
    /// are written `-0044-03`.
    pub fn key(self) -> String {
        let year = if self.year < 0 {
            format!("-{:04}", self.year.unsigned_abs())
        } else {
            format!("{:04}", self.year)
        };
        match self.cadence {
            Cadence::Weekly => format!("{year}-W{:02}", self.number),
            Cadence::Monthly => format!("{year}-{:02}", self.number),
            Cadence::Quarterly => format!("{year}-Q{}", self.number),
        }
    }

    /// Reads a key written by [`Period::key`]; nothing else.
    pub fn parse(key: &str) -> Result<Period, PeriodKeyError> {
        let bad = || PeriodKeyError(key.to_owned());
        let (negative, rest) = match key.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, key),
        };
        let digits = |s: &str| -> Option<i16> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<i16>().ok())?
        };
        let b = rest.as_bytes();
        if b.len() < 6 || b[4] != b'-' {
            return Err(bad());
        }
        let year = digits(&rest[..4]).ok_or_else(bad)?;
        let year = if negative { -year } else { year };
        if negative && year == 0 {
            return Err(bad());
        }
        let tail = &rest[5..];
        let period = if let Some(w) = tail.strip_prefix('W') {
            (w.len() == 2)
                .then(|| Period::week(year, digits(w)? as i8))
                .flatten()
        } else if let Some(q) = tail.strip_prefix('Q') {
            (q.len() == 1)
                .then(|| Period::quarter(year, digits(q)? as i8))
                .flatten()
        } else {
            (tail.len() == 2)
                .then(|| Period::month(year, digits(tail)? as i8))
                .flatten()
        };
        period.ok_or_else(bad)
    }

    /// `2026年第53周`, `2026年12月`, `2026年第4季度`.
    pub fn label_zh(self) -> String {
        match self.cadence {
            Cadence::Weekly => format!("{}年第{}周", self.year, self.number),
            Cadence::Monthly => format!("{}年{}月", self.year, self.number),
            Cadence::Quarterly => format!("{}年第{}季度", self.year, self.number),
        }
    }

    /// `week 53 of 2026`, `December 2026`, `Q4 2026`.
    pub fn label_en(self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match self.cadence {
            Cadence::Weekly => format!("week {} of {}", self.number, self.year),
            Cadence::Monthly => format!("{} {}", MONTHS[self.number as usize - 1], self.year),
            Cadence::Quarterly => format!("Q{} {}", self.number, self.year),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.key())
    }
}

impl FromStr for Period {
    type Err = PeriodKeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

/// On the wire a period is its key.
impl Serialize for Period {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.key())
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`): plain integer
/// arithmetic, so the reminder index can place a million records in
/// periods and compare days without jiff's spans.
pub(crate) fn day_number(d: Date) -> i32 {
    let (y, m, dd) = (
        i32::from(d.year()),
        i32::from(d.month()),
        i32::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March is 0
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A running number of the period of `cadence` holding `date`: consecutive
/// periods differ by one. (Weeks count from the Monday 1969-12-29, the
/// Monday before day 0.)
pub(crate) fn ordinal(cadence: Cadence, date: Date) -> i32 {
    match cadence {
        Cadence::Weekly => (day_number(date) + 3).div_euclid(7),
        Cadence::Monthly => i32::from(date.year()) * 12 + i32::from(date.month()) - 1,
        Cadence::Quarterly => i32::from(date.year()) * 4 + (i32::from(date.month()) - 1) / 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    proptest::proptest! {
        /// The index's hand-written day count agrees with jiff on every date
        /// jiff knows, and so do the period numbers built on it.
        #[test]
        fn day_numbers_agree_with_jiff_everywhere(n in 0i32..=(Date::MAX - Date::MIN).get_days()) {
            let d = Date::MIN + jiff::Span::new().days(n);
            let epoch = date(1970, 1, 1);
            proptest::prop_assert_eq!(day_number(d), (d - epoch).get_days());
            let week_start = Period::containing(Cadence::Weekly, d).start();
            proptest::prop_assert_eq!(ordinal(Cadence::Weekly, d), ordinal(Cadence::Weekly, week_start));
            if let Some(next) = Period::containing(Cadence::Weekly, d).next() {
                proptest::prop_assert_eq!(ordinal(Cadence::Weekly, next.start()), ordinal(Cadence::Weekly, d) + 1);
            }
        }
    }

    fn week(y: i16, w: i8) -> Period {
        Period::week(y, w).unwrap()
    }

    #[test]
    fn the_last_days_of_2026_belong_to_2026_week_53() {
        let w53 = week(2026, 53);
        for day in 28..=31 {
            assert_eq!(
                Period::containing(Cadence::Weekly, date(2026, 12, day)),
                w53
            );
        }
        for day in 1..=3 {
            assert_eq!(Period::containing(Cadence::Weekly, date(2027, 1, day)), w53);
        }
        assert_eq!(
            Period::containing(Cadence::Weekly, date(2027, 1, 4)),
            week(2027, 1)
        );
        assert_eq!(
            (w53.start(), w53.end()),
            (date(2026, 12, 28), date(2027, 1, 3))
        );
        assert_eq!(w53.next(), Some(week(2027, 1)));
        assert_eq!(week(2027, 1).prev(), Some(w53));
        assert_eq!(w53.key(), "2026-W53");
        assert_eq!(w53.label_zh(), "2026年第53周");
        assert_eq!(w53.label_en(), "week 53 of 2026");
    }

    #[test]
    fn only_long_iso_years_have_week_53() {
        assert!(Period::week(2020, 53).is_some());
        assert!(Period::week(2021, 53).is_none());
        assert_eq!(week(2020, 53).start(), date(2020, 12, 28));
        assert_eq!(week(2020, 53).end(), date(2021, 1, 3));
        assert_eq!(week(2021, 52).next(), Some(week(2022, 1)));
        assert!(Period::week(2021, 0).is_none());
        assert!(Period::parse("2021-W53").is_err());
        assert_eq!(Period::parse("2020-W53"), Ok(week(2020, 53)));
        // 2024-12-30 (a Monday) starts ISO year 2025
        assert_eq!(
            Period::containing(Cadence::Weekly, date(2024, 12, 30)),
            week(2025, 1)
        );
    }

    #[test]
    fn quarters_turn_on_the_first_of_april_and_of_january() {
        let q = |d| Period::containing(Cadence::Quarterly, d);
        assert_eq!(q(date(2026, 3, 31)).key(), "2026-Q1");
        assert_eq!(q(date(2026, 4, 1)).key(), "2026-Q2");
        let q4 = q(date(2026, 12, 31));
        assert_eq!(q4.key(), "2026-Q4");
        assert_eq!(q4.label_zh(), "2026年第4季度");
        assert_eq!(q4.next().unwrap().key(), "2027-Q1");
        assert_eq!(
            (q4.start(), q4.end()),
            (date(2026, 10, 1), date(2026, 12, 31))
        );
        assert_eq!(q(date(2026, 1, 1)).prev().unwrap().key(), "2025-Q4");
    }

    #[test]
    fn months_know_their_lengths() {
        let feb = Period::month(2024, 2).unwrap();
        assert_eq!(feb.end(), date(2024, 2, 29));
        assert_eq!(Period::month(2026, 2).unwrap().end(), date(2026, 2, 28));
        let dec = Period::containing(Cadence::Monthly, date(2026, 12, 31));
        assert_eq!(
            (dec.key(), dec.label_zh()),
            ("2026-12".into(), "2026年12月".into())
        );
        assert_eq!(dec.label_en(), "December 2026");
        assert_eq!(dec.next().unwrap().key(), "2027-01");
    }

    #[test]
    fn a_utc_device_clock_counts_in_china_time() {
        // 2027-01-01 00:30 in Shanghai, still 2026-12-31 in UTC
        let now: jiff::Timestamp = "2026-12-31T16:30:00Z".parse().unwrap();
        assert_eq!(china_today(now), date(2027, 1, 1));
        assert_eq!(china_today(now).weekday(), Weekday::Friday);
        assert_eq!(Period::at(Cadence::Weekly, now).key(), "2026-W53");
        assert_eq!(Period::at(Cadence::Monthly, now).key(), "2027-01");
        assert_eq!(Period::at(Cadence::Quarterly, now).key(), "2027-Q1");
        let before: jiff::Timestamp = "2026-12-31T15:59:59Z".parse().unwrap();
        assert_eq!(Period::at(Cadence::Monthly, before).key(), "2026-12");
    }

    #[test]
    fn keys_parse_strictly_and_serialize_as_text() {
        for bad in [
            "", "2026", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-W54", "2026-W1",
            "2026-w01", "26-01", "2026/01", "2026-1", "+2026-01", "-0000-01", "2026-Q04",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
        let p = Period::month(-44, 3).unwrap();
        assert_eq!(p.key(), "-0044-03");
        assert_eq!(Period::parse("-0044-03"), Ok(p));
        let json = serde_json::to_string(&week(2026, 5)).unwrap();
        assert_eq!(json, "\"2026-W05\"");
        assert_eq!(
            serde_json::from_str::<Period>(&json).unwrap(),
            week(2026, 5)
        );
        assert!(serde_json::from_str::<Period>("\"2026-W60\"").is_err());
        assert_eq!("2026-Q3".parse::<Period>().unwrap().to_string(), "2026-Q3");
    }

    #[test]
    fn the_ends_of_jiffs_calendar_do_not_panic() {
        for c in Cadence::ALL {
            let first = Period::containing(c, Date::MIN);
            assert_eq!(first.start(), Date::MIN);
            assert_eq!(first.prev(), None);
            let last = Period::containing(c, Date::MAX);
            assert_eq!(last.end(), Date::MAX);
            assert_eq!(last.next(), None);
            assert_eq!(Period::parse(&last.key()), Ok(last));
        }
    }

    #[test]
    fn day_numbers_and_ordinals_agree_with_jiff() {
        let epoch = date(1970, 1, 1);
        for d in [
            epoch,
            date(2000, 2, 29),
            date(2026, 12, 31),
            date(1969, 12, 29),
            Date::MIN,
            Date::MAX,
        ] {
            assert_eq!(day_number(d), (d - epoch).get_days(), "{d}");
        }
        assert_eq!(
            ordinal(Cadence::Weekly, date(2027, 1, 3)) + 1,
            ordinal(Cadence::Weekly, date(2027, 1, 4))
        );
        assert_eq!(
            ordinal(Cadence::Weekly, date(2026, 12, 28)),
            ordinal(Cadence::Weekly, date(2027, 1, 3))
        );
    }
}
