//! The benchmark on PostgreSQL: a fresh database for each run's server and for its floor, made and
//! dropped through an administrator's URL, and the floor itself: the same changes inserted
//! straight into PostgreSQL.
//!
//! The floor's table is the server's `changes` table (same columns, types, primary key and index,
//! the same JSON body per change) without the foreign keys, in a database of its own. Each batch is
//! one transaction holding one `INSERT … SELECT … FROM UNNEST` of the batch's rows, over one
//! connection: the statement the server itself uses for a push's changes, and the fewest round
//! trips that store a batch. A statement per row would pay a round trip per row that the server
//! does not pay, and make the floor a soft one. One connection, as the server's pushes for one
//! centre take turns on the centre's row and so commit one at a time.

use crate::workload::Row;
use anyhow::{Context, ensure};
use sakhi_server::store::redact;
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub const NAME: &str = "raw batched PostgreSQL inserts";

const SCHEMA: [&str; 2] = [
    "CREATE TABLE changes (
        id          TEXT   PRIMARY KEY,
        record_id   TEXT   NOT NULL,
        centre_id   TEXT   NOT NULL,
        device_id   TEXT   NOT NULL,
        seq         BIGINT NOT NULL,
        body        TEXT   NOT NULL,
        received_at BIGINT NOT NULL
    )",
    "CREATE INDEX changes_by_record ON changes (record_id)",
];

const INSERT: &str = "
    INSERT INTO changes (id, record_id, centre_id, device_id, seq, body, received_at)
    SELECT id, record_id, $1, device_id, seq, body, $2
    FROM UNNEST($3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[])
         AS c (id, record_id, device_id, seq, body)";

/// A PostgreSQL server the benchmark may make databases on, by the URL of a role that may.
/// The URL holds a password: it is shown only [`redact`]ed.
pub struct Admin {
    url: String,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Admin")
            .field("url", &redact(&self.url))
            .finish()
    }
}

impl Admin {
    pub fn new(url: String) -> Admin {
        Admin { url }
    }

    /// The server, its password hidden.
    pub fn describe(&self) -> String {
        redact(&self.url)
    }

    /// How the server keeps a commit, as a line for the log: a figure taken with fsync or
    /// synchronous commit off flatters both sides, and the reader must be told.
    pub async fn durability(&self) -> anyhow::Result<String> {
        let mut connection = self.connect().await?;
        let mut settings = Vec::new();
        let mut durable = true;
        for name in ["fsync", "synchronous_commit", "full_page_writes"] {
            let value: String = sqlx::query_scalar(&format!("SHOW {name}"))
                .fetch_one(&mut connection)
                .await
                .with_context(|| format!("Failed to read PostgreSQL's {name} setting"))?;
            durable &= value == "on";
            settings.push(format!("{name}={value}"));
        }
        connection.close().await.ok();
        let warning = if durable {
            ""
        } else {
            " (NOT durable: these figures are not worth reporting)"
        };
        Ok(format!("{}{warning}", settings.join(", ")))
    }

    /// A new, empty database, named after what it is for.
    async fn create_database(&self, purpose: &str) -> anyhow::Result<Database> {
        // A fresh UUIDv7 in 32 hex digits: no other run's database has the name.
        let name = format!(
            "sakhi_bench_{purpose}_{}",
            sakhi_domain::DeviceId::new().as_uuid().simple()
        );
        let mut connection = self.connect().await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .with_context(|| {
                format!(
                    "Failed to create the database {name} on {}: the role needs CREATEDB",
                    self.describe()
                )
            })?;
        connection.close().await.ok();
        Ok(Database {
            url: sakhi_server::store::postgres::with_database(&self.url, &name),
            admin_url: self.url.clone(),
            name,
        })
    }

    /// Runs `work` on a new database made for `purpose`, given its URL, and drops the database
    /// afterwards, whether the work succeeded or not.
    pub async fn with_database<T>(
        &self,
        purpose: &str,
        work: impl AsyncFnOnce(&str) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let database = self.create_database(purpose).await?;
        let done = work(&database.url).await;
        let dropped = database.drop().await;
        let value = done?;
        dropped?;
        Ok(value)
    }

