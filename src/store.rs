//! The device's copy of the centre's records and its outbox of unsent changes, kept in IndexedDB.
//!
//! Every write that belongs together (a record and the changes that made it, a pulled page and the
//! cursor after it) is one readwrite transaction, so a phone that dies mid-save keeps all of it or
//! none of it. Records, outbox entries and secrets pass through [`codec`] on their way in and out,
//! which seals them with the worker's [`DataKey`]; a store is opened only with her key, which
//! [`Keyring`] unwraps from her passphrase.
//!
//! This file holds the store's operations; its other jobs have rooms of their own: [`idb`] the raw
//! IndexedDB requests, [`summaries`] the per-case summaries the caseload reads, [`migration`] the
//! move into this version's layout, [`schema`] the database's object stores and upgrades,
//! [`attachments`] the sealed content of attachments. A record that leaves the phone (out of her
//! scope, or purged) takes its attachment's content with it in the same transaction; logging out
//! deletes the whole database, content included.

mod attachments;
mod codec;
mod crypto;
pub mod draft_names;
mod idb;
pub mod keyring;
mod migration;
pub mod schema;
mod summaries;

pub use attachments::{Content, chunk_key};
pub use crypto::DataKey;
pub use keyring::{Keyring, Worker, database_name};
/// Why the server refused a change, as it said; the sync round hands it to [`Store::ack`].
pub use sakhi_sync::Refusal;

use crate::casework::Summary;
use futures::lock::Mutex;
use idb::{Sealed, close_when_asked, commit, put, put_meta, read_meta};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use sakhi_domain::schema::CASE;
use sakhi_domain::trust;
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, Clock, DeviceId, Epoch, Invalid, Kind, Record, RecordId};
use schema::{CAMPS, CONTENT, META, OUTBOX, RECORDS, SUMMARIES, WORK, meta};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

/// Why the store could not do what was asked. Messages are for engineers; the screen shows its own.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("the browser's IndexedDB could not be opened: {0}")]
    Open(String),
    #[error("an IndexedDB request failed: {0}")]
    Database(String),
    #[error("a value could not be prepared for storing: {0}")]
    Encode(String),
    #[error("a stored value could not be read back: {reason}")]
    Corrupt { reason: String },
    #[error("the edit was refused: {0}")]
    Invalid(#[from] Invalid),
    /// The passphrase does not unwrap this worker's key. Nothing was changed.
    #[error("the passphrase is not this worker's")]
    WrongPassphrase,
    /// No worker with this account has logged in on this phone (or her entry was forgotten): she
    /// must log in online first, which enrols her.
    #[error("this worker has not logged in on this phone")]
    NotEnrolled,
    /// The browser's storage is full: nothing of the write was kept. The worker must be told.
    #[error("the phone's storage is full")]
    Full,
    /// The browser's Web Crypto failed or is missing (it needs HTTPS or localhost).
    #[error("Web Crypto failed: {0}")]
    Crypto(String),
}

/// A change waiting in the outbox. A refused change stays, marked, so the worker sees it: nothing
/// she typed disappears without a word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub change: Change,
    pub rejected: Option<Refusal>,
}

/// The device's store. One per page; cheap to share behind an `Rc`.
pub struct Store {
    db: Database,
    key: DataKey,
    device: DeviceId,
    clock: RefCell<Clock>,
    /// Read-modify-write operations take this, so two of them in this page cannot interleave
    /// between their read and their write.
    writing: Mutex<()>,
    /// Kept for as long as the store: closes the connection when another tab deletes her database.
    _on_version_change: Closure<dyn FnMut()>,
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

impl Store {
    /// Opens (creating or upgrading as needed) the database `name` (for a worker,
    /// [`database_name`] of her account) with her data key. On first start it makes the device id
    /// and keeps it; on the first start after an upgrade it moves records to where this version
    /// keeps them. The key is otherwise not checked here: values sealed under another key fail to
    /// read, as [`StoreError::Corrupt`].
    pub async fn open(name: &str, key: DataKey) -> Result<Store> {
        let db = Database::open(name)
            .with_version(schema::VERSION)
            .with_on_upgrade_needed(schema::upgrade)
            .await?;

        // One readwrite transaction, so two tabs starting at once agree on one device id.
        let tx = db
            .transaction(META)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(META)?;
        let device: Option<DeviceId> = read_meta(&store, meta::DEVICE).await?;
        let clock: Option<Clock> = read_meta(&store, meta::CLOCK).await?;
        let (device, clock) = match (device, clock) {
            (Some(device), Some(clock)) => (device, clock),
            (Some(device), None) => (device, Clock::new(device)),
            (None, _) => {
                let device = DeviceId::new();
                let clock = Clock::new(device);
                put_meta(&store, meta::DEVICE, &device)?;
                put_meta(&store, meta::CLOCK, &clock)?;
                (device, clock)
            }
        };
        drop(store);
        commit(tx).await?;

        let on_version_change = close_when_asked(&db);
        let store = Store {
            db,
            key,
            device,
            clock: RefCell::new(clock),
            writing: Mutex::new(()),
            _on_version_change: on_version_change,
        };
        store.settle_layout().await?;
        Ok(store)
    }

