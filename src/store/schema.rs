//! The IndexedDB database's layout and its upgrades, one step per version, chained so that a phone
//! that skipped versions still passes through every step.

use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;

/// The schema version this build expects. Raise it by one with each new step in [`upgrade`].
pub const VERSION: u32 = 1;

/// Records of every kind, keyed by record id; each value is one sealed record.
pub const RECORDS: &str = "records";
/// Changes not yet acknowledged by the server, keyed by change id (UUIDv7, so keys sort by time).
pub const OUTBOX: &str = "outbox";
/// The device's own bookkeeping, keyed by name: see [`meta`].
pub const META: &str = "meta";

/// Keys of the `meta` store. Their values hold no survivor data and stay readable without the
/// worker's passphrase, which the device id and, later, the wrapped data key must be.
pub mod meta {
    /// This installation's [`DeviceId`](sakhi_domain::DeviceId), made on first start.
    pub const DEVICE: &str = "device";
    /// The hybrid logical clock, so stamps keep rising across reloads.
    pub const CLOCK: &str = "clock";
    /// How far this device has pulled the centre's changes.
    pub const CURSOR: &str = "cursor";
    /// The server epoch the cursor belongs to.
    pub const EPOCH: &str = "epoch";
}

/// Brings a database from `old` to [`VERSION`]. A step that has shipped is never edited: a later
/// change to the layout is a new `if old < N` step below the others.
pub fn upgrade(event: VersionChangeEvent, db: Database) -> indexed_db_futures::Result<()> {
    // Versions are small whole numbers stored as doubles by IndexedDB.
    let old = event.old_version() as u32;
    if old < 1 {
        db.create_object_store(RECORDS).build()?;
        db.create_object_store(OUTBOX).build()?;
        db.create_object_store(META).build()?;
    }
    Ok(())
}
