//! Slows down guessing: failed logins and setup-code tries, counted per client address and per
//! username. In memory, so per server instance: several instances behind a load balancer each
//! count their own failures (an attacker gets a few more tries, never unlimited ones).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed before any delay.
const FREE_FAILURES: u32 = 5;
/// A username is never blocked longer than this: a stranger guessing must not lock a worker out
/// of her own account for long.
const USERNAME_CAP: Duration = Duration::from_secs(60);
/// An address may be blocked much longer: it is the guesser's own.
const ADDRESS_CAP: Duration = Duration::from_secs(60 * 60);
/// Failures older than this are forgotten.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// What is counted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Address(IpAddr),
    /// A username as typed, in lower case; or a fixed name such as `setup` for setup codes.
    Name(String),
}

impl Key {
    fn cap(&self) -> Duration {
        match self {
            Key::Address(_) => ADDRESS_CAP,
            Key::Name(_) => USERNAME_CAP,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    blocked_until: Instant,
    last_failure: Instant,
}

#[derive(Debug, Default)]
pub struct Limiter {
    entries: Mutex<HashMap<Key, Entry>>,
}

impl Limiter {
    /// How long to wait before any of `keys` may try again, if one is blocked.
    pub fn blocked(&self, keys: &[Key], now: Instant) -> Option<Duration> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|key| entries.get(key))
            .filter(|entry| entry.blocked_until > now)
            .map(|entry| entry.blocked_until - now)
            .max()
    }

    /// Counts a failure against each key; the delay doubles with each failure past the free
    /// ones (1 s, 2 s, 4 s, …) up to the key's cap.
    pub fn fail(&self, keys: &[Key], now: Instant) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() > 100_000 {
            entries.retain(|_, entry| now.duration_since(entry.last_failure) < FORGET_AFTER);
        }
        for key in keys {
            let entry = entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                blocked_until: now,
                last_failure: now,
            });
            if now.duration_since(entry.last_failure) >= FORGET_AFTER {
                entry.failures = 0;
            }
            entry.failures += 1;
            entry.last_failure = now;
            if entry.failures >= FREE_FAILURES {
                let doublings = (entry.failures - FREE_FAILURES).min(20);
                let delay = Duration::from_secs(1u64 << doublings).min(key.cap());
                entry.blocked_until = now + delay;
            }
        }
    }

    /// Forgets the failures of a key, after a successful login with that username.
    pub fn forgive(&self, key: &Key) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_a_few_failures_and_a_usernames_stays_short() {
        let limiter = Limiter::default();
        let address = Key::Address("10.0.0.1".parse().unwrap());
        let name = Key::Name("sita".into());
        let start = Instant::now();
        for _ in 0..FREE_FAILURES - 1 {
            limiter.fail(&[address.clone(), name.clone()], start);
        }
        assert_eq!(
            limiter.blocked(&[address.clone(), name.clone()], start),
            None
        );
        limiter.fail(&[address.clone(), name.clone()], start);
        assert_eq!(
            limiter.blocked(std::slice::from_ref(&name), start),
            Some(Duration::from_secs(1))
        );
        for _ in 0..30 {
            limiter.fail(&[address.clone(), name.clone()], start);
        }
        assert_eq!(
            limiter.blocked(std::slice::from_ref(&name), start),
            Some(USERNAME_CAP)
        );
        assert_eq!(
            limiter.blocked(std::slice::from_ref(&address), start),
            Some(ADDRESS_CAP)
        );
        limiter.forgive(&name);
        assert_eq!(limiter.blocked(&[name], start), None);
    }
}
