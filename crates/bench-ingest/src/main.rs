//! `sakhi-bench-ingest`: the server-ingest benchmark of `cargo xtask bench`.
//!
//! Simulated devices push realistic cases to the real sync server over loopback, and the same
//! changes are then inserted straight into SQLite as the floor. Each figure is the median of
//! several runs after a warm-up run; the figures go to stdout as a JSON array, progress to stderr.

mod baseline;
mod devices;
mod proc;
mod report;
mod serve;
mod server;
mod workload;

use anyhow::{Context, ensure};
use clap::{Parser, Subcommand};
use report::Run;
use sakhi_domain::wire::MAX_PUSH_CHANGES;
use server::{Program, Server};
use std::path::PathBuf;
use workload::Workload;

/// Measures how fast the sync server takes in pushes, against raw SQLite inserts of the same
/// changes. Prints the figures as JSON on stdout; progress goes to stderr.
#[derive(Debug, Parser)]
#[command(name = "sakhi-bench-ingest", version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// The built sync server to measure, e.g. target/server/sakhi-server [default: this binary
    /// runs the server library in a child process of its own]
    #[arg(long, value_name = "PATH")]
    server: Option<PathBuf>,
    /// Changes pushed in each run, over all devices [default: 100000; 2000 with --quick]
    #[arg(long, value_name = "N")]
    changes: Option<usize>,
    /// Changes per push [default: 100]
    #[arg(long, value_name = "N")]
    batch: Option<usize>,
    /// Devices pushing at once [default: 8; 2 with --quick]
    #[arg(long, value_name = "N")]
    devices: Option<usize>,
    /// Measured runs, after one warm-up run [default: 5; 1 and no warm-up with --quick]
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// A quick check that everything works, not a measurement worth reporting
    #[arg(long)]
    quick: bool,
    /// Folder for the temporary databases; put it on the disk the server would use
    /// [default: the system's temporary folder]
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the sync server itself, as `sakhi-server` would; the benchmark starts it this way
    /// when no --server is given.
    #[command(hide = true)]
    Serve(sakhi_server::Cli),
}

/// The benchmark's settings once defaults and `--quick` are applied.
#[derive(Debug)]
struct Plan {
    program: Program,
    changes: usize,
    batch: usize,
    devices: usize,
    runs: usize,
    warm_up: bool,
    dir: PathBuf,
}

