//! The embedded SQLite store: one file, nothing to install, durable before it answers.

mod accounts;

use super::rules::{self, Earlier, Existing, Verdict};
use super::{
    AccountChange, AccountError, AuditRecord, CentreChange, CentreId, Credentials, NewAccountRow,
    NewCentreRow, NewSession, Page, Pushed, Restated, Scope, SessionCheck, SetupOutcome, Store,
    StoreError,
};
use sakhi_domain::schema::ASSIGNED_TO;
use sakhi_domain::wire::account::{Account, AuditEntry, Centre};
use sakhi_domain::wire::{ChangeResult, Cursor, RecordResult};
use sakhi_domain::{AccountId, Change, ChangeId, DeviceId, Epoch, Kind, Record, RecordId};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
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
    /// its schema up to date, and makes the epoch on first start.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(StoreError::Open)?
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
            .connect_with(options)
            .await
            .map_err(StoreError::Open)?;
        sqlx::migrate!("migrations/sqlite").run(&pool).await?;
        let epoch = first_start(&pool).await?;
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

    /// Writes a consistent copy of the database to the new file `to` while the server serves
    /// (`VACUUM INTO`): the backup that [`restore`] later puts back.
    pub async fn back_up(&self, to: &Path) -> Result<(), StoreError> {
        sqlx::query("VACUUM INTO ?")
            .bind(to.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Reads a page of a pull.
    async fn page(&self, scope: Scope, after: Cursor, limit: u32) -> Result<Page, StoreError> {
        let after_seq = i64::try_from(after.0).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, body FROM records WHERE centre_id = ?1 AND seq > ?2
             AND (?3 = 0 OR created_by = ?4 OR assigned_to = ?4) ORDER BY seq LIMIT ?5",
        )
        .bind(scope.centre.to_string())
        .bind(after_seq)
        .bind(i64::from(scope.only_own))
        .bind(scope.account.to_string())
        // One more than asked tells whether another page follows.
        .bind(i64::from(limit) + 1)
        .fetch_all(&self.pool)
        .await?;
        let more = rows.len() > limit as usize;
        let mut cursor = after;
        let mut records = Vec::with_capacity(rows.len().min(limit as usize));
        for (seq, body) in rows.into_iter().take(limit as usize) {
            records.push(parse_json::<Record>(&body, "record")?);
            cursor = Cursor(seq_to_cursor(seq)?);
        }
        Ok(Page {
            records,
            cursor,
            more,
        })
    }
}

/// Puts the backup `from` (made by [`SqliteStore::back_up`], or a copy of a stopped server's file)
/// in place of the database `url` names, whose server must be stopped, and gives it a new epoch.
/// The epoch is what tells phones the server lost whatever came after the backup: they then give
/// back every record they hold and pull afresh. A file copied back without a new epoch would let
/// them believe it still holds what they were told it had, and what it lost would stay lost.
pub async fn restore(from: &Path, url: &str) -> Result<Epoch, StoreError> {
    let options = SqliteConnectOptions::from_str(url).map_err(StoreError::Open)?;
    let file = options.get_filename().to_owned();
    if file == Path::new(":memory:") {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    create_folder(&file)?;
    // Copied beside the database first and renamed over it, so that a copy cut short leaves the
    // old database as it was.
    let copy = beside(&file, ".restoring");
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Restore { path, source }
    };
    std::fs::copy(from, &copy).map_err(failed(from))?;
    std::fs::File::open(&copy)
        .and_then(|copied| copied.sync_all())
        .map_err(failed(&copy))?;
    // The old life's write-ahead log must not be replayed into the restored file.
    for side in [beside(&file, "-wal"), beside(&file, "-shm")] {
        match std::fs::remove_file(&side) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(failed(&side)(error));
            }
            _ => {}
        }
    }
    std::fs::rename(&copy, &file).map_err(failed(&file))?;
    // The rename lasts once the folder is flushed too, where the system lets a folder be flushed;
    // where not, a crash may undo the restore as a whole, never half of it.
    if let Some(folder) = file
        .parent()
        .filter(|folder| !folder.as_os_str().is_empty())
    {
        std::fs::File::open(folder)
            .and_then(|folder| folder.sync_all())
            .ok();
    }
    // Opening brings an older backup's schema up to date.
    let store = SqliteStore::open(url).await?;
    let epoch = Epoch::new();
    sqlx::query("UPDATE server_meta SET epoch = ? WHERE singleton = 1")
        .bind(epoch.to_string())
        .execute(&store.pool)
        .await?;
    store.close().await;
    Ok(epoch)
}

