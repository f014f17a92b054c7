//! The embedded SQLite store: one file, nothing to install, durable before it answers.

mod accounts;

use super::batch::{Judged, Numbering, Stored, StoredChange, StoredRecord, Written};
use super::history::{self, KeptChange};
use super::holders::{assignee, held_by_sql};
use super::ingest::{self, IngestTx};
use super::reports::{self, Dialect};
use super::rows::{
    KeptRow, PullRow, RecordRow, kept_of, millis, page_of, parse_id, parse_json, to_json,
};
use super::{AuditRecord, CentreId, Page, Pushed, Restated, Scope, StoreError, SyncStore};
use sakhi_domain::figures::{Month, MonthlyReport};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, ChangeId, DeviceId, Epoch, Record, RecordId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Mutex;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite store. Cloning it is cheap: clones share one pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    epoch: Epoch,
    /// Pushes of this process queue here rather than inside SQLite's busy handler, which polls
    /// with sleeps; `BEGIN IMMEDIATE` still serialises them against other processes.
    writer: Arc<Mutex<()>>,
}

impl SqliteStore {
    /// Opens (creating it and its folder if missing) the database a `sqlite:` URL names, brings
    /// its schema up to date, and makes the epoch on first start, at `now`.
    pub async fn open(url: &str, now: u64) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::open(url))?
            .create_if_missing(true)
            // WAL lets pulls read while a push writes; FULL makes a commit survive power loss,
            // which is what "acknowledged" promises a device.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let in_memory = options.get_filename() == Path::new(":memory:");
        if !in_memory {
            create_folder(options.get_filename())?;
        }
        // An in-memory database exists once per connection, so it can only have one.
        let connections = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            // One connection always open, even idle: while it is, SQLite keeps the write-ahead
            // log, which is how `sakhi-server restore` knows a server still uses the file.
            .min_connections(1)
            .max_lifetime(None)
            .connect_with(options)
            .await
            .map_err(StoreError::open(url))?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let epoch = first_start(&pool, now).await?;
        Ok(Self {
            pool,
            epoch,
            writer: Arc::new(Mutex::new(())),
        })
    }

    /// The connection pool, for checks and tools that need SQL directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Reads a page of a pull; see [`page`].
    async fn page(&self, scope: Scope, after: Cursor, limit: u32) -> Result<Page, StoreError> {
        page(&self.pool, scope, after, i64::MAX, limit).await
    }
}

/// Reads a page of a pull in one statement: the scope's records and, for an outreach worker,
/// her scope exits, numbered after `after` and at most `through`, merged by sequence number. Each
/// side is read in the order of its index, and no two rows share a number (each is the number of
/// one change), so the limit cuts the merged sequence exactly where the cursor then stands.
async fn page<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    scope: Scope,
    after: Cursor,
    through: i64,
    limit: u32,
) -> Result<Page, StoreError> {
    let after_seq = i64::try_from(after.0).unwrap_or(i64::MAX);
    let rows: Vec<PullRow> = sqlx::query_as(&format!(
        "SELECT seq, body, NULL FROM records WHERE centre_id = ?1 AND seq > ?2 AND seq <= ?6
         AND (?3 = 0 OR {})
         UNION ALL
         SELECT seq, NULL, record_id FROM scope_exits
         WHERE ?3 = 1 AND centre_id = ?1 AND account_id = ?4 AND seq > ?2 AND seq <= ?6
         ORDER BY seq LIMIT ?5",
        held_by_sql("?4")
    ))
    .bind(scope.centre.to_string())
    .bind(after_seq)
    .bind(i64::from(scope.only_own))
    .bind(scope.account.to_string())
    // One more than asked tells whether another page follows.
    .bind(i64::from(limit) + 1)
    .bind(through)
    .fetch_all(executor)
    .await?;
    page_of(rows, after, limit)
}

