//! The `sakhi-server` binary itself: flags, the line it prints, clear errors, clean shutdown.

use crate::helpers::Folder;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sakhi-server"));
    for name in [
        "SAKHI_ADDRESS",
        "SAKHI_PORT",
        "SAKHI_DATABASE_URL",
        "SAKHI_DIST",
    ] {
        command.env_remove(name);
    }
    command.kill_on_drop(true);
    command
}

#[tokio::test]
async fn the_binary_prints_the_port_it_serves_on_and_stops_cleanly_on_sigterm() {
    let folder = Folder::new();
    let mut child = server()
        .current_dir(folder.path())
        .args([
            "--port",
            "0",
            "--database",
            &folder.database_url(),
            "--dist",
        ])
        .arg(folder.dist())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Failed to start sakhi-server");

    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("the server says where it serves in time")
        .unwrap()
        .expect("a line on stdout");
    let port: u16 = line
        .strip_prefix("Sakhi is serving on http://localhost:")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .parse()
        .expect("the real port");
    assert_ne!(port, 0);

    let health = reqwest::get(format!("http://127.0.0.1:{port}/api/v1/health"))
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let pid = child.id().unwrap().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("the server stops in time")
        .unwrap();
    assert!(status.success(), "{status}");
}

#[tokio::test]
async fn a_bad_settings_file_stops_the_binary_with_a_clear_message_not_a_panic() {
    let folder = Folder::new();
    let settings = folder.path().join("sakhi.toml");
    std::fs::write(&settings, "prot = 8080\n").unwrap();

    let output = server()
        .current_dir(folder.path())
        .args(["--port", "0"])
        .output()
        .await
        .unwrap();

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Failed to load the settings"), "{stderr}");
    assert!(stderr.contains("sakhi.toml"), "{stderr}");
    assert!(stderr.contains("prot"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test]
async fn the_binary_backs_up_the_database_and_restores_it_under_a_new_epoch() {
    let folder = Folder::new();
    let app = crate::helpers::spawn_app_in(folder.clone()).await;
    let epoch = app.pull(sakhi_domain::wire::Cursor(0), 1).await.epoch;
    let backup = folder.path().join("backup.db");
    let database = folder.database_url();

    let backed_up = server()
        .current_dir(folder.path())
        .args(["--database", &database, "backup"])
        .arg(&backup)
        .output()
        .await
        .unwrap();
    assert!(backed_up.status.success(), "{backed_up:?}");
    assert!(String::from_utf8_lossy(&backed_up.stdout).contains("sakhi-server restore"));
    app.stop().await;
    // Into a folder of its own, for the reason given in durability.rs.
    let target = Folder::new();
    let restored = server()
        .current_dir(target.path())
        .args(["--database", &target.database_url(), "restore"])
        .arg(&backup)
        .output()
        .await
        .unwrap();

    assert!(restored.status.success(), "{restored:?}");
    let said = String::from_utf8_lossy(&restored.stdout).into_owned();
    let app = crate::helpers::spawn_app_in(target).await;
    let now = app.pull(sakhi_domain::wire::Cursor(0), 1).await.epoch;
    assert_ne!(now, epoch);
    assert!(said.contains(&now.to_string()), "{said}");
}
