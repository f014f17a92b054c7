//! `sakhi-server backup` and `restore`: a copy taken from a live server, put back with a new
//! epoch, every session ended, and the replaced database kept.

use crate::helpers::{Backend, Folder, now, spawn_app_in, unnumbered};
use reqwest::StatusCode;
use sakhi_domain::wire::Cursor;
use sakhi_domain::{Clock, DeviceId, Kind, Record, RecordId};
use sakhi_server::backup::{self, BackupError};
use serde_json::json;
use std::process::Command;

#[tokio::test]
async fn a_backup_of_a_live_server_comes_back_with_a_new_epoch_and_every_session_ended() {
    let folder = Folder::new(Backend::Sqlite).await;
    let app = spawn_app_in(folder.clone()).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut before = Record::new(RecordId::new(), Kind::Case);
    let change = before.edit(&mut phone, now(), "name", json!("सीता देवी"));
    let first = app.push(phone.device(), &[change]).await;

    // Taken while the server runs.
    let copy = folder.path().join("copy.db");
    backup::backup(&folder.database_url(), &copy)
        .await
        .expect("a backup of the live database");
    let mut after = Record::new(RecordId::new(), Kind::Case);
    let change = after.edit(&mut phone, now(), "name", json!("Radha"));
    app.push(phone.device(), &[change]).await;

    // Not under a running server.
    let refused = backup::restore(&folder.database_url(), &copy, now()).await;
    assert!(matches!(refused, Err(BackupError::InUse(_))), "{refused:?}");
    let token = app.token.clone().unwrap();
    app.stop().await;

    let restored = backup::restore(&folder.database_url(), &copy, now())
        .await
        .expect("a restore of a stopped server");
    assert_ne!(restored.epoch, first.epoch);
    let kept = restored.kept.expect("the replaced database is kept");
    assert!(kept.exists(), "{}", kept.display());

    let mut app = spawn_app_in(folder.clone()).await;
    let page = app.pull(Cursor(0), 10).await;
    assert_eq!(page.epoch, restored.epoch);
    assert_eq!(
        unnumbered(page.records),
        [before],
        "the backup's records, and only them"
    );

    // A session from before is over, even one that was valid when the backup was taken.
    app.token = Some(token);
    let response = app.get("/api/v1/session").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file_and_a_restore_refuses_what_is_not_a_sakhi_database() {
    let folder = Folder::new(Backend::Sqlite).await;
    let app = spawn_app_in(folder.clone()).await;
    let url = folder.database_url();

    let taken = folder.path().join("taken.db");
    std::fs::write(&taken, b"an earlier backup").unwrap();
    let refused = backup::backup(&url, &taken).await;
    assert!(
        matches!(refused, Err(BackupError::Exists(_))),
        "{refused:?}"
    );
    assert_eq!(std::fs::read(&taken).unwrap(), b"an earlier backup");
    app.stop().await;

    let refused = backup::restore(&url, &taken, now()).await;
    assert!(
        matches!(refused, Err(BackupError::NotABackup { .. })),
        "{refused:?}"
    );
    let missing = backup::restore(&url, &folder.path().join("missing.db"), now()).await;
    assert!(
        matches!(missing, Err(BackupError::NoDatabase(_))),
        "{missing:?}"
    );
    // Left where it was, and nothing put aside. (Its bytes may still change: a stopped pool's
    // last connection can checkpoint a moment later.)
    let file = folder.sqlite_file();
    assert!(file.exists());
    let beside: Vec<_> = std::fs::read_dir(file.parent().unwrap())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("before-restore") || name.contains("restoring"))
        .collect();
    assert!(beside.is_empty(), "{beside:?}");

    let postgres = backup::backup("postgres://sakhi:secret@db/sakhi", &taken).await;
    let message = postgres.unwrap_err().to_string();
    assert!(message.contains("pg_dump"), "{message}");
    assert!(!message.contains("secret"), "{message}");
}

#[tokio::test]
async fn the_binary_backs_up_and_restores_from_the_command_line() {
    let folder = Folder::new(Backend::Sqlite).await;
    let app = spawn_app_in(folder.clone()).await;
    let copy = folder.path().join("nightly.db");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sakhi-server"))
            .env_remove("SAKHI_DATABASE_URL")
            .current_dir(folder.path())
            .args(["--database", &folder.database_url()])
            .args(args)
            .output()
            .expect("sakhi-server runs")
    };

    let output = run(&["backup", copy.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("Backed up to"), "{said}");

    let output = run(&["restore", copy.to_str().unwrap()]);
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("stop it first"), "{said}");

    app.stop().await;
    let output = run(&["restore", copy.to_str().unwrap()]);
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("new epoch"), "{said}");
}

on_each_backend!(a_database_restored_by_other_means_gets_a_new_epoch_and_every_session_ends);
async fn a_database_restored_by_other_means_gets_a_new_epoch_and_every_session_ends(
    backend: Backend,
) {
    let folder = Folder::new(backend).await;
    let app = spawn_app_in(folder.clone()).await;
    let mut phone = Clock::new(DeviceId::new());
    let mut case = Record::new(RecordId::new(), Kind::Case);
    let change = case.edit(&mut phone, now(), "name", json!("सीता देवी"));
    let before = app.push(phone.device(), &[change]).await;
    let token = app.token.clone().unwrap();
    app.stop().await;

    let epoch = backup::renew_epoch(&folder.database_url(), now())
        .await
        .expect("a new epoch");
    assert_ne!(epoch, before.epoch);

    let mut app = spawn_app_in(folder.clone()).await;
    let page = app.pull(Cursor(0), 10).await;
    assert_eq!(page.epoch, epoch);
    assert_eq!(unnumbered(page.records), [case]);
    app.token = Some(token);
    assert_eq!(
        app.get("/api/v1/session").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
