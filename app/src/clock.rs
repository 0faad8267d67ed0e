//! The date and time in China (UTC+8, no daylight saving), from the device's
//! clock on the phone and the system clock on the server.

use jiff::civil::Date;

fn now() -> jiff::Timestamp {
    #[cfg(feature = "hydrate")]
    let now = jiff::Timestamp::from_millisecond(js_sys::Date::now() as i64)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    #[cfg(not(feature = "hydrate"))]
    let now = jiff::Timestamp::now();
    now
}

/// Today in China.
pub fn today_in_china() -> Date {
    domain::dates::china_date(now())
}

/// Now as RFC 3339 with the China offset, e.g. `2024-05-10T09:30:00+08:00`
/// (what the paper forms and the evidence show).
pub fn now_in_china() -> String {
    in_china(now())
}

/// A server time (RFC 3339 UTC) as China's wall clock, to the minute:
/// `2026-11-25 10:00`. Text that is not a time is shown as it is.
pub fn china_minute(text: &str) -> String {
    let shown = domain::dates::parse_utc(text)
        .map(in_china)
        .unwrap_or_else(|| text.to_owned());
    shown.get(..16).unwrap_or(shown.as_str()).replace('T', " ")
}

/// A moment as RFC 3339 with the China offset.
pub fn in_china(t: jiff::Timestamp) -> String {
    domain::dates::china_rfc3339(t)
}
