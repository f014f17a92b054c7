//! `sakhi-bench-ingest`: the server-ingest benchmark of `cargo xtask bench`.
//!
//! Simulated devices push realistic cases to the real sync server over loopback, and the same
//! changes are then inserted straight into the server's database engine as the floor: SQLite, or
//! with `--postgres`, PostgreSQL. Each figure is the median of several runs after a warm-up run;
//! the figures go to stdout as a JSON array, progress to stderr.

mod baseline;
mod devices;
mod postgres;
mod proc;
mod report;
mod serve;
mod server;
mod workload;

use anyhow::{Context, ensure};
use clap::{Parser, Subcommand};
use devices::Pushed;
use report::Run;
use sakhi_domain::wire::MAX_PUSH_CHANGES;
use server::{Program, Server};
use std::path::{Path, PathBuf};
use workload::{DeviceWork, Workload};

/// Measures how fast the sync server takes in pushes, against raw inserts of the same changes
/// into the same database engine. Prints the figures as JSON on stdout; progress goes to stderr.
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
    /// Measure on PostgreSQL instead of SQLite: the URL of a role that may create databases, on
    /// a server that commits durably, e.g. postgres://postgres:secret@127.0.0.1:5432/postgres.
    /// Each run makes its databases there and drops them. Best given through the environment,
    /// which keeps the password out of the process list.
    #[arg(
        long,
        value_name = "ADMIN_URL",
        env = "SAKHI_BENCH_POSTGRES_URL",
        hide_env_values = true
    )]
    postgres: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the sync server itself, as `sakhi-server` would; the benchmark starts it this way
    /// when no --server is given.
    #[command(hide = true)]
    Serve(sakhi_server::Cli),
}

/// Where the server keeps its data, and so which floor it is measured against.
#[derive(Debug)]
enum Backend {
    /// A new SQLite file in each run's folder, as a centre's own server keeps it.
    Sqlite,
    /// A new database on this PostgreSQL server for each run. The server's peak memory and CPU
    /// time are then `sakhi-server`'s alone, not PostgreSQL's.
    Postgres(postgres::Admin),
}

impl Backend {
    /// The benchmark's name in the figures, which tells the two backends apart in the table.
    fn benchmark(&self) -> &'static str {
        match self {
            Backend::Sqlite => "server ingest on SQLite",
            Backend::Postgres(_) => "server ingest on PostgreSQL",
        }
    }

    fn baseline(&self) -> &'static str {
        match self {
            Backend::Sqlite => baseline::NAME,
            Backend::Postgres(_) => postgres::NAME,
        }
    }
}

/// The benchmark's settings once defaults and `--quick` are applied.
#[derive(Debug)]
struct Plan {
    backend: Backend,
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
            backend: args.postgres.map_or(Backend::Sqlite, |url| {
                Backend::Postgres(postgres::Admin::new(url))
            }),
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
    let database = match &plan.backend {
        Backend::Sqlite => format!("a new SQLite file in {}", plan.dir.display()),
        Backend::Postgres(admin) => format!(
            "a new database on {} ({})",
            admin.describe(),
            runtime.block_on(admin.durability())?
        ),
    };
    eprintln!(
        "{}: {} changes from {} devices in pushes of {}, {} run(s){}; server: {}; database: {database}",
        plan.backend.benchmark(),
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
    let figures = report::figures(&runs, plan.backend.benchmark(), plan.backend.baseline());
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
    let folder = folder.path();
    let Workload {
        devices,
        row_batches,
    } = workload;
    let (served, raw) = match &plan.backend {
        Backend::Sqlite => {
            let database = format!("sqlite://{}", server::sqlite_path(folder).display());
            let served = runtime.block_on(ingest(&plan.program, folder, &database, devices))?;
            check_stored(&served.pushed, server::stored_changes(folder)?)?;
            (served, baseline::insert(folder, &row_batches)?)
        }
        Backend::Postgres(admin) => runtime.block_on(async {
            let served = admin
                .with_database("server", async |database| {
                    let served = ingest(&plan.program, folder, database, devices).await?;
                    check_stored(&served.pushed, postgres::stored_changes(database).await?)?;
                    Ok(served)
                })
                .await?;
            let raw = admin
                .with_database("floor", async |database| {
                    postgres::insert(database, &row_batches).await
                })
                .await?;
            anyhow::Ok((served, raw))
        })?,
    };

    let Served {
        pushed,
        peak_kib,
        server_cpu_s,
        devices_cpu_s,
    } = served;
    let rows: usize = row_batches.iter().map(Vec::len).sum();
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

/// What a server measured taking every push.
struct Served {
    pushed: Pushed,
    peak_kib: u64,
    /// CPU time used while the devices pushed.
    server_cpu_s: f64,
    devices_cpu_s: f64,
}

/// Starts a server over the new database at `database`, logs the devices in, has them push all
/// their work, and stops the server, whether the pushes succeeded or not.
async fn ingest(
    program: &Program,
    folder: &Path,
    database: &str,
    devices: Vec<DeviceWork>,
) -> anyhow::Result<Served> {
    let server = Server::start(program, folder, database).await?;
    // Logins (an Argon2id hash each) come before the measurement, as they would on phones.
    let ids: Vec<_> = devices.iter().map(|work| work.device).collect();
    let tokens = server.log_in(&ids).await?;
    let server_cpu = server.cpu_seconds()?;
    let devices_cpu = proc::cpu_seconds("self")?;
    let pushed = devices::push_all(&server.base_url(), devices, tokens).await;
    let server_cpu_s = server.cpu_seconds()? - server_cpu;
    let devices_cpu_s = proc::cpu_seconds("self")? - devices_cpu;
    let peak = server.peak_memory_kib();
    server.stop().await?;
    Ok(Served {
        pushed: pushed?,
        peak_kib: peak?,
        server_cpu_s,
        devices_cpu_s,
    })
}

/// An acknowledgement must mean a stored change: the server's database, read once it has
/// stopped, holds every change it acknowledged and no other.
fn check_stored(pushed: &Pushed, stored: usize) -> anyhow::Result<()> {
    ensure!(
        stored == pushed.changes,
        "The server acknowledged {} changes but its database holds {stored}",
        pushed.changes
    );
    Ok(())
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
