//! The workers known on this phone, each with her data key wrapped under her passphrase, and the
//! phone's own id.
//!
//! Kept in a small database of its own, `sakhi-keyring`, readable before anyone unlocks: it holds
//! no survivor data, only who may unlock (account, username, name, centre) and, per worker, the
//! salt, the PBKDF2 rounds and her wrapped key. There is no password hash and nothing to check a
//! guess against but the unwrapping itself, which costs 600,000 rounds of PBKDF2 per guess.

use super::crypto::{self, DataKey, Wrapped};
use super::idb::commit;
use super::{Result, StoreError};
use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use sakhi_domain::DeviceId;
use serde::{Deserialize, Serialize};

/// The keyring's database.
pub const KEYRING: &str = "sakhi-keyring";
/// The keyring's version; raise it by one with each new step in `upgrade`.
const VERSION: u32 = 1;
/// Workers, keyed by account id; each value is an [`Entry`] as JSON text.
const WORKERS: &str = "workers";
/// The installation's own values, keyed by name.
const PHONE: &str = "phone";
/// The key of the phone's id in [`PHONE`].
const PHONE_ID: &str = "id";

/// The database that holds `account`'s store on this phone.
pub fn database_name(account: &str) -> String {
    format!("sakhi-{account}")
}

/// A worker who has logged in on this phone, as the unlock screen lists her.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Worker {
    pub account: String,
    pub username: String,
    pub display_name: String,
    pub centre: String,
}

/// A worker's entry: who she is and how her data key is kept.
#[derive(Serialize, Deserialize)]
struct Entry {
    worker: Worker,
    /// How the wrapping key is derived ([`crypto::KDF`]) and wrapped ([`crypto::WRAP`]).
    kdf: String,
    iterations: u32,
    salt: Vec<u8>,
    wrap: String,
    wrapped: Vec<u8>,
}

impl Entry {
    fn new(worker: Worker, kept: Wrapped) -> Self {
        Entry {
            worker,
            kdf: crypto::KDF.to_owned(),
            iterations: kept.iterations,
            salt: kept.salt,
            wrap: crypto::WRAP.to_owned(),
            wrapped: kept.wrapped,
        }
    }

    fn kept(self) -> Result<Wrapped> {
        if self.kdf != crypto::KDF || self.wrap != crypto::WRAP {
            return Err(StoreError::Corrupt {
                reason: format!(
                    "a key kept as {} / {} this build cannot open",
                    self.kdf, self.wrap
                ),
            });
        }
        Ok(Wrapped {
            salt: self.salt,
            iterations: self.iterations,
            wrapped: self.wrapped,
        })
    }
}

/// The workers known on this phone and their wrapped keys.
pub struct Keyring {
    db: Database,
}

impl Keyring {
    /// Opens (creating as needed) the phone's keyring.
    pub async fn open() -> Result<Keyring> {
        let db = Database::open(KEYRING)
            .with_version(VERSION)
            .with_on_upgrade_needed(upgrade)
            .await?;
        Ok(Keyring { db })
    }

    /// Closes the connection, so the keyring can be deleted or upgraded by another page.
    pub fn close(self) {
        self.db.close();
    }

    /// Everyone who can unlock on this phone, in account order. No secrets.
    pub async fn workers(&self) -> Result<Vec<Worker>> {
        let tx = self.db.transaction(WORKERS).build()?;
        let store = tx.object_store(WORKERS)?;
        let texts = store.get_all::<String>().primitive()?.await?;
        texts
            .map(|text| Ok(parse(&text?)?.worker))
            .collect::<Result<Vec<_>>>()
    }

    /// First login of this worker on this phone: a new random data key, wrapped with
    /// `passphrase`. Replaces any earlier entry for the same account and deletes that account's
    /// old database, whose data could no longer be read. The database must not be open.
    pub async fn enrol(&self, worker: Worker, passphrase: &str) -> Result<DataKey> {
        let (key, kept) = crypto::new_key(&worker.account, passphrase).await?;
        delete_database(&database_name(&worker.account)).await?;
        let account = worker.account.clone();
        self.put(&account, &Entry::new(worker, kept)).await?;
        Ok(key)
    }