/// `file`'s name with `suffix` added, as SQLite names its side files.
fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
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
async fn first_start(pool: &SqlitePool) -> Result<Epoch, StoreError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let now = now_millis();
    sqlx::query(
        "INSERT INTO server_meta (singleton, epoch, created_at) VALUES (1, ?, ?)
         ON CONFLICT (singleton) DO NOTHING",
    )
    .bind(Epoch::new().to_string())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let epoch: String = sqlx::query_scalar("SELECT epoch FROM server_meta WHERE singleton = 1")
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    parse_id(&epoch, "epoch")
}

impl Store for SqliteStore {
    fn epoch(&self) -> Epoch {
        self.epoch
    }

    async fn push(
        &self,
        scope: Scope,
        device: DeviceId,
        changes: &[Change],
        audit: AuditRecord,
    ) -> Result<Pushed, StoreError> {
        let _turn = self.writer.lock().await;
        // IMMEDIATE takes the write lock now: a deferred transaction that read first could not
        // upgrade to a writer once another push had committed, and would fail instead of waiting.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let records = changes.iter().map(|change| change.record);
        if let Some(refused) = refusal(&mut tx, scope, records).await? {
            // Nothing of the batch has been written: only the row saying it was refused commits.
            let entry = audit.of_push(&refused, Vec::new(), changes.len());
            accounts::audit(&mut *tx, entry).await?;
            tx.commit().await?;
            return Ok(refused);
        }
        let mut batch = Batch::start(&mut tx, scope).await?;
        let mut results = Vec::with_capacity(changes.len());
        for change in changes {
            let verdict = batch.judge(&mut tx, change).await?;
            if let Verdict::Apply(kind) = verdict {
                batch.apply(change, kind);
            }
            results.push(ChangeResult {
                change: change.id,
                outcome: verdict.outcome(),
            });
        }
        let changed = batch.write(&mut tx, device).await?;
        let pushed = Pushed::Applied(results);
        let entry = audit.of_push(&pushed, changed, changes.len());
        accounts::audit(&mut *tx, entry).await?;
        // With synchronous=FULL the commit returns only once the WAL is on disk.
        tx.commit().await?;
        Ok(pushed)
    }

    async fn restate(
        &self,
        scope: Scope,
        records: &[Record],
        audit: AuditRecord,
    ) -> Result<Restated, StoreError> {
        let _turn = self.writer.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Only another centre's records refuse the whole batch; the rules refuse a record of her
        // own centre that is not hers on its own.
        let centre_only = Scope {
            only_own: false,
            ..scope
        };
        let ids = records.iter().map(|record| record.id);
        if let Some(Pushed::Refused {
            records: foreign, ..
        }) = refusal(&mut tx, centre_only, ids).await?
        {
            let refused = Restated::Refused { records: foreign };
            let entry = audit.of_restate(&refused, Vec::new(), records.len());
            accounts::audit(&mut *tx, entry).await?;
            tx.commit().await?;
            return Ok(refused);
        }
        let first_seq = centre_seq(&mut tx, scope.centre).await?;
        let mut seq = first_seq;
        let mut results = Vec::with_capacity(records.len());
        let mut changed = Vec::new();
        let now = now_millis();
        for record in records {
            // Read within the transaction, so a record given twice merges into its first merge.
            let stored = stored_record(&mut tx, record.id).await?;
            let verdict = rules::judge_restated(
                scope.centre,
                record,
                stored.as_ref().map(|stored| stored.existing),
                stored
                    .as_ref()
                    .is_none_or(|stored| stored.reachable_by(scope)),
            );
            if let Verdict::Apply(kind) = verdict {
                let mut merged = stored.map_or_else(|| Record::new(record.id, kind), |s| s.record);
                let before = merged.clone();
                merged.merge(record);
                if merged != before {
                    seq += 1;
                    let row = RecordRow {
                        centre: &scope.centre.to_string(),
                        creator: &scope.account.to_string(),
                        seq,
                        now,
                    };
                    row.write(&mut tx, &merged).await?;
                    changed.push(record.id);
                }
            }
            results.push(RecordResult {
                record: record.id,
                outcome: verdict.outcome(),
            });
        }
        if seq > first_seq {
            set_centre_seq(&mut tx, scope.centre, seq).await?;
        }
        changed.sort_unstable();
        changed.dedup();
        let restated = Restated::Merged(results);
        let entry = audit.of_restate(&restated, changed, records.len());
        accounts::audit(&mut *tx, entry).await?;
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

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn is_set_up(&self) -> Result<bool, StoreError> {
        accounts::is_set_up(&self.pool).await
    }

    async fn replace_first_setup_code(&self, code_hash: &str) -> Result<(), StoreError> {
        accounts::replace_first_setup_code(&self.pool, code_hash).await
    }

    async fn add_centre_setup_code(
        &self,
        code_hash: &str,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        accounts::add_centre_setup_code(&self.pool, code_hash, expires_at).await
    }

    async fn set_up(
        &self,
        code_hash: &str,
        centre: NewCentreRow,
        admin: NewAccountRow,
        now: u64,
    ) -> Result<SetupOutcome, StoreError> {
        let _turn = self.writer.lock().await;
        accounts::set_up(&self.pool, code_hash, centre, admin, now).await
    }

    async fn credentials(&self, username: &str) -> Result<Option<Credentials>, StoreError> {
        accounts::credentials(&self.pool, username).await
    }

    async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        accounts::create_session(&self.pool, session).await
    }

