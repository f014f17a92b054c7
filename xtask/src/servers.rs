//! The servers the end-to-end tests and the benchmarks talk to: sakhi-server (the app, the floor
//! page, sync) and pouchdb-server (the sync peer), each on a free port of this machine with its
//! data in a folder of its own, and stopped by their own process id when the run ends.

use anyhow::{Context, Result, bail};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A server started for the benchmarks. Dropping it stops it, so an early error leaves nothing
/// running.
pub struct Server {
    name: String,
    child: Option<Child>,
    pub url: String,
    pub port: u16,
    /// The one-time code that sets a new sakhi-server up (its first centre and administrator);
    /// empty for other servers.
    pub setup_code: String,
}

impl Server {
    /// sakhi-server serving `dist`, with a new SQLite database under `data`, not yet set up: the
    /// tests set it up over HTTP with [`Server::setup_code`], as its administrator would.
    pub fn sakhi(binary: &Path, dist: &Path, data: &Path) -> Result<Server> {
        let database = format!("sqlite://{}", data.join("sakhi.db").display());
        Server::sakhi_on(binary, dist, data, &database)
    }

    /// The same over the database `database` names (a PostgreSQL one, say), with its log under
    /// `data`.
    pub fn sakhi_on(binary: &Path, dist: &Path, data: &Path, database: &str) -> Result<Server> {
        std::fs::create_dir_all(data)
            .with_context(|| format!("Failed to create {}", data.display()))?;
        let port = free_port()?;
        let mut command = Command::new(binary);
        command
            .args(["--port", &port.to_string()])
            .arg("--dist")
            .arg(dist)
            // From the environment, so that a password in the URL is on no command line.
            .env("SAKHI_DATABASE_URL", database);
        let setup_code = format!("setup-{}", uuid::Uuid::now_v7().simple());
        // From the environment, as a deployment's automation would: never on a command line.
        command.env("SAKHI_SETUP_CODE", &setup_code);
        // Its request log would drown the benchmark's progress; it stays beside the database.
        let mut server = Server::start("sakhi-server", command, data, port, "/api/v1/health")?;
        server.setup_code = setup_code;
        Ok(server)
    }

    /// pouchdb-server (LevelDB on disk) keeping its databases, log and config under `data`.
    pub fn pouchdb(root: &Path, data: &Path) -> Result<Server> {
        std::fs::create_dir_all(data)
            .with_context(|| format!("Failed to create {}", data.display()))?;
        let port = free_port()?;
        let mut command = Command::new(root.join("node_modules/.bin/pouchdb-server"));
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--dir")
            .arg(data)
            // It writes config.json and log.txt into its working folder.
            .current_dir(data);
        Server::start("pouchdb-server", command, data, port, "/")
    }

    fn start(
        name: &str,
        mut command: Command,
        data: &Path,
        port: u16,
        health: &str,
    ) -> Result<Server> {
        let log = File::create(data.join("server.log")).context("Failed to create a server log")?;
        let child = command
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("Failed to start {name} ({command:?})"))?;
        let server = Server {
            name: name.to_owned(),
            child: Some(child),
            url: format!("http://localhost:{port}/"),
            port,
            setup_code: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while !answers(port, health) {
            if Instant::now() > deadline {
                bail!(
                    "{name} did not answer on port {port} within 60 s; see {}",
                    data.join("server.log").display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    pub fn stop(mut self) -> Result<()> {
        self.terminate().map(drop)
    }

    /// Stops sakhi-server and fails unless it shut down cleanly on SIGTERM, as it promises to.
    pub fn stop_cleanly(mut self) -> Result<()> {
        match self.terminate()? {
            Some(status) if !status.success() => {
                bail!(
                    "{} did not shut down cleanly on SIGTERM ({status})",
                    self.name
                )
            }
            _ => Ok(()),
        }
    }

    /// Sends SIGTERM and waits; the exit status, or `None` if it was stopped already.
    fn terminate(&mut self) -> Result<Option<ExitStatus>> {
        let Some(mut child) = self.child.take() else {
            return Ok(None);
        };
        // SIGTERM by this child's own id: both servers shut down cleanly on it.
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(Some(status));
            }
            if Instant::now() > deadline {
                child.kill().ok();
                child.wait().ok();
                bail!("{} did not stop within 20 s of SIGTERM", self.name);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Server {
    /// Sends a request with a JSON body (or none) and a bearer token (or none), and returns the
    /// status and the JSON answer (`null` when there is none). Enough HTTP for setting a server
    /// up, without an HTTP client among xtask's dependencies.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
        token: Option<&str>,
    ) -> Result<(u16, serde_json::Value)> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .with_context(|| format!("Failed to reach {} on port {}", self.name, self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let body = body.map(serde_json::Value::to_string).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        if let Some(token) = token {
            request.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes())?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .with_context(|| format!("Failed to read the answer to {method} {path}"))?;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|status| status.parse().ok())
            .with_context(|| format!("{method} {path} got no HTTP answer: {head:?}"))?;
        let json = if body.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(body)
                .with_context(|| format!("{method} {path} answered no JSON: {body:?}"))?
        };
        Ok((status, json))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.terminate();
    }
}

fn answers(port: u16, path: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("Failed to find a free port")?;
    Ok(listener.local_addr()?.port())
}
