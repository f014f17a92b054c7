//! The PostgreSQL store, for a deployment where several server instances share one database: the
//! same behaviour as SQLite, with each centre's pushes taking turns on its row.
//!
//! Transactions run at READ COMMITTED, where each statement sees everything committed before it
//! began. A push first locks its centre's row; it then reads and writes only that centre's
//! records and bumps the centre's counter before it commits. PostgreSQL makes a commit visible
//! before it lets the next waiter take the lock, so the next push of the centre reads what this
//! one wrote and numbers its changes after it: sequence order is commit order, and a pull, one
//! statement on one snapshot, sees every committed change up to the last one it returns.
//! (SERIALIZABLE would give the same answers, but would fail and retry every push that waited on
//! another of its centre; the lock makes them wait in line instead.)
//!
//! A transaction that PostgreSQL rolls back only because another got in its way is run again, a
//! few times at most; see `retrying`.

mod accounts;
mod attachments;

use super::batch::{Judged, Numbering, Stored, StoredChange, StoredRecord};
use super::history::{self, KeptChange};
use super::holders::{assignee, held_by_sql};
use super::ingest::{self, IngestTx, Turn, Writing};
use super::reports::{self, Dialect};
use super::rows::{KeptRow, PullRow, kept_of, millis, page_of, parse_id, parse_json, to_json};
use super::writer::{Group, Job, Jobs, Queue, refuse_all, write_all};
use super::{AuditRecord, CentreId, Page, Pushed, Restated, Scope, StoreError, SyncStore};
use sakhi_domain::figures::{Month, MonthlyReport};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Executor, Postgres, Row, Transaction};
use std::collections::HashMap;
use std::future::Future;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// Connections each instance keeps at most. Several instances share the server's limit (100 by
/// default), so this stays well below it.
const CONNECTIONS: u32 = 10;

/// How many times a transaction is tried before its failure is reported.
const ATTEMPTS: u32 = 5;

/// The PostgreSQL store. Cloning it is cheap: clones share one pool.
#[derive(Clone, Debug)]
pub struct PostgresStore {
    pool: PgPool,
    epoch: Epoch,
    /// Pushes and restatements of this instance queue here and are committed together (see
    /// [`writer`](super::writer)); other instances' still take turns with them on each centre's
    /// row.
    writer: Queue,
}

impl PostgresStore {
    /// Connects to the database a `postgres:` or `postgresql:` URL names, brings its schema up to
    /// date (instances starting together take turns: sqlx holds an advisory lock while it
    /// migrates), and makes the epoch on first start, at `now`.
    pub async fn open(url: &str, now: u64) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)
            .map_err(StoreError::open(url))?
            .application_name("sakhi-server");
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .connect_with(options)
            .await
            .map_err(StoreError::open(url))?;
        sqlx::migrate!("migrations/postgres").run(&pool).await?;
        let epoch = first_start(&pool, now).await?;
        let (writer, jobs) = Queue::new();
        tokio::spawn(write_queued(pool.clone(), epoch, jobs));
        Ok(Self {
            pool,
            epoch,
            writer,
        })
    }

    /// The connection pool, for checks and tools that need SQL directly.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// One attempt at a push; see [`SyncStore::push`].
    async fn try_push(
        &self,
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: &[Change],
        audit: AuditRecord,
        now: u64,
    ) -> Result<Pushed, StoreError> {
        let mut tx = self.pool.begin().await?;
        let pushed = ingest::push(&mut tx, scope, device, seen, changes, audit, now).await?;
        // The commit returns once its WAL record is flushed (synchronous_commit is left on).
        tx.commit().await?;
        Ok(pushed)
    }

    /// One attempt at a restatement; see [`SyncStore::restate`].
    async fn try_restate(
        &self,
        scope: Scope,
        records: &[Record],
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        let mut tx = self.pool.begin().await?;
        let restated =
            ingest::restate(&mut tx, scope, records, given_epoch, self.epoch, audit, now).await?;
        tx.commit().await?;
        Ok(restated)
    }
}