/// Whether anything in `scope` changed or left it in the stretch `unseen` of the sequence
/// (see [`batch::unseen`]); `true` if no stretch is known.
async fn changed_in(
    tx: &mut Transaction<'_, Sqlite>,
    scope: Scope,
    unseen: Option<(i64, i64)>,
) -> Result<bool, StoreError> {
    let Some((after, through)) = unseen else {
        return Ok(true);
    };
    let after = Cursor(u64::try_from(after).unwrap_or_default());
    let first = page(&mut **tx, scope, after, through, 1).await?;
    Ok(!first.records.is_empty() || !first.gone.is_empty())
}

fn create_folder(file: &Path) -> Result<(), StoreError> {
    match file.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => {
            std::fs::create_dir_all(folder).map_err(|source| StoreError::CreateFolder {
                path: folder.display().to_string(),
                source,
            })
        }
        _ => Ok(()),
    }
}

/// Makes the epoch if this database has none yet, and reads it. (Before accounts, this also made
/// an implicit centre; the first setup adopts such a centre with its records.)
async fn first_start(pool: &SqlitePool, now: u64) -> Result<Epoch, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO server_meta (singleton, epoch, created_at) VALUES (1, ?, ?)
         ON CONFLICT (singleton) DO NOTHING",
    )
    .bind(Epoch::new().to_string())
    .bind(millis(now))
    .execute(&mut *tx)
    .await?;
    let epoch: String = sqlx::query_scalar("SELECT epoch FROM server_meta WHERE singleton = 1")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    parse_id(&epoch, "epoch")
}

impl SyncStore for SqliteStore {
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
        let _turn = self.writer.lock().await;
        // IMMEDIATE takes the write lock now: a deferred transaction that read first could not
        // upgrade to a writer once another push had committed, and would fail instead of waiting.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let pushed = ingest::push(&mut tx, scope, device, seen, changes, audit, now).await?;
        // With synchronous=FULL the commit returns only once the WAL is on disk.
        tx.commit().await?;
        Ok(pushed)
    }

    async fn restate(
        &self,
        scope: Scope,
        records: &[Record],
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let restated =
            ingest::restate(&mut tx, scope, records, given_epoch, self.epoch, audit, now).await?;
        tx.commit().await?;
        Ok(restated)
    }

    async fn pull(
        &self,
        scope: Scope,
        after: Cursor,
        limit: u32,
        audit: AuditRecord,
    ) -> Result<Page, StoreError> {
        let page = self.page(scope, after, limit).await?;
        // The row is written after the read, in a transaction of its own, but before the page is
        // returned: no record leaves without a durable row, and a crash in between sends nothing.
        // One transaction cannot hold both here. A WAL read transaction that then writes must
        // upgrade to the write lock, which SQLite refuses at once (SQLITE_BUSY_SNAPSHOT) if a
        // push committed after the read began, so pulls would fail whenever pushes are busy; and
        // beginning every pull as a writer (BEGIN IMMEDIATE) would queue each phone's 30-second
        // poll behind every push and every other pull. A pull changes nothing, so nothing else
        // needs to commit with its row.
        if let Some(entry) = audit.of_pull(&page) {
            accounts::audit(&self.pool, entry).await?;
        }
        Ok(page)
    }

    async fn case_changes(
        &self,
        centre: CentreId,
        case: RecordId,
    ) -> Result<Option<Vec<KeptChange>>, StoreError> {
        // Both reads on one snapshot, so that a work record made after the first cannot have
        // changes numbered before what the second returns, which a later page would then skip.
        let mut tx = self.pool.begin().await?;
        let bodies: Vec<String> =
            sqlx::query_scalar("SELECT body FROM records WHERE centre_id = ? AND body LIKE ?")
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
        let rows: Vec<KeptRow> = sqlx::query_as(
            "SELECT seq, device_id, body, received_at FROM changes
             WHERE centre_id = ? AND record_id IN (SELECT value FROM json_each(?))",
        )
        .bind(centre.to_string())
        .bind(to_json(&family)?)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(kept_of)
            .collect::<Result<_, _>>()
            .map(Some)
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn monthly_report(
        &self,
        centre: CentreId,
        month: Month,
    ) -> Result<MonthlyReport, StoreError> {
        static QUERY: LazyLock<String> = LazyLock::new(|| Dialect::Sqlite.monthly_report());
        let rows: Vec<(String, String, i64)> = sqlx::query_as(QUERY.as_str())
            .bind(centre.to_string())
            .bind(month.to_string())
            .fetch_all(&self.pool)
            .await?;
        Ok(reports::report_of(month, rows))
    }
}