    /// The key this store was opened with: after her password changed on the server, an unlocked
    /// worker's key is wrapped again under the new one without asking for the old.
    pub fn key(&self) -> &DataKey {
        &self.key
    }

    /// This installation's id, which every stamp it makes carries.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Closes the connection, so the database can be deleted or upgraded by another page.
    pub fn close(self) {
        self.db.close();
    }

    /// Closes the connection now, while other handles to this store may still exist (a sync round
    /// finishing, a page's read): logging out deletes the database, which waits until every
    /// connection to it is closed. Anything that uses the store afterwards fails.
    pub fn close_now(&self) {
        self.db.clone().close();
    }

    /// A case (or a record that names no case), if this device has it.
    pub async fn record(&self, id: RecordId) -> Result<Option<Record>> {
        self.stored(RECORDS, &id.to_string()).await
    }

    /// Every record on this device, of every kind, deleted ones too, in id order.
    pub async fn records(&self) -> Result<Vec<Record>> {
        let mut stored = self.read_all(RECORDS).await?;
        stored.extend(self.read_all(WORK).await?);
        stored.extend(self.read_all(CAMPS).await?);
        let mut records: Vec<Record> = self.unseal(&stored).await?;
        records.sort_by_key(|record| record.id);
        Ok(records)
    }

    /// The cases on this device that are not deleted, newest first.
    pub async fn cases(&self) -> Result<Vec<Record>> {
        let stored = self.read_all(RECORDS).await?;
        let mut cases: Vec<Record> = self.unseal(&stored).await?;
        cases.retain(|record| record.kind == Kind::Case && !record.is_deleted());
        // Records are read in key order, and a case's key is its id as text (UUIDv7, fixed-width
        // lower-case hex), which sorts by when the case was registered: reversed, newest first.
        cases.reverse();
        Ok(cases)
    }

    /// The awareness camps on this device, deleted ones too, in id order: without reading a case.
    pub async fn camps(&self) -> Result<Vec<Record>> {
        let stored = self.read_all(CAMPS).await?;
        self.unseal(&stored).await
    }

    /// [`Store::cases`], each with the [`Summary`] of its work: what the caseload lists, read
    /// without opening a single service, session or note.
    pub async fn caseload(&self) -> Result<Vec<(Record, Summary)>> {
        let (cases, summaries) = futures::try_join!(self.cases(), self.read_all(SUMMARIES))?;
        let opened: Vec<Summary> = self.unseal(&summaries).await?;
        let mut summaries: HashMap<String, Summary> = summaries
            .into_iter()
            .map(|(_, key, _)| key)
            .zip(opened)
            .collect();
        Ok(cases
            .into_iter()
            .map(|case| {
                let summary = summaries.remove(&case.id.to_string()).unwrap_or_default();
                (case, summary)
            })
            .collect())
    }

    /// The services, sessions and notes of the case `case`, deleted ones too, in id order: one
    /// key range, whatever else the phone holds.
    pub async fn work(&self, case: RecordId) -> Result<Vec<Record>> {
        let stored = self.read_ranges(WORK, [work_of(&case.to_string())]).await?;
        self.unseal(&stored).await
    }

