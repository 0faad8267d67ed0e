//! Rate limits kept in the server's memory (one instance; several instances
//! each keep their own, which only loosens the limits): log-in attempts per
//! phone number, and sync requests per device session.

use crate::error::ApiError;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct Limits {
    pub login: DefaultKeyedRateLimiter<String>,
    pub device: DefaultKeyedRateLimiter<String>,
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

    pub fn check_device(&self, session_id: &str) -> Result<(), ApiError> {
        self.device
            .check_key(&session_id.to_owned())
            .map_err(|_| ApiError::RateLimited)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new()
    }
}
