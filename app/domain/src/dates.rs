//! ISO dates (`2024-05-10`) read and written without jiff's general
//! parser and printer, whose rich errors would add ~40 KB to the phone's
//! wasm; jiff still does the calendar arithmetic.

use jiff::civil::Date;
use serde::{Deserialize, Deserializer, Serializer};

/// Parses exactly `YYYY-MM-DD` into a valid calendar date.
pub fn parse_iso(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        b[r].iter().try_fold(0i32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i32::from(c - b'0'))
        })
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    Date::new(y as i16, m as i8, d as i8).ok()
}

/// `YYYY-MM-DD`.
pub fn format_iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// `#[serde(with = "crate::dates::iso")]` for a `Date`.
pub mod iso {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_iso(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse_iso(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("日期无效 / not a valid date (YYYY-MM-DD): {s:?}"))
        })
    }
}

/// `#[serde(with = "crate::dates::iso_opt")]` for an `Option<Date>`.
pub mod iso_opt {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format_iso(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| {
                parse_iso(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "日期无效 / not a valid date (YYYY-MM-DD): {s:?}"
                    ))
                })
            })
            .transpose()
    }
}

/// A server time, `2026-11-25T02:00:00.123456Z` (RFC 3339 in UTC, any
/// fraction of a second, which is dropped), read without jiff's general
/// parser (see the module notes). `None` for anything else.
pub fn parse_utc(s: &str) -> Option<jiff::Timestamp> {
    let b = s.as_bytes();
    if b.len() < 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let rest = &s[19..];
    let zone = rest
        .strip_prefix('.')
        .map_or(rest, |f| f.trim_start_matches(|c: char| c.is_ascii_digit()));
    if zone != "Z" && zone != "+00:00" {
        return None;
    }
    let two = |at: usize| -> Option<i8> {
        let (h, l) = (b[at], b[at + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| ((h - b'0') * 10 + (l - b'0')) as i8)
    };
    let time = jiff::civil::Time::new(two(11)?, two(14)?, two(17)?, 0).ok()?;
    let at = parse_iso(&s[..10])?.to_datetime(time);
    jiff::tz::Offset::UTC.to_timestamp(at).ok()
}

/// China's time zone: UTC+8 all year (no daylight saving), so a fixed
/// offset is exact and needs no time-zone database.
pub fn china() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
}

/// The calendar date in China at a moment (the rules' and forms' calendar,
/// whatever the device's or server's own zone).
pub fn china_date(t: jiff::Timestamp) -> Date {
    china_datetime(t).date()
}

/// The wall clock in China at a moment. Through the offset alone, not a
/// `TimeZone`: a zone's code (and its time-zone-file parser's messages)
/// would join the phone's first load.
fn china_datetime(t: jiff::Timestamp) -> jiff::civil::DateTime {
    jiff::tz::offset(8).to_datetime(t)
}

/// A moment as RFC 3339 in China time, `2026-05-10T09:30:00+08:00`,
/// written without jiff's printer; one format and one offset, so such
/// texts sort by time.
pub fn china_rfc3339(t: jiff::Timestamp) -> String {
    let z = china_datetime(t);
    format!(
        "{}T{:02}:{:02}:{:02}+08:00",
        format_iso(z.date()),
        z.hour(),
        z.minute(),
        z.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn server_times_read_as_the_moment_they_name() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            parse_utc("2026-11-25T02:00:00.123456Z"),
            Some(t("2026-11-25T02:00:00Z"))
        );
        assert_eq!(
            parse_utc("2026-12-31T16:00:00+00:00"),
            Some(t("2026-12-31T16:00:00Z"))
        );
        assert_eq!(
            parse_utc("2026-11-25T02:00:00Z"),
            Some(t("2026-11-25T02:00:00Z"))
        );
        for bad in [
            "",
            "2026-11-25",
            "2026-11-25T02:00:00",
            "2026-11-25T02:00:00+08:00",
            "2026-11-25T25:00:00Z",
            "2026-02-30T02:00:00Z",
            "2026-11-25 02:00:00Z",
            "2026-11-25T02:00:00.Zx",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad:?}");
        }
        assert_eq!(
            china_rfc3339(parse_utc("2026-12-31T16:30:00.5Z").unwrap()),
            "2027-01-01T00:30:00+08:00"
        );
    }

    #[test]
    fn the_china_date_turns_at_16_00_utc() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        assert_eq!(
            china_date(t("2026-12-31T15:59:59Z")),
            parse_iso("2026-12-31").unwrap()
        );
        assert_eq!(
            china_date(t("2026-12-31T16:00:00Z")),
            parse_iso("2027-01-01").unwrap()
        );
    }

    #[test]
    fn reads_and_writes_iso_dates_only() {
        assert_eq!(
            parse_iso("2024-05-10"),
            Some(jiff::civil::date(2024, 5, 10))
        );
        assert_eq!(
            parse_iso("2024-02-29"),
            Some(jiff::civil::date(2024, 2, 29))
        );
        for bad in [
            "2023-02-29",
            "2024-5-10",
            "2024/05/10",
            "20240510",
            "2024-05-1x",
            "",
            "2024-13-01",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
        assert_eq!(format_iso(jiff::civil::date(987, 1, 2)), "0987-01-02");
    }

    proptest! {
        #[test]
        fn agrees_with_jiff(y in 1i16..9999, m in 1i8..=12, d in 1i8..=31) {
            if let Ok(date) = Date::new(y, m, d) {
                prop_assert_eq!(format_iso(date), date.to_string());
                prop_assert_eq!(parse_iso(&date.to_string()), Some(date));
            }
        }
    }
}
