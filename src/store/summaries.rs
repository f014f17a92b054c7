//! The summary kept beside each case: what its services, sessions and notes come to (see
//! [`Summary`]), so that the caseload lists every case without opening a single record of its work.
//! Every write that touches a case's work writes its summary in the same transaction.

use super::idb::{Sealed, put};
use super::schema::{SUMMARIES, WORK};
use super::{Result, Store, codec, group_of, place, work_of};
use crate::casework::Summary;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use sakhi_domain::Record;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
impl Store {
    /// The summaries of the cases whose work `written` and `removed` (keys in `work`) touch, as
    /// they are once `written` is stored and `removed` is gone: each such case's work is read as
    /// stored and changed so. A case left with no work has its summary removed.
    pub(super) async fn summarise(
        &self,
        written: &[&Record],
        removed: &[String],
    ) -> Result<Summaries> {
        let written: BTreeMap<String, &Record> = written
            .iter()
            .map(|record| place(record))
            .zip(written.iter().copied())
            .filter(|((name, _), _)| *name == WORK)
            .map(|((_, key), record)| (key, record))
            .collect();
        let cases: BTreeSet<&str> = written
            .keys()
            .chain(removed)
            .map(|key| group_of(WORK, key))
            .collect();
        if cases.is_empty() {
            return Ok(Summaries::default());
        }
        let stored = self
            .read_ranges(WORK, cases.iter().map(|case| work_of(case)))
            .await?;
        let opened: Vec<Record> = self.unseal(&stored).await?;
        // Each case's work by key, so in id order, as [`Summary::of`] expects.
        let mut work: BTreeMap<&str, &Record> = stored
            .iter()
            .map(|(_, key, _)| key.as_str())
            .zip(&opened)
            .collect();
        for key in removed {
            work.remove(key.as_str());
        }
        work.extend(written.iter().map(|(key, record)| (key.as_str(), *record)));
        let mut summaries: Vec<(&str, Summary)> = Vec::new();
        let mut emptied = Vec::new();
        for case in cases {
            let range = work_of(case);
            let of_case: Vec<&Record> = work
                .range::<str, _>((
                    Bound::Included(range.start.as_str()),
                    Bound::Excluded(range.end.as_str()),
                ))
                .map(|(_, record)| *record)
                .collect();
            if of_case.is_empty() {
                emptied.push(case.to_owned());
            } else {
                summaries.push((case, Summary::of(of_case)));
            }
        }
        let sealed = codec::seal_all(
            &self.key,
            summaries
                .iter()
                .map(|(case, summary)| (SUMMARIES, *case, summary)),
        )
        .await?;
        let kept = summaries
            .iter()
            .zip(sealed)
            .map(|((case, _), sealed)| (SUMMARIES, (*case).to_owned(), sealed))
            .collect();
        Ok(Summaries { kept, emptied })
    }
}

/// What a write does to the summaries: those to keep, sealed, and the cases left with no work.
#[derive(Default)]
pub(super) struct Summaries {
    kept: Vec<Sealed>,
    emptied: Vec<String>,
}

impl Summaries {
    /// Puts and removes them in the transaction `tx`.
    pub(super) fn write(self, tx: &Transaction<'_>) -> Result<()> {
        for summary in self.kept {
            put(tx, summary)?;
        }
        let store = tx.object_store(SUMMARIES)?;
        for case in &self.emptied {
            store.delete(case.as_str()).primitive()?;
        }
        Ok(())
    }
}
