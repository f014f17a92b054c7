//! Server ingest: `sakhi-bench-ingest` (crates/bench-ingest) pushes to the real sync server and
//! inserts the same rows straight into the same database engine; it prints its figures in this
//! harness's shape. It runs twice: on SQLite, and on a durable throwaway PostgreSQL server that
//! this starts for it and stops after it.

use super::figure::Figure;
use crate::postgres::Postgres;
use crate::{cargo, step};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};

pub const ON_SQLITE: &str = "server ingest on SQLite";
pub const ON_POSTGRES: &str = "server ingest on PostgreSQL";

/// The variable `sakhi-bench-ingest` reads the PostgreSQL administrator's URL from: the
/// environment keeps its password out of the process list.
const POSTGRES_URL_VARIABLE: &str = "SAKHI_BENCH_POSTGRES_URL";

/// Whether the ingest benchmark exists in this checkout (it is built only then).
pub fn present() -> bool {
    Path::new("crates/bench-ingest/Cargo.toml").is_file()
}

/// Builds `sakhi-bench-ingest` with the server profile, as its README asks, when it is here.
pub fn build() -> Result<()> {
    if !present() {
        return Ok(());
    }
    step("Building sakhi-bench-ingest with the server profile");
    crate::run(cargo().args([
        "build",
        "--profile",
        "server",
        "--package",
        "sakhi-bench-ingest",
    ]))
}

/// The benchmark on SQLite, against raw SQLite inserts.
pub fn on_sqlite(target: &Path, quick: bool) -> Result<Vec<Figure>> {
    if !present() {
        return Ok(vec![missing(ON_SQLITE)]);
    }
    run(target, quick, None)
}

/// The benchmark on PostgreSQL, against raw PostgreSQL inserts, on a new cluster that commits
/// durably (fsync and synchronous commit on), stopped and removed afterwards, passed or failed.
pub fn on_postgres(target: &Path, quick: bool) -> Result<Vec<Figure>> {
    if !present() {
        return Ok(vec![missing(ON_POSTGRES)]);
    }
    let server = Postgres::start_durable()?;
    let figures = run(target, quick, Some(&server.url));
    let stopped = server.stop();
    let figures = figures?;
    stopped?;
    Ok(figures)
}

fn missing(benchmark: &str) -> Figure {
    Figure::without_numbers(
        benchmark,
        "changes taken in per second",
        "changes/s",
        "missing: crates/bench-ingest is not in this checkout",
    )
}

/// Runs the built benchmark against the built server, on PostgreSQL when an administrator's URL
/// is given.
fn run(target: &Path, quick: bool, postgres: Option<&str>) -> Result<Vec<Figure>> {
    let binary = target.join("server/sakhi-bench-ingest");
    let mut command = Command::new(&binary);
    if quick {
        command.arg("--quick");
    }
    match postgres {
        Some(url) => command.env(POSTGRES_URL_VARIABLE, url),
        None => command.env_remove(POSTGRES_URL_VARIABLE),
    };
    command
        .arg("--server")
        .arg(target.join("server/sakhi-server"))
        .stderr(Stdio::inherit());
    // The error names the binary, not the command: its environment may hold a password.
    let out = command
        .output()
        .with_context(|| format!("Failed to run {}", binary.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("sakhi-bench-ingest failed ({}):\n{stdout}", out.status);
    }
    let figures: Vec<Figure> = serde_json::from_str(stdout.trim()).with_context(|| {
        format!("sakhi-bench-ingest did not print a JSON array of figures:\n{stdout}")
    })?;
    if figures.is_empty() {
        bail!("sakhi-bench-ingest printed no figures");
    }
    Ok(figures)
}
