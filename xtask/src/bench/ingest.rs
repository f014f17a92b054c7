//! Server ingest: `sakhi-bench-ingest` (crates/bench-ingest) pushes to the real sync server and
//! inserts the same rows straight into SQLite; it prints its figures in this harness's shape.

use super::figure::Figure;
use crate::{cargo, step};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};

const BENCHMARK: &str = "server ingest";

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

pub fn run(target: &Path, quick: bool) -> Result<Vec<Figure>> {
    if !present() {
        return Ok(vec![Figure::without_numbers(
            BENCHMARK,
            "changes taken in per second",
            "changes/s",
            "missing: crates/bench-ingest is not in this checkout",
        )]);
    }
    let binary = target.join("server/sakhi-bench-ingest");
    let mut command = Command::new(&binary);
    if quick {
        command.arg("--quick");
    }
    command
        .arg("--server")
        .arg(target.join("server/sakhi-server"))
        .stderr(Stdio::inherit());
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
