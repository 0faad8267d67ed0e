//! The log-in gate (登录限流): what a log-in passes before its password is
//! checked. A password check is the server's dearest work (argon2id: 19 MiB
//! and tens of milliseconds of a core each), so a flood of log-ins must
//! neither take the server's memory nor its cores, and guessing must get
//! slower without locking the owner out.
//!
//! - Everyone together: 20 log-ins a second, 100 at once; a number's known
//!   address (below) is not counted, so a flood does not keep the owners
//!   out.
//! - One source address: 60 attempts at once, then one a second; and 20
//!   wrong passwords at once, then one every 3 s (password spraying: many
//!   numbers, one guess each).
//! - One number from one address: 5 wrong passwords in a row are free, then
//!   a wait that doubles from 1 s up to 5 min. A backoff, not a lock-out:
//!   after the wait the right password is let in.
//! - One number from anywhere: 20 wrong in a row are free, then the same
//!   doubling wait, which an address the number logged in from (within 30
//!   days) does not have: guesses from elsewhere do not shut out the
//!   owner's known device.
//! - At most one password check per core at once; a log-in waits up to 5 s
//!   for its turn, then is answered 429.
//!
//! A streak of wrong passwords ends with a right one from that address, or
//! 15 minutes after its last wrong one. The state is this server instance's
//! (several instances each keep their own) and is pruned once a minute, so
//! its size is bounded by what the global rate lets in.

use super::error::ApiError;
use domain::Phone;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Wrong passwords in a row from one address before the first wait.
const FREE_PER_SOURCE: u32 = 5;
/// Wrong passwords in a row for one number, from anywhere, before the first
/// wait for unknown addresses.
const FREE_PER_NUMBER: u32 = 20;
/// The longest wait a streak of wrong passwords earns.
const MAX_WAIT: Duration = Duration::from_secs(300);
/// A streak ends this long after its last wrong password.
const STREAK_ENDS: Duration = Duration::from_secs(15 * 60);
/// How long an address a number logged in from stays known.
const KNOWN_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long a log-in waits for a password check's turn.
const TURN_WAIT: Duration = Duration::from_secs(5);
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Wrong passwords one address may send at once (to any numbers)…
const SPRAY_BURST: u32 = 20;
/// …and then one per this long.
const SPRAY_EVERY: Duration = Duration::from_secs(3);

pub struct LoginGate {
    everyone: DefaultDirectRateLimiter,
    per_source: DefaultKeyedRateLimiter<IpAddr>,
    streaks: Mutex<Streaks>,
    checks: Semaphore,
}

/// A run of wrong passwords.
#[derive(Debug, Clone, Copy)]
struct Streak {
    wrong: u32,
    last: Instant,
}

impl Streak {
    /// When the next attempt may come, `free` wrong ones being allowed
    /// without a wait; `None` when it may come now.
    fn open_at(&self, free: u32) -> Option<Instant> {
        let over = self.wrong.checked_sub(free)?;
        let wait = Duration::from_secs(1 << over.min(9)).min(MAX_WAIT);
        Some(self.last + wait)
    }

    fn ended(&self, now: Instant) -> bool {
        now.saturating_duration_since(self.last) >= STREAK_ENDS
    }
}

#[derive(Default)]
struct Streaks {
    by_number_source: HashMap<(Phone, IpAddr), Streak>,
    by_number: HashMap<Phone, Streak>,
    /// Wrong passwords from each address, as a leaky bucket that lets one
    /// through every [`SPRAY_EVERY`] after [`SPRAY_BURST`] at once: the
    /// moment the bucket would be empty (GCRA's theoretical arrival time).
    by_source: HashMap<IpAddr, Instant>,
    /// Where each number last logged in from, and when.
    known: HashMap<(Phone, IpAddr), Instant>,
    pruned_at: Option<Instant>,
}

impl Streaks {
    /// The moment this attempt may come, if it is later than `now`.
    fn open_at(&self, phone: &Phone, source: IpAddr, now: Instant) -> Option<Instant> {
        let key = (phone.clone(), source);
        let live = |s: &&Streak| !s.ended(now);
        let own = self
            .by_number_source
            .get(&key)
            .filter(live)
            .and_then(|s| s.open_at(FREE_PER_SOURCE));
        let known = self.known(phone, source, now);
        let number = self
            .by_number
            .get(phone)
            .filter(live)
            .filter(|_| !known)
            .and_then(|s| s.open_at(FREE_PER_NUMBER));
        let source = self
            .by_source
            .get(&source)
            .and_then(|empty_at| empty_at.checked_sub(SPRAY_EVERY * (SPRAY_BURST - 1)));
        [own, number, source]
            .into_iter()
            .flatten()
            .max()
            .filter(|at| *at > now)
    }