    /// Edits `record` as the worker saw it: each `(field, value)` is stamped now and kept as a change
    /// to send. The record, its changes and the clock are written in one transaction. Returns the
    /// record as stored, which also holds anything a pull brought in meanwhile.
    pub async fn edit<'f>(
        &self,
        record: Record,
        edits: impl IntoIterator<Item = (&'f str, Value)>,
        now_millis: u64,
    ) -> Result<Record> {
        let edits: Vec<(&str, Value)> = edits.into_iter().collect();
        let mut stored = self.edit_all(vec![(record, edits)], now_millis).await?;
        Ok(stored.remove(0))
    }

    /// Edits several records as [`Store::edit`] edits one, all in one transaction: closing a case
    /// writes its closure record and the case's own fields, and either both are kept or neither.
    pub async fn edit_all(
        &self,
        writes: Vec<(Record, Vec<(&str, Value)>)>,
        now_millis: u64,
    ) -> Result<Vec<Record>> {
        for (record, edits) in &writes {
            for (field, value) in edits {
                record.kind.check(field, value)?;
            }
        }
        self.write_changes(writes.into_iter().map(|(record, edits)| {
            let make = move |seen: &mut Record, clock: &mut Clock| -> Vec<Change> {
                edits
                    .into_iter()
                    .map(|(field, value)| seen.edit(clock, now_millis, field, value))
                    .collect()
            };
            (record, make)
        }))
        .await
    }

    /// Keeps `value` in `field` of `record` over every version she was shown for review (see
    /// [`Record::resolve`]), as [`Store::edit`] keeps an edit.
    pub async fn resolve(
        &self,
        record: Record,
        field: &str,
        value: Value,
        now_millis: u64,
    ) -> Result<Record> {
        record.kind.check(field, &value)?;
        let make =
            |seen: &mut Record, clock: &mut Clock| seen.resolve(clock, now_millis, field, value);
        let mut stored = self.write_changes([(record, make)]).await?;
        Ok(stored.remove(0))
    }