    async fn authenticate(
        &self,
        token_hash: &str,
        now: u64,
        idle_ms: u64,
    ) -> Result<SessionCheck, StoreError> {
        accounts::authenticate(&self.pool, token_hash, now, idle_ms).await
    }

    async fn revoke_session(&self, token_hash: &str, now: u64) -> Result<(), StoreError> {
        accounts::revoke_session(&self.pool, token_hash, now).await
    }

    async fn accounts(&self, centre: CentreId) -> Result<Vec<Account>, StoreError> {
        accounts::accounts(&self.pool, centre).await
    }

    async fn account(
        &self,
        centre: CentreId,
        id: AccountId,
    ) -> Result<Option<Account>, StoreError> {
        accounts::account(&self.pool, centre, id).await
    }

    async fn create_account(
        &self,
        centre: CentreId,
        account: NewAccountRow,
        now: u64,
    ) -> Result<Account, AccountError> {
        accounts::create_account(&self.pool, centre, account, now).await
    }

    async fn update_account(
        &self,
        centre: CentreId,
        id: AccountId,
        patch: AccountChange,
        now: u64,
    ) -> Result<Option<Account>, StoreError> {
        accounts::update_account(&self.pool, centre, id, patch, now).await
    }

    async fn set_password(
        &self,
        centre: CentreId,
        id: AccountId,
        password_hash: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        accounts::set_password(&self.pool, centre, id, password_hash, now).await
    }

    async fn update_centre(
        &self,
        centre: CentreId,
        change: CentreChange,
        audit: AuditRecord,
    ) -> Result<Centre, StoreError> {
        accounts::update_centre(&self.pool, centre, change, audit).await
    }

    async fn audit(&self, entry: AuditRecord) -> Result<(), StoreError> {
        accounts::audit(&self.pool, entry).await
    }

    async fn audit_page(
        &self,
        centre: CentreId,
        before: Option<u64>,
        limit: u32,
    ) -> Result<(Vec<AuditEntry>, bool), StoreError> {
        accounts::audit_page(&self.pool, centre, before, limit).await
    }
}