    /// Whether `phone` logged in from `source` within [`KNOWN_FOR`].
    fn known(&self, phone: &Phone, source: IpAddr, now: Instant) -> bool {
        self.known
            .get(&(phone.clone(), source))
            .is_some_and(|at| now.saturating_duration_since(*at) < KNOWN_FOR)
    }

    fn wrong(&mut self, phone: &Phone, source: IpAddr, now: Instant) {
        let bump = |s: &mut Streak| {
            if s.ended(now) {
                s.wrong = 0;
            }
            s.wrong = s.wrong.saturating_add(1);
            s.last = now;
        };
        let fresh = Streak {
            wrong: 0,
            last: now,
        };
        bump(
            self.by_number_source
                .entry((phone.clone(), source))
                .or_insert(fresh),
        );
        bump(self.by_number.entry(phone.clone()).or_insert(fresh));
        let empty_at = self.by_source.entry(source).or_insert(now);
        *empty_at = (*empty_at).max(now) + SPRAY_EVERY;
    }

    fn right(&mut self, phone: &Phone, source: IpAddr, now: Instant) {
        let key = (phone.clone(), source);
        self.by_number_source.remove(&key);
        self.known.insert(key, now);
    }

    fn prune(&mut self, now: Instant) {
        self.by_number_source.retain(|_, s| !s.ended(now));
        self.by_number.retain(|_, s| !s.ended(now));
        self.by_source.retain(|_, empty_at| *empty_at > now);
        self.known
            .retain(|_, at| now.saturating_duration_since(*at) < KNOWN_FOR);
        self.by_number_source.shrink_to_fit();
        self.by_number.shrink_to_fit();
        self.by_source.shrink_to_fit();
        self.pruned_at = Some(now);
    }
}

impl LoginGate {
    pub fn new() -> LoginGate {
        let n = |v: u32| NonZeroU32::new(v).expect("non-zero");
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        LoginGate {
            everyone: RateLimiter::direct(Quota::per_second(n(20)).allow_burst(n(100))),
            per_source: RateLimiter::keyed(Quota::per_second(n(1)).allow_burst(n(60))),
            streaks: Mutex::new(Streaks::default()),
            checks: Semaphore::new(cores),
        }
    }

    /// Lets a log-in for `phone` from `source` on to its password check, or
    /// answers 429 with the seconds to wait.
    pub fn admit(&self, phone: &Phone, source: IpAddr) -> Result<(), ApiError> {
        let now = Instant::now();
        let known;
        {
            let mut streaks = self.streaks();
            if streaks
                .pruned_at
                .is_none_or(|at| now.saturating_duration_since(at) >= PRUNE_EVERY)
            {
                streaks.prune(now);
                self.per_source.retain_recent();
                self.per_source.shrink_to_fit();
            }
            if let Some(at) = streaks.open_at(phone, source, now) {
                return Err(wait(at.saturating_duration_since(now)));
            }
            known = streaks.known(phone, source, now);
        }
        self.per_source
            .check_key(&source)
            .map_err(|e| limited(&e, self.per_source.clock()))?;
        if known {
            return Ok(());
        }
        self.everyone
            .check()
            .map_err(|e| limited(&e, self.everyone.clock()))
    }

    /// A turn at checking a password: one per core at once. Held until the
    /// check is done; after 5 s of waiting, 429.
    pub async fn turn(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        match tokio::time::timeout(TURN_WAIT, self.checks.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(wait(Duration::from_secs(1))),
        }
    }

    /// The password was wrong (or the number unknown: the same to the gate).
    pub fn wrong(&self, phone: &Phone, source: IpAddr) {
        self.streaks().wrong(phone, source, Instant::now());
    }

    /// The password was right: the streak from this address ends and the
    /// address is known for this number.
    pub fn right(&self, phone: &Phone, source: IpAddr) {
        self.streaks().right(phone, source, Instant::now());
    }