    /// Makes changes on the copy of each record she saw with its `make`, and writes the records,
    /// the changes and the clock in one transaction.
    async fn write_changes<M>(
        &self,
        writes: impl IntoIterator<Item = (Record, M)>,
    ) -> Result<Vec<Record>>
    where
        M: FnOnce(&mut Record, &mut Clock) -> Vec<Change>,
    {
        let _writing = self.writing.lock().await;

        // The edits go on the copy she saw, so their base stamps are what she saw; the stored copy
        // may since have taken in a pull, and merging keeps both.
        let mut changes = Vec::new();
        let mut seen_records = Vec::new();
        let clock = {
            let mut clock = self.clock.borrow_mut();
            for (mut seen, make) in writes {
                // Where it was kept before these edits: a merge moves work to another case.
                let was = place(&seen);
                changes.extend(make(&mut seen, &mut clock));
                seen_records.push((was, seen));
            }
            *clock
        };
        let mut stored = Vec::with_capacity(seen_records.len());
        let mut places: Vec<(&'static str, String)> = Vec::with_capacity(seen_records.len());
        let mut moved_from: Vec<String> = Vec::new();
        for (was, seen) in seen_records {
            let mut current = self
                .stored(was.0, &was.1)
                .await?
                .unwrap_or_else(|| Record::new(seen.id, seen.kind));
            current.merge(&seen);
            let now = place(&current);
            if now != was && was.0 == WORK {
                moved_from.push(was.1);
            }
            stored.push(current);
            places.push(now);
        }
        let summaries = self
            .summarise(&stored.iter().collect::<Vec<_>>(), &moved_from)
            .await?;

        let entries: Vec<(String, OutboxEntry)> = changes
            .into_iter()
            .map(|change| {
                let key = change.id.to_string();
                let entry = OutboxEntry {
                    change,
                    rejected: None,
                };
                (key, entry)
            })
            .collect();
        let (sealed_records, sealed_entries) =
            self.seal_with_outbox(&places, &stored, &entries).await?;

        let tx = self.write([RECORDS, WORK, SUMMARIES, CAMPS, OUTBOX, META])?;
        for (sealed, (name, key)) in sealed_records.into_iter().zip(places) {
            put(&tx, (name, key, sealed))?;
        }
        for (sealed, (key, _)) in sealed_entries.into_iter().zip(entries) {
            put(&tx, (OUTBOX, key, sealed))?;
        }
        for key in &moved_from {
            tx.object_store(WORK)?.delete(key.as_str()).primitive()?;
        }
        summaries.write(&tx)?;
        put_meta(&tx.object_store(META)?, meta::CLOCK, &clock)?;
        commit(tx).await?;
        Ok(stored)
    }

    /// Makes again, stamped at `now_millis` (the server's time), every change waiting that is
    /// stamped ahead of the server's clock, with the records they edit and the clock, in one
    /// transaction: the server refused such a change, as the phone's date was wrong (see
    /// [`sakhi_domain::trust::restamp`]). Nothing she typed is lost; the changes made again take
    /// the place of the old ones in the outbox.
    pub async fn restamp(&self, now_millis: u64) -> Result<()> {
        let _writing = self.writing.lock().await;
        let outbox = self.outbox().await?;
        let bound = now_millis.saturating_add(sakhi_domain::trust::MOST_AHEAD_MILLIS);
        let ahead = |entry: &OutboxEntry| entry.change.stamp.hlc.millis > bound;
        if !outbox.iter().any(ahead) {
            return Ok(());
        }
        let waiting: Vec<Change> = outbox.iter().map(|entry| entry.change.clone()).collect();
        let mut ids: Vec<RecordId> = waiting.iter().map(|change| change.record).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut records = Vec::with_capacity(ids.len());
        for id in ids {
            records.extend(self.record(id).await?);
        }
        let (made, clock) = {
            let mut clock = self.clock.borrow_mut();
            let made = trust::restamp(&mut clock, now_millis, &waiting, &mut records);
            (made, *clock)
        };
        let places: Vec<(&'static str, String)> = records.iter().map(place).collect();
        // Made again under a new id, the old entry goes; one whose base followed keeps its key.
        let mut replaced: Vec<String> = Vec::new();
        let mut entries: Vec<(String, OutboxEntry)> = Vec::new();
        for (old, change) in outbox.iter().zip(made) {
            if old.change == change {
                continue;
            }
            if old.change.id != change.id {
                replaced.push(old.change.id.to_string());
            }
            let key = change.id.to_string();
            let rejected = None;
            entries.push((key, OutboxEntry { change, rejected }));
        }
        let (sealed_records, sealed_entries) =
            self.seal_with_outbox(&places, &records, &entries).await?;
        let tx = self.write([RECORDS, WORK, OUTBOX, META])?;
        for (sealed, (name, key)) in sealed_records.into_iter().zip(places) {
            put(&tx, (name, key, sealed))?;
        }
        for key in &replaced {
            tx.object_store(OUTBOX)?.delete(key.as_str()).primitive()?;
        }
        for (sealed, (key, _)) in sealed_entries.into_iter().zip(entries) {
            put(&tx, (OUTBOX, key, sealed))?;
        }
        put_meta(&tx.object_store(META)?, meta::CLOCK, &clock)?;
        commit(tx).await
    }

    /// Seals `records` for their `places` and outbox `entries` under their keys, at once, for one
    /// transaction that writes both.
    async fn seal_with_outbox(
        &self,
        places: &[(&'static str, String)],
        records: &[Record],
        entries: &[(String, OutboxEntry)],
    ) -> Result<(Vec<JsValue>, Vec<JsValue>)> {
        futures::try_join!(
            codec::seal_all(
                &self.key,
                places.iter().zip(records).map(|((name, key), record)| (
                    *name,
                    key.as_str(),
                    record
                )),
            ),
            codec::seal_all(
                &self.key,
                entries
                    .iter()
                    .map(|(key, entry)| (OUTBOX, key.as_str(), entry)),
            ),
        )
    }

    /// Every outbox entry, oldest first: the changes waiting to be sent and those the server refused.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let stored = self.read_all(OUTBOX).await?;
        self.unseal(&stored).await
    }

    /// Up to `limit` changes to send, oldest first, leaving out those the server refused.
    pub async fn pending(&self, limit: usize) -> Result<Vec<Change>> {
        Ok(self
            .outbox()
            .await?
            .into_iter()
            .filter(|entry| entry.rejected.is_none())
            .map(|entry| entry.change)
            .take(limit)
            .collect())
    }

    /// Records the server's answer to a push in one transaction: accepted changes leave the outbox,
    /// refused ones stay, marked with the server's reason, and with `caught_up` the pull cursor
    /// moves to it (the sync round gives it only in the epoch kept).
    pub async fn ack(
        &self,
        accepted: &[ChangeId],
        refused: &[(ChangeId, Refusal)],
        caught_up: Option<Cursor>,
    ) -> Result<()> {
        let _writing = self.writing.lock().await;

        let places: Vec<(&'static str, String)> = refused
            .iter()
            .map(|(id, _)| (OUTBOX, id.to_string()))
            .collect();
        let stored = self.read_at(&places).await?;
        // An entry already gone was acknowledged earlier; there is nothing left to mark.
        let (found, refusals): (Vec<Sealed>, Vec<&Refusal>) = places
            .into_iter()
            .zip(stored)
            .zip(refused)
            .filter_map(|(((place, key), stored), (_, refusal))| {
                Some(((place, key, stored?), refusal))
            })
            .unzip();
        let mut entries: Vec<OutboxEntry> = self.unseal(&found).await?;
        for (entry, refusal) in entries.iter_mut().zip(refusals) {
            entry.rejected = Some(refusal.clone());
        }
        let sealed = codec::seal_all(
            &self.key,
            found
                .iter()
                .zip(&entries)
                .map(|((_, key, _), entry)| (OUTBOX, key.as_str(), entry)),
        )
        .await?;
        let marked = sealed
            .into_iter()
            .zip(found.into_iter().map(|(_, key, _)| key));

        let tx = self.write([OUTBOX, META])?;
        {
            let outbox = tx.object_store(OUTBOX)?;
            for id in accepted {
                outbox.delete(id.to_string()).primitive()?;
            }
            if let Some(cursor) = caught_up {
                put_meta(&tx.object_store(META)?, meta::CURSOR, &cursor)?;
            }
            for (sealed, key) in marked {
                outbox
                    .put(sealed)
                    .with_key(key)
                    .without_key_type()
                    .primitive()?;
            }
        }
        commit(tx).await
    }

    /// Where pulling continues: the server epoch last seen (if any) and the cursor in it.
    pub async fn sync_position(&self) -> Result<(Option<Epoch>, Cursor)> {
        let tx = self.db.transaction(META).build()?;
        let store = tx.object_store(META)?;
        let epoch = read_meta(&store, meta::EPOCH).await?;
        let cursor = read_meta(&store, meta::CURSOR).await?.unwrap_or_default();
        Ok((epoch, cursor))
    }

    /// Keeps `epoch` as the server's, with cursor 0, unless an epoch is kept already: the sync
    /// round learns it from the first answer to a push, before taking in any acknowledgement, so
    /// that a restore of that server is noticed even if no pull has succeeded yet.
    pub async fn adopt_epoch(&self, epoch: Epoch) -> Result<()> {
        let _writing = self.writing.lock().await;
        let tx = self.write([META])?;
        {
            let store = tx.object_store(META)?;
            let known: Option<Epoch> = read_meta(&store, meta::EPOCH).await?;
            if known.is_none() {
                put_meta(&store, meta::EPOCH, &epoch)?;
            }
        }
        commit(tx).await
    }

    /// Takes in one page of a pull: each snapshot is merged into the local copy with the domain's
    /// merge, the clock observes it, the records in `gone` (no longer hers to see) are deleted
    /// unless changes to them still wait in the outbox, and records, summaries, cursor, epoch and
    /// clock are saved in one transaction, so a page is never half-applied nor the cursor ahead of
    /// the records.
    pub async fn apply_pull_page(
        &self,
        records: &[Record],
        gone: &[RecordId],
        cursor: Cursor,
        epoch: Epoch,
    ) -> Result<()> {
        let _writing = self.writing.lock().await;
        let to_delete: Vec<(&'static str, String)> = if gone.is_empty() {
            Vec::new()
        } else {
            // Her unsent work is never dropped here: the server answers for it when it is sent.
            let waiting: HashSet<RecordId> = self
                .outbox()
                .await?
                .into_iter()
                .map(|entry| entry.change.record)
                .collect();
            let gone: HashSet<String> = gone
                .iter()
                .filter(|id| !waiting.contains(id))
                .map(ToString::to_string)
                .collect();
            // A service, session or note is found by its id, the end of its key.
            let work = self
                .read_keys(WORK)
                .await?
                .into_iter()
                .filter(|key| key.split_once('/').is_some_and(|(_, id)| gone.contains(id)));
            let mut places: Vec<(&'static str, String)> = work.map(|key| (WORK, key)).collect();
            // What she left half-typed about a case gone from her scope goes with it.
            let drafts = self.drafts_of(gone.iter().map(String::as_str)).await?;
            places.extend(drafts.into_iter().map(|key| (META, key)));
            // And the content of an attachment gone from it: under `content`, the place names the
            // attachment, whose chunks go in the same transaction.
            places.extend(gone.iter().map(|id| (CONTENT, id.clone())));
            for id in gone {
                places.push((CAMPS, id.clone()));
                places.push((SUMMARIES, id.clone()));
                places.push((RECORDS, id));
            }
            places
        };

        let places: Vec<(&'static str, String)> = records.iter().map(place).collect();
        let stored = self.read_at(&places).await?;
        let clock = {
            let mut clock = self.clock.borrow_mut();
            for pulled in records {
                if let Some(stamp) = pulled.latest_stamp() {
                    clock.observe(stamp.hlc);
                }
            }
            *clock
        };
        // The local copies this page touches, opened together, then merged.
        let (found, at): (Vec<Sealed>, Vec<usize>) = places
            .iter()
            .zip(stored)
            .enumerate()
            .filter_map(|(at, ((place, key), stored))| Some(((*place, key.clone(), stored?), at)))
            .unzip();
        let local: Vec<Record> = self.unseal(&found).await?;
        let mut merged: Vec<Record> = records.to_vec();
        for (mut local, at) in local.into_iter().zip(at) {
            local.merge(&records[at]);
            merged[at] = local;
        }
        // Work that moved to another case (its case was merged into that one) leaves its old key;
        // what the old copy held joins the new one.
        let moved_away = self.moved_away(&merged, &places).await?;
        for (at, old) in &moved_away.copies {
            merged[*at].merge(old);
        }
        let mut to_delete = to_delete;
        to_delete.extend(moved_away.keys.iter().map(|key| (WORK, key.clone())));
        let removed: Vec<String> = to_delete
            .iter()
            .filter(|(place, _)| *place == WORK)
            .map(|(_, key)| key.clone())
            .collect();
        let summaries = self
            .summarise(&merged.iter().collect::<Vec<_>>(), &removed)
            .await?;
        let sealed = codec::seal_all(
            &self.key,
            places
                .iter()
                .zip(&merged)
                .map(|((place, key), record)| (*place, key.as_str(), record)),
        )
        .await?;

        let tx = self.write([RECORDS, WORK, SUMMARIES, CAMPS, CONTENT, META])?;
        for (sealed, (place, key)) in sealed.into_iter().zip(places) {
            put(&tx, (place, key, sealed))?;
        }
        // Before the deletions: a case gone from her scope keeps no summary.
        summaries.write(&tx)?;
        for (place, key) in &to_delete {
            match *place {
                CONTENT => attachments::delete_content_of(&tx, key)?,
                _ => {
                    tx.object_store(place)?.delete(key.as_str()).primitive()?;
                }
            }
        }
        let meta_store = tx.object_store(META)?;
        put_meta(&meta_store, meta::CURSOR, &cursor)?;
        put_meta(&meta_store, meta::EPOCH, &epoch)?;
        put_meta(&meta_store, meta::CLOCK, &clock)?;
        drop(meta_store);
        commit(tx).await
    }

    /// The keys of the drafts (see [`draft_names`]) about the cases `cases`: a correction of one,
    /// and the timeline forms of one.
    async fn drafts_of<'c>(&self, cases: impl IntoIterator<Item = &'c str>) -> Result<Vec<String>> {
        let cases: HashSet<&str> = cases.into_iter().collect();
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        let keys = self.read_keys(META).await?;
        Ok(keys
            .into_iter()
            .filter(|key| draft_names::case_of(key).is_some_and(|case| cases.contains(case)))
            .collect())
    }

    /// The copies of `records` kept under another key than their place now: work whose `case` was
    /// changed (a merge moved it), still filed under the case it left. Only records whose case
    /// field was ever written over are looked for, so a page of new work reads no keys.
    async fn moved_away(
        &self,
        records: &[Record],
        places: &[(&'static str, String)],
    ) -> Result<MovedAway> {
        let moved: HashMap<String, usize> = records
            .iter()
            .enumerate()
            .filter(|(_, record)| {
                record
                    .fields
                    .get(CASE)
                    .is_some_and(|case| !case.bases().is_empty())
            })
            .map(|(at, record)| (record.id.to_string(), at))
            .collect();
        if moved.is_empty() {
            return Ok(MovedAway::default());
        }
        let keys: Vec<(String, usize)> = self
            .read_keys(WORK)
            .await?
            .into_iter()
            .filter_map(|key| {
                let at = *moved.get(key.split_once('/')?.1)?;
                (places[at].1 != key).then_some((key, at))
            })
            .collect();
        let wanted: Vec<(&'static str, String)> =
            keys.iter().map(|(key, _)| (WORK, key.clone())).collect();
        let stored = self.read_at(&wanted).await?;
        let (found, at): (Vec<Sealed>, Vec<usize>) = wanted
            .iter()
            .zip(stored)
            .zip(&keys)
            .filter_map(|(((place, key), stored), (_, at))| {
                Some(((*place, key.clone(), stored?), *at))
            })
            .unzip();
        let copies: Vec<Record> = self.unseal(&found).await?;
        Ok(MovedAway {
            keys: keys.into_iter().map(|(key, _)| key).collect(),
            copies: at.into_iter().zip(copies).collect(),
        })
    }

    /// Removes what nobody has changed since `before_millis` and waits for nothing to be sent: for
    /// an outreach worker, her centre's choice that a lost phone hold as little as possible. A case
    /// and its work go together, once neither the case nor any of its services, sessions or notes
    /// changed since (by their newest stamps); work whose case is not on the phone, and a camp, go by
    /// their own.
    /// The server keeps them; one that changes again comes back with the next pull. Returns how
    /// many records went.
    pub async fn purge(&self, before_millis: u64) -> Result<usize> {
        let _writing = self.writing.lock().await;
        let waiting: HashSet<RecordId> = self
            .outbox()
            .await?
            .into_iter()
            .map(|entry| entry.change.record)
            .collect();
        let mut stored = self.read_all(RECORDS).await?;
        stored.extend(self.read_all(WORK).await?);
        stored.extend(self.read_all(CAMPS).await?);
        let records: Vec<Record> = self.unseal(&stored).await?;
        // Per case (or record that names none), when it or its work last changed; unsent work
        // counts as changed now.
        let mut changed: HashMap<&str, u64> = HashMap::new();
        for ((place, key, _), record) in stored.iter().zip(&records) {
            let when = match waiting.contains(&record.id) {
                true => u64::MAX,
                false => record.latest_stamp().map_or(0, |stamp| stamp.hlc.millis),
            };
            let newest = changed.entry(group_of(place, key)).or_default();
            *newest = (*newest).max(when);
        }
        let old: Vec<(&str, &str)> = stored
            .iter()
            .map(|(place, key, _)| (*place, key.as_str()))
            .filter(|(place, key)| changed[group_of(place, key)] < before_millis)
            .collect();
        if old.is_empty() {
            return Ok(0);
        }
        // What she left half-typed about a case that leaves goes with it.
        let purged = changed
            .iter()
            .filter(|(_, newest)| **newest < before_millis)
            .map(|(group, _)| *group);
        let drafts = self.drafts_of(purged).await?;
        // And an attachment's content with its record.
        let with_content: HashSet<String> = records
            .iter()
            .filter(|record| record.kind == Kind::Attachment)
            .map(|record| record.id.to_string())
            .collect();
        let tx = self.write([RECORDS, WORK, SUMMARIES, CAMPS, CONTENT, META])?;
        for (place, key) in &old {
            tx.object_store(place)?.delete(*key).primitive()?;
            let id = id_of(place, key);
            if with_content.contains(id) {
                attachments::delete_content_of(&tx, id)?;
            }
        }
        for key in &drafts {
            tx.object_store(META)?.delete(key.as_str()).primitive()?;
        }
        let summaries = tx.object_store(SUMMARIES)?;
        for (group, newest) in &changed {
            if *newest < before_millis {
                summaries.delete(*group).primitive()?;
            }
        }
        drop(summaries);
        commit(tx).await?;
        Ok(old.len())
    }

    /// A secret kept in `meta` under `name` (the worker's session token), sealed like a record.
    pub async fn secret(&self, name: &str) -> Result<Option<String>> {
        let stored = {
            let tx = self.db.transaction(META).build()?;
            let store = tx.object_store(META)?;
            store
                .get::<JsValue, _, _>(secret_key(name)?)
                .primitive()?
                .await?
        };
        match stored {
            Some(stored) => Ok(Some(codec::unseal(&self.key, META, name, stored).await?)),
            None => Ok(None),
        }
    }

    /// Forgets the secret `name`, if there is one.
    pub async fn remove_secret(&self, name: &str) -> Result<()> {
        let tx = self.write([META])?;
        tx.object_store(META)?
            .delete(secret_key(name)?)
            .primitive()?;
        commit(tx).await
    }

    /// Keeps `value` as the secret `name`, sealed, replacing any earlier one.
    pub async fn set_secret(&self, name: &str, value: &str) -> Result<()> {
        let sealed = codec::seal(&self.key, META, secret_key(name)?, &value).await?;
        let tx = self.write([META])?;
        tx.object_store(META)?
            .put(sealed)
            .with_key(name)
            .without_key_type()
            .primitive()?;
        commit(tx).await
    }

    /// The record kept under `key` in the object store `name`, if there is one.
    async fn stored(&self, name: &'static str, key: &str) -> Result<Option<Record>> {
        match self.read_at(&[(name, key.to_owned())]).await?.pop() {
            Some(Some(stored)) => Ok(Some(codec::unseal(&self.key, name, key, stored).await?)),
            _ => Ok(None),
        }
    }

    /// Opens values read from the stores.
    async fn unseal<T: DeserializeOwned>(&self, stored: &[Sealed]) -> Result<Vec<T>> {
        codec::unseal_all(
            &self.key,
            stored
                .iter()
                .map(|(name, key, value)| (*name, key.as_str(), value)),
        )
        .await
    }
}

/// Copies of records kept under a key they have left: the keys, and each copy with the index of
/// the record it belongs to.
#[derive(Default)]
struct MovedAway {
    keys: Vec<String>,
    copies: Vec<(usize, Record)>,
}

/// Where a record is kept, as `(object store, key)`: a camp in `camps` and a case (or a record that
/// names no case) in `records`, under its id; a service, session or note in `work` under its case's
/// id and its own.
fn place(record: &Record) -> (&'static str, String) {
    match (record.kind, record.text(CASE)) {
        (Kind::Camp, _) => (CAMPS, record.id.to_string()),
        (Kind::Case, _) | (_, None) => (RECORDS, record.id.to_string()),
        (_, Some(case)) => (WORK, format!("{case}/{}", record.id)),
    }
}

/// The keys of one case's work in `work`: from `<case id>/` up to `<case id>0`, `0` being the
/// character after `/`.
fn work_of(case: &str) -> Range<String> {
    format!("{case}/")..format!("{case}0")
}

/// The case a stored record belongs with: its case's id for work, its own id for a case.
fn group_of<'k>(name: &str, key: &'k str) -> &'k str {
    match (name == WORK, key.split_once('/')) {
        (true, Some((case, _))) => case,
        _ => key,
    }
}

/// The id of the record kept under `key` in the object store `name`: the end of a key in `work`,
/// the whole key elsewhere.
fn id_of<'k>(name: &str, key: &'k str) -> &'k str {
    match (name == WORK, key.split_once('/')) {
        (true, Some((_, id))) => id,
        _ => key,
    }
}

/// `name` as a `meta` key for a secret, unless the store's own plain values use it.
fn secret_key(name: &str) -> Result<&str> {
    if [
        meta::DEVICE,
        meta::CLOCK,
        meta::CURSOR,
        meta::EPOCH,
        meta::LAYOUT,
    ]
    .contains(&name)
    {
        return Err(StoreError::Encode(format!(
            "{name:?} is the store's own; a secret needs another name"
        )));
    }
    Ok(name)
}
