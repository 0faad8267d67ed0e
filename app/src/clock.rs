//! The date and time, from the device's clock on the phone and the system
//! clock on the server; days are China's (UTC+8, no daylight saving).

use domain::Timestamp;
use jiff::civil::Date;

/// Now.
pub fn now() -> Timestamp {
    #[cfg(feature = "hydrate")]
    let now = jiff::Timestamp::from_millisecond(js_sys::Date::now() as i64)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    #[cfg(not(feature = "hydrate"))]
    let now = jiff::Timestamp::now();
    Timestamp::from(now)
}

/// Today in China.
pub fn today_in_china() -> Date {
    now().china_date()
}