    fn streaks(&self) -> std::sync::MutexGuard<'_, Streaks> {
        // the maps stay consistent whatever panicked while holding them
        self.streaks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for LoginGate {
    fn default() -> Self {
        LoginGate::new()
    }
}

/// 429 with the whole seconds until `wait` has passed, at least one.
fn wait(wait: Duration) -> ApiError {
    ApiError::RateLimited {
        retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
    }
}

fn limited(e: &NotUntil<<DefaultClock as Clock>::Instant>, clock: &DefaultClock) -> ApiError {
    wait(e.wait_time_from(clock.now()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(n: u32) -> Phone {
        Phone::parse(&format!("138{n:08}")).expect("a mobile number")
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn five_wrong_are_free_then_the_wait_doubles_up_to_five_minutes() {
        let t0 = Instant::now();
        let mut s = Streaks::default();
        let (p, a) = (phone(1), ip(1));
        for i in 0..5 {
            assert_eq!(s.open_at(&p, a, t0), None, "attempt {i} is free");
            s.wrong(&p, a, t0);
        }
        let waits: Vec<u64> = (0..12)
            .map(|_| {
                let at = s.open_at(&p, a, t0).expect("a wait");
                s.wrong(&p, a, t0);
                at.duration_since(t0).as_secs()
            })
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
    }

    #[test]
    fn the_wait_is_a_backoff_not_a_lock_out() {
        let t0 = Instant::now();
        let mut s = Streaks::default();
        let (p, a) = (phone(1), ip(1));
        for _ in 0..8 {
            s.wrong(&p, a, t0);
        }
        let at = s.open_at(&p, a, t0).expect("a wait");
        assert_eq!(s.open_at(&p, a, at), None, "open when the wait is over");
        // the right password then ends the streak
        s.right(&p, a, at);
        assert_eq!(s.open_at(&p, a, at), None);
        // and a streak ends by itself 15 minutes after its last wrong one
        for _ in 0..8 {
            s.wrong(&p, a, at);
        }
        assert!(s.open_at(&p, a, at).is_some());
        let later = at + STREAK_ENDS;
        assert_eq!(s.open_at(&p, a, later), None);
        s.wrong(&p, a, later);
        assert_eq!(s.by_number_source[&(p, a)].wrong, 1, "a new streak");
    }

    #[test]
    fn guesses_from_elsewhere_do_not_shut_out_the_owners_known_address() {
        let t0 = Instant::now();
        let mut s = Streaks::default();
        let p = phone(1);
        let (owner, stranger) = (ip(1), ip(200));
        s.right(&p, owner, t0);
        // 20 wrong from 20 addresses: each address free, the number not yet
        for i in 0..20 {
            assert_eq!(s.open_at(&p, ip(100 + i), t0), None);
            s.wrong(&p, ip(100 + i), t0);
        }
        assert!(s.open_at(&p, stranger, t0).is_some(), "a new address waits");
        assert_eq!(s.open_at(&p, owner, t0), None, "the owner's does not");
        // another number is untouched
        assert_eq!(s.open_at(&phone(2), stranger, t0), None);
    }

    #[test]
    fn one_address_gets_twenty_wrong_passwords_at_once_then_one_every_three_seconds() {
        let t0 = Instant::now();
        let mut s = Streaks::default();
        let a = ip(1);
        for n in 0..20 {
            assert_eq!(s.open_at(&phone(n), a, t0), None, "guess {n} is free");
            s.wrong(&phone(n), a, t0);
        }
        let at = s.open_at(&phone(20), a, t0).expect("the address waits");
        assert_eq!(at.duration_since(t0), SPRAY_EVERY);
        assert!(
            s.open_at(&phone(20), ip(2), t0).is_none(),
            "other addresses do not"
        );
        s.wrong(&phone(20), a, at);
        assert_eq!(
            s.open_at(&phone(21), a, at),
            Some(at + SPRAY_EVERY),
            "one more, then a wait"
        );
    }

    #[test]
    fn pruning_forgets_ended_streaks_and_old_addresses() {
        let t0 = Instant::now();
        let mut s = Streaks::default();
        for n in 0..1000 {
            s.wrong(&phone(n), ip(1), t0);
        }
        s.right(&phone(1), ip(2), t0);
        s.prune(t0 + STREAK_ENDS);
        assert!(s.by_number_source.is_empty() && s.by_number.is_empty());
        assert_eq!(s.by_source.len(), 1, "1000 wrong drain in 3000 s");
        s.prune(t0 + SPRAY_EVERY * 1000);
        assert!(s.by_source.is_empty());
        assert_eq!(s.known.len(), 1);
        s.prune(t0 + KNOWN_FOR);
        assert!(s.known.is_empty());
    }
}
