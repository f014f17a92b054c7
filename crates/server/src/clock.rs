//! The server's wall clock: the one source of the time a request is served at, held in the
//! state and passed in, so that a test can move it. (Not the domain's `Clock`, which stamps
//! changes on a phone.)

use std::fmt;
use std::panic::RefUnwindSafe;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// Tells the time in milliseconds since the Unix epoch. Cheap to clone. Unwind safe, as reading
/// the time leaves nothing half done, so that a state holding it may cross `catch_unwind`.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> u64 + Send + Sync + RefUnwindSafe>);

impl Clock {
    /// The operating system's clock, as the server runs.
    pub fn system() -> Clock {
        Clock(Arc::new(system_millis))
    }

    /// A clock that reads the time from `now`: a test's, which it moves as it likes.
    pub fn from_fn(now: impl Fn() -> u64 + Send + Sync + RefUnwindSafe + 'static) -> Clock {
        Clock(Arc::new(now))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> u64 {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Clock({})", self.now_millis())
    }
}

/// The operating system's time in milliseconds since the Unix epoch, for what runs outside a
/// request (the commands, the start); a request reads its state's [`Clock`].
pub fn system_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn a_clock_from_a_function_tells_the_time_the_function_gives() {
        let now = Arc::new(AtomicU64::new(1_000));
        let clock = Clock::from_fn({
            let now = Arc::clone(&now);
            move || now.load(Ordering::Relaxed)
        });
        assert_eq!(clock.now_millis(), 1_000);
        now.store(61_000, Ordering::Relaxed);
        assert_eq!(clock.clone().now_millis(), 61_000);
    }

    #[test]
    fn the_system_clock_is_past_2024() {
        assert!(Clock::system().now_millis() > 1_704_067_200_000);
        assert!(Clock::default().now_millis() <= system_millis());
    }
}