async fn first_start(pool: &PgPool, now: u64) -> Result<Epoch, StoreError> {
    sqlx::query(
        "INSERT INTO server_meta (singleton, epoch, created_at) VALUES (1, $1, $2)
         ON CONFLICT (singleton) DO NOTHING",
    )
    .bind(Epoch::new().to_string())
    .bind(millis(now))
    .execute(pool)
    .await?;
    let epoch: String = sqlx::query_scalar("SELECT epoch FROM server_meta WHERE singleton = 1")
        .fetch_one(pool)
        .await?;
    parse_id(&epoch, "epoch")
}

/// Whether PostgreSQL rolled a transaction back only because another got in its way, so that the
/// same transaction, run again, can succeed: a serialization failure, a deadlock, or a unique key
/// that a concurrent transaction took first (two centres making a record or a change with the
/// same id at once; running again, the push sees the other's and refuses or acknowledges it).
fn contended(error: &StoreError) -> bool {
    match error {
        StoreError::NotCommitted(error) => contended(error),
        StoreError::Database(sqlx::Error::Database(error)) => {
            matches!(error.code().as_deref(), Some("40001" | "40P01" | "23505"))
        }
        _ => false,
    }
}

/// Runs `attempt` until it succeeds, fails otherwise than by contention, or has been tried
/// [`ATTEMPTS`] times, waiting a little longer each time, with jitter, so that transactions that
/// collided do not collide again in step.
async fn retrying<T, E, F, Fut>(is_contended: fn(&E) -> bool, mut attempt: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tried = 1;
    loop {
        match attempt().await {
            Err(error) if tried < ATTEMPTS && is_contended(&error) => {
                tracing::debug!(
                    tried,
                    "a transaction collided with another; running it again"
                );
                tokio::time::sleep(backoff(tried)).await;
                tried += 1;
            }
            done => return done,
        }
    }
}

fn backoff(tried: u32) -> Duration {
    let mut jitter = [0u8; 1];
    // Without the OS's random source the wait is only less spread out.
    getrandom::getrandom(&mut jitter).ok();
    Duration::from_millis((5 << tried) + u64::from(jitter[0] % 16))
}

/// Takes the centre's turn (its row, locked until the transaction ends) and reads its counter
/// and numbering. `FOR NO KEY UPDATE` is the lock the counter's own UPDATE takes: it waits for
/// other pushes of the centre, but not for inserts elsewhere that only check the centre exists.
async fn lock_centre(
    tx: &mut Transaction<'_, Postgres>,
    centre: CentreId,
) -> Result<Turn, StoreError> {
    let (seq, code, year, count): (i64, String, i32, i64) = sqlx::query_as(
        "SELECT seq, code, case_year, case_count FROM centres WHERE id = $1 FOR NO KEY UPDATE",
    )
    .bind(centre.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::UnknownCentre(centre))?;
    Ok(Turn {
        seq,
        numbering: Numbering { code, year, count },
    })
}

/// A row of [`stored`]: whether it is a record, then id, centre, body, creator and assignee.
type StoredRow = (bool, String, String, String, Option<String>, Option<String>);

/// Reads what is stored under the ids a batch names, changes and records in one query: a row
/// of `changes` has no `created_by` or `assigned_to`, and says so in its first column.
async fn stored(
    tx: &mut Transaction<'_, Postgres>,
    change_ids: &[ChangeId],
    record_ids: &[RecordId],
) -> Result<Stored, StoreError> {
    let change_ids: Vec<String> = change_ids.iter().map(ToString::to_string).collect();
    let record_ids: Vec<String> = record_ids.iter().map(ToString::to_string).collect();
    let rows: Vec<StoredRow> = sqlx::query_as(
        "SELECT false, id, centre_id, body, NULL, NULL FROM changes WHERE id = ANY($1)
             UNION ALL
             SELECT true, id, centre_id, body, created_by, assigned_to FROM records
             WHERE id = ANY($2)",
    )
    .bind(&change_ids)
    .bind(&record_ids)
    .fetch_all(&mut **tx)
    .await?;
    let mut stored = Stored::default();
    for (is_record, id, centre, body, created_by, assigned_to) in rows {
        let centre = parse_id(&centre, "centre id")?;
        if is_record {
            let found = StoredRecord {
                centre,
                record: parse_json(&body, "record")?,
                created_by,
                assigned_to,
            };
            stored.records.insert(parse_id(&id, "record id")?, found);
        } else {
            let found = StoredChange {
                centre,
                change: parse_json(&body, "change")?,
            };
            stored.changes.insert(parse_id(&id, "change id")?, found);
        }
    }
    Ok(stored)
}

