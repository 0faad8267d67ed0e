//! A moment in time (时刻) with one text form everywhere — on the wire, in
//! the database, on the phone: RFC 3339 in UTC with exactly six fractional
//! digits, `2026-11-25T02:00:00.000000Z`. One form means text order is time
//! order in both databases and in IndexedDB; values are compared as moments
//! anyway. Reading is lenient: any RFC 3339 offset (a phone's
//! `2026-11-25T10:00:00+08:00`) and any fraction are accepted and turned
//! into the one form.
//!
//! Written and read without jiff's general printer and parser, whose rich
//! errors would add ~40 KB to the phone's wasm (as `crate::dates`).

use crate::dates::{china_date, format_iso, parse_iso};
use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A moment, to the microsecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(jiff::Timestamp);

/// Not an RFC 3339 moment (`2026-11-25T02:00:00Z`, with an offset); holds
/// the text's first 40 bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 moment: {0:?}")]
pub struct TimestampError(pub String);

impl Timestamp {
    /// The moment `t`, to the microsecond (finer parts are dropped, so a
    /// value reads back equal from its text).
    pub fn from_jiff(t: jiff::Timestamp) -> Timestamp {
        let micros = t.as_microsecond();
        Timestamp(jiff::Timestamp::from_microsecond(micros).unwrap_or(t))
    }

    pub fn as_jiff(self) -> jiff::Timestamp {
        self.0
    }

    /// The calendar day in China at this moment.
    pub fn china_date(self) -> Date {
        china_date(self.0)
    }

    /// China wall-clock time to the minute, `2026-11-25 10:00`, for people.
    pub fn china_minute(self) -> String {
        let z = jiff::tz::offset(8).to_datetime(self.0);
        format!("{} {:02}:{:02}", format_iso(z.date()), z.hour(), z.minute())
    }

    /// China wall-clock time of day, `10:00:05`.
    pub fn china_time(self) -> String {
        let z = jiff::tz::offset(8).to_datetime(self.0);
        format!("{:02}:{:02}:{:02}", z.hour(), z.minute(), z.second())
    }

    /// This moment moved by `seconds` (negative: earlier); saturates.
    pub fn plus_seconds(self, seconds: i64) -> Timestamp {
        let d = jiff::SignedDuration::from_secs(seconds);
        Timestamp(self.0.checked_add(d).unwrap_or(self.0))
    }
}

impl From<jiff::Timestamp> for Timestamp {
    fn from(t: jiff::Timestamp) -> Self {
        Timestamp::from_jiff(t)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let z = jiff::tz::Offset::UTC.to_datetime(self.0);
        write!(
            f,
            "{}T{:02}:{:02}:{:02}.{:06}Z",
            format_iso(z.date()),
            z.hour(),
            z.minute(),
            z.second(),
            z.subsec_nanosecond() / 1_000
        )
    }
}

impl FromStr for Timestamp {
    type Err = TimestampError;

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s).ok_or_else(|| TimestampError(s[..s.floor_char_boundary(40)].to_owned()))
    }
}

