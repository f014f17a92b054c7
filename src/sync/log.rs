//! What each round did, kept on the phone for the sync page: when it ran, what it sent and
//! brought, and why it stopped if it failed. Sealed like every record (it names no one, but how
//! often a phone talks to a centre is itself something an abuser should not read).

use serde::{Deserialize, Serialize};

/// The secret the log is kept under in the store's `meta`.
pub const LOG_SECRET: &str = "sync_log";
/// How many rounds the page can show: a week of a camp worker's syncing, a few kilobytes.
pub const KEPT: usize = 30;

/// One round that did something, or failed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Round {
    /// When it ended, ms since the epoch.
    pub at: u64,
    /// Cases and camps whose changes the server took.
    pub sent_cases: usize,
    pub sent_camps: usize,
    /// Changes the server took that belong to neither (a record the phone no longer holds).
    pub sent_others: usize,
    /// Files whose content the server received whole.
    #[serde(default)]
    pub sent_files: usize,
    /// Records brought in from the centre.
    pub received: usize,
    /// Changes the server refused in this round.
    pub refused: usize,
    /// Why it stopped, if it failed: `unreachable`, `server`, `logged_out`, `store`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
}

impl Round {
    /// Whether the round is worth a line on the page: the regular round every 30 s that found
    /// nothing to do is not.
    pub fn is_news(&self) -> bool {
        self.failed.is_some()
            || self.sent_cases
                + self.sent_camps
                + self.sent_others
                + self.sent_files
                + self.received
                + self.refused
                > 0
    }
}

/// `log` with `round` first, at most [`KEPT`] long.
pub fn keep(mut log: Vec<Round>, round: Round) -> Vec<Round> {
    log.insert(0, round);
    log.truncate(KEPT);
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_keeps_the_newest_rounds_first_and_no_more_than_it_should() {
        let mut log = Vec::new();
        for at in 0..(KEPT as u64 + 5) {
            log = keep(
                log,
                Round {
                    at,
                    received: 1,
                    ..Round::default()
                },
            );
        }
        assert_eq!(log.len(), KEPT);
        assert_eq!(log[0].at, KEPT as u64 + 4);
        assert!(!Round::default().is_news());
        assert!(
            Round {
                failed: Some("unreachable".into()),
                ..Round::default()
            }
            .is_news()
        );
    }
}
