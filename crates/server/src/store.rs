//! Durable storage behind three traits, so that handlers never name a database: [`SyncStore`] for
//! records and their changes, [`AttachmentStore`] for attachments' content, [`AccountStore`] for
//! accounts, sessions and the audit log. Each is
//! implemented by SQLite, embedded, and by PostgreSQL, shared by several instances. [`open`] picks
//! one from the database URL.
//!
//! The rules of a push (what is acknowledged again, what is refused, what is applied) live in
//! [`rules`] and [`batch`], shared by every backend; a backend only reads and writes.

pub mod attachments;
pub mod batch;
pub mod history;
pub mod holders;
mod ingest;
pub mod postgres;
mod reports;
pub(crate) mod rows;
pub mod rules;
pub mod sqlite;
mod writer;

use sakhi_domain::schema::MERGED_INTO;
use sakhi_domain::wire::account::{Account, AuditEntry, Centre};
use sakhi_domain::wire::{ChangeResult, Cursor, Outcome, RecordResult};
use sakhi_domain::{
    AccountId, Change, ChangeId, DeviceId, Epoch, LockMinutes, PurgeDays, Record, RecordId, Role,
};
use std::collections::HashSet;
use std::future::Future;
use thiserror::Error;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

pub use sakhi_domain::CentreId;

/// Whose records a request may read and write: one centre, and within it either every record or
/// only those the account created or is assigned (outreach workers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    pub centre: CentreId,
    pub account: AccountId,
    pub only_own: bool,
}

/// What became of a push.
#[derive(Clone, Debug, PartialEq)]
pub enum Pushed {
    /// The batch was judged change by change; one result per change, in order. `caught_up` is
    /// the centre's counter after the batch when the pusher had seen everything in her scope
    /// before it (see [`batch::caught_up`]).
    Applied {
        results: Vec<ChangeResult>,
        caught_up: Option<Cursor>,
    },
    /// Nothing was applied: these records exist but are not the caller's to write.
    Refused {
        records: Vec<RecordId>,
        other_centre: bool,
    },
}

/// What became of a restatement (records a device gives back after a restore).
#[derive(Clone, Debug, PartialEq)]
pub enum Restated {
    /// The records were judged one by one; one result per record, in order.
    Merged(Vec<RecordResult>),
    /// Nothing was merged: these records belong to another centre.
    Refused { records: Vec<RecordId> },
}

/// The account a password is checked against at login.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
}

/// A session that is valid now, and whose it is.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub account: Account,
    pub device: DeviceId,
}

/// What a session token is worth now.
#[derive(Clone, Debug)]
pub enum SessionCheck {
    /// A session valid now, marked used.
    Valid(Authenticated),
    /// A session that may no longer be used: whose it was, and why it ended.
    Ended {
        account: Account,
        device: DeviceId,
        why: SessionEnd,
    },
    /// No session has this token.
    Unknown,
}

/// Why a session may no longer be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEnd {
    /// Past its absolute end, or unused for longer than the idle time.
    Expired,
    /// Ended by a logout, a password reset or the account being disabled.
    Revoked,
    /// Its account is disabled.
    Disabled,
}

impl SessionEnd {
    /// The audit log's outcome for a request that presents such a session.
    pub fn outcome(self) -> &'static str {
        match self {
            SessionEnd::Expired => "expired_session",
            SessionEnd::Revoked => "revoked_session",
            SessionEnd::Disabled => "disabled_account",
        }
    }
}

/// A new session, with its token already hashed.
#[derive(Clone, Debug)]
pub struct NewSession {
    pub token_hash: String,
    pub account: AccountId,
    pub device: DeviceId,
    pub now: u64,
    pub expires_at: u64,
}

/// An account to store, its rules already checked and its password hashed.
#[derive(Clone, Debug)]
pub struct NewAccountRow {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
}

