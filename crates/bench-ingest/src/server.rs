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
/// The benchmark's centre administrator; every simulated device logs in as her.
const ADMIN: &str = "bench.admin";
const ADMIN_PASSWORD: &str = "bench ingest password";

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
    /// The one-time code the server was started with, to set it up.
    setup_code: String,
}

impl Server {
    /// Starts a server over the new database at `database` (a `sqlite:` or `postgres:` URL), with
    /// `folder` as its working folder, and waits until it answers.
    pub async fn start(program: &Program, folder: &Path, database: &str) -> anyhow::Result<Server> {
        let log = folder.join("server.log");
        // Preset, so that the server prints no setup link and the benchmark can set it up.
        let setup_code = format!("bench-{}", sakhi_domain::DeviceId::new());
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("Failed to create the server's log {}", log.display()))?;
        let mut command = program.command()?;
        command
            // No settings file of the caller's applies: the working folder has none.
            .current_dir(folder)
            .args(["--address", "127.0.0.1", "--port", "0"])
            // Through the environment, not the command line, where anyone could read a
            // PostgreSQL URL's password in the process list.
            .env("SAKHI_DATABASE_URL", database)
            .arg("--dist")
            .arg(folder.join("dist"))
            .args(["--setup-code", &setup_code])
            // The server's own default, whatever the caller's environment says: what a centre runs.
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .kill_on_drop(true);
        for name in [
            "SAKHI_ADDRESS",
            "SAKHI_PORT",
            "SAKHI_DIST",
            "SAKHI_SETUP_CODE",
            "SAKHI_PUBLIC_URL",
            "SAKHI_SESSION_IDLE_SECONDS",
            "SAKHI_SESSION_MAX_SECONDS",
            "SAKHI_TRUST_FORWARDED_FOR",
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
            setup_code,
        };
        server.check_health().await?;
        server.set_up().await?;
        Ok(server)
    }

    /// Sets up the benchmark's centre and its administrator with the preset code.
    async fn set_up(&self) -> anyhow::Result<()> {
        let body = serde_json::json!({
            "code": self.setup_code,
            "centre": {"code": "BENCH", "name": "Benchmark centre", "district": "Bench",
                       "state": "Bench"},
            "admin": {"username": ADMIN, "display_name": "Benchmark", "password": ADMIN_PASSWORD},
        });
        let url = format!("{}/api/v1/setup", self.base_url());
        let response = reqwest::Client::new()
            .post(&url)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("Failed to set up the server at {url}"))?;
        ensure!(
            response.status().is_success(),
            "Setting up the server was answered {}: {}",
            response.status(),
            response.text().await.unwrap_or_default()
        );
        Ok(())
    }

    /// Logs each device in, as a phone does before it syncs, and returns their tokens in order.
    pub async fn log_in(&self, devices: &[sakhi_domain::DeviceId]) -> anyhow::Result<Vec<String>> {
        let url = format!("{}/api/v1/session", self.base_url());
        let client = reqwest::Client::new();
        let mut tokens = Vec::with_capacity(devices.len());
        for device in devices {
            let request = sakhi_domain::wire::account::LoginRequest {
                username: ADMIN.to_owned(),
                password: ADMIN_PASSWORD.to_owned(),
                device: *device,
            };
            let response = client
                .post(&url)
                .json(&request)
                .send()
                .await
                .context("Failed to log a device in")?;
            ensure!(
                response.status().is_success(),
                "A device's login was answered {}",
                response.status()
            );
            let session: sakhi_domain::wire::account::Session = response
                .json()
                .await
                .context("The answer to a login is not a session")?;
            tokens.push(session.token);
        }
        Ok(tokens)
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

/// The server's SQLite database in `folder`.
pub fn sqlite_path(folder: &Path) -> PathBuf {
    folder.join("sakhi.db")
}

/// How many changes the server's SQLite database in `folder` holds, read once the server has
/// stopped: an acknowledgement must mean a stored change.
pub fn stored_changes(folder: &Path) -> anyhow::Result<usize> {
    let path = sqlite_path(folder);
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
