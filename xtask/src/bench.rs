//! `cargo xtask bench`: Sakhi measured against a floor or a peer, side by side, in one run on one
//! machine, so every performance claim is a ratio to something measured under the same conditions.
//!
//! Each figure is the median of several timed runs after an untimed warm-up, with min and max.
//! The table goes to stdout; the same figures, with the machine and the commit, go to
//! `bench/results/<time>.json`. `--quick` runs everything once on small sizes to show the harness
//! works (`cargo xtask test` does that); its numbers are not worth reporting.

mod browser;
mod figure;
mod ingest;
mod shell;
mod store;

use crate::{build_app, cargo, run, setup, step};
use anyhow::{Context, Result, bail};
use figure::Figure;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// How big and how often: the full run, or the quick check.
pub struct Options {
    pub quick: bool,
    /// Timed runs after the warm-up (the quick run does one, without warm-up).
    pub runs: usize,
    pub listed_cases: usize,
    pub synced_cases: usize,
    /// Cases a device sends over the emulated 2G link.
    pub cases_over_2g: usize,
    /// Camera photos a counsellor keeps with a case and sends over the emulated 2G link.
    pub photos_over_2g: usize,
    /// The size of the PDF whose sealing on the phone is watched for memory, in bytes.
    pub sealed_pdf_bytes: u64,
    /// Only the benchmarks whose name contains this (`--only`), for working on one of them.
    pub only: Option<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options> {
        let quick = args.iter().any(|a| a == "--quick");
        let mut runs = if quick { 1 } else { 5 };
        let mut only = None;
        let mut rest = args.iter();
        while let Some(arg) = rest.next() {
            match arg.as_str() {
                "--quick" => {}
                "--runs" => {
                    runs = rest
                        .next()
                        .and_then(|n| n.parse().ok())
                        .filter(|&n| n > 0)
                        .context("--runs needs a number of runs, at least 1")?;
                }
                "--only" => {
                    only = Some(
                        rest.next()
                            .context("--only needs part of a benchmark's name")?
                            .clone(),
                    );
                }
                other => bail!("unknown bench flag {other:?}; see `cargo xtask help`"),
            }
        }
        Ok(Options {
            quick,
            runs,
            listed_cases: if quick { 200 } else { 10_000 },
            synced_cases: if quick { 50 } else { 1_000 },
            cases_over_2g: if quick { 20 } else { 500 },
            photos_over_2g: if quick { 3 } else { 10 },
            sealed_pdf_bytes: if quick { 2 << 20 } else { 10 << 20 },
            only,
        })
    }
}

/// `cargo xtask bench [--quick] [--runs N]`.
pub fn run_cli(args: &[String]) -> Result<()> {
    let options = Options::parse(args)?;
    bench(&options, true)
}

/// The quick run `cargo xtask test` makes: the app is already built; only finite numbers count.
pub fn quick_check() -> Result<()> {
    let options = Options::parse(&["--quick".to_owned()])?;
    bench(&options, false)
}