/// Whether a push must be refused whole: some record it edits exists in another centre, or, for
/// an outreach worker, is neither hers nor assigned to her. Records made new by the push are hers.
async fn refusal(
    tx: &mut Transaction<'_, Sqlite>,
    scope: Scope,
    records: impl Iterator<Item = RecordId>,
) -> Result<Option<Pushed>, StoreError> {
    let mut seen = std::collections::HashSet::new();
    let mut refused = Vec::new();
    let mut other_centre = false;
    let centre = scope.centre.to_string();
    let account = scope.account.to_string();
    for record in records {
        if !seen.insert(record) {
            continue;
        }
        let row: Option<(String, Option<String>, Option<String>)> =
            sqlx::query_as("SELECT centre_id, created_by, assigned_to FROM records WHERE id = ?")
                .bind(record.to_string())
                .fetch_optional(&mut **tx)
                .await?;
        let Some((owner, created_by, assigned_to)) = row else {
            continue;
        };
        if owner != centre {
            other_centre = true;
            refused.push(record);
        } else if scope.only_own
            && created_by.as_deref() != Some(&account)
            && assigned_to.as_deref() != Some(&account)
        {
            refused.push(record);
        }
    }
    Ok((!refused.is_empty()).then_some(Pushed::Refused {
        records: refused,
        other_centre,
    }))
}

/// One push's work in progress: records changed so far, held in memory and written once at the
/// end, and the centre's sequence counter.
struct Batch {
    centre: CentreId,
    centre_text: String,
    /// The pushing account, recorded as the creator of records this batch makes.
    account_text: String,
    /// The counter as this batch found it: records with a later number were changed by it.
    first_seq: i64,
    seq: i64,
    /// Records this batch read or changed, with their sequence numbers.
    touched: HashMap<RecordId, (Record, i64)>,
    /// Changes applied, with their sequence numbers, in order.
    applied: Vec<(Change, i64)>,
    /// Where each applied change sits in `applied`, to recognise one sent twice in a batch.
    applied_ids: HashMap<ChangeId, usize>,
}

impl Batch {
    async fn start(tx: &mut Transaction<'_, Sqlite>, scope: Scope) -> Result<Self, StoreError> {
        let centre = scope.centre;
        let centre_text = centre.to_string();
        let seq = centre_seq(tx, centre).await?;
        Ok(Self {
            centre,
            centre_text,
            account_text: scope.account.to_string(),
            first_seq: seq,
            seq,
            touched: HashMap::new(),
            applied: Vec::new(),
            applied_ids: HashMap::new(),
        })
    }

    async fn judge(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        change: &Change,
    ) -> Result<Verdict, StoreError> {
        let earlier = match self.applied_ids.get(&change.id) {
            Some(&at) => Some((self.centre, self.applied[at].0.clone())),
            None => {
                let row: Option<(String, String)> =
                    sqlx::query_as("SELECT centre_id, body FROM changes WHERE id = ?")
                        .bind(change.id.to_string())
                        .fetch_optional(&mut **tx)
                        .await?;
                match row {
                    Some((centre, body)) => Some((
                        parse_id::<CentreId>(&centre, "centre id")?,
                        parse_json::<Change>(&body, "change")?,
                    )),
                    None => None,
                }
            }
        };
        let existing = self.existing(tx, change.record).await?;
        Ok(rules::judge(
            self.centre,
            change,
            earlier.as_ref().map(|(centre, change)| Earlier {
                centre: *centre,
                change,
            }),
            existing,
        ))
    }

    /// The record a change edits, as this batch left it or as stored. A stored record is loaded
    /// into the batch, so that applying to it needs no second read.
    async fn existing(
        &mut self,
        tx: &mut Transaction<'_, Sqlite>,
        record: RecordId,
    ) -> Result<Option<Existing>, StoreError> {
        if let Some((stored, _)) = self.touched.get(&record) {
            return Ok(Some(Existing {
                centre: self.centre,
                kind: stored.kind,
            }));
        }
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT centre_id, body, seq FROM records WHERE id = ?")
                .bind(record.to_string())
                .fetch_optional(&mut **tx)
                .await?;
        let Some((centre, body, seq)) = row else {
            return Ok(None);
        };
        let centre = parse_id::<CentreId>(&centre, "centre id")?;
        let stored = parse_json::<Record>(&body, "record")?;
        let existing = Existing {
            centre,
            kind: stored.kind,
        };
        if centre == self.centre {
            self.touched.insert(record, (stored, seq));
        }
        Ok(Some(existing))
    }

    fn apply(&mut self, change: &Change, kind: Kind) {
        self.seq += 1;
        let (record, seq) = self
            .touched
            .entry(change.record)
            .or_insert_with(|| (Record::new(change.record, kind), 0));
        record.apply(change);
        *seq = self.seq;
        self.applied_ids.insert(change.id, self.applied.len());
        self.applied.push((change.clone(), self.seq));
    }

