//! `cargo xtask test`: every test layer of DESIGN.md in one command, as CI runs it.

use crate::{build_app, cargo, run, setup, step};
use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub fn run_all(args: &[String]) -> Result<()> {
    let lint = !args.iter().any(|a| a == "--skip-lint");
    let started = Instant::now();
    setup::all(true)?;
    let path = setup::path_with_node_tools()?;

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

    step("Unit, property and server tests (cargo test)");
    run(cargo().args(["test", "--workspace"]))?;

    step("Browser tests in headless Chromium (wasm-bindgen-test)");
    run(cargo()
        .args(wasm(&["test", "--package", "sakhi"]))
        .env("PATH", &path)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver"))?;

    build_app()?;
    end_to_end(&path)?;

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

fn wasm<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--target", "wasm32-unknown-unknown"]);
    all
}

/// Starts the real server on a free port with a fresh SQLite file and runs Playwright against it.
fn end_to_end(path: &std::ffi::OsStr) -> Result<()> {
    step("End-to-end tests (Playwright, headless Chromium at 360x740)");
    run(cargo().args(["build", "--quiet", "--package", "sakhi-server"]))?;
    let data = scratch_dir("e2e")?;
    let port = free_port()?;
    let server = Server::start(port, &data)?;
    let result = run(Command::new("node_modules/.bin/playwright")
        .args(["test", "--config", "tests/e2e/playwright.config.mjs"])
        .env("PATH", path)
        .env("SAKHI_URL", format!("http://localhost:{port}"))
        .env("SAKHI_DIST", crate::project_root().join("dist")));
    server.stop()?;
    std::fs::remove_dir_all(&data).ok();
    result
}

/// The sakhi-server under test, stopped (gracefully) when the tests end.
struct Server(Child);

impl Server {
    fn start(port: u16, data: &Path) -> Result<Server> {
        let binary = target_dir().join("debug/sakhi-server");
        let database = format!("sqlite://{}", data.join("sakhi.db").display());
        let child = Command::new(&binary)
            .args([
                "--port",
                &port.to_string(),
                "--dist",
                "dist",
                "--database",
                &database,
            ])
            .spawn()
            .with_context(|| format!("Failed to start {}", binary.display()))?;
        let server = Server(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !healthy(port) {
            if Instant::now() > deadline {
                server.stop().ok();
                bail!("sakhi-server did not answer /api/v1/health on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    fn stop(mut self) -> Result<()> {
        run(Command::new("kill").args(["-TERM", &self.0.id().to_string()]))?;
        let status = self.0.wait().context("Failed to wait for sakhi-server")?;
        if !status.success() {
            bail!("sakhi-server did not shut down cleanly on SIGTERM ({status})");
        }
        Ok(())
    }
}

fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let request = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut answer = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("Failed to find a free port")?;
    Ok(listener.local_addr()?.port())
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