fn parse(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let two = |at: usize| -> Option<i64> {
        let (h, l) = (*b.get(at)?, *b.get(at + 1)?);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| i64::from((h - b'0') * 10 + (l - b'0')))
    };
    let date = parse_iso(&s[..10])?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &s[19..];
    let mut micros: i64 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        // The first six digits; finer parts are dropped.
        for (i, d) in fraction.bytes().take(digits.min(6)).enumerate() {
            micros += i64::from(d - b'0') * 10i64.pow(5 - i as u32);
        }
        rest = &fraction[digits..];
    }
    let offset_seconds = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || o[3] != b':' {
                return None;
            }
            let sign = match o[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let at = s.len() - 5;
            let (h, m) = (two(at)?, two(at + 3)?);
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_epoch(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset_seconds;
    jiff::Timestamp::from_microsecond(seconds * 1_000_000 + micros)
        .ok()
        .map(Timestamp)
}

/// Days from 1970-01-01 to a (valid) proleptic Gregorian date: plain
/// arithmetic, so reading a moment needs none of jiff's time-zone code on
/// the phone's first load.
fn days_from_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Years start in March, so the leap day is the last of its year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match read(&String::deserialize(d)?) {
            Ok(Some(t)) => Ok(t),
            Ok(None) => Err(serde::de::Error::custom(TimestampError::default())),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

/// A moment's text as read by serde: `None` for `""`. One function for
/// both readers, so each reader's generic code stays a few lines (it is
/// compiled once per reader into the phone's wasm).
fn read(text: &str) -> Result<Option<Timestamp>, TimestampError> {
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some)
}

/// `#[serde(with = "crate::time::or_empty")]` for an `Option<Timestamp>`
/// that is written `""` when there is none (a case's `updated_at` before
/// its first save: the field is always present on the wire).
pub mod or_empty {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.collect_str(t),
            None => s.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        super::read(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn one_text_form_whatever_the_offset_read() {
        assert_eq!(
            t("2026-11-25T10:00:00+08:00").to_string(),
            "2026-11-25T02:00:00.000000Z"
        );
        assert_eq!(
            t("2026-11-25T02:00:00.123456789Z").to_string(),
            "2026-11-25T02:00:00.123456Z"
        );
        assert_eq!(
            t("2026-12-31T20:30:00-05:30").to_string(),
            "2027-01-01T02:00:00.000000Z"
        );
        assert_eq!(
            t("2026-11-25T02:00:00.5Z"),
            t("2026-11-25T10:00:00.500+08:00")
        );
        for bad in [
            "",
            "2026-11-25",
            "2026-11-25T02:00:00",
            "2026-11-25 02:00:00Z",
            "2026-11-25T25:00:00Z",
            "2026-02-30T02:00:00Z",
            "2026-11-25T02:00:00.Z",
            "2026-11-25T02:00:00+8:00",
            "2026-11-25T02:00:00+08:00x",
            "2026-11-25T02:00:00.1234567890Z",
        ] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn before_the_epoch_and_on_leap_days() {
        assert_eq!(
            t("1969-12-31T23:59:59.999999Z").as_jiff().as_microsecond(),
            -1
        );
        assert_eq!(
            t("2024-02-29T16:00:00.000000+08:00").to_string(),
            "2024-02-29T08:00:00.000000Z"
        );
        assert_eq!(
            t("2000-03-01T00:00:00Z").to_string(),
            "2000-03-01T00:00:00.000000Z"
        );
        assert!("2100-02-29T00:00:00Z".parse::<Timestamp>().is_err());
    }

    #[test]
    fn a_phone_time_and_a_server_time_sort_as_moments() {
        // 10:00 in China is 02:00 UTC: earlier than 03:00 UTC, though its
        // text as the phone wrote it sorts later
        let phone = t("2026-11-25T10:00:00+08:00");
        let server = t("2026-11-25T03:00:00.000000Z");
        assert!("2026-11-25T10:00:00+08:00" > "2026-11-25T03:00:00.000000Z");
        assert!(phone < server);
        assert!(
            phone.to_string() < server.to_string(),
            "the one form sorts as text"
        );
    }

    #[test]
    fn china_days_and_minutes() {
        let late = t("2026-12-31T16:30:00Z");
        assert_eq!(format_iso(late.china_date()), "2027-01-01");
        assert_eq!(late.china_minute(), "2027-01-01 00:30");
        assert_eq!(late.china_time(), "00:30:00");
    }

    #[test]
    fn empty_means_none_in_or_empty() {
        #[derive(Serialize, Deserialize, PartialEq, Debug)]
        struct R {
            #[serde(with = "or_empty")]
            at: Option<Timestamp>,
        }
        let none: R = serde_json::from_str(r#"{"at":""}"#).unwrap();
        assert_eq!(none, R { at: None });
        assert_eq!(serde_json::to_string(&none).unwrap(), r#"{"at":""}"#);
        let some: R = serde_json::from_str(r#"{"at":"2026-11-25T10:00:00+08:00"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&some).unwrap(),
            r#"{"at":"2026-11-25T02:00:00.000000Z"}"#
        );
        assert!(serde_json::from_str::<R>(r#"{"at":"yesterday"}"#).is_err());
        // a moment that must be there is never ""
        assert!(serde_json::from_str::<Timestamp>(r#""""#).is_err());
        let long = "时".repeat(30).parse::<Timestamp>().unwrap_err();
        assert_eq!(
            long.0,
            "时".repeat(13),
            "cut at a character, within 40 bytes"
        );
    }

    proptest! {
        #[test]
        fn days_from_epoch_agrees_with_jiff(day in -800_000i64..800_000) {
            let date = jiff::civil::date(1970, 1, 1)
                .checked_add(jiff::Span::new().days(day))
                .unwrap();
            let counted = days_from_epoch(
                i64::from(date.year()),
                i64::from(date.month()),
                i64::from(date.day()),
            );
            prop_assert_eq!(counted, day);
        }

        #[test]
        fn text_round_trips_and_keeps_the_order(a in 0i64..4_000_000_000_000_000, b in 0i64..4_000_000_000_000_000) {
            let (ta, tb) = (
                Timestamp::from_jiff(jiff::Timestamp::from_microsecond(a).unwrap()),
                Timestamp::from_jiff(jiff::Timestamp::from_microsecond(b).unwrap()),
            );
            prop_assert_eq!(ta.to_string().parse::<Timestamp>().unwrap(), ta);
            prop_assert_eq!(ta.cmp(&tb), ta.to_string().cmp(&tb.to_string()));
        }
    }
}