    /// Writes the changed records, the applied changes and the new counter, and answers which
    /// records changed, in id order.
    async fn write(
        self,
        tx: &mut Transaction<'_, Sqlite>,
        device: DeviceId,
    ) -> Result<Vec<RecordId>, StoreError> {
        if self.applied.is_empty() {
            return Ok(Vec::new());
        }
        let now = now_millis();
        let changed: Vec<_> = self
            .touched
            .values()
            .filter(|(_, seq)| *seq > self.first_seq)
            .collect();
        for (record, seq) in &changed {
            let row = RecordRow {
                centre: &self.centre_text,
                creator: &self.account_text,
                seq: *seq,
                now,
            };
            row.write(tx, record).await?;
        }
        let device = device.to_string();
        for (change, seq) in &self.applied {
            sqlx::query(
                "INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(change.id.to_string())
            .bind(change.record.to_string())
            .bind(&self.centre_text)
            .bind(&device)
            .bind(seq)
            .bind(to_json(change)?)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        set_centre_seq(tx, self.centre, self.seq).await?;
        let mut ids: Vec<_> = changed.iter().map(|(record, _)| record.id).collect();
        ids.sort_unstable();
        Ok(ids)
    }
}

/// The last sequence number the centre gave.
async fn centre_seq(tx: &mut Transaction<'_, Sqlite>, centre: CentreId) -> Result<i64, StoreError> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT seq FROM centres WHERE id = ?")
        .bind(centre.to_string())
        .fetch_optional(&mut **tx)
        .await?;
    seq.ok_or(StoreError::UnknownCentre(centre))
}

async fn set_centre_seq(
    tx: &mut Transaction<'_, Sqlite>,
    centre: CentreId,
    seq: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE centres SET seq = ? WHERE id = ?")
        .bind(seq)
        .bind(centre.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Where a record's new state is written: its centre, who made it if it is new, its sequence
/// number and the time.
struct RecordRow<'a> {
    centre: &'a str,
    /// The account recorded as the creator of a record new to this database.
    creator: &'a str,
    seq: i64,
    now: i64,
}

impl RecordRow<'_> {
    async fn write(
        &self,
        tx: &mut Transaction<'_, Sqlite>,
        record: &Record,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO records
             (id, centre_id, kind, body, seq, updated_at, created_by, assigned_to)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE
             SET body = excluded.body, seq = excluded.seq, updated_at = excluded.updated_at,
                 assigned_to = excluded.assigned_to",
        )
        .bind(record.id.to_string())
        .bind(self.centre)
        .bind(record.kind.as_str())
        .bind(to_json(record)?)
        .bind(self.seq)
        .bind(self.now)
        .bind(self.creator)
        .bind(record.text(ASSIGNED_TO))
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

/// A record as stored, with what decides who may write it.
struct StoredRecord {
    record: Record,
    existing: Existing,
    created_by: Option<String>,
    assigned_to: Option<String>,
}

impl StoredRecord {
    /// Whether the caller may write it: anyone of its centre, or for an outreach worker, only
    /// what she made or was assigned.
    fn reachable_by(&self, scope: Scope) -> bool {
        let account = scope.account.to_string();
        self.existing.centre == scope.centre
            && (!scope.only_own
                || self.created_by.as_deref() == Some(&account)
                || self.assigned_to.as_deref() == Some(&account))
    }
}

async fn stored_record(
    tx: &mut Transaction<'_, Sqlite>,
    id: RecordId,
) -> Result<Option<StoredRecord>, StoreError> {
    let row: Option<(String, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT centre_id, body, created_by, assigned_to FROM records WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    let Some((centre, body, created_by, assigned_to)) = row else {
        return Ok(None);
    };
    let record = parse_json::<Record>(&body, "record")?;
    Ok(Some(StoredRecord {
        existing: Existing {
            centre: parse_id::<CentreId>(&centre, "centre id")?,
            kind: record.kind,
        },
        record,
        created_by,
        assigned_to,
    }))
}

pub(crate) fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        })
}

fn seq_to_cursor(seq: i64) -> Result<u64, StoreError> {
    u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("negative sequence number {seq}")))
}