/// The columns of records to write, one array per column, for `UNNEST`.
#[derive(Default)]
struct RecordColumns {
    ids: Vec<String>,
    kinds: Vec<String>,
    bodies: Vec<String>,
    seqs: Vec<i64>,
    assigned_to: Vec<Option<String>>,
}

impl RecordColumns {
    fn push(&mut self, record: &Record, seq: i64) -> Result<(), StoreError> {
        self.ids.push(record.id.to_string());
        self.kinds.push(record.kind.as_str().to_owned());
        self.bodies.push(to_json(record)?);
        self.seqs.push(seq);
        self.assigned_to.push(assignee(record).map(str::to_owned));
        Ok(())
    }
}

/// Writes what a push or a restatement keeps in one statement, one array per column: new
/// records are inserted (a record another centre made meanwhile under the same id is then a
/// unique key taken, and the push runs again to refuse it), stored ones updated, the applied
/// changes inserted, the scope exits recorded and cleared (see [`ScopeMoves`]), the case numbers
/// given entered in the register, the audit row appended, and the centre's counter bumped and its
/// numbering kept. Each part is a statement of its own inside one, so a push pays one round trip
/// for all of them; the foreign keys of changes and exits are checked at its end, once the
/// records are there.
async fn write(tx: &mut Transaction<'_, Postgres>, writing: Writing<'_>) -> Result<(), StoreError> {
    let Writing {
        scope,
        device,
        judged,
        register,
        numbering,
        audit,
        now,
    } = writing;
    let mut new = RecordColumns::default();
    let mut stored = RecordColumns::default();
    for written in &judged.records {
        let columns = if written.new { &mut new } else { &mut stored };
        columns.push(&written.record, written.seq)?;
    }
    let changes = ChangeColumns::of(judged)?;
    let moves = ScopeMoves::of(judged);
    let (numbers, cases): (Vec<&str>, Vec<String>) = register
        .iter()
        .map(|(number, case)| (number.as_str(), case.to_string()))
        .unzip();
    let query = sqlx::query(
        "WITH new_records AS (
             INSERT INTO records
             (id, centre_id, kind, body, seq, updated_at, created_by, assigned_to)
             SELECT id, $1, kind, body, seq, $2, $3, assigned_to
             FROM UNNEST($5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[])
                  AS r (id, kind, body, seq, assigned_to)
         ), stored_records AS (
             UPDATE records AS r
             SET body = u.body, seq = u.seq, updated_at = $2, assigned_to = u.assigned_to
             FROM UNNEST($10::text[], $11::text[], $12::bigint[], $13::text[])
                  AS u (id, body, seq, assigned_to)
             WHERE r.id = u.id AND r.centre_id = $1
         ), new_changes AS (
             INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
             SELECT id, record_id, $1, $4, seq, body, $2
             FROM UNNEST($14::text[], $15::text[], $16::bigint[], $17::text[])
                  AS c (id, record_id, seq, body)
         ), exits AS (
             INSERT INTO scope_exits (account_id, record_id, centre_id, seq)
             SELECT account_id, record_id, $1, seq
             FROM UNNEST($18::text[], $19::text[], $20::bigint[]) AS e (account_id, record_id, seq)
             ON CONFLICT (account_id, record_id) DO UPDATE SET seq = excluded.seq
         ), returns AS (
             DELETE FROM scope_exits AS e
             USING UNNEST($21::text[], $22::text[]) AS r (account_id, record_id)
             WHERE e.account_id = r.account_id AND e.record_id = r.record_id
         ), numbers AS (
             INSERT INTO case_numbers (centre_id, number, record_id)
             SELECT $1, n.number, n.record_id FROM UNNEST($24::text[], $25::text[])
                  AS n (number, record_id)
             ON CONFLICT DO NOTHING
         ), audited AS (
             INSERT INTO audit
             (at, centre_id, account_id, username, device_id, address, action, outcome, records,
              detail, export_id)
             VALUES ($29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)
             ON CONFLICT DO NOTHING
         )
         UPDATE centres
         SET seq = seq + $23,
             case_year = CASE WHEN $26 THEN $27 ELSE case_year END,
             case_count = CASE WHEN $26 THEN $28 ELSE case_count END
         WHERE id = $1 RETURNING seq",
    )
    .bind(scope.centre.to_string())
    .bind(millis(now))
    .bind(scope.account.to_string())
    .bind(device.to_string())
    .bind(&new.ids)
    .bind(&new.kinds)
    .bind(&new.bodies)
    .bind(&new.seqs)
    .bind(&new.assigned_to)
    .bind(&stored.ids)
    .bind(&stored.bodies)
    .bind(&stored.seqs)
    .bind(&stored.assigned_to)
    .bind(&changes.ids)
    .bind(&changes.records)
    .bind(&changes.seqs)
    .bind(&changes.bodies)
    .bind(&moves.left_accounts)
    .bind(&moves.left_records)
    .bind(&moves.left_seqs)
    .bind(&moves.rejoined_accounts)
    .bind(&moves.rejoined_records)
    .bind(judged.taken)
    .bind(&numbers)
    .bind(&cases)
    .bind(numbering.is_some())
    .bind(numbering.as_ref().map(|numbering| numbering.year))
    .bind(numbering.as_ref().map(|numbering| numbering.count));
    let seq: i64 = accounts::bind_audit(query, audit)?
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    if seq != judged.last_seq {
        // Only a push holding the centre's row moves the counter, so this means a damaged lock.
        return Err(StoreError::Corrupt(format!(
            "the centre's counter reached {seq} where the push expected {}",
            judged.last_seq
        )));
    }
    Ok(())
}

