//! The floor Sakhi's ingest on SQLite is compared against: the same changes inserted straight
//! into SQLite, one row each, in transactions of the push batch size, with the server's
//! durability settings. (PostgreSQL's floor is in `postgres.rs`.)
//!
//! The table is the server's `changes` table (same columns, primary key and index, the same JSON
//! body per change) without the foreign keys, and nothing else is written: no merged records, no
//! reads. That is the least work that stores what a push stores, so the floor is a hard one.

use crate::workload::Row;
use anyhow::{Context, ensure};
use rusqlite::{Connection, TransactionBehavior, params};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const NAME: &str = "raw batched SQLite inserts";

const SCHEMA: &str = "
CREATE TABLE changes (
    id          TEXT    PRIMARY KEY,
    record_id   TEXT    NOT NULL,
    centre_id   TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX changes_by_record ON changes (record_id);
";

const INSERT: &str =
    "INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
                      VALUES (?, ?, ?, ?, ?, ?, ?)";

/// Inserts every batch of rows into a new database `raw.db` in `folder`, one transaction per
/// batch, and returns how long the inserts took (opening the database not included, as the
/// server's start is not included in its figure).
pub fn insert(folder: &Path, batches: &[Vec<Row>]) -> anyhow::Result<Duration> {
    let path = folder.join("raw.db");
    let mut connection = Connection::open(&path)
        .with_context(|| format!("Failed to create the database {}", path.display()))?;
    // As the server opens its database: WAL, and a commit that survives power loss.
    let mode: String =
        connection.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "SQLite refused WAL mode here (it chose {mode:?}): put --dir on a local disk"
    );
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection
        .execute_batch(SCHEMA)
        .context("Failed to create the table")?;
    let centre = sakhi_server::CentreId::new().to_string();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        });

    let started = Instant::now();
    let mut seq = 0i64;
    for batch in batches {
        // IMMEDIATE, as the server's push takes the write lock.
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut insert = transaction.prepare_cached(INSERT)?;
            for row in batch {
                seq += 1;
                insert.execute(params![
                    row.id, row.record, centre, row.device, seq, row.body, now
                ])?;
            }
        }
        transaction.commit().context("Failed to commit a batch")?;
    }
    let took = started.elapsed();
    connection
        .close()
        .map_err(|(_, error)| error)
        .context("Failed to close the database")?;
    Ok(took)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    #[test]
    fn every_row_is_stored_once() {
        let folder = tempfile::tempdir().unwrap();
        let workload = Workload::generate(250, 2, 50).unwrap();
        insert(folder.path(), &workload.row_batches).unwrap();
        let connection = Connection::open(folder.path().join("raw.db")).unwrap();
        let (rows, seq): (i64, i64) = connection
            .query_row(
                "SELECT count(DISTINCT id), max(seq) FROM changes",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((rows, seq), (250, 250));
    }
}