fn parse_id<T: FromStr>(text: &str, what: &str) -> Result<T, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("a stored {what} is not a UUID")))
}

fn parse_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    // The serde message could quote survivor data; only say what could not be read.
    serde_json::from_str(text)
        .map_err(|_| StoreError::Corrupt(format!("a stored {what} is not valid JSON of its type")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|_| StoreError::Corrupt("a value could not be written as JSON".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sakhi_domain::Clock;
    use sakhi_domain::wire::Outcome;
    use serde_json::json;

    /// A centre made straight in the database, and a counsellor's scope over it.
    async fn a_centre(store: &SqliteStore, code: &str) -> Scope {
        let centre = CentreId::new();
        sqlx::query(
            "INSERT INTO centres (id, code, name, seq, created_at, set_up_at) VALUES (?, ?, 'C', 0, 0, 0)",
        )
        .bind(centre.to_string())
        .bind(code)
        .execute(store.pool())
        .await
        .unwrap();
        Scope {
            centre,
            account: AccountId::new(),
            only_own: false,
        }
    }

    /// The start of an audit row, for the store to complete.
    fn row(action: &'static str) -> AuditRecord {
        AuditRecord {
            action,
            outcome: "ok".to_owned(),
            ..AuditRecord::default()
        }
    }

    fn applied(pushed: Pushed) -> Vec<ChangeResult> {
        match pushed {
            Pushed::Applied(results) => results,
            refused => panic!("expected the push applied, got {refused:?}"),
        }
    }

    async fn temporary() -> (SqliteStore, tempfile::TempDir) {
        let folder = tempfile::tempdir().unwrap();
        let url = format!(
            "sqlite://{}",
            folder.path().join("nested/sakhi.db").display()
        );
        (SqliteStore::open(&url).await.unwrap(), folder)
    }

    fn accepted(results: &[ChangeResult]) -> usize {
        results
            .iter()
            .filter(|r| r.outcome == Outcome::Accepted)
            .count()
    }

    #[tokio::test]
    async fn a_new_database_gets_its_folder_and_an_epoch_and_waits_for_setup() {
        let (store, folder) = temporary().await;
        assert!(folder.path().join("nested/sakhi.db").is_file());
        let centres: i64 = sqlx::query_scalar("SELECT count(*) FROM centres")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(centres, 0);
        assert!(!store.is_set_up().await.unwrap());
    }

    #[tokio::test]
    async fn the_audit_log_refuses_updates_and_deletes() {
        let (store, _folder) = temporary().await;
        store
            .audit(AuditRecord {
                action: "login",
                outcome: "ok".to_owned(),
                ..AuditRecord::default()
            })
            .await
            .unwrap();
        for sql in ["UPDATE audit SET outcome = 'x'", "DELETE FROM audit"] {
            let error = sqlx::query(sql).execute(store.pool()).await.unwrap_err();
            assert!(error.to_string().contains("append-only"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_centre_locks_after_five_minutes_until_told_otherwise_and_never_outside_one_to_sixty()
    {
        let (store, _folder) = temporary().await;
        a_centre(&store, "DHR").await;
        let minutes: i64 = sqlx::query_scalar("SELECT lock_minutes FROM centres")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(minutes, i64::from(sakhi_domain::LockMinutes::DEFAULT.get()));
        for bad in [0, 61] {
            let error = sqlx::query("UPDATE centres SET lock_minutes = ?")
                .bind(bad)
                .execute(store.pool())
                .await
                .unwrap_err();
            assert!(error.to_string().contains("CHECK"), "{bad}: {error}");
        }
    }

    #[tokio::test]
    async fn a_batch_editing_one_record_twice_stores_it_once_at_the_last_sequence_number() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let changes = [
            case.edit(&mut clock, 1, "name", json!("सीता")),
            case.edit(&mut clock, 2, "name", json!("सीता देवी")),
            case.edit(&mut clock, 3, "age", json!(34)),
        ];

        let results = applied(
            store
                .push(centre, clock.device(), &changes, row("push"))
                .await
                .unwrap(),
        );
        assert_eq!(accepted(&results), 3);

        let page = store
            .pull(centre, Cursor(0), 10, row("pull"))
            .await
            .unwrap();
        assert_eq!(page.records, [case]);
        assert_eq!(page.cursor, Cursor(3));
        assert!(!page.more);
    }

    #[tokio::test]
    async fn a_change_repeated_within_one_batch_is_applied_once() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let change = case.edit(&mut clock, 1, "village", json!("Rampur"));
        let mut altered = change.clone();
        altered.value = json!("Sitapur");

        let results = applied(
            store
                .push(
                    centre,
                    clock.device(),
                    &[change.clone(), change, altered],
                    row("push"),
                )
                .await
                .unwrap(),
        );

        assert_eq!(accepted(&results), 2);
        assert!(matches!(
            &results[2].outcome,
            Outcome::Rejected { code, .. } if code == "duplicate_id"
        ));
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM centres")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(seq, 1);
    }

    #[tokio::test]
    async fn a_record_of_another_centre_is_neither_pulled_nor_edited_and_the_refusal_is_audited() {
        let (store, _folder) = temporary().await;
        let ours = a_centre(&store, "AA").await;
        let theirs = a_centre(&store, "BB").await;
        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let theirs_change = case.edit(&mut clock, 1, "name", json!("Gita"));
        applied(
            store
                .push(theirs, clock.device(), &[theirs_change], row("push"))
                .await
                .unwrap(),
        );

        let ours_change = case.edit(&mut clock, 2, "name", json!("Sita"));
        let fresh = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 3, "age", json!(3));
        let pushed = store
            .push(ours, clock.device(), &[fresh, ours_change], row("push"))
            .await
            .unwrap();

        assert_eq!(
            pushed,
            Pushed::Refused {
                records: vec![case.id],
                other_centre: true
            }
        );
        // Only the row saying so was written.
        let rows = audit_rows(&store).await;
        assert_eq!(
            rows[1],
            (
                "refused".to_owned(),
                "other_centre".to_owned(),
                format!("[\"{}\"]", case.id),
                Some("push of 2 changes, none applied".to_owned())
            )
        );
        let seq: Vec<i64> = sqlx::query_scalar("SELECT seq FROM centres ORDER BY code")
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert_eq!(seq, [0, 1]);
        assert!(
            store
                .pull(ours, Cursor(0), 10, row("pull"))
                .await
                .unwrap()
                .records
                .is_empty()
        );
        assert_eq!(
            store
                .pull(theirs, Cursor(0), 10, row("pull"))
                .await
                .unwrap()
                .records
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn an_outreach_worker_reaches_only_records_she_made_or_was_assigned() {
        let (store, _folder) = temporary().await;
        let counsellor = a_centre(&store, "AA").await;
        let worker = Scope {
            account: AccountId::new(),
            only_own: true,
            ..counsellor
        };
        let mut clock = Clock::new(DeviceId::new());
        let mut desk_case = Record::new(RecordId::new(), Kind::Case);
        let mut assigned = Record::new(RecordId::new(), Kind::Case);
        let mut own = Record::new(RecordId::new(), Kind::Case);
        let desk = desk_case.edit(&mut clock, 1, "name", json!("A"));
        let assign = assigned.edit(
            &mut clock,
            2,
            "assigned_to",
            json!(worker.account.to_string()),
        );
        applied(
            store
                .push(counsellor, clock.device(), &[desk, assign], row("push"))
                .await
                .unwrap(),
        );
        let mine = own.edit(&mut clock, 3, "name", json!("B"));
        applied(
            store
                .push(worker, clock.device(), &[mine], row("push"))
                .await
                .unwrap(),
        );

        let seen: Vec<_> = store
            .pull(worker, Cursor(0), 10, row("pull"))
            .await
            .unwrap()
            .records
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(seen, [assigned.id, own.id]);
        assert_eq!(
            store
                .pull(counsellor, Cursor(0), 10, row("pull"))
                .await
                .unwrap()
                .records
                .len(),
            3
        );

        let edit = desk_case.edit(&mut clock, 4, "name", json!("C"));
        assert!(matches!(
            store
                .push(worker, clock.device(), &[edit], row("push"))
                .await
                .unwrap(),
            Pushed::Refused {
                other_centre: false,
                ..
            }
        ));
        let edit = assigned.edit(&mut clock, 5, "name", json!("D"));
        applied(
            store
                .push(worker, clock.device(), &[edit], row("push"))
                .await
                .unwrap(),
        );
    }

    /// Every row of the audit log: action, outcome, records and detail.
    async fn audit_rows(store: &SqliteStore) -> Vec<(String, String, String, Option<String>)> {
        sqlx::query_as("SELECT action, outcome, records, detail FROM audit ORDER BY id")
            .fetch_all(store.pool())
            .await
            .unwrap()
    }

    /// Makes every insert into the audit log fail, as a full disk or a damaged table would.
    async fn break_the_audit_log(store: &SqliteStore) {
        sqlx::query(
            "CREATE TRIGGER audit_broken BEFORE INSERT ON audit
             BEGIN SELECT RAISE(ABORT, 'the audit log is broken'); END",
        )
        .execute(store.pool())
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn a_push_commits_with_its_audit_row_naming_only_the_records_it_changed() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        let mut clock = Clock::new(DeviceId::new());
        let mut first = Record::new(RecordId::new(), Kind::Case);
        let mut second = Record::new(RecordId::new(), Kind::Case);
        let earlier = first.edit(&mut clock, 1, "name", json!("A"));
        applied(
            store
                .push(
                    centre,
                    clock.device(),
                    std::slice::from_ref(&earlier),
                    row("push"),
                )
                .await
                .unwrap(),
        );
        // The earlier change again (acknowledged, not applied), and a new one.
        let new = second.edit(&mut clock, 2, "name", json!("B"));
        applied(
            store
                .push(centre, clock.device(), &[earlier, new], row("push"))
                .await
                .unwrap(),
        );

        let rows = audit_rows(&store).await;
        let expected = |id: RecordId| format!("[\"{id}\"]");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, "push");
        assert_eq!(rows[1].2, expected(second.id));
        assert_eq!(rows[1].3.as_deref(), Some("accepted=2 rejected=0"));
    }

    #[tokio::test]
    async fn a_push_whose_audit_row_cannot_be_written_changes_nothing() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        break_the_audit_log(&store).await;
        let mut clock = Clock::new(DeviceId::new());
        let change = Record::new(RecordId::new(), Kind::Case).edit(&mut clock, 1, "age", json!(3));

        let pushed = store
            .push(centre, clock.device(), &[change], row("push"))
            .await;

        assert!(pushed.is_err(), "{pushed:?}");
        let (records, changes, seq): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM changes),
                    (SELECT seq FROM centres)",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!((records, changes, seq), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_pull_answers_only_once_its_row_is_written_and_an_empty_one_writes_none() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        let empty = store
            .pull(centre, Cursor(0), 10, row("pull"))
            .await
            .unwrap();
        assert!(empty.records.is_empty());
        assert!(audit_rows(&store).await.is_empty());

        let mut clock = Clock::new(DeviceId::new());
        let mut case = Record::new(RecordId::new(), Kind::Case);
        let change = case.edit(&mut clock, 1, "name", json!("A"));
        applied(
            store
                .push(centre, clock.device(), &[change], row("push"))
                .await
                .unwrap(),
        );
        store
            .pull(centre, Cursor(0), 10, row("pull"))
            .await
            .unwrap();
        let rows = audit_rows(&store).await;
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[1].0.as_str(), rows[1].2.clone()),
            ("pull", format!("[\"{}\"]", case.id))
        );

        break_the_audit_log(&store).await;
        assert!(
            store
                .pull(centre, Cursor(0), 10, row("pull"))
                .await
                .is_err()
        );
        // Nothing to send, nothing to write.
        assert!(store.pull(centre, Cursor(1), 10, row("pull")).await.is_ok());
    }

    #[tokio::test]
    async fn a_cursor_beyond_any_sequence_number_returns_an_empty_page() {
        let (store, _folder) = temporary().await;
        let centre = a_centre(&store, "DHR").await;
        let page = store
            .pull(centre, Cursor(u64::MAX), 10, row("pull"))
            .await
            .unwrap();
        assert_eq!(page.cursor, Cursor(u64::MAX));
        assert!(page.records.is_empty() && !page.more);
    }
}