/// The changes a batch applied, one array per column, for `UNNEST`.
struct ChangeColumns {
    ids: Vec<String>,
    records: Vec<String>,
    seqs: Vec<i64>,
    bodies: Vec<String>,
}

impl ChangeColumns {
    fn of(judged: &Judged) -> Result<Self, StoreError> {
        let mut columns = ChangeColumns {
            ids: Vec::with_capacity(judged.applied.len()),
            records: Vec::with_capacity(judged.applied.len()),
            seqs: Vec::with_capacity(judged.applied.len()),
            bodies: Vec::with_capacity(judged.applied.len()),
        };
        for (change, seq) in &judged.applied {
            columns.ids.push(change.id.to_string());
            columns.records.push(change.record.to_string());
            columns.seqs.push(*seq);
            columns.bodies.push(to_json(change)?);
        }
        Ok(columns)
    }
}

/// The scope exits a batch records and clears, one array per column, for `UNNEST`: an exit for
/// each account a written record left, at its sequence number, and none for the accounts it came
/// back to. A record comes back before it can leave again, so an account has one exit of a
/// record at most; a row somehow still there is moved on, never doubled.
#[derive(Default)]
struct ScopeMoves<'a> {
    left_accounts: Vec<&'a str>,
    left_records: Vec<String>,
    left_seqs: Vec<i64>,
    rejoined_accounts: Vec<&'a str>,
    rejoined_records: Vec<String>,
}

impl<'a> ScopeMoves<'a> {
    fn of(judged: &'a Judged) -> Self {
        let mut moves = ScopeMoves::default();
        for written in &judged.records {
            let record = written.record.id.to_string();
            for account in &written.left {
                moves.left_accounts.push(account);
                moves.left_records.push(record.clone());
                moves.left_seqs.push(written.seq);
            }
            for account in &written.rejoined {
                moves.rejoined_accounts.push(account);
                moves.rejoined_records.push(record.clone());
            }
        }
        moves
    }
}

