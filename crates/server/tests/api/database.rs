//! The server's database opened beside it, to look below the API on either backend.
//!
//! Queries are written once with `$1`-style parameters, which sqlx passes to SQLite as well.

use sakhi_server::Opened;
use sqlx::{PgPool, SqlitePool};

pub enum Database {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on whichever pool the database has: each arm is its own expansion, typed
/// for its backend.
macro_rules! on_pool {
    ($database:expr, |$pool:ident| $body:expr) => {
        match $database {
            $crate::database::Database::Sqlite($pool) => $body,
            $crate::database::Database::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// An audit row but its id, time, username, device and address: action, outcome, centre,
/// account, records and detail.
pub type AuditRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

impl Database {
    /// Opens the database at `url` as the server would, bringing its schema up to date.
    pub async fn open(url: &str) -> Database {
        match sakhi_server::store::open(url, sakhi_server::clock::system_millis())
            .await
            .expect("Failed to open the server's database")
        {
            Opened::Sqlite(store) => Database::Sqlite(store.pool().clone()),
            Opened::Postgres(store) => Database::Postgres(store.pool().clone()),
        }
    }

    /// Runs one statement without parameters.
    pub async fn execute(&self, sql: &str) {
        on_pool!(self, |pool| sqlx::query(sql).execute(pool).await.map(drop))
            .unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    /// The one integer column of a query's rows.
    pub async fn numbers(&self, sql: &str) -> Vec<i64> {
        on_pool!(self, |pool| sqlx::query_scalar(sql).fetch_all(pool).await)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// The one text column of a query's rows.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        on_pool!(self, |pool| sqlx::query_scalar(sql).fetch_all(pool).await)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// The audit rows after the row `id`, oldest first.
    pub async fn audit_after(&self, id: i64) -> Vec<AuditRow> {
        let sql = "SELECT action, outcome, centre_id, account_id, records, detail
                   FROM audit WHERE id > $1 ORDER BY id";
        on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_all(pool)
            .await)
        .unwrap()
    }

    /// How many refusals with this action and outcome the tallies of refusals count.
    pub async fn counted(&self, action: &str, outcome: &str) -> i64 {
        self.numbers(&format!(
            "SELECT CAST(coalesce(sum(times), 0) AS BIGINT) FROM audit_tallies
             WHERE action = '{action}' AND outcome = '{outcome}'"
        ))
        .await[0]
    }

    /// Every row of every table but the audit log's and its tallies', as text: any change to a
    /// record, a session, an account or a centre shows in it.
    pub async fn everything_but_the_audit_log(&self) -> Vec<String> {
        let mut dump = Vec::new();
        match self {
            Database::Sqlite(_) => {
                let tables = self
                    .texts(
                        "SELECT name FROM sqlite_master WHERE type = 'table'
                         AND name NOT IN ('audit', 'audit_tallies', 'sqlite_sequence')
                         ORDER BY name",
                    )
                    .await;
                for table in tables {
                    let columns = self
                        .texts(&format!(
                            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                        ))
                        .await;
                    let quoted: Vec<String> = columns
                        .iter()
                        .map(|column| format!("quote(\"{column}\")"))
                        .collect();
                    let rows = self
                        .texts(&format!(
                            "SELECT {} FROM \"{table}\" ORDER BY rowid",
                            quoted.join(" || ',' || ")
                        ))
                        .await;
                    dump.push(format!("{table}: {rows:?}"));
                }
            }
            Database::Postgres(_) => {
                let tables = self
                    .texts(
                        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
                         WHERE table_schema = 'public'
                         AND table_name NOT IN ('audit', 'audit_tallies')
                         ORDER BY table_name",
                    )
                    .await;
                for table in tables {
                    // A row cast to text shows every column, quoted where needed.
                    let rows = self
                        .texts(&format!(
                            "SELECT CAST(t AS TEXT) FROM \"{table}\" t ORDER BY CAST(t AS TEXT)"
                        ))
                        .await;
                    dump.push(format!("{table}: {rows:?}"));
                }
            }
        }
        dump
    }
}
