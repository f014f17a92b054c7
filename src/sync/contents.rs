//! What became of each file's content this phone sent: received whole by the server, or refused
//! for good with the server's code. Kept sealed in the store's `meta` with the server's epoch, so
//! that after a restore (a new epoch) every file still on the phone is offered again, since the
//! restored server may lack it. A file neither received nor refused waits to be sent.

use crate::store::{Store, StoreError};
use sakhi_domain::{Epoch, RecordId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The secret the ledger is kept under in the store's `meta`.
pub const LEDGER_SECRET: &str = "content_sent";

/// What became of a file's content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Received,
    /// Refused for good, with the server's code (one of `wire::attachment::code`).
    Refused(String),
}

/// The contents sent in the server's epoch `epoch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub epoch: Option<Epoch>,
    pub sent: BTreeMap<RecordId, Outcome>,
}

impl Ledger {
    /// The ledger as it holds for the server's epoch `epoch`: empty if it was kept in another.
    pub fn in_epoch(self, epoch: Option<Epoch>) -> Ledger {
        if self.epoch == epoch {
            self
        } else {
            Ledger {
                epoch,
                sent: BTreeMap::new(),
            }
        }
    }

    /// What became of the content of `id`; `None` while it waits.
    pub fn outcome(&self, id: RecordId) -> Option<&Outcome> {
        self.sent.get(&id)
    }

    /// The files among `held` (those whose content is on the phone) that wait to be sent, and the
    /// ledger without the files no longer held, so that it never grows past what the phone keeps.
    pub fn waiting(&mut self, held: &[RecordId]) -> Vec<RecordId> {
        self.sent.retain(|id, _| held.contains(id));
        held.iter()
            .filter(|id| !self.sent.contains_key(id))
            .copied()
            .collect()
    }
}

/// The ledger kept on the phone, as it holds for the epoch the phone last pulled in. One that
/// cannot be read is taken as empty: every file is then offered again, and the server answers at
/// once for those it holds.
pub async fn read(store: &Store) -> Result<Ledger, StoreError> {
    let (epoch, _) = store.sync_position().await?;
    let kept = store.secret(LEDGER_SECRET).await?;
    let ledger: Ledger = kept
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    Ok(ledger.in_epoch(epoch))
}

/// Keeps `ledger` on the phone.
pub async fn keep(store: &Store, ledger: &Ledger) -> Result<(), StoreError> {
    let json =
        serde_json::to_string(ledger).map_err(|error| StoreError::Encode(error.to_string()))?;
    store.set_secret(LEDGER_SECRET, &json).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_epoch_offers_every_file_again() {
        let (a, b) = (RecordId::new(), RecordId::new());
        let epoch = Some(Epoch::new());
        let mut ledger = Ledger {
            epoch,
            sent: BTreeMap::from([(a, Outcome::Received)]),
        };
        assert_eq!(ledger.clone().in_epoch(epoch).waiting(&[a, b]), vec![b]);
        assert_eq!(
            ledger.clone().in_epoch(Some(Epoch::new())).waiting(&[a, b]),
            vec![a, b]
        );
        // A file gone from the phone leaves the ledger.
        assert_eq!(ledger.waiting(&[b]), vec![b]);
        assert!(ledger.sent.is_empty());
    }

    #[test]
    fn a_refused_file_does_not_wait() {
        let a = RecordId::new();
        let mut ledger = Ledger::default();
        ledger
            .sent
            .insert(a, Outcome::Refused("attachment_too_large".to_owned()));
        assert!(ledger.waiting(&[a]).is_empty());
        assert_eq!(
            ledger.outcome(a),
            Some(&Outcome::Refused("attachment_too_large".to_owned()))
        );
    }
}
