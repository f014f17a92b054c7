//! The SQLite store's writer (see [`writer`](super::super::writer)): a thread of its own with a
//! connection of its own.
//!
//! The writer talks to SQLite directly (`rusqlite`) rather than through the pool. A pooled
//! connection runs each statement on a thread of its own and hands every statement and every row
//! across threads, and a push is a dozen statements; here they are plain calls, each prepared
//! once, and rows are bound one by one rather than packed into JSON for SQLite to unpack. The SQL
//! is the same dialect as the rest of the store, and what it shares with the pool's side
//! ([`PAGE_SQL`](super::PAGE_SQL), [`AUDIT_SQL`](super::accounts::AUDIT_SQL)) is the same text.

use super::super::batch::{Numbering, Stored, StoredChange, StoredRecord, Written};
use super::super::holders::assignee;
use super::super::ingest::{IngestTx, Turn, Writing};
use super::super::rows::{PullRow, millis, page_of, parse_id, parse_json, to_json};
use super::super::writer::{Group, Jobs, Queue, refuse_all, write_all};
use super::super::{AuditRecord, CentreId, Scope, StoreError};
use super::{BUSY_TIMEOUT, PAGE_SQL, accounts::AUDIT_SQL};
use rusqlite::{Connection, OptionalExtension, params};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{ChangeId, Epoch, RecordId};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The queue to the writer, and its thread. Cloning it is cheap.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: Queue,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl Writer {
    /// Opens a connection to the database file at `path`, whose epoch is `epoch`, as the pool's
    /// are opened, and starts the writer on it.
    pub(super) fn start(path: &Path, epoch: Epoch) -> Result<Self, StoreError> {
        let connection = Connection::open(path)?;
        // As the pool's connections: WAL, commits that survive power loss (see `SqliteStore::open`).
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "FULL")?;
        connection.pragma_update(None, "foreign_keys", true)?;
        connection.busy_timeout(BUSY_TIMEOUT)?;
        let (queue, jobs) = Queue::new();
        let thread = std::thread::Builder::new()
            .name("sakhi-sqlite-writer".to_owned())
            .spawn(move || write(connection, epoch, jobs))
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(Self {
            queue,
            thread: Arc::new(Mutex::new(Some(thread))),
        })
    }

    /// Where pushes and restatements go to be written.
    pub(super) fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Finishes the writes queued so far, closes the writer's connection and stops it.
    pub(super) async fn stop(&self) {
        self.queue.stop().await;
        let thread = self.thread.lock().ok().and_then(|mut held| held.take());
        if let Some(thread) = thread {
            // The thread has answered and only returns now; a panic in it has been logged.
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

/// The writer: takes each group of jobs and commits it, until it is told to stop or every
/// [`Queue`] is dropped.
fn write(mut connection: Connection, epoch: Epoch, mut jobs: Jobs) {
    while let Some(first) = jobs.blocking_recv() {
        let group = Group::gather(first, &mut jobs);
        if !group.jobs.is_empty() {
            commit_together(&mut connection, epoch, group.jobs);
        }
        if let Some(stop) = group.stop {
            if let Err((_, error)) = connection.close() {
                tracing::error!(%error, "the writer could not close its SQLite connection");
            }
            return Group::stopped(stop);
        }
    }
}

/// Writes `jobs` in one transaction, commits, and answers every job.
fn commit_together(
    connection: &mut Connection,
    epoch: Epoch,
    jobs: Vec<super::super::writer::Job>,
) {
    // IMMEDIATE takes the write lock now: a deferred transaction that read first could not
    // upgrade to a writer once another connection had committed, and would fail instead of
    // waiting.
    if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
        return refuse_all(jobs, error.into());
    }
    let done = block_on(write_all(&mut Direct { connection }, epoch, jobs));
    // With synchronous=FULL the commit returns only once the WAL is on disk.
    let failed = connection.execute_batch("COMMIT").err().map(|error| {
        // A failed COMMIT may leave the transaction open; end it, so the next group can begin.
        let _ = connection.execute_batch("ROLLBACK");
        Arc::new(StoreError::from(error))
    });
    for each in done {
        each.send(failed.as_ref());
    }
}

/// Runs the writer's work to its end. Every step of its [`IngestTx`] is a plain call to SQLite,
/// so the future is ready when first polled; this only unwraps it.
fn block_on<T>(step: impl Future<Output = T>) -> T {
    futures::executor::block_on(step)
}

/// The writer's connection inside a job's savepoint: what [`ingest`] reads and writes through.
struct Direct<'c> {
    connection: &'c mut Connection,
}