/// A centre to set up, its rules already checked.
#[derive(Clone, Debug)]
pub struct NewCentreRow {
    pub code: String,
    pub name: String,
    pub district: String,
    pub state: String,
}

/// What became of a setup.
#[derive(Clone, Debug)]
pub enum SetupOutcome {
    Done(Account),
    /// The code is not a valid unused one.
    BadCode,
    /// Setup is done and no other centre can be set up now.
    AlreadySetUp,
    CentreCodeTaken,
    UsernameTaken,
}

/// One entry to append to the audit log. Never a record's content.
#[derive(Clone, Debug, Default)]
pub struct AuditRecord {
    /// When it happened, in milliseconds since 1970, by the server's clock: the caller's time,
    /// never the store's own.
    pub at: u64,
    /// The centre whose administrators see the entry. `None` for an event that names no centre
    /// (a login with an unknown username, a token no session has): such rows are kept all the
    /// same, for whoever runs the server, but no centre's audit page shows them.
    pub centre: Option<CentreId>,
    pub account: Option<AccountId>,
    pub username: Option<String>,
    pub device: Option<DeviceId>,
    pub address: Option<String>,
    pub action: &'static str,
    pub outcome: String,
    pub records: Vec<RecordId>,
    pub detail: Option<String>,
    /// The id of the export notice this row logs: a row with the same id from the same account is
    /// not appended again.
    pub export: Option<sakhi_domain::ids::ExportId>,
}

impl AuditRecord {
    /// Completes the row of a push (who pushed, from where) with what became of it, alike in
    /// every backend. Applied: the records the batch changed (not those only acknowledged again),
    /// how many changes were accepted and rejected, and each case it merged into another as a
    /// duplicate (`merged=<duplicate>><kept>`, ids only). Refused whole: a `refused` row naming the
    /// records that are not the caller's.
    pub fn of_push(mut self, pushed: &Pushed, changed: Vec<RecordId>, changes: &[Change]) -> Self {
        let sent = changes.len();
        match pushed {
            Pushed::Applied { results, .. } => {
                let accepted: HashSet<ChangeId> = results
                    .iter()
                    .filter(|result| result.outcome == Outcome::Accepted)
                    .map(|result| result.change)
                    .collect();
                let rejected = results
                    .iter()
                    .filter(|result| matches!(result.outcome, Outcome::Rejected { .. }))
                    .count();
                let merges: Vec<String> = changes
                    .iter()
                    .filter(|change| change.field == MERGED_INTO && accepted.contains(&change.id))
                    .filter_map(|change| {
                        Some(format!("{}>{}", change.record, change.value.as_str()?))
                    })
                    .collect();
                self.records = changed;
                let mut detail =
                    format!("accepted={} rejected={rejected}", results.len() - rejected);
                if !merges.is_empty() {
                    detail.push_str(" merged=");
                    detail.push_str(&merges.join(","));
                }
                self.detail = Some(detail);
            }
            Pushed::Refused {
                records,
                other_centre,
            } => {
                self.action = "refused";
                self.outcome = if *other_centre {
                    "other_centre"
                } else {
                    "out_of_scope"
                }
                .to_owned();
                self.records = records.clone();
                self.detail = Some(format!("push of {sent} changes, none applied"));
            }
        }
        self
    }

    /// Completes the row of a restatement, alike in every backend. Merged: the records it
    /// changed (not those the server already held as sent) and how many were merged, already
    /// held, and rejected. Refused whole: a `refused` row naming another centre's records.
    pub fn of_restate(mut self, restated: &Restated, changed: Vec<RecordId>, sent: usize) -> Self {
        match restated {
            Restated::Merged(results) => {
                let rejected = results
                    .iter()
                    .filter(|result| matches!(result.outcome, Outcome::Rejected { .. }))
                    .count();
                self.detail = Some(format!(
                    "merged={} held={} rejected={rejected}",
                    changed.len(),
                    results.len() - rejected - changed.len()
                ));
                self.records = changed;
            }
            Restated::Refused { records } => {
                self.action = "refused";
                self.outcome = "other_centre".to_owned();
                self.records = records.clone();
                self.detail = Some(format!("restatement of {sent} records, none merged"));
            }
        }
        self
    }

