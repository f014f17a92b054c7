//! The device's copy of the centre's records and its outbox of unsent changes, kept in IndexedDB.
//!
//! Every write that belongs together (a record and the changes that made it, a pulled page and the
//! cursor after it) is one readwrite transaction, so a phone that dies mid-save keeps all of it or
//! none of it. Records, outbox entries and secrets pass through [`codec`] on their way in and out,
//! which seals them with the worker's [`DataKey`]; a store is opened only with her key, which
//! [`Keyring`] unwraps from her passphrase.

mod codec;
mod crypto;
pub mod keyring;
pub mod schema;

pub use crypto::DataKey;
pub use keyring::{Keyring, Worker, database_name};
/// Why the server refused a change, as it said; the sync round hands it to [`Store::ack`].
pub use sakhi_sync::Refusal;

use futures::lock::Mutex;
use indexed_db_futures::database::Database;
use indexed_db_futures::internals::SystemRepr;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, Clock, DeviceId, Epoch, Invalid, Kind, Record, RecordId};
use schema::{META, OUTBOX, RECORDS, meta};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

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

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(error: indexed_db_futures::error::Error) -> Self {
        use indexed_db_futures::error::Error;
        match &error {
            Error::DomException(exception) if is_full(exception.as_ref()) => StoreError::Full,
            _ => StoreError::Database(describe(error)),
        }
    }
}

/// Whether a browser error says the disk or the origin's quota is full.
fn is_full(error: &JsValue) -> bool {
    error
        .dyn_ref::<web_sys::DomException>()
        .is_some_and(|e| e.name() == "QuotaExceededError")
}

/// Commits `tx`, telling a full disk apart. A quota error aborts the transaction without failing
/// any request, and the library reports only that it aborted; the reason is on the transaction.
async fn commit(tx: Transaction<'_>) -> Result<()> {
    let raw: web_sys::IdbTransaction = tx
        .as_sys()
        .unchecked_ref::<web_sys::IdbTransaction>()
        .clone();
    match tx.commit().await {
        Ok(()) => Ok(()),
        Err(error) => match raw.error() {
            Some(reason) if is_full(&reason) => Err(StoreError::Full),
            _ => Err(error.into()),
        },
    }
}

/// Closes `db`'s connection when another connection asks to delete or upgrade the database: her
/// logging out in another tab, or a lingering connection in this one. Otherwise the deletion
/// waits, without end, for this page to let go.
fn close_when_asked(db: &Database) -> Closure<dyn FnMut()> {
    let raw: web_sys::IdbDatabase = db.as_sys().unchecked_ref::<web_sys::IdbDatabase>().clone();
    let close = {
        let raw = raw.clone();
        Closure::<dyn FnMut()>::new(move || raw.close())
    };
    raw.set_onversionchange(Some(close.as_ref().unchecked_ref()));
    close
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(error: indexed_db_futures::error::OpenDbError) -> Self {
        use indexed_db_futures::error::OpenDbError;
        match error {
            // Creating a database on a full disk fails like a write does.
            OpenDbError::Base(error) => match StoreError::from(error) {
                StoreError::Full => StoreError::Full,
                StoreError::Database(reason) => StoreError::Open(reason),
                other => other,
            },
            _ => StoreError::Open("this browser has no usable IndexedDB".to_owned()),
        }
    }
}

