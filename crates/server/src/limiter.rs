//! Slows down guessing: login and setup-code tries, counted per username from one address, per
//! username from anywhere and, more loosely, per address; and a few password hashes at a time,
//! server-wide. In memory, so per server instance: several instances behind a load balancer each
//! count their own tries (an attacker gets a few more, never unlimited ones).
//!
//! The numbers, per key (see [`Key`]):
//!
//! | key                        | free failures | then each failure waits    | at most | forgotten after |
//! |----------------------------|---------------|----------------------------|---------|-----------------|
//! | a username from an address | 5             | 1 s, 2 s, 4 s, … doubling  | 15 min  | a day           |
//! | a username, any address    | 10            | 1 s, 2 s, 4 s, …           | 1 min   | a day           |
//! | an address, any username   | 30            | 1 s, 2 s, 4 s, …           | 15 min  | an hour         |
//!
//! "Forgotten after" counts from the last failure. A centre's workers share one address: a
//! guesser at one username is stopped by the first key long before the third, so the others keep
//! logging in; an address trying many usernames is stopped by the third. A success forgives the
//! username's keys, never the address's.
//!
//! A try is counted when it starts, not when it fails: [`Limiter::try_begin`] checks and counts in
//! one step, so that many tries sent at once cannot all pass before the first failure is known.
//! While a key has free failures left, as many tries may run at once as it has left; past them,
//! one at a time. At most [`PASSWORD_CHECKS_AT_ONCE`] Argon2 hashes run at once in the server;
//! a try that waits longer than [`PASSWORD_CHECK_WAIT`] for its turn is answered 429.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Argon2 as the server uses it takes 19 MiB and tens of milliseconds of one core: four at once
/// bound its memory to 76 MiB, and more would only queue for the cores anyway.
pub const PASSWORD_CHECKS_AT_ONCE: usize = 4;
/// How long a try waits for its turn at a password check before it is told to come back.
pub const PASSWORD_CHECK_WAIT: Duration = Duration::from_secs(5);
/// Past its free failures, a key takes one try at a time; another is told to wait this long.
const ONE_AT_A_TIME_WAIT: Duration = Duration::from_secs(1);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);
/// Beyond this many keys, those with nothing to remember are dropped.
const MAX_KEYS: usize = 100_000;

/// What is counted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// Every try from an address: loose, since a centre's workers share one.
    Address(IpAddr),
    /// A username as typed, in lower case, from any address; or a fixed name such as `setup` for
    /// setup codes.
    Name(String),
    /// A username from one address: the tightest, so that a guesser is stopped at the account she
    /// guesses at and the others behind her address are not.
    NameFrom(IpAddr, String),
}

impl Key {
    /// The keys of a login of `username` from `address`.
    pub fn login(address: IpAddr, username: &str) -> Vec<Key> {
        vec![
            Key::NameFrom(address, username.to_owned()),
            Key::Name(username.to_owned()),
            Key::Address(address),
        ]
    }

    fn limits(&self) -> Limits {
        const MINUTE: Duration = Duration::from_secs(60);
        match self {
            Key::NameFrom(..) => Limits {
                free: 5,
                cap: 15 * MINUTE,
                forget: DAY,
            },
            // A stranger guessing must not lock a worker out of her own account for long.
            Key::Name(_) => Limits {
                free: 10,
                cap: MINUTE,
                forget: DAY,
            },
            // A centre's typos over weeks must not add up to a lockout.
            Key::Address(_) => Limits {
                free: 30,
                cap: 15 * MINUTE,
                forget: 60 * MINUTE,
            },
        }
    }

    /// Whether a success forgives this key's failures.
    fn forgiven_by_success(&self) -> bool {
        !matches!(self, Key::Address(_))
    }
}

/// A key's numbers (see the module's table).
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Failures allowed before any delay.
    free: u32,
    /// The longest delay.
    cap: Duration,
    /// Failures are forgotten this long after the last one.
    forget: Duration,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    /// Tries begun and not yet ended.
    running: u32,
    blocked_until: Instant,
    last_failure: Instant,
}

impl Entry {
    fn new(now: Instant) -> Entry {
        Entry {
            failures: 0,
            running: 0,
            blocked_until: now,
            last_failure: now,
        }
    }

    /// The failures still remembered at `now`.
    fn failures(&self, limits: Limits, now: Instant) -> u32 {
        if now.duration_since(self.last_failure) >= limits.forget {
            0
        } else {
            self.failures
        }
    }

