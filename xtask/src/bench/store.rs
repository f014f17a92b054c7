//! The local-store benchmark: `tests/bench_store.rs`, built in release and run in headless
//! Chromium by wasm-bindgen-test, times Sakhi's own store against raw JavaScript IndexedDB in the
//! same page; this reads the samples it prints.

use super::figure::{self, Figure};
use crate::{cargo, setup};
use anyhow::{Context, Result, bail};

const BENCHMARK: &str = "local store";
const BASELINE: &str = "raw JavaScript IndexedDB, same page";

pub fn run(quick: bool) -> Result<Vec<Figure>> {
    let test = if quick { "store_quick" } else { "store_full" };
    let out = cargo()
        .args(["test", "--release", "--package", "sakhi"])
        .args([
            "--target",
            "wasm32-unknown-unknown",
            "--test",
            "bench_store",
        ])
        .args(["--", "--include-ignored", "--nocapture", test])
        .env("PATH", setup::path_with_node_tools()?)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        // The runner's default limit (20 s) is for tests; 10,000 cases take longer.
        .env("WASM_BINDGEN_TEST_TIMEOUT", "3600")
        .stderr(std::process::Stdio::inherit())
        .output()
        .context("Failed to run the store benchmark (cargo test --test bench_store)")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!("the store benchmark failed:\n{stdout}");
    }
    let figures = figure::parse(&stdout, BENCHMARK, BASELINE)?;
    if figures.is_empty() {
        bail!("the store benchmark printed no figures:\n{stdout}");
    }
    Ok(figures)
}
