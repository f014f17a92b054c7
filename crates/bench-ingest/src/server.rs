//! The sync server under test, always in a process of its own so that its peak memory is its own:
//! the built `sakhi-server` binary when one is named, otherwise this binary's hidden `serve`
//! command, which runs the same server library the same way.

use crate::proc;
use anyhow::{Context, bail, ensure};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long a server may take to open its database and say where it serves.
const START_LIMIT: Duration = Duration::from_secs(60);
/// How long a server may take to finish after SIGTERM.
const STOP_LIMIT: Duration = Duration::from_secs(30);
/// The line `serve` prints once it is ready, before the port.
const READY_PREFIX: &str = "Sakhi is serving on http://localhost:";

/// Which program serves.
#[derive(Clone, Debug)]
pub enum Program {
    /// A built `sakhi-server`.
    Binary(PathBuf),
    /// This binary, through its hidden `serve` command.
    ThisBinary,
}

impl Program {
    pub fn describe(&self) -> String {
        match self {
            Program::Binary(path) => path.display().to_string(),
            Program::ThisBinary => {
                "the server library in a child process of this binary (no --server given)"
                    .to_owned()
            }
        }
    }

    fn command(&self) -> anyhow::Result<Command> {
        Ok(match self {
            Program::Binary(path) => Command::new(path),
            Program::ThisBinary => {
                let path = std::env::current_exe()
                    .context("Failed to find this binary to run it as the server")?;
                let mut command = Command::new(path);
                command.arg("serve");
                command
            }
        })
    }
}

/// A server running over a database in `folder`.
pub struct Server {
    child: Child,
    pid: u32,
    port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts a server over a new database in `folder` and waits until it answers.
    pub async fn start(program: &Program, folder: &Path) -> anyhow::Result<Server> {
        let database = format!("sqlite://{}", folder.join("sakhi.db").display());
        let log = folder.join("server.log");
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("Failed to create the server's log {}", log.display()))?;
        let mut command = program.command()?;
        command
            // No settings file of the caller's applies: the working folder has none.
            .current_dir(folder)
            .args([
                "--address",
                "127.0.0.1",
                "--port",
                "0",
                "--database",
                &database,
            ])
            .arg("--dist")
            .arg(folder.join("dist"))
            // The server's own default, whatever the caller's environment says: what a centre runs.
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true);
        for name in [
            "SAKHI_ADDRESS",
            "SAKHI_PORT",
            "SAKHI_DATABASE_URL",
            "SAKHI_DIST",
        ] {
            command.env_remove(name);
        }
        let mut child = command
            .spawn()
            .with_context(|| format!("Failed to start the server {}", program.describe()))?;
        let pid = child
            .id()
            .context("The server exited as soon as it started")?;
        let stdout = child
            .stdout
            .take()
            .context("The server's output is missing")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(START_LIMIT, lines.next_line())
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        let Some(line) = line else {
            bail!(
                "The server did not say where it serves within {} s; its log ends:\n{}",
                START_LIMIT.as_secs(),
                log_tail(&log)
            );
        };
        let port = line
            .strip_prefix(READY_PREFIX)
            .and_then(|port| port.trim().parse().ok())
            .with_context(|| format!("The server printed {line:?}, not where it serves"))?;
        // Keep reading, so that a later line on stdout does not meet a closed pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let server = Server {
            child,
            pid,
            port,
            log,
        };
        server.check_health().await?;
        Ok(server)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn check_health(&self) -> anyhow::Result<()> {
        let url = format!("{}/api/v1/health", self.base_url());
        let response = reqwest::get(&url)
            .await
            .with_context(|| format!("Failed to reach the server at {url}"))?;
        ensure!(
            response.status().is_success(),
            "The server's health check answered {}",
            response.status()
        );
        Ok(())
    }

    /// The server process's peak resident memory so far, in KiB.
    pub fn peak_memory_kib(&self) -> anyhow::Result<u64> {
        proc::peak_memory_kib(&self.pid.to_string())
    }

    /// The CPU time the server process has used so far, all threads, in seconds.
    pub fn cpu_seconds(&self) -> anyhow::Result<f64> {
        proc::cpu_seconds(&self.pid.to_string())
    }

    /// Stops the server as a service manager would, with SIGTERM, and waits until it has.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .await
            .context("Failed to run kill to stop the server")?;
        ensure!(sent.success(), "kill could not signal the server: {sent}");
        match tokio::time::timeout(STOP_LIMIT, self.child.wait()).await {
            Ok(status) => {
                let status = status.context("Failed to wait for the server")?;
                ensure!(
                    status.success(),
                    "The server stopped with {status}; its log ends:\n{}",
                    log_tail(&self.log)
                );
                Ok(())
            }
            Err(_) => {
                self.child.kill().await.ok();
                bail!(
                    "The server did not stop within {} s of SIGTERM",
                    STOP_LIMIT.as_secs()
                )
            }
        }
    }
}

/// How many changes the server's database in `folder` holds, read once the server has stopped:
/// an acknowledgement must mean a stored change.
pub fn stored_changes(folder: &Path) -> anyhow::Result<usize> {
    let path = folder.join("sakhi.db");
    let connection =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("Failed to open the server's database {}", path.display()))?;
    let count: i64 = connection
        .query_row("SELECT count(*) FROM changes", [], |row| row.get(0))
        .context("Failed to count the changes the server stored")?;
    usize::try_from(count).context("The server's database holds a negative count")
}

/// The last lines of the server's log, to say why it failed.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
