//! Rate limits kept in the server's memory (one instance; several instances
//! each keep their own, which only loosens the limits): the log-in gate
//! (`login_gate.rs`), and every authenticated request per device session
//! and per account (checked where the [`Caller`](crate::service::Caller)
//! is read, `extract.rs`).

use super::error::ApiError;
use super::login_gate::LoginGate;
use domain::{AccountId, DeviceSessionId};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the keyed limiters forget keys that are back at full burst.
const PRUNE_EVERY: Duration = Duration::from_secs(60);

pub struct Limits {
    pub login: LoginGate,
    device: DefaultKeyedRateLimiter<DeviceSessionId>,
    account: DefaultKeyedRateLimiter<AccountId>,
    pruned_at: Mutex<Instant>,
}

impl Limits {
    /// Per device session: 120 requests at once, then 10 a second; per
    /// account, whatever its sessions: 240 at once, then 20 a second (two
    /// phones' worth: more sessions of one account do not buy more).
    pub fn new() -> Limits {
        let n = |v: u32| NonZeroU32::new(v).expect("non-zero");
        Limits {
            login: LoginGate::new(),
            device: RateLimiter::keyed(Quota::per_second(n(10)).allow_burst(n(120))),
            account: RateLimiter::keyed(Quota::per_second(n(20)).allow_burst(n(240))),
            pruned_at: Mutex::new(Instant::now()),
        }
    }

    /// One authenticated request of `session`, held by `account`.
    pub fn check_caller(
        &self,
        session: DeviceSessionId,
        account: AccountId,
    ) -> Result<(), ApiError> {
        self.prune_now_and_then();
        self.device
            .check_key(&session)
            .map_err(|e| rate_limited(&e, self.device.clock()))?;
        self.account
            .check_key(&account)
            .map_err(|e| rate_limited(&e, self.account.clock()))
    }

    /// Once a minute: forget the sessions and accounts back at full burst
    /// (ended sessions would otherwise stay in the maps for good).
    fn prune_now_and_then(&self) {
        let Ok(mut at) = self.pruned_at.try_lock() else {
            return; // another request is pruning
        };
        if at.elapsed() >= PRUNE_EVERY {
            *at = Instant::now();
            self.device.retain_recent();
            self.device.shrink_to_fit();
            self.account.retain_recent();
            self.account.shrink_to_fit();
        }
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
