//! The one writer of a SQLite store's pushes and restatements: a thread of its own with a
//! connection of its own, which commits the writes that arrive together in one transaction
//! (group commit).
//!
//! SQLite has one write lock per database, and with `synchronous=FULL` every commit waits for
//! the disk. Pushes that arrive while one is being written would each wait for the lock, then
//! for a flush of their own; here they queue, and the writer takes everything queued into the next
//! transaction, each in a savepoint of its own, and flushes once for all of them. A write that
//! fails is rolled back to its savepoint alone; the others still commit. Every caller gets its
//! answer only after the commit, so "acknowledged" still means durable.
//!
//! The writer talks to SQLite directly (`rusqlite`) rather than through the pool. A pooled
//! connection runs each statement on a thread of its own and hands every statement and every row
//! across threads, and a push is a dozen statements; here they are plain calls, each prepared
//! once, and rows are bound one by one rather than packed into JSON for SQLite to unpack. The SQL
//! is the same dialect as the rest of the store, and the reads that pulls share
//! ([`PAGE_SQL`](super::PAGE_SQL), [`AUDIT_SQL`](super::accounts::AUDIT_SQL)) are the same text.
//!
//! The writer is a thread, not whichever caller holds a lock: a request whose client hangs up is
//! dropped by the web server mid-way, and with it would go the writes of every other caller it was
//! carrying. A write the writer has begun is finished; the phone that hung up sends it again and
//! is acknowledged it.

use super::super::batch::{Judged, Numbering, Stored, StoredChange, StoredRecord, Written};
use super::super::holders::assignee;
use super::super::ingest::{self, IngestTx};
use super::super::rows::{PullRow, millis, page_of, parse_id, parse_json, to_json};
use super::super::{AuditRecord, CentreId, Pushed, Restated, Scope, StoreError};
use super::{BUSY_TIMEOUT, PAGE_SQL, accounts::AUDIT_SQL};
use rusqlite::{Connection, OptionalExtension, params};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};

/// The most writes committed together, so that a long queue is taken in several transactions
/// and the first in it is not kept waiting for the last.
const MOST_IN_ONE_COMMIT: usize = 32;

/// A write waiting for the writer, with where its answer goes.
enum Job {
    Push {
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: Vec<Change>,
        audit: AuditRecord,
        now: u64,
        answer: oneshot::Sender<Result<Pushed, StoreError>>,
    },
    Restate {
        scope: Scope,
        records: Vec<Record>,
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
        answer: oneshot::Sender<Result<Restated, StoreError>>,
    },
    /// Close the connection and stop; answered once the connection is closed.
    Stop(oneshot::Sender<()>),
}

/// What a job's write gave, kept until the commit decides whether it stands.
enum Done {
    Pushed(Settled<Pushed>),
    Restated(Settled<Restated>),
}

/// One job's result and where it goes.
struct Settled<T> {
    result: Result<T, StoreError>,
    answer: oneshot::Sender<Result<T, StoreError>>,
}

impl<T> Settled<T> {
    /// Sends the result, or `failed` if the transaction it was written in did not commit. An
    /// answer nobody waits for any more (the request was dropped) is no loss: a committed write
    /// is durable, and the phone is acknowledged it when it sends it again.
    fn send(self, failed: Option<&Arc<rusqlite::Error>>) {
        let result = match failed {
            None => self.result,
            Some(error) => Err(StoreError::NotCommitted(error.clone())),
        };
        let _ = self.answer.send(result);
    }
}

impl Done {
    fn send(self, failed: Option<&Arc<rusqlite::Error>>) {
        match self {
            Done::Pushed(settled) => settled.send(failed),
            Done::Restated(settled) => settled.send(failed),
        }
    }
}

/// The queue to a store's writer. Cloning it is cheap; the writer stops when told to or once
/// every clone is gone.
#[derive(Clone, Debug)]
pub(super) struct Writer {
    queue: mpsc::UnboundedSender<Job>,
    thread: Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
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
        let (queue, jobs) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new()
            .name("sakhi-sqlite-writer".to_owned())
            .spawn(move || write(connection, epoch, jobs))
            .map_err(|_| StoreError::WriterStopped)?;
        Ok(Self {
            queue,
            thread: Arc::new(std::sync::Mutex::new(Some(thread))),
        })
    }

    /// A push, written by the writer; see [`ingest::push`].
    pub(super) async fn push(
        &self,
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: Vec<Change>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Pushed, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Push {
            scope,
            device,
            seen,
            changes,
            audit,
            now,
            answer,
        })?;
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// A restatement, written by the writer; see [`ingest::restate`].
    pub(super) async fn restate(
        &self,
        scope: Scope,
        records: Vec<Record>,
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        let (answer, answered) = oneshot::channel();
        self.send(Job::Restate {
            scope,
            records,
            given_epoch,
            audit,
            now,
            answer,
        })?;
        answered.await.map_err(|_| StoreError::WriterStopped)?
    }

    /// Finishes the writes queued so far, closes the writer's connection and stops it.
    pub(super) async fn stop(&self) {
        let (answer, answered) = oneshot::channel();
        if self.queue.send(Job::Stop(answer)).is_ok() {
            let _ = answered.await;
        }
        let thread = self.thread.lock().ok().and_then(|mut held| held.take());
        if let Some(thread) = thread {
            // The thread has answered and only returns now; a panic in it has been logged.
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }

    fn send(&self, job: Job) -> Result<(), StoreError> {
        self.queue.send(job).map_err(|_| StoreError::WriterStopped)
    }
}