    /// Completes the row of a pull with the records it sends, or `None` for a page without any:
    /// every phone polls every 30 seconds, and a pull that sends nothing discloses nothing, so
    /// it is not worth a row.
    pub fn of_pull(mut self, page: &Page) -> Option<Self> {
        if page.records.is_empty() {
            return None;
        }
        self.records = page.records.iter().map(|record| record.id).collect();
        Some(self)
    }
}

/// One page of a centre's records changed after a cursor, in sequence order, and for an
/// outreach worker the records that left her scope after it, interleaved with them by the
/// sequence number of the change that took each away.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub records: Vec<Record>,
    /// The ids of records that left the scope; always empty for a scope of the whole centre. A
    /// record is never both here and in `records`: one in the scope now is not gone.
    pub gone: Vec<RecordId>,
    /// The sequence number of the last record or exit in the page, or the cursor asked for if
    /// the page is empty.
    pub cursor: Cursor,
    /// Whether records or exits after this page exist already.
    pub more: bool,
}

/// Why storage failed. None of this reaches a client; the handler logs it and answers briefly.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "the database URL {0:?} is not supported: use a sqlite: URL such as sqlite://data/sakhi.db \
         or a postgres: one such as postgres://user:password@host/sakhi"
    )]
    UnsupportedUrl(String),
    #[error("could not create the folder {path} for the database")]
    CreateFolder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The URL is [`redact`]ed: it names the database without its password.
    #[error("could not open the database {url}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("could not bring the database schema up to date")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database failed")]
    Database(#[from] sqlx::Error),
    /// The SQLite store's writer talks to SQLite directly (see `sqlite/writer.rs`).
    #[error("the database failed")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database holds something unreadable: {0}")]
    Corrupt(String),
    #[error("centre {0} does not exist")]
    UnknownCentre(CentreId),
    /// A write was made in a transaction that then failed to commit, with other writes (see
    /// [`writer`]), so the one failure is each one's.
    #[error("the database failed to commit")]
    NotCommitted(#[source] std::sync::Arc<StoreError>),
    #[error("the store's writer has stopped")]
    WriterStopped,
    #[error(
        "an in-memory SQLite database would lose every case at exit: name a file, such as \
         sqlite://data/sakhi.db"
    )]
    InMemory,
}

impl StoreError {
    /// A failure to open the database at `url`, naming it without its password.
    pub fn open(url: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
        move |source| StoreError::Open {
            url: redact(url),
            source,
        }
    }
}

/// What to change in an account, its rules already checked.
#[derive(Clone, Debug, Default)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// What to change in a centre's settings, its rules already checked; what is `None` stays.
#[derive(Clone, Copy, Debug, Default)]
pub struct CentreChange {
    pub lock_minutes: Option<LockMinutes>,
    /// `Some(None)` removes the limit.
    pub purge_days: Option<Option<PurgeDays>>,
}

/// Why an account could not be stored.
#[derive(Debug, Error)]
pub enum AccountError {
    #[error("the username is taken")]
    UsernameTaken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where a centre's records and their changes are kept, and how devices sync them. Every method
/// takes the centre (or the scope) it acts for, so that the caller's scope is decided once, by the
/// caller, and a record of another centre is never seen.
pub trait SyncStore: Clone + Send + Sync + 'static {
    /// This database's life, made when the database was created.
    fn epoch(&self) -> Epoch;

