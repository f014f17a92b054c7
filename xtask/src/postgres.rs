//! A throwaway PostgreSQL server for the server tests, whose PostgreSQL variants make a database
//! of their own on it (`SAKHI_TEST_POSTGRES_URL`), and for the ingest benchmark. Debian's server
//! binaries, installed when missing; a new cluster in a new folder, with a random password,
//! listening on a free port of 127.0.0.1 and a unix socket in that folder; stopped and removed
//! when the tests or the benchmark end, passed or failed.
//!
//! The folder is under the system's temporary folder rather than target/: PostgreSQL refuses to
//! run as root, so as root it runs as the `postgres` user, who must reach the folder (CI's
//! target/ sits in root's home, which no one else may enter), and a unix socket's path must stay
//! under about 100 bytes.

use crate::{run, step};
use anyhow::{Context, Result, bail};
use std::fs::{File, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The variable the server tests read the administrator's URL from.
pub const URL_VARIABLE: &str = "SAKHI_TEST_POSTGRES_URL";

/// The system user PostgreSQL runs as when this runs as root (Debian's package makes it).
const SYSTEM_USER: &str = "postgres";

/// Folders of earlier runs start with this, followed by their process id.
const FOLDER_PREFIX: &str = "sakhi-postgres-";

/// Whether the cluster keeps what it commits if the machine stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Durability {
    /// For tests: nothing needs to survive a crash of this machine, and nothing replicates it.
    /// Each test makes a database, which this makes about twice as quick.
    Throwaway,
    /// For benchmarks: a commit waits for its WAL record to reach the disk, with the full-page
    /// writes and WAL level a deployment keeps, so that Sakhi and its floor pay what they would
    /// pay in production.
    Durable,
}

impl Durability {
    fn settings(self) -> &'static [&'static str] {
        match self {
            Durability::Throwaway => &[
                "fsync=off",
                "full_page_writes=off",
                "wal_level=minimal",
                "max_wal_senders=0",
            ],
            // PostgreSQL's defaults, named so that nothing in a configuration file changes them.
            Durability::Durable => &[
                "fsync=on",
                "synchronous_commit=on",
                "full_page_writes=on",
                "wal_level=replica",
            ],
        }
    }
}

/// A running throwaway server. Dropping it stops it and removes its folder.
pub struct Postgres {
    child: Option<Child>,
    folder: PathBuf,
    /// The superuser's URL, for the tests to create their databases with.
    pub url: String,
}

impl Postgres {
    /// Installs PostgreSQL if its server binaries are missing, makes a cluster and starts it,
    /// with durability off: for tests.
    pub fn start() -> Result<Postgres> {
        Postgres::start_with(Durability::Throwaway)
    }

    /// The same, with every commit durable, as a deployment runs it: for benchmarks, whose
    /// figures would otherwise flatter both Sakhi and its floor.
    pub fn start_durable() -> Result<Postgres> {
        Postgres::start_with(Durability::Durable)
    }

