//! The embedded SQLite store: one file, nothing to install, durable before it answers.

mod accounts;
mod attachments;
mod writer;

use super::history::{self, KeptChange};
use super::holders::held_by_sql;
use super::reports::{self, Dialect};
use super::rows::{KeptRow, PullRow, kept_of, millis, page_of, parse_id, parse_json, to_json};
use super::{AuditRecord, CentreId, Page, Pushed, Restated, Scope, StoreError, SyncStore};
use sakhi_domain::figures::{Month, MonthlyReport};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Change, DeviceId, Epoch, Record, RecordId};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;
use writer::Writer;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite store. Cloning it is cheap: clones share one pool.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    epoch: Epoch,
    /// Pushes and restatements of this process queue here, rather than inside SQLite's busy
    /// handler, which polls with sleeps, and are committed together; `BEGIN IMMEDIATE` still
    /// serialises them against other processes.
    writer: Writer,
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
        let file = options.get_filename().to_owned();
        if file == Path::new(":memory:") {
            // It would be lost at exit, with every case acknowledged to a phone; and it exists
            // once per connection, so the writer could not share it with the pool.
            return Err(StoreError::InMemory);
        }
        create_folder(&file)?;
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
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
            writer: Writer::start(&file, epoch)?,
            pool,
            epoch,
        })
    }

    /// The connection pool, for checks and tools that need SQL directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Reads a page of a pull; see [`page`].
    async fn page(&self, scope: Scope, after: Cursor, limit: u32) -> Result<Page, StoreError> {
        page(&self.pool, scope, after, limit).await
    }
}

/// A page of a pull in one statement: the scope's records and, for an outreach worker, her scope
/// exits, numbered after `?2` and at most `?6`, merged by sequence number, at most `?5` rows. Each
/// side is read in the order of its index, and no two rows share a number (each is the number of
/// one change), so the limit cuts the merged sequence exactly where the cursor then stands.
/// Parameters: centre, after, only own (0 or 1), account, limit, through.
static PAGE_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT seq, body, NULL FROM records WHERE centre_id = ?1 AND seq > ?2 AND seq <= ?6
         AND (?3 = 0 OR {})
         UNION ALL
         SELECT seq, NULL, record_id FROM scope_exits
         WHERE ?3 = 1 AND centre_id = ?1 AND account_id = ?4 AND seq > ?2 AND seq <= ?6
         ORDER BY seq LIMIT ?5",
        held_by_sql("?4")
    )
});

/// Reads a page of a pull ([`PAGE_SQL`]) after `after`, to the end of the sequence.
async fn page<'e>(
    executor: impl sqlx::SqliteExecutor<'e>,
    scope: Scope,
    after: Cursor,
    limit: u32,
) -> Result<Page, StoreError> {
    let rows: Vec<PullRow> = sqlx::query_as(&PAGE_SQL)
        .bind(scope.centre.to_string())
        .bind(i64::try_from(after.0).unwrap_or(i64::MAX))
        .bind(i64::from(scope.only_own))
        .bind(scope.account.to_string())
        // One more than asked tells whether another page follows.
        .bind(i64::from(limit) + 1)
        .bind(i64::MAX)
        .fetch_all(executor)
        .await?;
    page_of(rows, after, limit)
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
        self.writer
            .queue()
            .push(scope, device, seen, changes.to_vec(), audit, now)
            .await
    }

    async fn restate(
        &self,
        scope: Scope,
        records: &[Record],
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> Result<Restated, StoreError> {
        self.writer
            .queue()
            .restate(scope, records.to_vec(), given_epoch, audit, now)
            .await
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
        self.writer.stop().await;
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