    /// Applies a batch of changes in one transaction, following [`rules`], and answers one result
    /// per change in the order given. `seen` is the cursor through which the pusher holds her
    /// scope's records, if she gave one of this epoch; the answer says whether she is caught up.
    /// If any change edits a record of another centre, nothing is applied; a change to a record
    /// of her centre outside `scope` is refused alone. A record that leaves an account's scope
    /// ([`batch::Written::left`]) gets a scope exit for it in the same transaction, numbered like
    /// the record's change. `audit` (who pushes, from where) is completed by
    /// [`AuditRecord::of_push`] and appended in the same transaction, so that no change is ever
    /// stored without its row, nor a refusal go unrecorded. Returns only once the transaction is
    /// durable.
    fn push(
        &self,
        scope: Scope,
        device: DeviceId,
        seen: Option<Cursor>,
        changes: &[Change],
        audit: AuditRecord,
        now: u64,
    ) -> impl Future<Output = Result<Pushed, StoreError>> + Send;

    /// Merges records a device gives back after a restore, in one transaction, following
    /// [`rules::judge_restated`] and [`batch::judge_restatement`] (`given_epoch`: the epoch its
    /// copy comes from, as the device says), and answers one result per record in the order given. A record
    /// whose merge changes nothing keeps its sequence number; one that changes gets the next. If
    /// any record belongs to another centre, nothing is merged. `audit` is completed by
    /// [`AuditRecord::of_restate`] and appended in the same transaction. Returns only once the
    /// transaction is durable.
    fn restate(
        &self,
        scope: Scope,
        records: &[Record],
        given_epoch: Option<Epoch>,
        audit: AuditRecord,
        now: u64,
    ) -> impl Future<Output = Result<Restated, StoreError>> + Send;