impl IngestTx for Direct<'_> {
    async fn take_turn(&mut self, centre: CentreId) -> Result<Turn, StoreError> {
        // The transaction began IMMEDIATE: it holds the database's one write lock already.
        self.connection
            .prepare_cached("SELECT seq, code, case_year, case_count FROM centres WHERE id = ?1")?
            .query_row([centre.to_string()], |row| {
                Ok(Turn {
                    seq: row.get(0)?,
                    numbering: Numbering {
                        code: row.get(1)?,
                        year: row.get(2)?,
                        count: row.get(3)?,
                    },
                })
            })
            .optional()?
            .ok_or(StoreError::UnknownCentre(centre))
    }

    async fn stored(
        &mut self,
        change_ids: &[ChangeId],
        record_ids: &[RecordId],
    ) -> Result<Stored, StoreError> {
        let mut stored = Stored::default();
        if !change_ids.is_empty() {
            let mut statement = self.connection.prepare_cached(
                "SELECT id, centre_id, body FROM changes
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = statement.query([to_json(&change_ids)?])?;
            while let Some(row) = rows.next()? {
                let found = StoredChange {
                    centre: parse_id(&row.get::<_, String>(1)?, "centre id")?,
                    change: parse_json(&row.get::<_, String>(2)?, "change")?,
                };
                stored
                    .changes
                    .insert(parse_id(&row.get::<_, String>(0)?, "change id")?, found);
            }
        }
        if !record_ids.is_empty() {
            let mut statement = self.connection.prepare_cached(
                "SELECT id, centre_id, body, created_by, assigned_to FROM records
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let mut rows = statement.query([to_json(&record_ids)?])?;
            while let Some(row) = rows.next()? {
                let found = StoredRecord {
                    centre: parse_id(&row.get::<_, String>(1)?, "centre id")?,
                    record: parse_json(&row.get::<_, String>(2)?, "record")?,
                    created_by: row.get(3)?,
                    assigned_to: row.get(4)?,
                };
                stored
                    .records
                    .insert(parse_id(&row.get::<_, String>(0)?, "record id")?, found);
            }
        }
        Ok(stored)
    }

    async fn changed_in(
        &mut self,
        scope: Scope,
        unseen: Option<(i64, i64)>,
    ) -> Result<bool, StoreError> {
        let Some((after, through)) = unseen else {
            return Ok(true);
        };
        // The first row of a pull over the stretch, if any: a record or a scope exit.
        let first: Option<PullRow> = self
            .connection
            .prepare_cached(&PAGE_SQL)?
            .query_row(
                params![
                    scope.centre.to_string(),
                    after,
                    i64::from(scope.only_own),
                    scope.account.to_string(),
                    1,
                    through
                ],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?;
        let after = Cursor(u64::try_from(after).unwrap_or_default());
        let page = page_of(first.into_iter().collect(), after, 1)?;
        Ok(!page.records.is_empty() || !page.gone.is_empty())
    }

    async fn numbers_taken(
        &mut self,
        centre: CentreId,
        numbers: &[String],
    ) -> Result<HashMap<String, RecordId>, StoreError> {
        let mut statement = self.connection.prepare_cached(
            "SELECT number, record_id FROM case_numbers
             WHERE centre_id = ?1 AND number IN (SELECT value FROM json_each(?2))",
        )?;
        let mut rows = statement.query(params![centre.to_string(), to_json(&numbers)?])?;
        let mut taken = HashMap::new();
        while let Some(row) = rows.next()? {
            let of = parse_id(&row.get::<_, String>(1)?, "record id")?;
            taken.insert(row.get(0)?, of);
        }
        Ok(taken)
    }

    async fn write(&mut self, writing: Writing<'_>) -> Result<(), StoreError> {
        let centre = writing.scope.centre.to_string();
        self.write_batch(&centre, &writing)?;
        self.keep_numbers(&centre, &writing.register, writing.numbering.as_ref())?;
        self.audit(writing.audit).await
    }

    async fn audit(&mut self, entry: AuditRecord) -> Result<(), StoreError> {
        self.connection.prepare_cached(AUDIT_SQL)?.execute(params![
            millis(entry.at),
            entry.centre.map(|id| id.to_string()),
            entry.account.map(|id| id.to_string()),
            entry.username,
            entry.device.map(|id| id.to_string()),
            entry.address,
            entry.action,
            entry.outcome,
            to_json(&entry.records)?,
            entry.detail,
            entry.export.map(|id| id.to_string()),
        ])?;
        Ok(())
    }

    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError> {
        Ok(self.connection.execute_batch(sql)?)
    }
}

impl Direct<'_> {
    /// Writes what the judged batch changed: its records with their scope exits, its applied
    /// changes, and the centre's new counter.
    fn write_batch(&mut self, centre: &str, writing: &Writing<'_>) -> Result<(), StoreError> {
        let judged = writing.judged;
        if judged.records.is_empty() && judged.applied.is_empty() {
            return Ok(());
        }
        let now = millis(writing.now);
        if !judged.records.is_empty() {
            let account = writing.scope.account.to_string();
            let mut upsert = self.connection.prepare_cached(
                "INSERT INTO records
                 (id, centre_id, kind, body, seq, updated_at, created_by, assigned_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (id) DO UPDATE
                 SET body = excluded.body, seq = excluded.seq, updated_at = excluded.updated_at,
                     assigned_to = excluded.assigned_to",
            )?;
            for written in &judged.records {
                let record = &written.record;
                upsert.execute(params![
                    record.id.to_string(),
                    centre,
                    record.kind.as_str(),
                    to_json(record)?,
                    written.seq,
                    now,
                    account,
                    assignee(record),
                ])?;
            }
            drop(upsert);
            for written in &judged.records {
                self.move_scopes(centre, written)?;
            }
        }
        if !judged.applied.is_empty() {
            let device = writing.device.to_string();
            let mut insert = self.connection.prepare_cached(
                "INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for (change, seq) in &judged.applied {
                insert.execute(params![
                    change.id.to_string(),
                    change.record.to_string(),
                    centre,
                    device,
                    seq,
                    to_json(change)?,
                    now,
                ])?;
            }
        }
        self.connection
            .prepare_cached("UPDATE centres SET seq = ?1 WHERE id = ?2")?
            .execute(params![judged.last_seq, centre])?;
        Ok(())
    }

    /// Enters `register` in the centre's register of numbers (a number already there stays as it
    /// is) and, if given, keeps where the numbering now stands.
    fn keep_numbers(
        &mut self,
        centre: &str,
        register: &[(String, RecordId)],
        numbering: Option<&Numbering>,
    ) -> Result<(), StoreError> {
        if !register.is_empty() {
            let mut keep = self.connection.prepare_cached(
                "INSERT INTO case_numbers (centre_id, number, record_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?;
            for (number, case) in register {
                keep.execute(params![centre, number, case.to_string()])?;
            }
        }
        if let Some(numbering) = numbering {
            self.connection
                .prepare_cached("UPDATE centres SET case_year = ?1, case_count = ?2 WHERE id = ?3")?
                .execute(params![numbering.year, numbering.count, centre])?;
        }
        Ok(())
    }

    /// Records a scope exit for each account a written record left, at its sequence number, and
    /// clears those of the accounts it came back to. A record comes back before it can leave
    /// again, so an account has one exit of a record at most; a row somehow still there is moved
    /// on, never doubled.
    fn move_scopes(&mut self, centre: &str, written: &Written) -> Result<(), StoreError> {
        let record = written.record.id.to_string();
        for account in &written.left {
            self.connection
                .prepare_cached(
                    "INSERT INTO scope_exits (account_id, record_id, centre_id, seq)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (account_id, record_id) DO UPDATE SET seq = excluded.seq",
                )?
                .execute(params![account, record, centre, written.seq])?;
        }
        for account in &written.rejoined {
            self.connection
                .prepare_cached("DELETE FROM scope_exits WHERE account_id = ?1 AND record_id = ?2")?
                .execute(params![account, record])?;
        }
        Ok(())
    }
}