impl Plan {
    fn new(args: Args) -> anyhow::Result<Plan> {
        let quick = args.quick;
        let plan = Plan {
            program: args.server.map_or(Program::ThisBinary, Program::Binary),
            changes: args.changes.unwrap_or(if quick { 2_000 } else { 100_000 }),
            batch: args.batch.unwrap_or(100),
            devices: args.devices.unwrap_or(if quick { 2 } else { 8 }),
            runs: args.runs.unwrap_or(if quick { 1 } else { 5 }),
            warm_up: !quick,
            dir: args.dir.unwrap_or_else(std::env::temp_dir),
        };
        ensure!(
            (1..=MAX_PUSH_CHANGES).contains(&plan.batch),
            "--batch must be from 1 to {MAX_PUSH_CHANGES}, the most one push may carry"
        );
        ensure!(plan.devices >= 1, "--devices must be at least 1");
        ensure!(
            plan.changes >= plan.devices,
            "--changes must be at least --devices, so that every device pushes"
        );
        ensure!(plan.runs >= 1, "--runs must be at least 1");
        let program = match plan.program {
            Program::Binary(path) => {
                ensure!(
                    path.is_file(),
                    "--server {} does not exist: build it with `cargo build --profile server -p sakhi-server`",
                    path.display()
                );
                // The server runs in its temporary folder, where a relative path means nothing.
                Program::Binary(std::path::absolute(&path).with_context(|| {
                    format!("Failed to make --server {} absolute", path.display())
                })?)
            }
            Program::ThisBinary => Program::ThisBinary,
        };
        Ok(Plan { program, ..plan })
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(Command::Serve(cli)) = args.command {
        return serve::run(cli);
    }
    let plan = Plan::new(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("Failed to start the async runtime")?;
    eprintln!(
        "server ingest: {} changes from {} devices in pushes of {}, {} run(s){}; server: {}",
        plan.changes,
        plan.devices,
        plan.batch,
        plan.runs,
        if plan.warm_up { " after a warm-up" } else { "" },
        plan.program.describe()
    );
    // Other work on the machine shows up in the figures; say how busy it was.
    eprintln!("load average at the start: {}", load_average());
    if plan.warm_up {
        let run = measure(&runtime, &plan).context("The warm-up run failed")?;
        eprintln!("warm-up:  {}", describe(&run));
    }
    let mut runs = Vec::with_capacity(plan.runs);
    for number in 1..=plan.runs {
        let run = measure(&runtime, &plan).with_context(|| format!("Run {number} failed"))?;
        eprintln!("run {number}/{}: {}", plan.runs, describe(&run));
        runs.push(run);
    }
    eprintln!("load average at the end: {}", load_average());
    let figures = report::figures(&runs);
    println!(
        "{}",
        serde_json::to_string_pretty(&figures).context("Failed to write the figures")?
    );
    Ok(())
}

/// One run: a fresh server and database take every push, then a fresh raw database takes the
/// same changes as rows.
fn measure(runtime: &tokio::runtime::Runtime, plan: &Plan) -> anyhow::Result<Run> {
    let workload = Workload::generate(plan.changes, plan.devices, plan.batch)?;
    let folder = tempfile::Builder::new()
        .prefix("sakhi-bench-ingest-")
        .tempdir_in(&plan.dir)
        .with_context(|| {
            format!(
                "Failed to make a temporary folder in {}",
                plan.dir.display()
            )
        })?;
    let Workload {
        devices,
        row_batches,
    } = workload;
    let (pushed, peak_kib, (server_cpu_s, devices_cpu_s)) = runtime.block_on(async {
        let server = Server::start(&plan.program, folder.path()).await?;
        // Logins (an Argon2id hash each) come before the measurement, as they would on phones.
        let ids: Vec<_> = devices.iter().map(|work| work.device).collect();
        let tokens = server.log_in(&ids).await?;
        let server_cpu = server.cpu_seconds()?;
        let devices_cpu = proc::cpu_seconds("self")?;
        let pushed = devices::push_all(&server.base_url(), devices, tokens).await;
        let cpu = (
            server.cpu_seconds()? - server_cpu,
            proc::cpu_seconds("self")? - devices_cpu,
        );
        let peak = server.peak_memory_kib();
        server.stop().await?;
        anyhow::Ok((pushed?, peak?, cpu))
    })?;
    let stored = server::stored_changes(folder.path())?;
    ensure!(
        stored == pushed.changes,
        "The server acknowledged {} changes but its database holds {stored}",
        pushed.changes
    );

    let rows: usize = row_batches.iter().map(Vec::len).sum();
    let raw = baseline::insert(folder.path(), &row_batches)?;
    Ok(Run {
        changes_per_second: pushed.changes as f64 / pushed.wall.as_secs_f64(),
        p50_ms: report::percentile_ms(&pushed.latencies, 50.0),
        p99_ms: report::percentile_ms(&pushed.latencies, 99.0),
        peak_mib: peak_kib as f64 / 1024.0,
        raw_rows_per_second: rows as f64 / raw.as_secs_f64(),
        server_cpu_s,
        devices_cpu_s,
    })
}

fn describe(run: &Run) -> String {
    format!(
        "{:.0} changes/s (push p50 {:.1} ms, p99 {:.1} ms, server peak {:.1} MiB, \
         CPU: server {:.1} s, devices {:.1} s); raw {:.0} rows/s; ratio {:.3}",
        run.changes_per_second,
        run.p50_ms,
        run.p99_ms,
        run.peak_mib,
        run.server_cpu_s,
        run.devices_cpu_s,
        run.raw_rows_per_second,
        run.changes_per_second / run.raw_rows_per_second
    )
}

/// The 1, 5 and 15 minute load averages, or a word saying they could not be read.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".to_owned(),
        |text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        },
    )
}