/// Reads a page of a pull in one statement, so on one snapshot: the scope's records and, for an
/// outreach worker, her scope exits, merged by sequence number. No two rows share a number (each
/// is the number of one change), so the limit cuts the merged sequence exactly where the cursor
/// then stands.
async fn page(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    after: Cursor,
    through: i64,
    limit: u32,
) -> Result<Page, StoreError> {
    let after_seq = i64::try_from(after.0).unwrap_or(i64::MAX);
    let rows: Vec<PullRow> = sqlx::query_as(&format!(
        "SELECT seq, body, NULL::text FROM records WHERE centre_id = $1 AND seq > $2
         AND seq <= $6 AND (NOT $3 OR {})
         UNION ALL
         SELECT seq, NULL::text, record_id FROM scope_exits
         WHERE $3 AND centre_id = $1 AND account_id = $4 AND seq > $2 AND seq <= $6
         ORDER BY seq LIMIT $5",
        held_by_sql("$4")
    ))
    .bind(scope.centre.to_string())
    .bind(after_seq)
    .bind(scope.only_own)
    .bind(scope.account.to_string())
    // One more than asked tells whether another page follows.
    .bind(i64::from(limit) + 1)
    .bind(through)
    .fetch_all(&mut **tx)
    .await?;
    page_of(rows, after, limit)
}

/// Whether anything in `scope` changed or left it in the stretch `unseen` of the sequence
/// (see [`batch::unseen`]); `true` if no stretch is known.
async fn changed_in(
    tx: &mut Transaction<'_, Postgres>,
    scope: Scope,
    unseen: Option<(i64, i64)>,
) -> Result<bool, StoreError> {
    let Some((after, through)) = unseen else {
        return Ok(true);
    };
    let after = Cursor(u64::try_from(after).unwrap_or_default());
    let first = page(tx, scope, after, through, 1).await?;
    Ok(!first.records.is_empty() || !first.gone.is_empty())
}

/// The instance's writer (see [`writer`](super::writer)): takes each group of jobs and commits
/// it on one pooled connection, until it is told to stop or every [`Queue`] is dropped.
async fn write_queued(pool: PgPool, epoch: Epoch, mut jobs: Jobs) {
    while let Some(first) = jobs.recv().await {
        let group = Group::gather(first, &mut jobs);
        if !group.jobs.is_empty() {
            commit_together(&pool, epoch, group.jobs).await;
        }
        if let Some(stop) = group.stop {
            return Group::stopped(stop);
        }
    }
}

/// Writes `jobs` in one transaction, commits, and answers every job.
async fn commit_together(pool: &PgPool, epoch: Epoch, jobs: Vec<Job>) {
    let mut tx = match pool.begin().await {
        Ok(tx) => tx,
        Err(error) => return refuse_all(jobs, error.into()),
    };
    let done = write_all(&mut tx, epoch, jobs).await;
    // The commit returns once its WAL record is flushed (synchronous_commit is left on).
    let failed = tx.commit().await.err().map(|error| Arc::new(error.into()));
    for each in done {
        each.send(failed.as_ref());
    }
}

impl SyncStore for PostgresStore {
    fn epoch(&self) -> Epoch {
        self.epoch
    }

    async fn push(
        &self,
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: &[Change],
        audit: AuditRecord,
        now: u64,
    ) -> Result<Pushed, StoreError> {
        let written = self
            .writer
            .push(scope, device, seen, changes.to_vec(), audit.clone(), now)
            .await;
        match written {
            // Alone, in a transaction of its own, it waits its turn rather than collide again.
            Err(error) if contended(&error) => {
                retrying(contended, || {
                    self.try_push(scope, device, seen, changes, audit.clone(), now)
                })
                .await
            }
            written => written,
        }
    }

    async fn restate(
        &self,
        scope: Scope,
        records: &[Record],
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        let written = self
            .writer
            .restate(scope, records.to_vec(), given_epoch, audit.clone(), now)
            .await;
        match written {
            Err(error) if contended(&error) => {
                retrying(contended, || {
                    self.try_restate(scope, records, given_epoch, audit.clone(), now)
                })
                .await
            }
            written => written,
        }
    }

    async fn pull(
        &self,
        scope: Scope,
        after: Cursor,
        limit: u32,
        audit: AuditRecord,
    ) -> Result<Page, StoreError> {
        // Unlike SQLite, the row can commit in the read's own transaction: a read here never
        // stops a writer, nor fails because one committed.
        let mut tx = self.pool.begin().await?;
        let page = page(&mut tx, scope, after, i64::MAX, limit).await?;
        if let Some(entry) = audit.of_pull(&page) {
            accounts::audit(&mut *tx, entry).await?;
        }
        tx.commit().await?;
        Ok(page)
    }