/// The writer: waits for a job, takes whatever else is queued behind it, and commits them
/// together, until it is told to stop or every [`Writer`] is dropped.
fn write(mut connection: Connection, epoch: Epoch, mut jobs: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MOST_IN_ONE_COMMIT {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let stop = group
            .iter()
            .position(|job| matches!(job, Job::Stop(_)))
            .map(|at| group.split_off(at));
        if !group.is_empty() {
            commit_together(&mut connection, epoch, group);
        }
        if let Some(stop) = stop {
            let closed = connection.close();
            if let Err((_, error)) = closed {
                tracing::error!(%error, "the writer could not close its SQLite connection");
            }
            // Whatever came after the stop is not written.
            for job in stop {
                job.refuse(|| StoreError::WriterStopped);
            }
            return;
        }
    }
}

/// Writes `group` in one transaction, each job in a savepoint, commits, and answers every job.
fn commit_together(connection: &mut Connection, epoch: Epoch, group: Vec<Job>) {
    // IMMEDIATE takes the write lock now: a deferred transaction that read first could not
    // upgrade to a writer once another connection had committed, and would fail instead of
    // waiting.
    if let Err(error) = connection.execute_batch("BEGIN IMMEDIATE") {
        let error = Arc::new(error);
        return group
            .into_iter()
            .for_each(|job| job.refuse(|| StoreError::NotCommitted(error.clone())));
    }
    let mut done = Vec::with_capacity(group.len());
    for job in group {
        done.push(match job {
            Job::Push {
                scope,
                device,
                seen,
                changes,
                audit,
                now,
                answer,
            } => Done::Pushed(Settled {
                result: in_savepoint(connection, |tx| {
                    block_on(ingest::push(tx, scope, device, seen, &changes, audit, now))
                }),
                answer,
            }),
            Job::Restate {
                scope,
                records,
                given_epoch,
                audit,
                now,
                answer,
            } => Done::Restated(Settled {
                result: in_savepoint(connection, |tx| {
                    block_on(ingest::restate(
                        tx,
                        scope,
                        &records,
                        given_epoch,
                        epoch,
                        audit,
                        now,
                    ))
                }),
                answer,
            }),
            Job::Stop(_) => unreachable!("a stop is taken out of the group before it is written"),
        });
    }
    // With synchronous=FULL the commit returns only once the WAL is on disk.
    let failed = connection.execute_batch("COMMIT").err().map(|error| {
        // A failed COMMIT may leave the transaction open; end it, so the next group can begin.
        let _ = connection.execute_batch("ROLLBACK");
        Arc::new(error)
    });
    for each in done {
        each.send(failed.as_ref());
    }
}

/// Runs `write` in a savepoint: kept if it succeeds, rolled back alone if it fails.
fn in_savepoint<T>(
    connection: &mut Connection,
    write: impl FnOnce(&mut Direct<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    connection.execute_batch("SAVEPOINT job")?;
    let written = write(&mut Direct { connection });
    let end = if written.is_ok() {
        "RELEASE job"
    } else {
        "ROLLBACK TO job; RELEASE job"
    };
    connection.execute_batch(end)?;
    written
}

impl Job {
    /// Answers the job with the failure that kept it from being written; a stop is answered
    /// that the writer stopped.
    fn refuse(self, failure: impl Fn() -> StoreError) {
        // Nobody may be waiting any more; see [`Settled::send`].
        let _ = match self {
            Job::Push { answer, .. } => answer.send(Err(failure())).map_err(drop),
            Job::Restate { answer, .. } => answer.send(Err(failure())).map_err(drop),
            Job::Stop(answer) => answer.send(()).map_err(drop),
        };
    }
}

/// Runs a step of the writer's [`IngestTx`] to its end. Every step is a plain call to SQLite,
/// so the future is ready when first polled; this only unwraps it.
fn block_on<T>(step: impl Future<Output = T>) -> T {
    futures::executor::block_on(step)
}

/// The writer's connection inside a job's savepoint: what [`ingest`] reads and writes through.
struct Direct<'c> {
    connection: &'c mut Connection,
}

impl IngestTx for Direct<'_> {
    async fn take_turn(&mut self, centre: CentreId) -> Result<i64, StoreError> {
        // The transaction began IMMEDIATE: it holds the database's one write lock already.
        self.connection
            .prepare_cached("SELECT seq FROM centres WHERE id = ?1")?
            .query_row([centre.to_string()], |row| row.get(0))
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

    async fn numbering(&mut self, centre: CentreId) -> Result<Numbering, StoreError> {
        self.connection
            .prepare_cached("SELECT code, case_year, case_count FROM centres WHERE id = ?1")?
            .query_row([centre.to_string()], |row| {
                Ok(Numbering {
                    code: row.get(0)?,
                    year: row.get(1)?,
                    count: row.get(2)?,
                })
            })
            .optional()?
            .ok_or(StoreError::UnknownCentre(centre))
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

    async fn keep_numbers(
        &mut self,
        centre: CentreId,
        register: &[(String, RecordId)],
        numbering: Option<&Numbering>,
    ) -> Result<(), StoreError> {
        let centre = centre.to_string();
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

    async fn write(
        &mut self,
        scope: Scope,
        device: DeviceId,
        judged: &Judged,
        now: u64,
    ) -> Result<(), StoreError> {
        if judged.records.is_empty() && judged.applied.is_empty() {
            return Ok(());
        }
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let centre = scope.centre.to_string();
        if !judged.records.is_empty() {
            let account = scope.account.to_string();
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
                self.move_scopes(&centre, written)?;
            }
        }
        if !judged.applied.is_empty() {
            let device = device.to_string();
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
}

impl Direct<'_> {
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
