//! Rate limits kept in the server's memory (one instance; several instances
//! each keep their own, which only loosens the limits): log-in attempts per
//! phone number, and requests per device session.

use super::error::ApiError;
use domain::DeviceSessionId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct Limits {
    login: DefaultKeyedRateLimiter<String>,
    device: DefaultKeyedRateLimiter<DeviceSessionId>,
}

impl Limits {
    /// Log-in: 10 attempts at once, then one every 6 s per phone number.
    /// Sync: 120 requests at once, then 10 a second per device.
    pub fn new() -> Limits {
        let n = |v: u32| NonZeroU32::new(v).expect("non-zero");
        Limits {
            login: RateLimiter::keyed(Quota::per_minute(n(10)).allow_burst(n(10))),
            device: RateLimiter::keyed(Quota::per_second(n(10)).allow_burst(n(120))),
        }
    }

    pub fn check_device(&self, session: DeviceSessionId) -> Result<(), ApiError> {
        self.device
            .check_key(&session)
            .map_err(|e| rate_limited(&e, self.device.clock()))
    }

    pub fn check_login(&self, phone: &domain::Phone) -> Result<(), ApiError> {
        self.login
            .check_key(&phone.as_str().to_owned())
            .map_err(|e| rate_limited(&e, self.login.clock()))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new()
    }
}

/// 429 with the whole seconds until the next request would pass
/// (`Retry-After`), at least one.
fn rate_limited(e: &NotUntil<<DefaultClock as Clock>::Instant>, clock: &DefaultClock) -> ApiError {
    let wait = e.wait_time_from(clock.now());
    ApiError::RateLimited {
        retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
    }
}
