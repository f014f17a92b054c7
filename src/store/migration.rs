//! The move of a store kept by an earlier version into this version's layout (services, sessions
//! and notes out of `records` into `work`, each case with its summary), made once when the store
//! opens, and the hook a browser test uses to keep a store as that earlier version did.

use super::idb::{commit, put, put_meta, read_meta};
use super::schema::{META, RECORDS, SUMMARIES, WORK, meta};
use super::{Result, Store, codec, place};
use indexed_db_futures::prelude::*;
use sakhi_domain::Record;
/// The layout this version keeps records in (see [`meta::LAYOUT`]).
const LAYOUT: u32 = 2;

impl Store {
    /// Moves each service, session and note that an earlier version kept in `records` to `work`,
    /// with the summaries of their cases, in one transaction, unless the layout is already this
    /// version's.
    pub(super) async fn settle_layout(&self) -> Result<()> {
        let _writing = self.writing.lock().await;
        let layout: Option<u32> = {
            let tx = self.db.transaction(META).build()?;
            read_meta(&tx.object_store(META)?, meta::LAYOUT).await?
        };
        if layout == Some(LAYOUT) {
            return Ok(());
        }
        let stored = self.read_all(RECORDS).await?;
        let records: Vec<Record> = self.unseal(&stored).await?;
        let moving: Vec<(&Record, (&'static str, String))> = records
            .iter()
            .map(|record| (record, place(record)))
            .filter(|(_, (name, _))| *name == WORK)
            .collect();
        let summaries = self
            .summarise(
                &moving.iter().map(|(record, _)| *record).collect::<Vec<_>>(),
                &[],
            )
            .await?;
        let sealed = codec::seal_all(
            &self.key,
            moving
                .iter()
                .map(|(record, (name, key))| (*name, key.as_str(), *record)),
        )
        .await?;

        let tx = self.write([RECORDS, WORK, SUMMARIES, META])?;
        for (sealed, (record, (name, key))) in sealed.into_iter().zip(moving) {
            tx.object_store(RECORDS)?
                .delete(record.id.to_string())
                .primitive()?;
            put(&tx, (name, key, sealed))?;
        }
        summaries.write(&tx)?;
        put_meta(&tx.object_store(META)?, meta::LAYOUT, &LAYOUT)?;
        commit(tx).await
    }

    /// Writes `records` into `records` as a store before version 2 kept every kind, and marks the
    /// layout as that version's: for testing the move that the next open makes.
    #[doc(hidden)]
    pub async fn keep_as_before_layout_2(&self, records: &[Record]) -> Result<()> {
        let keys: Vec<String> = records.iter().map(|record| record.id.to_string()).collect();
        let sealed = codec::seal_all(
            &self.key,
            keys.iter()
                .zip(records)
                .map(|(key, record)| (RECORDS, key.as_str(), record)),
        )
        .await?;
        let tx = self.write([RECORDS, META])?;
        for (sealed, key) in sealed.into_iter().zip(keys) {
            put(&tx, (RECORDS, key, sealed))?;
        }
        put_meta(&tx.object_store(META)?, meta::LAYOUT, &1)?;
        commit(tx).await
    }
}