    async fn case_changes(
        &self,
        centre: CentreId,
        case: RecordId,
    ) -> Result<Option<Vec<KeptChange>>, StoreError> {
        // Both reads on one snapshot, so that a work record made after the first cannot have
        // changes numbered before what the second returns, which a later page would then skip.
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?;
        let bodies: Vec<String> =
            sqlx::query_scalar("SELECT body FROM records WHERE centre_id = $1 AND body ILIKE $2")
                .bind(centre.to_string())
                .bind(history::candidates_pattern(case))
                .fetch_all(&mut *tx)
                .await?;
        let candidates = bodies
            .iter()
            .map(|body| parse_json(body, "record"))
            .collect::<Result<Vec<Record>, _>>()?;
        let Some(family) = history::family(case, &candidates) else {
            return Ok(None);
        };
        let family: Vec<String> = family.iter().map(ToString::to_string).collect();
        let rows: Vec<KeptRow> = sqlx::query_as(
            "SELECT seq, device_id, body, received_at FROM changes
             WHERE centre_id = $1 AND record_id = ANY($2)",
        )
        .bind(centre.to_string())
        .bind(&family)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(kept_of)
            .collect::<Result<_, _>>()
            .map(Some)
    }

    async fn close(&self) {
        self.writer.stop().await;
        self.pool.close().await;
    }

    async fn monthly_report(
        &self,
        centre: CentreId,
        month: Month,
    ) -> Result<MonthlyReport, StoreError> {
        static QUERY: LazyLock<String> = LazyLock::new(|| Dialect::Postgres.monthly_report());
        let rows: Vec<(String, String, i64)> = sqlx::query_as(QUERY.as_str())
            .bind(centre.to_string())
            .bind(month.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(reports::report_of(month, rows))
    }
}

/// `url` naming the database `name` instead of its own; any query (`?sslmode=…`) is kept.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// Numbers the cases a push or a restatement writes (see [`batch::Numbering::number`]), and
/// keeps where the numbering stands and every number given. The caller holds the centre's turn,
impl IngestTx for Transaction<'_, Postgres> {
    async fn take_turn(&mut self, centre: CentreId) -> Result<Turn, StoreError> {
        lock_centre(self, centre).await
    }

    async fn stored(
        &mut self,
        change_ids: &[ChangeId],
        record_ids: &[RecordId],
    ) -> Result<Stored, StoreError> {
        stored(self, change_ids, record_ids).await
    }

    async fn changed_in(
        &mut self,
        scope: Scope,
        unseen: Option<(i64, i64)>,
    ) -> Result<bool, StoreError> {
        changed_in(self, scope, unseen).await
    }

    async fn numbers_taken(
        &mut self,
        centre: CentreId,
        numbers: &[String],
    ) -> Result<HashMap<String, RecordId>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT number, record_id FROM case_numbers WHERE centre_id = $1 AND number = ANY($2)",
        )
        .bind(centre.to_string())
        .bind(numbers)
        .fetch_all(&mut **self)
        .await?;
        rows.into_iter()
            .map(|(number, of)| Ok((number, parse_id(&of, "record id")?)))
            .collect()
    }

    async fn write(&mut self, writing: Writing<'_>) -> Result<(), StoreError> {
        write(self, writing).await
    }

    async fn audit(&mut self, entry: AuditRecord) -> Result<(), StoreError> {
        accounts::audit(&mut **self, entry).await
    }

    async fn execute(&mut self, sql: &'static str) -> Result<(), StoreError> {
        // A plain string goes as a simple query, which PostgreSQL takes for any statement.
        (&mut **self).execute(sql).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_named_in_the_admin_url_in_place_of_its_own() {
        assert_eq!(
            with_database("postgres://postgres:secret@127.0.0.1:5432/postgres", "b"),
            "postgres://postgres:secret@127.0.0.1:5432/b"
        );
        assert_eq!(
            with_database("postgresql://u@host?sslmode=require", "b"),
            "postgresql://u@host/b?sslmode=require"
        );
        assert_eq!(
            with_database("postgres://u:p@host/db?sslmode=disable&x=1", "b"),
            "postgres://u:p@host/b?sslmode=disable&x=1"
        );
    }
}