    fn start_with(durability: Durability) -> Result<Postgres> {
        let bin = match binaries() {
            Some(bin) => bin,
            None => {
                install()?;
                binaries().context(
                    "PostgreSQL's server binaries are still missing after installing the \
                     postgresql package: looked in /usr/lib/postgresql/*/bin and on PATH",
                )?
            }
        };
        let started = Instant::now();
        remove_stale_folders();
        let folder = std::env::temp_dir().join(format!("{FOLDER_PREFIX}{}", std::process::id()));
        if folder.exists() {
            std::fs::remove_dir_all(&folder)
                .with_context(|| format!("Failed to remove {}", folder.display()))?;
        }
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("Failed to create {}", folder.display()))?;
        let as_root = is_root()?;
        let password = uuid::Uuid::now_v7().simple().to_string();
        let password_file = folder.join("password");
        std::fs::write(&password_file, &password).context("Failed to write the password file")?;
        std::fs::set_permissions(&password_file, Permissions::from_mode(0o600))
            .context("Failed to make the password file private")?;
        if as_root {
            run(Command::new("chown")
                .arg("-R")
                .arg(format!("{SYSTEM_USER}:{SYSTEM_USER}"))
                .arg(&folder))?;
        }
        let data = folder.join("data");
        let initdb_log = log(&folder, "initdb.log")?;
        let initdb = run_as(as_root, &bin.join("initdb"))
            .arg("--pgdata")
            .arg(&data)
            .args(["--username", "postgres", "--auth", "scram-sha-256"])
            .arg(format!("--pwfile={}", password_file.display()))
            .args(["--encoding", "UTF8", "--locale", "C", "--no-sync"])
            .current_dir(&folder)
            .stdout(initdb_log.try_clone()?)
            .stderr(initdb_log)
            .status()
            .context("Failed to start initdb")?;
        std::fs::remove_file(&password_file).ok();
        if !initdb.success() {
            bail!(
                "initdb failed ({initdb}); see {}",
                folder.join("initdb.log").display()
            );
        }
        let port = crate::servers::free_port()?;
        let server_log = log(&folder, "server.log")?;
        // postgres itself, not pg_ctl, is the child: pg_ctl would detach it into a session of its
        // own, and a Ctrl-C of the test run would then leave it running.
        let mut postgres = run_as(as_root, &bin.join("postgres"));
        postgres
            .arg("-D")
            .arg(&data)
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", &format!("port={port}")])
            .arg("-c")
            .arg(format!("unix_socket_directories={}", folder.display()))
            // Two servers per test at most, each with its pool, and two tests at a time.
            .args(["-c", "max_connections=200"]);
        for setting in durability.settings() {
            postgres.args(["-c", setting]);
        }
        let child = postgres
            .current_dir(&folder)
            .stdin(Stdio::null())
            .stdout(server_log.try_clone()?)
            .stderr(server_log)
            .spawn()
            .context("Failed to start postgres")?;
        let mut server = Postgres {
            child: Some(child),
            folder,
            url: format!("postgres://postgres:{password}@127.0.0.1:{port}/postgres"),
        };
        server.wait_until_ready(&bin, port)?;
        println!(
            "PostgreSQL ({}) ready on 127.0.0.1:{port} in {:.1} s ({})",
            bin.display(),
            started.elapsed().as_secs_f64(),
            durability.settings().join(", ")
        );
        Ok(server)
    }

    fn wait_until_ready(&mut self, bin: &Path, port: u16) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = Command::new(bin.join("pg_isready"))
                .args([
                    "--quiet",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                ])
                .status()
                .context("Failed to start pg_isready")?;
            if ready.success() {
                return Ok(());
            }
            let exited = match self.child.as_mut() {
                Some(child) => child.try_wait()?,
                None => None,
            };
            if let Some(status) = exited {
                bail!(
                    "postgres stopped at start ({status}); see {}",
                    self.folder.join("server.log").display()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "postgres did not accept connections within 60 s; see {}",
                    self.folder.join("server.log").display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (a fast shutdown: it ends its connections) and removes its folder.
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        // SIGINT by this child's own id is PostgreSQL's fast shutdown.
        let _ = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait()?.is_none() {
            if Instant::now() > deadline {
                child.kill().ok();
                child.wait().ok();
                bail!("postgres did not stop within 30 s of SIGINT");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::remove_dir_all(&self.folder)
            .with_context(|| format!("Failed to remove {}", self.folder.display()))
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Err(error) = self.shut_down() {
            eprintln!("Failed to stop the throwaway PostgreSQL server: {error:#}");
        }
    }
}

/// The folder holding `initdb`, `postgres` and `pg_isready`: Debian's newest version, or else
/// wherever PATH finds them (a link there is followed to its folder).
fn binaries() -> Option<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| complete(bin))
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    debian.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path)
            .map(|folder| folder.join("postgres"))
            .filter(|postgres| postgres.is_file())
            .filter_map(|postgres| std::fs::canonicalize(postgres).ok())
            .filter_map(|postgres| postgres.parent().map(Path::to_owned))
            .find(|bin| complete(bin))
    })
}

fn complete(bin: &Path) -> bool {
    ["initdb", "postgres", "pg_isready"]
        .iter()
        .all(|name| bin.join(name).is_file())
}

/// Debian's `postgresql` package: the server, its tools and the `postgres` user.
fn install() -> Result<()> {
    step(
        "Installing PostgreSQL from Debian's packages (for the server's PostgreSQL tests and \
          the ingest benchmark)",
    );
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "postgresql"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

fn log(folder: &Path, name: &str) -> Result<File> {
    File::create(folder.join(name)).with_context(|| format!("Failed to create {name}"))
}

fn is_root() -> Result<bool> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("Failed to run id -u")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// `program`, run as the `postgres` user when this runs as root (initdb and postgres refuse root).
/// setpriv replaces itself with the program, so the child's id is the program's own.
fn run_as(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("setpriv");
        command
            .args([
                "--reuid",
                SYSTEM_USER,
                "--regid",
                SYSTEM_USER,
                "--init-groups",
                "--",
            ])
            .arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Removes the folders of earlier runs whose server is no longer running (one stopped by a
/// Ctrl-C of the tests shuts down but leaves its folder behind). A folder younger than an hour
/// is left alone: another run may be making its cluster in it.
fn remove_stale_folders() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let hour = Duration::from_secs(3600);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let old = entry
            .metadata()
            .and_then(|metadata| metadata.modified())
            .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age > hour));
        let stale = name
            .to_str()
            .is_some_and(|name| name.starts_with(FOLDER_PREFIX))
            && old
            && !entry.path().join("data/postmaster.pid").exists();
        if stale {
            std::fs::remove_dir_all(entry.path()).ok();
        }
    }
}
