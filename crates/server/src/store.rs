//! Durable storage behind one trait, so that handlers never name a database and a PostgreSQL
//! backend can join the SQLite one without touching them.
//!
//! The rules of a push (what is acknowledged again, what is refused, what is applied) live in
//! [`rules`], shared by every backend; a backend only reads and writes.

pub mod rules;
pub mod sqlite;

use sakhi_domain::wire::{ChangeResult, Cursor};
use sakhi_domain::{Change, DeviceId, Epoch, Record};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use thiserror::Error;
use uuid::Uuid;

pub use sqlite::SqliteStore;

/// One One Stop Centre: the scope every record, change and sequence number belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CentreId(Uuid);

impl CentreId {
    /// A fresh, time-ordered id (UUIDv7).
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }
}

impl Default for CentreId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for CentreId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for CentreId {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// One page of a centre's records changed after a cursor, in sequence order.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub records: Vec<Record>,
    /// The sequence number of the last record in the page, or the cursor asked for if it is empty.
    pub cursor: Cursor,
    /// Whether records after this page exist already.
    pub more: bool,
}

/// Why storage failed. None of this reaches a client; the handler logs it and answers briefly.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error(
        "the database URL {0:?} is not supported: use a sqlite: URL such as sqlite://data/sakhi.db"
    )]
    UnsupportedUrl(String),
    #[error("could not create the folder {path} for the database")]
    CreateFolder {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("could not open the database")]
    Open(#[source] sqlx::Error),
    #[error("could not bring the database schema up to date")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database failed")]
    Database(#[from] sqlx::Error),
    #[error("the database holds something unreadable: {0}")]
    Corrupt(String),
    #[error("centre {0} does not exist")]
    UnknownCentre(CentreId),
}

/// Where records and changes are kept. Every method takes the centre it acts for, so that the
/// caller's scope is decided once, by the caller, and a record of another centre is never seen.
pub trait Store: Clone + Send + Sync + 'static {
    /// This database's life, made when the database was created.
    fn epoch(&self) -> Epoch;

    /// The centre every request belongs to until accounts arrive.
    fn default_centre(&self) -> impl Future<Output = Result<CentreId, StoreError>> + Send;

    /// Applies a batch of changes in one transaction, following [`rules`], and answers one result
    /// per change in the order given. Returns only once the transaction is durable.
    fn push(
        &self,
        centre: CentreId,
        device: DeviceId,
        changes: &[Change],
    ) -> impl Future<Output = Result<Vec<ChangeResult>, StoreError>> + Send;

    /// At most `limit` of the centre's records whose sequence number is after `after`, in order.
    fn pull(
        &self,
        centre: CentreId,
        after: Cursor,
        limit: u32,
    ) -> impl Future<Output = Result<Page, StoreError>> + Send;

    /// Finishes outstanding work and releases the database.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// Opens the store a database URL names. Only SQLite exists yet.
pub async fn open(url: &str) -> Result<SqliteStore, StoreError> {
    if url.starts_with("sqlite:") {
        SqliteStore::open(url).await
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A URL fit for a log or an error: any password in it is hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
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
    }

    #[tokio::test]
    async fn a_database_url_of_an_unknown_kind_is_refused_with_a_clear_message() {
        let error = open("mysql://root:pw@localhost/sakhi").await.unwrap_err();
        let message = error.to_string();
        assert!(message.contains("sqlite:"), "{message}");
        assert!(!message.contains("pw"), "{message}");
    }
}