    /// Offline unlock: her data key if `passphrase` unwraps it, [`StoreError::WrongPassphrase`]
    /// if not (nothing else changes), [`StoreError::NotEnrolled`] if she has no entry here.
    /// Takes as long as 600,000 rounds of PBKDF2-SHA256: about half a second on a desktop, a
    /// second or more on a cheap phone.
    pub async fn unlock(&self, account: &str, passphrase: &str) -> Result<DataKey> {
        let entry = self.entry(account).await?.ok_or(StoreError::NotEnrolled)?;
        crypto::unlock(account, &entry.kept()?, passphrase).await
    }

    /// Wraps this worker's key again under a new passphrase (after her password changed). `key`
    /// must be hers, from [`Keyring::unlock`] or [`Keyring::enrol`].
    pub async fn rewrap(&self, account: &str, key: &DataKey, passphrase: &str) -> Result<()> {
        let entry = self.entry(account).await?.ok_or(StoreError::NotEnrolled)?;
        if key.account() != account {
            // Wrapping another worker's key here would leave her store unreadable to her.
            return Err(StoreError::NotEnrolled);
        }
        let kept = crypto::rewrap(key, passphrase).await?;
        self.put(account, &Entry::new(entry.worker, kept)).await
    }

    /// Logging out on this phone: removes her entry, then deletes her database. Her store must be
    /// closed first, or deleting waits until it is.
    pub async fn forget(&self, account: &str) -> Result<()> {
        let tx = self
            .db
            .transaction(WORKERS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(WORKERS)?.delete(account).primitive()?;
        commit(tx).await?;
        delete_database(&database_name(account)).await
    }

    /// A phone-wide id for this installation, made on first use; the server's audit log names it.
    pub async fn phone(&self) -> Result<DeviceId> {
        // One readwrite transaction, so two tabs starting at once agree on one id.
        let tx = self
            .db
            .transaction(PHONE)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        let store = tx.object_store(PHONE)?;
        let known = store.get::<String, _, _>(PHONE_ID).primitive()?.await?;
        let phone = match known {
            Some(text) => text.parse().map_err(|_| StoreError::Corrupt {
                reason: "the phone's id is not an id".to_owned(),
            })?,
            None => {
                let phone = DeviceId::new();
                store
                    .put(phone.to_string())
                    .with_key(PHONE_ID)
                    .without_key_type()
                    .primitive()?;
                phone
            }
        };
        drop(store);
        commit(tx).await?;
        Ok(phone)
    }

    async fn entry(&self, account: &str) -> Result<Option<Entry>> {
        let tx = self.db.transaction(WORKERS).build()?;
        let store = tx.object_store(WORKERS)?;
        let text = store.get::<String, _, _>(account).primitive()?.await?;
        text.as_deref().map(parse).transpose()
    }

    async fn put(&self, account: &str, entry: &Entry) -> Result<()> {
        let text = serde_json::to_string(entry).map_err(|e| StoreError::Encode(e.to_string()))?;
        let tx = self
            .db
            .transaction(WORKERS)
            .with_mode(TransactionMode::Readwrite)
            .build()?;
        tx.object_store(WORKERS)?
            .put(text)
            .with_key(account)
            .without_key_type()
            .primitive()?;
        commit(tx).await
    }
}

fn parse(text: &str) -> Result<Entry> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        reason: format!("a keyring entry: {e}"),
    })
}

async fn delete_database(name: &str) -> Result<()> {
    Database::delete_by_name(name)?.await?;
    Ok(())
}

fn upgrade(event: VersionChangeEvent, db: Database) -> indexed_db_futures::Result<()> {
    let old = event.old_version() as u32;
    if old < 1 {
        db.create_object_store(WORKERS).build()?;
        db.create_object_store(PHONE).build()?;
    }
    Ok(())
}
