//! `cargo xtask …`: sets up what Sakhi needs on this machine, builds it, serves it and tests it.
//!
//! Every step first checks whether its tool is already there, so a second run is quick.

mod bench;
mod postgres;
mod servers;
mod setup;
mod test;

use anyhow::{Context, Result, bail};
use std::path::PathBuf;
use std::process::Command;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  serve [SERVER FLAGS…]  set up what is missing, build the app in release and serve it with an
                         embedded SQLite database on http://localhost:8080 (flags such as
                         --port 9000 or --database sqlite://other.db go to sakhi-server)
  test [--skip-lint]     set up what is missing and run every test: lints, unit, property, server,
                         browser and end-to-end tests (the server's on SQLite and on a throwaway
                         PostgreSQL server, installed from Debian's packages when missing)
  test server [ARGS]     only the server's tests, on both backends; ARGS go to cargo test (e.g. a
                         test name, or `postgres` for the PostgreSQL variants only)
  test e2e [ARGS]        only the end-to-end tests; ARGS go to Playwright (e.g. a spec file)
  test schemathesis      only Schemathesis against the API's OpenAPI document, on a real server
                         on SQLite and on a throwaway PostgreSQL (about two minutes)
  bench [--quick] [--runs N] [--only NAME]
                         build the app and measure it against a floor or a peer in one run:
                         shell size, first visit on a slow link, offline open, local store, case
                         list, sync against PouchDB, files (photos over 2G, memory sealing a
                         PDF), server ingest on SQLite and on PostgreSQL (a durable throwaway
                         cluster); prints a table and writes
                         bench/results/<time>.json (--quick: once each, small sizes, a check;
                         --only: just the benchmarks whose name contains NAME)
  setup [--browser]      only install what is missing (--browser also installs Chromium)
  build                  only build the app in release into dist/";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    let root = project_root();
    std::env::set_current_dir(&root).context("Failed to enter the project folder")?;
    match command.as_str() {
        "serve" => serve(rest),
        "test" => test::run_all(rest),
        "bench" => bench::run_cli(rest),
        "setup" => setup::all(rest.iter().any(|a| a == "--browser")),
        "build" => {
            setup::all(false)?;
            build_app()
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

fn serve(server_flags: &[String]) -> Result<()> {
    setup::all(false)?;
    build_app()?;
    step("Starting sakhi-server (stop it with Ctrl-C)");
    let mut command = cargo();
    command.args([
        "run",
        "--quiet",
        "--profile",
        "server",
        "--package",
        "sakhi-server",
        "--",
    ]);
    command.args(["--dist", "dist"]).args(server_flags);
    run(&mut command)
}

/// Builds the PWA in release into `dist/` with Trunk, offline, with the project's own wasm-opt.
pub fn build_app() -> Result<()> {
    step("Building the app (trunk build --release)");
    let mut trunk = Command::new(setup::cargo_bin("trunk"));
    trunk
        .args(["build", "--release"])
        .env("PATH", setup::path_with_node_tools()?);
    run(&mut trunk)
}

pub fn project_root() -> PathBuf {
    // `cargo xtask` sets the manifest folder as it runs the binary. Read it then, not only when the
    // binary was built: checkouts that share one target folder (CI's clone and a working tree) can
    // end up running a binary built from the other checkout, which must still work on this one.
    let xtask = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    xtask
        .parent()
        .expect("xtask lives in the project")
        .to_owned()
}

pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Runs a command to its end, failing with its command line if it fails.
pub fn run(command: &mut Command) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("Failed to start {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}

/// Says what is happening, so a long setup on a fresh machine is never silent.
pub fn step(what: &str) {
    println!("\n==> {what}");
}
