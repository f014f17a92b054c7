//! The IndexedDB database's layout and its upgrades, one step per version, chained so that a phone
//! that skipped versions still passes through every step.

use indexed_db_futures::database::{Database, VersionChangeEvent};
use indexed_db_futures::prelude::*;

/// The schema version this build expects. Raise it by one with each new step in [`upgrade`].
pub const VERSION: u32 = 4;

/// Cases, keyed by record id; each value is one sealed record. (Until version 2, records of every
/// kind; a record of another kind that names no case is still kept here.)
///
/// Values have been sealed (encrypted) since before any phone held real data, without a new
/// version: the layout did not change. A development database from before then holds plain text
/// that the store now reports as unreadable; delete it.
pub const RECORDS: &str = "records";
/// The services, sessions and notes of each case, keyed `<case id>/<record id>`, so that one case's
/// work is one key range and the caseload reads none of it. A value is one sealed record.
///
/// The keys show which records belong to one case, though not what they say; a phone's records
/// already showed how many there were and when each was made (their UUIDv7 ids).
pub const WORK: &str = "work";
/// What the caseload needs of each case's work (`casework::Summary`), keyed by the case's id and
/// sealed; kept by the store whenever a case's work changes.
pub const SUMMARIES: &str = "summaries";
/// Awareness camps, keyed by record id, sealed: the register and the home screen read them without
/// reading any case.
pub const CAMPS: &str = "camps";
/// The content of attachments (photos, PDFs, voice notes), in chunks of the wire's `CHUNK_BYTES`,
/// keyed `<attachment id>/<chunk number, ten digits>`, so that one attachment's chunks are one key
/// range in order. Each value is one chunk's bytes sealed on its own, the key bound in, so a chunk
/// does not open at another position or under another attachment.
pub const CONTENT: &str = "content";
/// Changes not yet acknowledged by the server, keyed by change id (UUIDv7, so keys sort by time).
pub const OUTBOX: &str = "outbox";
/// The device's own bookkeeping, keyed by name: see [`meta`].
pub const META: &str = "meta";

/// Keys of the `meta` store. These values hold no survivor data and are plain JSON text; anything
/// else kept in `meta` is a sealed secret (`Store::set_secret`), under a name not listed here.
pub mod meta {
    /// This installation's [`DeviceId`](sakhi_domain::DeviceId), made on first start.
    pub const DEVICE: &str = "device";
    /// The hybrid logical clock, so stamps keep rising across reloads.
    pub const CLOCK: &str = "clock";
    /// How far this device has pulled the centre's changes.
    pub const CURSOR: &str = "cursor";
    /// The server epoch the cursor belongs to.
    pub const EPOCH: &str = "epoch";
    /// How the records are laid out among the stores: `2` once every service, session and note
    /// is in [`WORK`](super::WORK) and each worked case has its summary. Moving them needs the
    /// worker's key, so it is done when her store is first opened after the upgrade, not in it.
    pub const LAYOUT: &str = "layout";
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
    if old < 2 {
        db.create_object_store(WORK).build()?;
        db.create_object_store(SUMMARIES).build()?;
    }
    // No camp was kept before this version: there is nothing to move.
    if old < 3 {
        db.create_object_store(CAMPS).build()?;
    }
    // No attachment's content was kept before this version: there is nothing to move.
    if old < 4 {
        db.create_object_store(CONTENT).build()?;
    }
    Ok(())
}