/// Reads what is stored under the ids a batch names, in one statement for each table: the ids go
/// as one JSON array. On SQLite each statement is a hand-off to the database's own thread and
/// back, which costs more than the read itself, so a push makes as few as it can.
async fn stored(
    tx: &mut Transaction<'_, Sqlite>,
    change_ids: &[ChangeId],
    record_ids: &[RecordId],
) -> Result<Stored, StoreError> {
    let mut stored = Stored::default();
    if !change_ids.is_empty() {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, centre_id, body FROM changes
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(to_json(&change_ids)?)
        .fetch_all(&mut **tx)
        .await?;
        for (id, centre, body) in rows {
            let found = StoredChange {
                centre: parse_id(&centre, "centre id")?,
                change: parse_json(&body, "change")?,
            };
            stored.changes.insert(parse_id(&id, "change id")?, found);
        }
    }
    if !record_ids.is_empty() {
        let rows: Vec<RecordRow> = sqlx::query_as(
            "SELECT id, centre_id, body, created_by, assigned_to FROM records
                 WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(to_json(&record_ids)?)
        .fetch_all(&mut **tx)
        .await?;
        for (id, centre, body, created_by, assigned_to) in rows {
            let found = StoredRecord {
                centre: parse_id(&centre, "centre id")?,
                record: parse_json(&body, "record")?,
                created_by,
                assigned_to,
            };
            stored.records.insert(parse_id(&id, "record id")?, found);
        }
    }
    Ok(stored)
}

/// The centre's sequence counter as it stands.
async fn centre_seq(tx: &mut Transaction<'_, Sqlite>, centre: CentreId) -> Result<i64, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM centres WHERE id = ?")
        .bind(centre.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    seq.ok_or(StoreError::UnknownCentre(centre))
}

/// Writes what a judged batch changed: its records, its applied changes and the new counter,
/// each table in one statement that reads its rows from a JSON array (see [`stored`] for why).
async fn write(
    tx: &mut Transaction<'_, Sqlite>,
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
        // Each row: [id, kind, body, seq, assignee].
        let rows = judged
            .records
            .iter()
            .map(|written| {
                let record = &written.record;
                Ok(serde_json::json!([
                    record.id,
                    record.kind.as_str(),
                    to_json(record)?,
                    written.seq,
                    assignee(record),
                ]))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sqlx::query(
            "INSERT INTO records
             (id, centre_id, kind, body, seq, updated_at, created_by, assigned_to)
             SELECT r.value ->> 0, ?1, r.value ->> 1, r.value ->> 2, r.value ->> 3, ?2, ?3,
                    r.value ->> 4
             FROM json_each(?4) AS r WHERE true
             ON CONFLICT (id) DO UPDATE
             SET body = excluded.body, seq = excluded.seq, updated_at = excluded.updated_at,
                 assigned_to = excluded.assigned_to",
        )
        .bind(&centre)
        .bind(now)
        .bind(scope.account.to_string())
        .bind(to_json(&rows)?)
        .execute(&mut **tx)
        .await?;
        for written in &judged.records {
            move_scopes(tx, &centre, written).await?;
        }
    }
    if !judged.applied.is_empty() {
        // Each row: [id, record, seq, body].
        let rows = judged
            .applied
            .iter()
            .map(|(change, seq)| {
                Ok(serde_json::json!([
                    change.id,
                    change.record,
                    seq,
                    to_json(change)?
                ]))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        sqlx::query(
            "INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
             SELECT c.value ->> 0, c.value ->> 1, ?1, ?2, c.value ->> 2, c.value ->> 3, ?3
             FROM json_each(?4) AS c",
        )
        .bind(&centre)
        .bind(device.to_string())
        .bind(now)
        .bind(to_json(&rows)?)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE centres SET seq = ? WHERE id = ?")
        .bind(judged.last_seq)
        .bind(&centre)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a scope exit for each account a written record left, at its sequence number, and
/// clears those of the accounts it came back to. A record comes back before it can leave again,
/// so an account has one exit of a record at most; a row somehow still there is moved on, never
/// doubled.
async fn move_scopes(
    tx: &mut Transaction<'_, Sqlite>,
    centre: &str,
    written: &Written,
) -> Result<(), StoreError> {
    let record = written.record.id.to_string();
    for account in &written.left {
        sqlx::query(
            "INSERT INTO scope_exits (account_id, record_id, centre_id, seq) VALUES (?, ?, ?, ?)
             ON CONFLICT (account_id, record_id) DO UPDATE SET seq = excluded.seq",
        )
        .bind(account)
        .bind(&record)
        .bind(centre)
        .bind(written.seq)
        .execute(&mut **tx)
        .await?;
    }
    for account in &written.rejoined {
        sqlx::query("DELETE FROM scope_exits WHERE account_id = ? AND record_id = ?")
            .bind(account)
            .bind(&record)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl IngestTx for Transaction<'_, Sqlite> {
    async fn take_turn(&mut self, centre: CentreId) -> Result<i64, StoreError> {
        // The transaction began IMMEDIATE: it holds the database's one write lock already.
        centre_seq(self, centre).await
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

    async fn numbering(&mut self, centre: CentreId) -> Result<Numbering, StoreError> {
        let (code, year, count): (String, i32, i64) =
            sqlx::query_as("SELECT code, case_year, case_count FROM centres WHERE id = ?")
                .bind(centre.to_string())
                .fetch_optional(&mut **self)
                .await?
                .ok_or(StoreError::UnknownCentre(centre))?;
        Ok(Numbering { code, year, count })
    }

    async fn numbers_taken(
        &mut self,
        centre: CentreId,
        numbers: &[String],
    ) -> Result<HashMap<String, RecordId>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT number, record_id FROM case_numbers
             WHERE centre_id = ? AND number IN (SELECT value FROM json_each(?))",
        )
        .bind(centre.to_string())
        .bind(to_json(&numbers)?)
        .fetch_all(&mut **self)
        .await?;
        rows.into_iter()
            .map(|(number, of)| Ok((number, parse_id(&of, "record id")?)))
            .collect()
    }

    async fn keep_numbers(
        &mut self,
        centre: CentreId,
        register: &[(String, RecordId)],
        numbering: Option<&Numbering>,
    ) -> Result<(), StoreError> {
        let centre = centre.to_string();
        if !register.is_empty() {
            // Each row: [number, record].
            let rows: Vec<(&str, String)> = register
                .iter()
                .map(|(number, case)| (number.as_str(), case.to_string()))
                .collect();
            sqlx::query(
                "INSERT INTO case_numbers (centre_id, number, record_id)
                 SELECT ?1, n.value ->> 0, n.value ->> 1 FROM json_each(?2) AS n WHERE true
                 ON CONFLICT DO NOTHING",
            )
            .bind(&centre)
            .bind(to_json(&rows)?)
            .execute(&mut **self)
            .await?;
        }
        if let Some(numbering) = numbering {
            sqlx::query("UPDATE centres SET case_year = ?, case_count = ? WHERE id = ?")
                .bind(numbering.year)
                .bind(numbering.count)
                .bind(&centre)
                .execute(&mut **self)
                .await?;
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
        write(self, scope, device, judged, now).await
    }

    async fn audit(&mut self, entry: AuditRecord) -> Result<(), StoreError> {
        accounts::audit(&mut **self, entry).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The behaviour both backends share is tested in `tests/api/store.rs`; this is SQLite's own.
    #[tokio::test]
    async fn a_new_database_gets_its_folder() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("nested/sakhi.db");
        let store = SqliteStore::open(&format!("sqlite://{}", file.display()), 0)
            .await
            .unwrap();
        assert!(file.is_file());
        store.close().await;
    }
}
