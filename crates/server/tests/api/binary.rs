//! The `sakhi-server` binary itself: flags, the line it prints, clear errors, clean shutdown.

use crate::helpers::{Backend, Folder};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

/// The binary serving `folder`'s database and app on a free port, saying where on stdout.
pub fn serving(folder: &Folder) -> Command {
    let mut command = server();
    command
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
        .stderr(Stdio::null());
    command
}

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

on_each_backend!(the_binary_prints_the_port_it_serves_on_and_stops_cleanly_on_sigterm);
async fn the_binary_prints_the_port_it_serves_on_and_stops_cleanly_on_sigterm(backend: Backend) {
    let folder = Folder::new(backend).await;
    let mut child = serving(&folder)
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

/// Once: the binary stops before it opens any database.
#[tokio::test]
async fn a_bad_settings_file_stops_the_binary_with_a_clear_message_not_a_panic() {
    let folder = Folder::new(Backend::Sqlite).await;
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
