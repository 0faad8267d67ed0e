//! Rate limits kept in the server's memory (one instance; several instances
//! each keep their own, which only loosens the limits): the log-in gate
//! (`login_gate.rs`) and requests per device session.

use super::error::ApiError;
use super::login_gate::LoginGate;
use domain::DeviceSessionId;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use std::num::NonZeroU32;

pub struct Limits {
    pub login: LoginGate,
    device: DefaultKeyedRateLimiter<DeviceSessionId>,
}

impl Limits {
    /// Sync: 120 requests at once, then 10 a second per device.
    pub fn new() -> Limits {
        let n = |v: u32| NonZeroU32::new(v).expect("non-zero");
        Limits {
            login: LoginGate::new(),
            device: RateLimiter::keyed(Quota::per_second(n(10)).allow_burst(n(120))),
        }
    }

    pub fn check_device(&self, session: DeviceSessionId) -> Result<(), ApiError> {
        self.device
            .check_key(&session)
            .map_err(|e| rate_limited(&e, self.device.clock()))
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