    /// At most `limit` of the scope's records and scope exits whose sequence number is after
    /// `after`, in order. Returns the page only once `audit` (who pulls, from where), completed by
    /// [`AuditRecord::of_pull`], is durable, so that no record leaves without its row. A backend
    /// writes the row in the read's own transaction where it can; SQLite cannot (see its pull).
    fn pull(
        &self,
        scope: Scope,
        after: Cursor,
        limit: u32,
        audit: AuditRecord,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;

    /// Every change kept of the case `case` of `centre` and of its work records, the records
    /// whose `case` field names it now (see [`history::family`]), in any order; `None` if the
    /// centre has no case with this id. Only reads: the caller decides the page.
    fn case_changes(
        &self,
        centre: CentreId,
        case: RecordId,
    ) -> impl Future<Output = Result<Option<Vec<history::KeptChange>>, StoreError>> + Send;

    /// The centre's report for `month`, counted in SQL from the records it holds: what
    /// [`MonthlyReport::of`](sakhi_domain::figures::MonthlyReport::of) counts from them.
    fn monthly_report(
        &self,
        centre: CentreId,
        month: sakhi_domain::figures::Month,
    ) -> impl Future<Output = Result<sakhi_domain::figures::MonthlyReport, StoreError>> + Send;

    /// Finishes outstanding work and releases the database.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// Centres, accounts, sessions, setup codes and the audit log: who may sync, and what they did.
pub trait AccountStore: Clone + Send + Sync + 'static {
    /// Whether at least one centre is set up.
    fn is_set_up(&self) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Replaces any unused code for the first setup with this one (its hash), made at `now`.
    fn replace_first_setup_code(
        &self,
        code_hash: &str,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Adds a code (its hash), made at `now`, that sets up one more centre until `expires_at`.
    fn add_centre_setup_code(
        &self,
        code_hash: &str,
        now: u64,
        expires_at: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Uses a setup code: makes (or, for a database from before accounts, adopts) a centre and its
    /// first administrator, in one transaction.
    fn set_up(
        &self,
        code_hash: &str,
        centre: NewCentreRow,
        admin: NewAccountRow,
        now: u64,
    ) -> impl Future<Output = Result<SetupOutcome, StoreError>> + Send;

    /// The account with this username (lower case), of any centre, disabled or not.
    fn credentials(
        &self,
        username: &str,
    ) -> impl Future<Output = Result<Option<Credentials>, StoreError>> + Send;

    fn create_session(
        &self,
        session: NewSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The session with this token hash, valid at `now` if it is not revoked, its account not
    /// disabled, used within `idle_ms` and before its absolute end; a valid one is marked used.
    fn authenticate(
        &self,
        token_hash: &str,
        now: u64,
        idle_ms: u64,
    ) -> impl Future<Output = Result<SessionCheck, StoreError>> + Send;

    fn revoke_session(
        &self,
        token_hash: &str,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The centre's accounts, oldest first.
    fn accounts(
        &self,
        centre: CentreId,
    ) -> impl Future<Output = Result<Vec<Account>, StoreError>> + Send;

    /// Each account of the centre with a device it has logged in on or pushed from: one pair per
    /// device.
    fn devices(
        &self,
        centre: CentreId,
    ) -> impl Future<Output = Result<Vec<(AccountId, DeviceId)>, StoreError>> + Send;

    /// One account of the centre; another centre's is `None`.
    fn account(
        &self,
        centre: CentreId,
        id: AccountId,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    fn create_account(
        &self,
        centre: CentreId,
        account: NewAccountRow,
        now: u64,
    ) -> impl Future<Output = Result<Account, AccountError>> + Send;

    /// Changes an account of the centre; disabling it revokes its sessions in the same transaction.
    fn update_account(
        &self,
        centre: CentreId,
        id: AccountId,
        patch: AccountChange,
        now: u64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;

    /// Sets an account's password hash and revokes its sessions. `false` if no such account in
    /// the centre.
    fn set_password(
        &self,
        centre: CentreId,
        id: AccountId,
        password_hash: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Changes the centre's settings and appends `audit` in the same transaction, so that the
    /// change is never without its row. Answers the centre as changed.
    fn update_centre(
        &self,
        centre: CentreId,
        change: CentreChange,
        audit: AuditRecord,
    ) -> impl Future<Output = Result<Centre, StoreError>> + Send;

    /// Appends to the audit log.
    fn audit(&self, entry: AuditRecord) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Appends several rows to the audit log in one transaction, all or none. A row of an export
    /// notice whose id its account sent before is not appended again: the notice is logged once
    /// however often the phone sends it.
    fn audit_all(
        &self,
        entries: Vec<AuditRecord>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Counts a refusal that anyone can cause without an account (a made-up token, a login for no
    /// account or one the limiter slowed, a setup-code guess), where a row each would let a
    /// stranger grow the audit log without bound. Of `entry` only its time, address, action and
    /// outcome are kept, in `audit_tallies`: one row per minute, address, action and outcome, with
    /// how many. At most [`TALLY_ADDRESSES`] addresses are told apart in a minute, the rest counted
    /// together under `*`, and minutes older than [`TALLY_KEEP_DAYS`] are dropped.
    fn count_refusal(
        &self,
        entry: AuditRecord,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The centre's audit entries with an id below `before`, newest first, and whether more follow.
    fn audit_page(
        &self,
        centre: CentreId,
        before: Option<u64>,
        limit: u32,
    ) -> impl Future<Output = Result<(Vec<AuditEntry>, bool), StoreError>> + Send;
}

/// Attachments' content, kept in chunks beside their records (see [`attachments`]).
pub trait AttachmentStore: Clone + Send + Sync + 'static {
    /// The attachment record `id` of `centre`, with who made it; `None` if the centre holds no
    /// attachment under this id.
    fn attachment(
        &self,
        centre: CentreId,
        id: RecordId,
    ) -> impl Future<Output = Result<Option<attachments::StoredAttachment>, StoreError>> + Send;

    /// Keeps chunk `n` of the content of attachment `id` of `centre`, as its record declared it,
    /// in one transaction: see [`attachments::keep`]. Returns only once it is durable.
    fn keep_chunk(
        &self,
        centre: CentreId,
        id: RecordId,
        declared: &attachments::Declared,
        chunk: (u32, &[u8]),
        limits: attachments::Limits,
        now: u64,
    ) -> impl Future<Output = Result<attachments::Kept, StoreError>> + Send;

    /// Which chunks of attachment `id` are held, and whether the whole is received; `None` if no
    /// chunk arrived yet.
    fn upload(
        &self,
        id: RecordId,
    ) -> impl Future<Output = Result<Option<sakhi_domain::wire::attachment::Upload>, StoreError>> + Send;

    /// Chunk `n` of the content of attachment `id`, once the whole is received; `None` before,
    /// or if there is no such chunk.
    fn chunk(
        &self,
        id: RecordId,
        n: u32,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, StoreError>> + Send;
}

/// Every part, as the server runs on them: what the router and the handlers that touch records
/// are generic over. Every store of all three is one.
pub trait Store: SyncStore + AttachmentStore + AccountStore {}

impl<S: SyncStore + AttachmentStore + AccountStore> Store for S {}

/// At most this many addresses have tallies of their own in one minute (about: two backends' writers
/// may each add one past it at once); refusals from others are counted under `*`.
pub const TALLY_ADDRESSES: i64 = 100;
/// Tallies of refusals are kept this many days.
pub const TALLY_KEEP_DAYS: i64 = 90;

/// The minute a refusal at `now` (milliseconds) is counted in, as its first millisecond, and the
/// first minute still kept.
pub(crate) fn tally_minutes(now: i64) -> (i64, i64) {
    const MINUTE: i64 = 60_000;
    let minute = now - now.rem_euclid(MINUTE);
    (minute, minute - TALLY_KEEP_DAYS * 24 * 60 * MINUTE)
}

/// A store opened from a database URL, of whichever backend the URL names. The server matches on
/// it once and runs with that store's type from then on.
#[derive(Clone, Debug)]
pub enum Opened {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Opens the store a database URL names: `sqlite:` for SQLite, `postgres:` or `postgresql:` for
/// PostgreSQL. `now` is the time a new database is made at.
pub async fn open(url: &str, now: u64) -> Result<Opened, StoreError> {
    if url.starts_with("sqlite:") {
        SqliteStore::open(url, now).await.map(Opened::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        PostgresStore::open(url, now).await.map(Opened::Postgres)
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A URL fit for a log or an error: any password in it is hidden, whether in its user part
/// (`postgres://user:secret@host/db`) or in its query (`?password=secret`, as libpq allows).
pub fn redact(url: &str) -> String {
    let hidden = match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    };
    match hidden.split_once('?') {
        Some((base, query)) => {
            let parameters: Vec<String> = query
                .split('&')
                .map(|parameter| match parameter.split_once('=') {
                    Some((name, _)) if name.eq_ignore_ascii_case("password") => {
                        format!("{name}=***")
                    }
                    _ => parameter.to_owned(),
                })
                .collect();
            format!("{base}?{}", parameters.join("&"))
        }
        None => hidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_database_url_is_hidden() {
        assert_eq!(
            redact("postgres://sakhi:secret@db:5432/sakhi"),
            "postgres://sakhi:***@db:5432/sakhi"
        );
        assert_eq!(redact("sqlite://data/sakhi.db"), "sqlite://data/sakhi.db");
        assert_eq!(redact("postgres://db/sakhi"), "postgres://db/sakhi");
        assert_eq!(
            redact("postgresql://sakhi@db/sakhi?sslmode=require&password=secret"),
            "postgresql://sakhi@db/sakhi?sslmode=require&password=***"
        );
    }

    #[tokio::test]
    async fn a_database_url_of_an_unknown_kind_is_refused_with_a_clear_message() {
        let error = open("mysql://root:pw@localhost/sakhi", 0)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(message.contains("sqlite:"), "{message}");
        assert!(message.contains("postgres:"), "{message}");
        assert!(!message.contains("pw"), "{message}");
    }
}