/// The browser's own message, which says enough to act on. Formatting the library's errors instead
/// would bring their `Display` code, floats included, into the app shell for text no one reads on a
/// phone.
fn describe(error: indexed_db_futures::error::Error) -> String {
    use indexed_db_futures::error::Error;
    match error {
        Error::DomException(exception) => exception.message(),
        Error::Serialisation(_) => "a value could not be converted".to_owned(),
        Error::MissingData(_) => "an expected value was missing".to_owned(),
        Error::Unknown(_) => "an error the browser did not name".to_owned(),
    }
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
    /// and keeps it. The key is not checked here: values sealed under another key fail to read,
    /// as [`StoreError::Corrupt`].
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
        Ok(Store {
            db,
            key,
            device,
            clock: RefCell::new(clock),
            writing: Mutex::new(()),
            _on_version_change: on_version_change,
        })
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

    /// One record, if this device has it.
    pub async fn record(&self, id: RecordId) -> Result<Option<Record>> {
        let key = id.to_string();
        match self
            .read_some(RECORDS, std::slice::from_ref(&key))
            .await?
            .pop()
        {
            Some(Some(stored)) => Ok(Some(codec::unseal(&self.key, RECORDS, &key, stored).await?)),
            _ => Ok(None),
        }
    }

    /// Every record on this device, deleted ones too, in id order.
    pub async fn records(&self) -> Result<Vec<Record>> {
        let stored = self.read_all(RECORDS).await?;
        codec::unseal_all(&self.key, RECORDS, &stored).await
    }

    /// The cases on this device that are not deleted, newest first.
    pub async fn cases(&self) -> Result<Vec<Record>> {
        let mut cases = self.records().await?;
        cases.retain(|record| record.kind == Kind::Case && !record.is_deleted());
        // Records are read in key order, and a record's key is its id as text (UUIDv7, fixed-width
        // lower-case hex), which sorts by when the case was registered: reversed, newest first.
        cases.reverse();
        Ok(cases)
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
        for (field, value) in &edits {
            record.kind.check(field, value)?;
        }
        self.write_changes(record, |seen, clock| {
            edits
                .into_iter()
                .map(|(field, value)| seen.edit(clock, now_millis, field, value))
                .collect()
        })
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
        self.write_changes(record, |seen, clock| {
            seen.resolve(clock, now_millis, field, value)
        })
        .await
    }

    /// Makes changes on the copy of a record she saw with `make`, and writes the record, the
    /// changes and the clock in one transaction.
    async fn write_changes(
        &self,
        record: Record,
        make: impl FnOnce(&mut Record, &mut Clock) -> Vec<Change>,
    ) -> Result<Record> {
        let _writing = self.writing.lock().await;

        // The edits go on the copy she saw, so their base stamps are what she saw; the stored copy
        // may since have taken in a pull, and merging keeps both.
        let mut seen = record;
        let (changes, clock) = {
            let mut clock = self.clock.borrow_mut();
            let changes = make(&mut seen, &mut clock);
            (changes, *clock)
        };
        let mut current = self
            .record(seen.id)
            .await?
            .unwrap_or_else(|| Record::new(seen.id, seen.kind));
        current.merge(&seen);

        let record_key = current.id.to_string();
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
        let (sealed_record, sealed_entries) = futures::try_join!(
            codec::seal(&self.key, RECORDS, &record_key, &current),
            codec::seal_all(
                &self.key,
                OUTBOX,
                entries.iter().map(|(key, entry)| (key.as_str(), entry)),
            ),
        )?;
        let sealed_changes = sealed_entries
            .into_iter()
            .zip(entries)
            .map(|(sealed, (key, _))| (sealed, key));

        let tx = self.write([RECORDS, OUTBOX, META])?;
        {
            let records = tx.object_store(RECORDS)?;
            let outbox = tx.object_store(OUTBOX)?;
            let meta_store = tx.object_store(META)?;
            records
                .put(sealed_record)
                .with_key(record_key)
                .without_key_type()
                .primitive()?;
            for (sealed, key) in sealed_changes {
                outbox
                    .put(sealed)
                    .with_key(key)
                    .without_key_type()
                    .primitive()?;
            }
            put_meta(&meta_store, meta::CLOCK, &clock)?;
        }
        commit(tx).await?;
        Ok(current)
    }

    /// Every outbox entry, oldest first: the changes waiting to be sent and those the server refused.
    pub async fn outbox(&self) -> Result<Vec<OutboxEntry>> {
        let stored = self.read_all(OUTBOX).await?;
        codec::unseal_all(&self.key, OUTBOX, &stored).await
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

        let keys: Vec<String> = refused.iter().map(|(id, _)| id.to_string()).collect();
        let stored = self.read_some(OUTBOX, &keys).await?;
        // An entry already gone was acknowledged earlier; there is nothing left to mark.
        let (found, refusals): (Vec<(String, JsValue)>, Vec<&Refusal>) = keys
            .into_iter()
            .zip(stored)
            .zip(refused)
            .filter_map(|((key, stored), (_, refusal))| Some(((key, stored?), refusal)))
            .unzip();
        let mut entries: Vec<OutboxEntry> = codec::unseal_all(&self.key, OUTBOX, &found).await?;
        for (entry, refusal) in entries.iter_mut().zip(refusals) {
            entry.rejected = Some(refusal.clone());
        }
        let sealed = codec::seal_all(
            &self.key,
            OUTBOX,
            found.iter().map(|(key, _)| key.as_str()).zip(&entries),
        )
        .await?;
        let marked = sealed
            .into_iter()
            .zip(found.into_iter().map(|(key, _)| key));

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
    /// unless changes to them still wait in the outbox, and records, cursor, epoch and clock are
    /// saved in one transaction, so a page is never half-applied nor the cursor ahead of the
    /// records.
    pub async fn apply_pull_page(
        &self,
        records: &[Record],
        gone: &[RecordId],
        cursor: Cursor,
        epoch: Epoch,
    ) -> Result<()> {
        let _writing = self.writing.lock().await;
        let to_delete: Vec<String> = if gone.is_empty() {
            Vec::new()
        } else {
            // Her unsent work is never dropped here: the server answers for it when it is sent.
            let waiting: Vec<RecordId> = self
                .outbox()
                .await?
                .into_iter()
                .map(|entry| entry.change.record)
                .collect();
            gone.iter()
                .filter(|id| !waiting.contains(id))
                .map(ToString::to_string)
                .collect()
        };

        let keys: Vec<String> = records.iter().map(|r| r.id.to_string()).collect();
        let stored = self.read_some(RECORDS, &keys).await?;
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
        let (found, at): (Vec<(String, JsValue)>, Vec<usize>) = keys
            .iter()
            .zip(stored)
            .enumerate()
            .filter_map(|(at, (key, stored))| Some(((key.clone(), stored?), at)))
            .unzip();
        let local: Vec<Record> = codec::unseal_all(&self.key, RECORDS, &found).await?;
        let mut merged: Vec<Record> = records.to_vec();
        for (mut local, at) in local.into_iter().zip(at) {
            local.merge(&records[at]);
            merged[at] = local;
        }
        let sealed = codec::seal_all(
            &self.key,
            RECORDS,
            keys.iter().map(String::as_str).zip(&merged),
        )
        .await?;
        let merged = sealed.into_iter().zip(keys);

        let tx = self.write([RECORDS, META])?;
        {
            let store = tx.object_store(RECORDS)?;
            for (sealed, key) in merged {
                store
                    .put(sealed)
                    .with_key(key)
                    .without_key_type()
                    .primitive()?;
            }
            for key in &to_delete {
                store.delete(key.as_str()).primitive()?;
            }
            let meta_store = tx.object_store(META)?;
            put_meta(&meta_store, meta::CURSOR, &cursor)?;
            put_meta(&meta_store, meta::EPOCH, &epoch)?;
            put_meta(&meta_store, meta::CLOCK, &clock)?;
        }
        commit(tx).await
    }

    /// Removes the records that nobody has changed since `before_millis` (by their newest stamp)
    /// and that wait for nothing to be sent: for an outreach worker, her centre's choice that a
    /// lost phone hold as little as possible. The server keeps them; one that changes again comes
    /// back with the next pull. Returns how many went.
    pub async fn purge(&self, before_millis: u64) -> Result<usize> {
        let _writing = self.writing.lock().await;
        let waiting: Vec<RecordId> = self
            .outbox()
            .await?
            .into_iter()
            .map(|entry| entry.change.record)
            .collect();
        let old: Vec<String> = self
            .records()
            .await?
            .into_iter()
            .filter(|record| {
                let changed = record.latest_stamp().map_or(0, |stamp| stamp.hlc.millis);
                changed < before_millis && !waiting.contains(&record.id)
            })
            .map(|record| record.id.to_string())
            .collect();
        if old.is_empty() {
            return Ok(0);
        }
        let tx = self.write([RECORDS])?;
        {
            let store = tx.object_store(RECORDS)?;
            for key in &old {
                store.delete(key.as_str()).primitive()?;
            }
        }
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

    fn write<const N: usize>(&self, stores: [&str; N]) -> Result<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }

    /// Every `(key, stored value)` of an object store, in key order.
    async fn read_all(&self, name: &str) -> Result<Vec<(String, JsValue)>> {
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        let keys = store.get_all_keys::<String>().primitive()?;
        let values = store.get_all::<JsValue>().primitive()?;
        let keys = keys.await?.collect::<Result<Vec<_>, _>>()?;
        let values = values.await?.collect::<Result<Vec<_>, _>>()?;
        Ok(keys.into_iter().zip(values).collect())
    }

    /// The stored values under `keys`, in the same order; `None` where there is none.
    async fn read_some(&self, name: &str, keys: &[String]) -> Result<Vec<Option<JsValue>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let tx = self.db.transaction(name).build()?;
        let store = tx.object_store(name)?;
        // All requests go out before the first is awaited: one round through the event loop.
        let requests = keys
            .iter()
            .map(|key| store.get::<JsValue, _, _>(key.as_str()).primitive())
            .collect::<Result<Vec<_>, _>>()?;
        let mut found = Vec::with_capacity(keys.len());
        for request in requests {
            found.push(request.await?);
        }
        Ok(found)
    }
}

/// `name` as a `meta` key for a secret, unless the store's own plain values use it.
fn secret_key(name: &str) -> Result<&str> {
    if [meta::DEVICE, meta::CLOCK, meta::CURSOR, meta::EPOCH].contains(&name) {
        return Err(StoreError::Encode(format!(
            "{name:?} is the store's own; a secret needs another name"
        )));
    }
    Ok(name)
}

/// Reads a `meta` value: plain JSON text, since it holds no survivor data.
async fn read_meta<T: DeserializeOwned>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<Option<T>> {
    let Some(text) = meta_text(store, key).await? else {
        return Ok(None);
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| StoreError::Corrupt {
            reason: format!("meta {key}: {e}"),
        })
}

/// The text under a `meta` key. Apart from [`read_meta`], so that the request is compiled once
/// rather than once for each type of value read.
async fn meta_text(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
) -> Result<Option<String>> {
    Ok(store.get::<String, _, _>(key).primitive()?.await?)
}

fn put_meta<T: Serialize>(
    store: &indexed_db_futures::object_store::ObjectStore<'_>,
    key: &str,
    value: &T,
) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Encode(e.to_string()))?;
    store
        .put(text)
        .with_key(key)
        .without_key_type()
        .primitive()?;
    Ok(())
}