    /// How long a new try must wait, if it must.
    fn wait(&self, limits: Limits, now: Instant) -> Option<Duration> {
        if self.blocked_until > now {
            return Some(self.blocked_until - now);
        }
        let past_free = self.failures(limits, now) + self.running >= limits.free;
        (self.running > 0 && past_free).then_some(ONE_AT_A_TIME_WAIT)
    }

    fn is_idle(&self, limits: Limits, now: Instant) -> bool {
        self.running == 0 && self.failures(limits, now) == 0 && self.blocked_until <= now
    }
}

#[derive(Debug)]
pub struct Limiter {
    entries: Mutex<HashMap<Key, Entry>>,
    password_checks: Arc<Semaphore>,
    /// Argon2 hashes and checks begun since the server started.
    argon2_runs: AtomicU64,
}

impl Default for Limiter {
    fn default() -> Self {
        Limiter {
            entries: Mutex::default(),
            password_checks: Arc::new(Semaphore::new(PASSWORD_CHECKS_AT_ONCE)),
            argon2_runs: AtomicU64::new(0),
        }
    }
}

impl Limiter {
    /// Begins a try counted against every one of `keys`, or answers how long to wait if one of
    /// them may not try now. Checked and counted under one lock.
    pub fn try_begin(&self, keys: Vec<Key>, now: Instant) -> Result<Try<'_>, Duration> {
        let mut entries = self.lock();
        let wait = keys
            .iter()
            .filter_map(|key| entries.get(key)?.wait(key.limits(), now))
            .max();
        if let Some(wait) = wait {
            return Err(wait);
        }
        if entries.len() > MAX_KEYS {
            entries.retain(|key, entry| !entry.is_idle(key.limits(), now));
        }
        for key in &keys {
            entries
                .entry(key.clone())
                .or_insert_with(|| Entry::new(now))
                .running += 1;
        }
        Ok(Try {
            limiter: self,
            keys,
            begun: now,
            ended: false,
        })
    }

    /// A turn at Argon2, waited for at most [`PASSWORD_CHECK_WAIT`]; `None` if the server is too
    /// busy. Hold it until the hash is done, on whichever thread does it.
    pub async fn password_turn(&self) -> Option<OwnedSemaphorePermit> {
        let turn = tokio::time::timeout(
            PASSWORD_CHECK_WAIT,
            Arc::clone(&self.password_checks).acquire_owned(),
        )
        .await
        .ok()?
        .ok()?;
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        Some(turn)
    }

    /// How many Argon2 hashes and checks this server has begun: what guessing costs it.
    pub fn argon2_runs(&self) -> u64 {
        self.argon2_runs.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends a try: a failure counts against each key, and the delay doubles with each failure
    /// past the free ones (1 s, 2 s, 4 s, …) up to the key's cap; a success forgives the keys it
    /// may; a try that checked nothing only ends.
    fn end(&self, keys: &[Key], how: Ended, now: Instant) {
        let mut entries = self.lock();
        for key in keys {
            let Some(entry) = entries.get_mut(key) else {
                continue;
            };
            let limits = key.limits();
            entry.running = entry.running.saturating_sub(1);
            match how {
                Ended::Failed => {
                    entry.failures = entry.failures(limits, now) + 1;
                    entry.last_failure = now;
                    if entry.failures >= limits.free {
                        let doublings = (entry.failures - limits.free).min(20);
                        let delay = Duration::from_secs(1u64 << doublings).min(limits.cap);
                        entry.blocked_until = now + delay;
                    }
                }
                Ended::Succeeded if key.forgiven_by_success() => {
                    entry.failures = 0;
                    entry.blocked_until = now;
                }
                Ended::Succeeded | Ended::Unchecked => {}
            }
            if entry.is_idle(limits, now) {
                entries.remove(key);
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Ended {
    Failed,
    Succeeded,
    Unchecked,
}

/// A try begun: end it with [`Try::failed`], [`Try::succeeded`] or [`Try::unchecked`]. One
/// dropped without an end (its request abandoned half-way) counts as failed.
#[derive(Debug)]
#[must_use = "a try counts as failed unless it is ended otherwise"]
pub struct Try<'a> {
    limiter: &'a Limiter,
    keys: Vec<Key>,
    begun: Instant,
    ended: bool,
}

impl Try<'_> {
    pub fn failed(self) {
        self.end(Ended::Failed);
    }

    pub fn succeeded(self) {
        self.end(Ended::Succeeded);
    }

    /// The try ended before anything was checked (the server was too busy): it counts for
    /// nothing.
    pub fn unchecked(self) {
        self.end(Ended::Unchecked);
    }

    fn end(mut self, how: Ended) {
        self.ended = true;
        self.limiter.end(&self.keys, how, self.now());
    }

    /// When the try ends: now, and never before it began.
    fn now(&self) -> Instant {
        Instant::now().max(self.begun)
    }
}

impl Drop for Try<'_> {
    fn drop(&mut self) {
        if !self.ended {
            self.limiter.end(&self.keys, Ended::Failed, self.now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    /// A time ahead of the clock: a try never ends before it began, so every try these tests
    /// begin at it or later ends exactly when it began.
    fn ahead() -> Instant {
        Instant::now() + Duration::from_secs(60)
    }

    #[test]
    fn delays_grow_after_a_few_failures_and_a_usernames_stays_short() {
        let limiter = Limiter::default();
        let here = address("10.0.0.1");
        let start = ahead();
        for _ in 0..4 {
            limiter
                .try_begin(Key::login(here, "sita"), start)
                .unwrap()
                .failed();
        }
        let fifth = limiter.try_begin(Key::login(here, "sita"), start).unwrap();
        fifth.failed();
        assert_eq!(
            limiter
                .try_begin(Key::login(here, "sita"), start)
                .unwrap_err(),
            Duration::from_secs(1)
        );
        // From elsewhere, the username has free tries left.
        let elsewhere = address("10.0.0.2");
        for _ in 0..30 {
            let later = start + Duration::from_secs(3600);
            if let Ok(try_) = limiter.try_begin(Key::login(elsewhere, "sita"), later) {
                try_.failed();
            }
        }
        let wait = limiter
            .try_begin(
                vec![Key::Name("sita".into())],
                start + Duration::from_secs(3600),
            )
            .unwrap_err();
        assert!(wait <= Duration::from_secs(60), "{wait:?}");
    }

    #[test]
    fn tries_begun_at_once_pass_only_while_free_failures_are_left() {
        let limiter = Limiter::default();
        let here = address("10.0.0.1");
        let now = ahead();
        let begun: Vec<_> = (0..300)
            .filter_map(|_| limiter.try_begin(Key::login(here, "sita"), now).ok())
            .collect();
        assert_eq!(begun.len(), 5);
        for try_ in begun {
            try_.failed();
        }
        assert!(limiter.try_begin(Key::login(here, "sita"), now).is_err());
        // Past the free failures, one at a time once the delay is over.
        let later = now + Duration::from_secs(2);
        let one = limiter.try_begin(Key::login(here, "sita"), later).unwrap();
        assert!(limiter.try_begin(Key::login(here, "sita"), later).is_err());
        drop(one);
        assert!(limiter.try_begin(Key::login(here, "sita"), later).is_err());
    }

    #[test]
    fn a_guesser_at_one_username_does_not_lock_out_the_others_behind_her_address() {
        let limiter = Limiter::default();
        let centre = address("10.0.0.1");
        let now = ahead();
        for second in 0..600 {
            let at = now + Duration::from_secs(second);
            if let Ok(try_) = limiter.try_begin(Key::login(centre, "guessed"), at) {
                try_.failed();
            }
        }
        let after = now + Duration::from_secs(600);
        limiter
            .try_begin(Key::login(centre, "admin.dhr"), after)
            .unwrap()
            .succeeded();
    }

    #[test]
    fn an_address_spraying_usernames_is_slowed_and_a_success_forgives_only_the_username() {
        let limiter = Limiter::default();
        let here = address("10.0.0.9");
        let now = ahead();
        for n in 0..30 {
            limiter
                .try_begin(Key::login(here, &format!("made.up.{n}")), now)
                .unwrap()
                .failed();
        }
        assert!(limiter.try_begin(Key::login(here, "another"), now).is_err());
        let later = now + Duration::from_secs(2);
        let sita = limiter.try_begin(Key::login(here, "sita"), later).unwrap();
        assert!(
            limiter.try_begin(Key::login(here, "gita"), later).is_err(),
            "past its free failures, an address takes one try at a time"
        );
        sita.succeeded();
        let remembered = limiter.lock();
        assert!(remembered.contains_key(&Key::Address(here)));
        assert!(!remembered.contains_key(&Key::Name("sita".into())));
    }

    #[test]
    fn a_try_that_checked_nothing_counts_for_nothing() {
        let limiter = Limiter::default();
        let here = address("10.0.0.1");
        let now = ahead();
        for _ in 0..20 {
            limiter
                .try_begin(Key::login(here, "sita"), now)
                .unwrap()
                .unchecked();
        }
        assert!(limiter.lock().is_empty());
    }
}
