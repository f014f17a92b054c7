//! When to sync next and how much to send at once: plain rules, tested natively.

use sakhi_domain::wire::{MAX_PUSH_BYTES, MAX_PUSH_CHANGES, MAX_RESTATE_RECORDS};
use sakhi_domain::{Change, Record};
use serde::Serialize;
use std::time::Duration;

/// How often a healthy device looks for news from the centre.
pub const REGULAR: Duration = Duration::from_secs(30);
/// The first wait after a failure; it doubles with each further failure...
pub const FIRST_RETRY: Duration = Duration::from_secs(5);
/// ...up to this.
pub const LONGEST_RETRY: Duration = Duration::from_secs(5 * 60);

/// The wait before the next try after `failures` failures in a row (at least one). `jitter` is a
/// random number in `[0, 1)`: it spreads the retries of a centre's phones over ±20%, so they do not
/// all come back at the same moment when the server does.
pub fn retry_after(failures: u32, jitter: f64) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    let wait = FIRST_RETRY
        .saturating_mul(1 << doublings)
        .min(LONGEST_RETRY);
    // In whole microseconds: `Duration::mul_f64` would bring float-to-duration checks and their
    // panic messages into the app shell for the same result.
    let spread = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    Duration::from_micros((wait.as_micros() as f64 * spread) as u64)
}

/// The oldest changes that fit in one push: at most [`MAX_PUSH_CHANGES`], and, with room for the
/// envelope, at most [`MAX_PUSH_BYTES`]. One change is always sent, so a huge one is refused by the
/// server with a reason instead of waiting forever.
pub fn push_batch(mut pending: Vec<Change>) -> Vec<Change> {
    let count = fitting(&pending, MAX_PUSH_CHANGES);
    pending.truncate(count);
    pending
}

/// How many of the first `records` one restatement carries: at most [`MAX_RESTATE_RECORDS`] and,
/// like a push, at most [`MAX_PUSH_BYTES`]; always one.
pub fn restate_batch(records: &[Record]) -> usize {
    fitting(records, MAX_RESTATE_RECORDS)
}

/// How many of the first `items`, at most `most`, fit in one request body with its envelope.
fn fitting<T: Serialize>(items: &[T], most: usize) -> usize {
    const ENVELOPE: usize = 1024;
    let mut bytes = ENVELOPE;
    let mut count = 0;
    for item in items.iter().take(most) {
        let size = serde_json::to_string(item).map_or(0, |json| json.len()) + 1;
        if count > 0 && bytes + size > MAX_PUSH_BYTES {
            break;
        }
        bytes += size;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
    use serde_json::json;

    #[test]
    fn retries_double_from_five_seconds_to_five_minutes() {
        let middle = |failures| retry_after(failures, 0.5);
        assert_eq!(middle(1), Duration::from_secs(5));
        assert_eq!(middle(2), Duration::from_secs(10));
        assert_eq!(middle(3), Duration::from_secs(20));
        assert_eq!(middle(7), Duration::from_secs(300));
        assert_eq!(middle(1_000), Duration::from_secs(300));
    }

    #[test]
    fn jitter_stays_within_a_fifth_either_way() {
        assert_eq!(retry_after(1, 0.0), Duration::from_secs(4));
        assert!(retry_after(1, 0.999_999) <= Duration::from_secs(6));
        assert!(retry_after(1, 0.999_999) > Duration::from_millis(5_999));
    }

    fn changes(count: usize, text: &str) -> Vec<Change> {
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        (0..count)
            .map(|_| case.edit(&mut clock, 1, "description", json!(text)))
            .collect()
    }

    #[test]
    fn a_push_carries_at_most_the_protocols_number_of_changes() {
        assert_eq!(
            push_batch(changes(MAX_PUSH_CHANGES + 5, "x")).len(),
            MAX_PUSH_CHANGES
        );
        assert_eq!(push_batch(changes(3, "x")).len(), 3);
        assert!(push_batch(Vec::new()).is_empty());
    }

    #[test]
    fn a_push_stays_under_the_servers_byte_limit_but_always_carries_one() {
        let long = "क".repeat(4_000);
        let batch = push_batch(changes(300, &long));
        let body = serde_json::to_string(&batch).unwrap();
        assert!(batch.len() < 300);
        assert!(body.len() < MAX_PUSH_BYTES);
        let huge = "क".repeat(MAX_PUSH_BYTES);
        assert_eq!(push_batch(changes(2, &huge)).len(), 1);
    }

    #[test]
    fn a_restatement_carries_at_most_the_protocols_number_of_records_and_bytes_but_always_one() {
        let mut clock = Clock::new(DeviceId::new());
        let cases = |count: usize, text: &str, clock: &mut Clock| -> Vec<Record> {
            (0..count)
                .map(|_| {
                    let mut case = Record::new(RecordId::new(), Kind::Case);
                    case.edit(clock, 1, "description", json!(text));
                    case
                })
                .collect()
        };
        let small = cases(MAX_RESTATE_RECORDS + 5, "x", &mut clock);
        assert_eq!(restate_batch(&small), MAX_RESTATE_RECORDS);
        assert_eq!(restate_batch(&small[..3]), 3);
        assert_eq!(restate_batch(&[]), 0);
        let long = cases(300, &"क".repeat(4_000), &mut clock);
        let fit = restate_batch(&long);
        assert!(fit < 300);
        assert!(serde_json::to_string(&long[..fit]).unwrap().len() < MAX_PUSH_BYTES);
        let huge = cases(2, &"क".repeat(MAX_PUSH_BYTES), &mut clock);
        assert_eq!(restate_batch(&huge), 1);
    }
}
