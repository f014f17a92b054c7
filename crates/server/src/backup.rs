//! `sakhi-server backup FILE` and `sakhi-server restore FILE`, for the embedded SQLite database.
//!
//! A backup is taken from the live database while the server runs (`VACUUM INTO` reads one
//! consistent snapshot and writes a compact copy), then checked. Restoring puts such a copy in
//! place of a stopped server's database, with a new epoch: devices see it, send again what the
//! restored copy lacks, and pull afresh. The database it replaces is kept beside it, never deleted.
//!
//! PostgreSQL deployments use PostgreSQL's own tools (`pg_dump`, base backups); see the README.

use crate::store::redact;
use sakhi_domain::Epoch;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use thiserror::Error;

/// Why a backup or a restore did not happen. Nothing was changed when one of these is returned,
/// except where the message says otherwise.
#[derive(Debug, Error)]
pub enum BackupError {
    #[error(
        "backup and restore work on a SQLite database (sqlite:…), not {0}; for PostgreSQL use pg_dump"
    )]
    NotSqlite(String),
    #[error("there is no database at {0}")]
    NoDatabase(PathBuf),
    #[error("{0} exists already: choose a new file name, so that no earlier backup is overwritten")]
    Exists(PathBuf),
    #[error("{path} is not a sound Sakhi database: {why}")]
    NotABackup { path: PathBuf, why: String },
    #[error(
        "the server is still using {0}: stop it first, then restore (restoring under a running server would mix two databases)"
    )]
    InUse(PathBuf),
    #[error("could not {what} {path}")]
    File {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the database failed")]
    Database(#[from] sqlx::Error),
}

/// What a restore did, for the operator.
#[derive(Debug)]
pub struct Restored {
    pub epoch: Epoch,
    /// Where the database that was replaced now is, if there was one.
    pub kept: Option<PathBuf>,
}

/// Writes a consistent, checked copy of the live database `url` names to `to`, which must not
/// exist. Returns the copy's size in bytes.
pub async fn backup(url: &str, to: &Path) -> Result<u64, BackupError> {
    let from = database_file(url)?;
    if !from.exists() {
        return Err(BackupError::NoDatabase(from));
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    let mut live = connect(&from).await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.to_string_lossy().as_ref())
        .execute(&mut live)
        .await?;
    live.close().await?;
    check(to).await?;
    let size = std::fs::metadata(to)
        .map_err(|source| file_error("read", to, source))?
        .len();
    Ok(size)
}

/// Puts the backup `from` in place of the database `url` names, whose server must be stopped,
/// with a new epoch and every session ended (a session revoked after the backup was taken must
/// not come back to life). The replaced database is kept beside it with a `.before-restore-…`
/// name.
pub async fn restore(url: &str, from: &Path, now: u64) -> Result<Restored, BackupError> {
    let target = database_file(url)?;
    check(from).await?;
    let kept = if target.exists() {
        settle(&target).await?;
        let kept = sibling(&target, &format!("before-restore-{now}"));
        rename(&target, &kept)?;
        Some(kept)
    } else {
        None
    };

    // Prepared under another name and renamed at the end, so that a failure half-way leaves no
    // half-restored database where the server looks.
    let incoming = sibling(&target, "restoring");
    remove_if_there(&incoming)?;
    std::fs::copy(from, &incoming).map_err(|source| file_error("copy to", &incoming, source))?;
    let mut db = connect(&incoming).await?;
    let epoch = renew(&mut db, now).await?;
    db.close().await?;
    rename(&incoming, &target)?;
    Ok(Restored { epoch, kept })
}

/// Gives a database restored with PostgreSQL's own tools (or any other way) a new epoch and ends
/// every session, as [`restore`] does for SQLite. Every server instance on it must be stopped.
pub async fn renew_epoch(url: &str, now: u64) -> Result<Epoch, BackupError> {
    if url.starts_with("sqlite:") {
        let mut db = connect(&database_file(url)?).await?;
        let epoch = renew(&mut db, now).await?;
        db.close().await?;
        Ok(epoch)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let mut db = sqlx::PgConnection::connect(url).await?;
        let epoch = renew(&mut db, now).await?;
        db.close().await?;
        Ok(epoch)
    } else {
        Err(BackupError::NotSqlite(redact(url)))
    }
}

/// In one transaction: a new epoch, every session ended (a session revoked after the backup was
/// taken must not come back to life), and a row in each centre's audit log saying so. The SQL is
/// the same on SQLite and PostgreSQL.
async fn renew<C>(db: &mut C, now: u64) -> Result<Epoch, BackupError>
where
    C: Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
    for<'q> <C::Database as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, C::Database>,
    String: for<'q> sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
    i64: for<'q> sqlx::Encode<'q, C::Database> + sqlx::Type<C::Database>,
{
    let epoch = Epoch::new();
    let now = i64::try_from(now).unwrap_or(i64::MAX);
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE server_meta SET epoch = $1 WHERE singleton = 1")
        .bind(epoch.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL")
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit (at, centre_id, action, outcome, detail)
         SELECT $1, id, 'restore', 'ok', $2 FROM centres",
    )
    .bind(now)
    .bind(format!(
        "restored from a backup; new epoch {epoch}; every session ended"
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(epoch)
}

/// The file a `sqlite:` URL names.
fn database_file(url: &str) -> Result<PathBuf, BackupError> {
    if !url.starts_with("sqlite:") {
        return Err(BackupError::NotSqlite(redact(url)));
    }
    let options = SqliteConnectOptions::from_str(url)?;
    Ok(options.get_filename().to_owned())
}

async fn connect(file: &Path) -> Result<SqliteConnection, BackupError> {
    Ok(SqliteConnectOptions::new()
        .filename(file)
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await?)
}

/// Checks that `file` is a whole Sakhi database: SQLite's integrity check passes and it has its
/// epoch.
async fn check(file: &Path) -> Result<(), BackupError> {
    let not_sound = |why: String| BackupError::NotABackup {
        path: file.to_owned(),
        why,
    };
    if !file.exists() {
        return Err(BackupError::NoDatabase(file.to_owned()));
    }
    let mut db = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .map_err(|error| not_sound(error.to_string()))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .map_err(|error| not_sound(error.to_string()))?;
    if integrity != "ok" {
        return Err(not_sound(format!("the integrity check says {integrity}")));
    }
    let epochs: i64 = sqlx::query_scalar("SELECT count(*) FROM server_meta")
        .fetch_one(&mut db)
        .await
        .map_err(|_| not_sound("it has no Sakhi epoch".to_owned()))?;
    if epochs != 1 {
        return Err(not_sound("it has no Sakhi epoch".to_owned()));
    }
    db.close().await?;
    Ok(())
}

/// Brings a stopped database's write-ahead log into the file (a killed server leaves one), and
/// tells whether another process still has it open: SQLite removes the log when the last
/// connection closes, so a log that outlives ours belongs to a running server.
async fn settle(file: &Path) -> Result<(), BackupError> {
    let db = connect(file).await?;
    db.close().await?;
    if sibling_with_suffix(file, "-wal").exists() || sibling_with_suffix(file, "-shm").exists() {
        return Err(BackupError::InUse(file.to_owned()));
    }
    Ok(())
}

/// `data/sakhi.db` → `data/sakhi.db.<tag>`.
fn sibling(file: &Path, tag: &str) -> PathBuf {
    sibling_with_suffix(file, &format!(".{tag}"))
}

fn sibling_with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn rename(from: &Path, to: &Path) -> Result<(), BackupError> {
    std::fs::rename(from, to).map_err(|source| file_error("rename to", to, source))
}

fn remove_if_there(file: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(file) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(file_error("remove", file, source)),
    }
}

fn file_error(what: &'static str, path: &Path, source: std::io::Error) -> BackupError {
    BackupError::File {
        what,
        path: path.to_owned(),
        source,
    }
}