fn bench(options: &Options, build: bool) -> Result<()> {
    let started = Instant::now();
    let root = crate::project_root();
    setup::all(true)?;
    setup::brotli()?;
    if build {
        build_app()?;
    }
    build_pages()?;
    build_server()?;
    // The ingest benchmark is its own program; if it does not build, only its figures fail.
    let ingest_build = ingest::build().map_err(|error| format!("{error:#}"));
    let ingest_built = || ingest_build.clone().map_err(anyhow::Error::msg);
    let target = target_dir();
    let scratch = root
        .join("bench/tmp")
        .join(format!("run-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("Failed to create {}", scratch.display()))?;
    let mut machine = machine()?;
    // The machine may be shared: how busy it was says how much to trust the spread.
    machine["load_average_at_start"] = json!(load_average());

    let dist = root.join("dist");
    let floor_dist = root.join("bench/floor/dist");
    let mut figures = Vec::new();
    let mut failures = Vec::new();
    let wanted = |name: &str| {
        options
            .only
            .as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    };
    let mut measure = |name: &str, result: Result<Vec<Figure>>| match result {
        Ok(found) => figures.extend(found),
        Err(error) => {
            eprintln!("\n{name} failed: {error:#}");
            figures.push(Figure::without_numbers(
                name,
                "every figure",
                "",
                &format!("failed: {}", first_line(&format!("{error:#}"))),
            ));
            failures.push(name.to_owned());
        }
    };

    if wanted("app shell size") {
        step("Benchmark: app shell size");
        measure("app shell size", shell::run(&dist, &floor_dist));
    }
    if wanted("local store") {
        step("Benchmark: local store (wasm-bindgen-test in release, headless Chromium)");
        measure("local store", store::run(options.quick));
    }
    let browser = browser::Setup::assemble(
        &dist,
        &root.join("bench/seeder/dist"),
        &floor_dist,
        target.join("server/sakhi-server"),
        &scratch,
    )?;
    if wanted("first visit on a slow link") {
        measure(
            "first visit on a slow link",
            browser::first_visit(&browser, options),
        );
    }
    if wanted("opening offline from the home screen") {
        measure(
            "opening offline from the home screen",
            browser::offline_open(&browser, options),
        );
    }
    if wanted("case list") {
        measure("case list", browser::case_list(&browser, options));
    }
    if wanted("sync, end to end") {
        measure("sync, end to end", browser::sync(&browser, options, &root));
    }
    if wanted("files") {
        measure("files", browser::files(&browser, options));
    }
    if wanted(ingest::ON_SQLITE) {
        step("Benchmark: server ingest on SQLite (sakhi-bench-ingest)");
        measure(
            ingest::ON_SQLITE,
            ingest_built().and_then(|()| ingest::on_sqlite(&target, options.quick)),
        );
    }
    if wanted(ingest::ON_POSTGRES) {
        step("Benchmark: server ingest on PostgreSQL (sakhi-bench-ingest, a durable cluster)");
        measure(
            ingest::ON_POSTGRES,
            ingest_built().and_then(|()| ingest::on_postgres(&target, options.quick)),
        );
    }

    for figure in &figures {
        if let Err(error) = figure.check() {
            failures.push(format!("{error:#}"));
        }
    }
    machine["load_average_at_end"] = json!(load_average());
    let took = started.elapsed().as_secs();
    let table = figure::table(&figures);
    println!("\n{table}");
    println!(
        "Machine: {} cores, {:.1} GiB, load {} at the start and {} at the end; commit {}; {} timed \
         run(s) per figure{}; took {}m {:02}s.",
        machine["cores"],
        machine["memory_bytes"].as_f64().unwrap_or(0.0) / 1024f64.powi(3),
        machine["load_average_at_start"].as_str().unwrap_or("?"),
        machine["load_average_at_end"].as_str().unwrap_or("?"),
        machine["commit"].as_str().unwrap_or("?"),
        options.runs,
        if options.quick {
            " (quick: small sizes, not worth reporting)"
        } else {
            " after a warm-up"
        },
        took / 60,
        took % 60
    );
    let results = write_results(options, &machine, &figures, took)?;
    println!("Results: {}", results.display());
    std::fs::remove_dir_all(&scratch).ok();
    if !failures.is_empty() {
        bail!("some benchmarks failed: {}", failures.join("; "));
    }
    Ok(())
}

/// The floor page and the seeding page, built by Trunk with the app's release profile.
fn build_pages() -> Result<()> {
    for page in ["bench/floor", "bench/seeder"] {
        step(&format!("Building {page} (trunk build --release)"));
        run(Command::new(setup::cargo_bin("trunk"))
            .args(["build", "--release"])
            .current_dir(crate::project_root().join(page))
            .env("PATH", setup::path_with_node_tools()?))?;
    }
    Ok(())
}

/// The sync server, with the profile a deployment uses.
fn build_server() -> Result<()> {
    step("Building sakhi-server with the server profile");
    run(cargo().args(["build", "--profile", "server", "--package", "sakhi-server"]))
}

/// The same synthetic cases the Sakhi devices make, as documents for a document store.
pub fn documents(count: usize) -> Vec<Value> {
    (0..count as u64)
        .map(|n| {
            let mut document = sakhi_cases::case_document(n);
            document["_id"] = json!(uuid::Uuid::now_v7().to_string());
            document
        })
        .collect()
}

/// The machine and the code measured, so a result file says where its numbers come from.
fn machine() -> Result<Value> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib: u64 = meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemTotal:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .map(|rest| rest.trim_start_matches([' ', '\t', ':']).to_owned());
    let commit = text(Command::new("git").args(["rev-parse", "HEAD"]))?;
    let changed =
        !text(Command::new("git").args(["status", "--porcelain", "--untracked-files=no"]))?
            .is_empty();
    let chromium = text(Command::new("/usr/bin/chromium").arg("--version")).unwrap_or_default();
    Ok(json!({
        "cores": cores,
        "memory_bytes": memory_kib * 1024,
        "cpu": cpu,
        "commit": commit,
        "uncommitted_changes": changed,
        "chromium": chromium,
    }))
}

/// The 1, 5 and 15 minute load averages, as Linux reports them.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(
        text.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" "),
    )
}

fn write_results(
    options: &Options,
    machine: &Value,
    figures: &[Figure],
    took: u64,
) -> Result<PathBuf> {
    let stamp = text(Command::new("date").args(["-u", "+%Y-%m-%dT%H-%M-%S"]))?;
    // Quick runs only prove the harness works; they stay out of the results kept in the repository.
    let dir = if options.quick {
        "bench/tmp/results"
    } else {
        "bench/results"
    };
    let dir = crate::project_root().join(dir);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{stamp}.json"));
    let results = json!({
        "time": stamp,
        "quick": options.quick,
        "timed_runs": options.runs,
        "warm_up": !options.quick,
        "ready_by": "the app's first screen: its performance mark sakhi-sign-in-ready; the case \
                     list: its first page and the count of all cases on screen",
        "only": options.only,
        "seconds": took,
        "machine": machine,
        "figures": figures,
    });
    std::fs::write(&path, serde_json::to_string_pretty(&results)? + "\n")
        .with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(path)
}

fn text(command: &mut Command) -> Result<String> {
    let out = command
        .output()
        .with_context(|| format!("Failed to run {command:?}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::project_root().join("target"))
}
