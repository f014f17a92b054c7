//! What is acknowledged stays: restarts keep the data and the epoch, SQLite runs with the
//! settings that make a commit durable, and PostgreSQL's audit log cannot be emptied.

use crate::database::Database;
use crate::helpers::{Backend, Folder, now, spawn_app, spawn_app_in, unnumbered};
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use sakhi_server::SqliteStore;
use serde_json::json;

on_each_backend!(the_data_and_the_epoch_survive_a_restart_on_the_same_file);
async fn the_data_and_the_epoch_survive_a_restart_on_the_same_file(backend: Backend) {
    let folder = Folder::new(backend).await;
    let app = spawn_app_in(folder.clone()).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut phone, now(), "name", json!("सीता देवी"));
    let before = app.push(phone.device(), &[change]).await;
    app.stop().await;

    let app = spawn_app_in(folder).await;
    let page = app.pull(Cursor(0), 10).await;
    assert_eq!(page.epoch, before.epoch);
    assert_eq!(unnumbered(page.records), [case.clone()]);

    let change = case.edit(&mut phone, now(), "age", json!(34));
    app.push(phone.device(), &[change]).await;
    assert_eq!(
        app.pull(Cursor(0), 10).await.cursor,
        Cursor(2),
        "the sequence goes on"
    );
}

on_each_backend!(each_new_database_has_its_own_epoch);
async fn each_new_database_has_its_own_epoch(backend: Backend) {
    let one = spawn_app(backend).await;
    let other = spawn_app(backend).await;
    assert_ne!(
        one.pull(Cursor(0), 1).await.epoch,
        other.pull(Cursor(0), 1).await.epoch
    );
}

/// SQLite's own settings; PostgreSQL's commit is durable unless its server is told otherwise.
#[tokio::test]
async fn the_sqlite_database_runs_in_wal_mode_with_full_sync_foreign_keys_and_a_busy_timeout() {
    let app = spawn_app(Backend::Sqlite).await;
    let store = SqliteStore::open(
        &app.folder.database_url(),
        sakhi_server::clock::system_millis(),
    )
    .await
    .unwrap();
    let pool = store.pool();

    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(pool)
        .await
        .unwrap();
    let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(pool)
        .await
        .unwrap();
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(pool)
        .await
        .unwrap();
    let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(pool)
        .await
        .unwrap();

    assert_eq!(journal, "wal");
    assert_eq!(synchronous, 2, "FULL");
    assert_eq!(foreign_keys, 1);
    assert!(busy_timeout >= 1000, "{busy_timeout} ms");
}

/// TRUNCATE passes by row triggers, so PostgreSQL's audit log has a statement trigger for it too.
#[tokio::test]
async fn the_postgresql_audit_log_refuses_even_truncate() {
    let app = spawn_app(Backend::Postgres).await;
    let Database::Postgres(pool) = Database::open(&app.folder.database_url()).await else {
        panic!("a PostgreSQL database");
    };
    let error = sqlx::query("TRUNCATE audit")
        .execute(&pool)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("append-only"), "{error}");
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM audit")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(rows > 0, "setup and login were audited");
}
