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

/// Not an RFC 3339 moment (`2026-11-25T02:00:00Z`, with an offset).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
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
        parse(s).ok_or_else(|| TimestampError(s.chars().take(40).collect()))
    }
}

fn parse(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let two = |at: usize| -> Option<i8> {
        let (h, l) = (*b.get(at)?, *b.get(at + 1)?);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| ((h - b'0') * 10 + (l - b'0')) as i8)
    };
    let date = parse_iso(&s[..10])?;
    let (hour, minute, second) = (two(11)?, two(14)?, two(17)?);
    let mut rest = &s[19..];
    let mut nanos: i32 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        let value: i32 = fraction[..digits].parse().ok()?;
        nanos = value * 10i32.pow(9 - digits as u32);
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
            sign * (i32::from(h) * 3600 + i32::from(m) * 60)
        }
    };
    let time = jiff::civil::Time::new(hour, minute, second, nanos).ok()?;
    let offset = jiff::tz::Offset::from_seconds(offset_seconds).ok()?;
    let t = offset.to_timestamp(date.to_datetime(time)).ok()?;
    Some(Timestamp::from_jiff(t))
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some(
                "RFC 3339 in UTC with six fractional digits, e.g. 2026-11-25T02:00:00.000000Z",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Timestamp {}

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
        let s = String::deserialize(d)?;
        if s.is_empty() {
            return Ok(None);
        }
        s.parse().map(Some).map_err(serde::de::Error::custom)
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
    }

    proptest! {
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