    async fn connect(&self) -> anyhow::Result<PgConnection> {
        PgConnection::connect(&self.url)
            .await
            .with_context(|| format!("Failed to connect to {}", self.describe()))
    }
}

/// A database the benchmark made, until [`Database::drop`] removes it.
struct Database {
    /// Its URL, with the administrator's credentials.
    url: String,
    admin_url: String,
    name: String,
}

impl Database {
    /// Drops the database, ending any connection still open to it.
    async fn drop(self) -> anyhow::Result<()> {
        let mut connection = PgConnection::connect(&self.admin_url)
            .await
            .with_context(|| format!("Failed to connect to {}", redact(&self.admin_url)))?;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ))
        .execute(&mut connection)
        .await
        .with_context(|| format!("Failed to drop the database {}", self.name))?;
        connection.close().await.ok();
        Ok(())
    }
}

/// How many changes the server's database at `url` holds, read once the server has stopped: an
/// acknowledgement must mean a stored change.
pub async fn stored_changes(url: &str) -> anyhow::Result<usize> {
    let mut connection = PgConnection::connect(url)
        .await
        .with_context(|| format!("Failed to connect to the server's database {}", redact(url)))?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM changes")
        .fetch_one(&mut connection)
        .await
        .context("Failed to count the changes the server stored")?;
    connection.close().await.ok();
    usize::try_from(count).context("The server's database holds a negative count")
}

/// Inserts every batch of rows into the empty database at `url`, one transaction per batch, and
/// returns how long the inserts took (connecting and making the table not included, as the
/// server's start is not included in its figure). Fails unless every row was stored.
pub async fn insert(url: &str, batches: &[Vec<Row>]) -> anyhow::Result<Duration> {
    let mut connection = PgConnection::connect(url)
        .await
        .with_context(|| format!("Failed to connect to the floor's database {}", redact(url)))?;
    for statement in SCHEMA {
        sqlx::query(statement)
            .execute(&mut connection)
            .await
            .context("Failed to create the table")?;
    }
    let centre = sakhi_server::CentreId::new().to_string();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |since| {
            i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
        });

    let started = Instant::now();
    let mut seq = 0i64;
    for batch in batches {
        // The columns as the server gathers them for its statement.
        let mut ids = Vec::with_capacity(batch.len());
        let mut records = Vec::with_capacity(batch.len());
        let mut devices = Vec::with_capacity(batch.len());
        let mut seqs = Vec::with_capacity(batch.len());
        let mut bodies = Vec::with_capacity(batch.len());
        for row in batch {
            seq += 1;
            ids.push(row.id.as_str());
            records.push(row.record.as_str());
            devices.push(row.device.as_str());
            seqs.push(seq);
            bodies.push(row.body.as_str());
        }
        let mut transaction = connection.begin().await?;
        sqlx::query(INSERT)
            .bind(&centre)
            .bind(now)
            .bind(&ids)
            .bind(&records)
            .bind(&devices)
            .bind(&seqs)
            .bind(&bodies)
            .execute(&mut *transaction)
            .await
            .context("Failed to insert a batch")?;
        transaction
            .commit()
            .await
            .context("Failed to commit a batch")?;
    }
    let took = started.elapsed();

    let (rows, last): (i64, Option<i64>) =
        sqlx::query_as("SELECT count(DISTINCT id), max(seq) FROM changes")
            .fetch_one(&mut connection)
            .await
            .context("Failed to count the floor's rows")?;
    connection.close().await.ok();
    let expected = i64::try_from(batches.iter().map(Vec::len).sum::<usize>())?;
    ensure!(
        (rows, last.unwrap_or(0)) == (expected, expected),
        "The floor stored {rows} distinct rows up to seq {last:?}, not {expected}"
    );
    Ok(took)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_url_shows_without_its_password() {
        let admin = Admin::new("postgres://postgres:hunter22@127.0.0.1:5432/postgres".to_owned());
        assert!(!admin.describe().contains("hunter22"));
        assert!(!format!("{admin:?}").contains("hunter22"));
    }
}
