//! `cargo xtask test`: every test layer of DESIGN.md in one command, as CI runs it.

use crate::postgres::{self, Postgres};
use crate::servers::Server;
use crate::{build_app, cargo, run, setup, step};
use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

pub fn run_all(args: &[String]) -> Result<()> {
    // `cargo xtask test server [cargo test args]`: only the server's tests, on both backends.
    if let Some(rest) = args.strip_prefix(&["server".to_owned()]) {
        step("Server tests on SQLite and PostgreSQL (cargo test -p sakhi-server)");
        return with_postgres(
            cargo()
                .args(["test", "--package", "sakhi-server"])
                .args(rest),
        );
    }
    let lint = !args.iter().any(|a| a == "--skip-lint");
    let started = Instant::now();
    setup::all(true)?;
    let path = setup::path_with_node_tools()?;
    // `cargo xtask test e2e [playwright args]`: only the end-to-end layer, for working on it.
    if let Some(rest) = args.strip_prefix(&["e2e".to_owned()]) {
        build_app()?;
        return end_to_end(&path, rest);
    }

    if lint {
        step("Formatting (cargo fmt --check)");
        run(cargo().args(["fmt", "--all", "--", "--check"]))?;
        step("Lints, native (cargo clippy)");
        run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))?;
        step("Lints, wasm32 (cargo clippy)");
        run(cargo()
            .args(wasm(&["clippy", "--package", "sakhi", "--all-targets"]))
            .args(["--", "-D", "warnings"]))?;
    }

    step("Unit, property and server tests (cargo test; the server's on SQLite and PostgreSQL)");
    with_postgres(cargo().args(["test", "--workspace"]))?;

    step("Browser tests in headless Chromium (wasm-bindgen-test)");
    run(cargo()
        .args(wasm(&["test", "--package", "sakhi"]))
        .env("PATH", &path)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver"))?;

    build_app()?;
    end_to_end(&path, &[])?;

    // Once each on small sizes, so the benchmark harness cannot rot; no timings are asserted.
    step("Benchmarks, quick (cargo xtask bench --quick)");
    crate::bench::quick_check()?;

    let took = started.elapsed().as_secs();
    println!(
        "\nAll Sakhi tests passed in {}m {:02}s.",
        took / 60,
        took % 60
    );
    Ok(())
}

/// Runs `tests` with a PostgreSQL server for the server tests' PostgreSQL variants: the one
/// `SAKHI_TEST_POSTGRES_URL` already names, or a throwaway one started for the run and stopped
/// after it, whether the tests passed or not.
fn with_postgres(tests: &mut Command) -> Result<()> {
    if std::env::var(postgres::URL_VARIABLE).is_ok_and(|url| !url.trim().is_empty()) {
        println!(
            "Using the PostgreSQL server that {} names",
            postgres::URL_VARIABLE
        );
        return run(tests);
    }
    let server = Postgres::start()?;
    // Not `run`: its error would print the command with its environment, the password too.
    let tested = tests
        .env(postgres::URL_VARIABLE, &server.url)
        .status()
        .context("Failed to start the tests");
    let stopped = server.stop();
    let status = tested?;
    if !status.success() {
        bail!("the tests failed ({status})");
    }
    stopped
}

fn wasm<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--target", "wasm32-unknown-unknown"]);
    all
}

/// Starts the real server on a free port with a fresh SQLite file and runs Playwright against it.
fn end_to_end(path: &std::ffi::OsStr, playwright_args: &[String]) -> Result<()> {
    step("End-to-end tests (Playwright, headless Chromium at 360x740)");
    run(cargo().args(["build", "--quiet", "--package", "sakhi-server"]))?;
    let data = scratch_dir("e2e")?;
    let dist = crate::project_root().join("dist");
    let server = Server::sakhi(&target_dir().join("debug/sakhi-server"), &dist, &data)?;
    let result = run(Command::new("node_modules/.bin/playwright")
        .args(["test", "--config", "tests/e2e/playwright.config.mjs"])
        .args(playwright_args)
        .env("PATH", path)
        .env("SAKHI_URL", &server.url)
        .env("SAKHI_SETUP_CODE", &server.setup_code)
        .env("SAKHI_DIST", &dist));
    server.stop_cleanly()?;
    std::fs::remove_dir_all(&data).ok();
    result
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| "target".into())
}

fn scratch_dir(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("sakhi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    Ok(dir)
}
