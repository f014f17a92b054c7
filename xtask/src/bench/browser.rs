//! The benchmarks that drive headless Chromium (`bench/browser/*.mjs`, through Playwright): first
//! visit on a slow link, opening offline, the case list, sync against PouchDB, and files (photos
//! sent over 2G, the phone's memory while it seals a large PDF). This side assembles what they
//! load, starts their servers and reads back their samples.

use super::Options;
use super::figure::{self, Figure, Stats};
use super::shell::compressed;
use crate::servers::Server;
use crate::{run, setup, step};
use anyhow::{Context, Result};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The emulated 2G link for the sync floor and the files benchmark: a good EDGE connection.
const TWO_G_BITS_PER_SECOND: f64 = 250_000.0;

/// Everything the browser benchmarks need, under one scratch folder.
pub struct Setup {
    /// The app's `dist/` with the seeding page at `/bench-seed/` (and, once written, the static
    /// first screen at `/bench-static/`).
    pub site: PathBuf,
    pub floor_dist: PathBuf,
    pub server_binary: PathBuf,
    pub scratch: PathBuf,
}

impl Setup {
    /// Copies the app's build and the seeding page into one folder that sakhi-server can serve.
    pub fn assemble(
        dist: &Path,
        seeder_dist: &Path,
        floor_dist: &Path,
        server_binary: PathBuf,
        scratch: &Path,
    ) -> Result<Setup> {
        let site = scratch.join("site");
        copy_dir(dist, &site)?;
        copy_dir(seeder_dist, &site.join("bench-seed"))?;
        Ok(Setup {
            site,
            floor_dist: floor_dist.to_owned(),
            server_binary,
            scratch: scratch.to_owned(),
        })
    }

    fn sakhi_server(&self, dist: &Path, name: &str) -> Result<Server> {
        Server::sakhi(&self.server_binary, dist, &self.scratch.join(name))
    }
}

pub fn first_visit(setup: &Setup, options: &Options) -> Result<Vec<Figure>> {
    against_app(setup, options, "first-visit", json!({ "site": setup.site }))
}

pub fn offline_open(setup: &Setup, options: &Options) -> Result<Vec<Figure>> {
    let floor = setup.sakhi_server(&setup.floor_dist, "offline-floor")?;
    let figures = against_app(
        setup,
        options,
        "offline-open",
        json!({ "floor": floor.url }),
    );
    floor.stop()?;
    figures
}

pub fn case_list(setup: &Setup, options: &Options) -> Result<Vec<Figure>> {
    let config = json!({ "cases": options.listed_cases });
    against_app(setup, options, "case-list", config)
}

/// Files kept with a case: camera photos added offline and sent over the emulated 2G link, the
/// bytes on the wire for them against their own; and the page's memory while a large PDF is
/// sealed, against the PDF's size.
pub fn files(setup: &Setup, options: &Options) -> Result<Vec<Figure>> {
    let config = json!({
        "photos": options.photos_over_2g,
        "pdf_bytes": options.sealed_pdf_bytes,
        "two_g_bits_per_second": TWO_G_BITS_PER_SECOND,
    });
    against_app(setup, options, "files", config)
}

/// Runs `benchmark` against a new sakhi-server serving the app, with `config` and the server's
/// address (`app`), its setup code, and the run counts.
fn against_app(
    setup: &Setup,
    options: &Options,
    benchmark: &str,
    mut config: Value,
) -> Result<Vec<Figure>> {
    let server = setup.sakhi_server(&setup.site, benchmark)?;
    config["app"] = json!(server.url);
    config["setup_code"] = json!(server.setup_code);
    config["runs"] = json!(options.runs);
    config["quick"] = json!(options.quick);
    let figures = node(benchmark, &config)?;
    server.stop()?;
    Ok(figures)
}

/// Sync against PouchDB, plus the floor: the same cases as compact JSON, brotli-compressed, at 2G.
pub fn sync(setup: &Setup, options: &Options, root: &Path) -> Result<Vec<Figure>> {
    let cases = options.synced_cases;
    let documents = setup.scratch.join(format!("cases-{cases}.json"));
    let text = serde_json::to_string(&super::documents(cases))?;
    std::fs::write(&documents, &text).context("Failed to write the sync documents")?;
    let floor_bytes = compressed(
        Command::new("brotli")
            .args(["-q", "11", "-c"])
            .arg(&documents),
    )?;

    // A fresh sync server (empty database) for every run, the warm-up included, as PouchDB gets a
    // fresh database on its server for every run.
    let runs = if options.quick { 1 } else { options.runs + 1 };
    let servers = (0..runs)
        .map(|run| setup.sakhi_server(&setup.site, &format!("sync-{run}")))
        .collect::<Result<Vec<_>>>()?;
    let servers_2g = (0..runs)
        .map(|run| setup.sakhi_server(&setup.site, &format!("sync-2g-{run}")))
        .collect::<Result<Vec<_>>>()?;
    let pouch = Server::pouchdb(root, &setup.scratch.join("pouchdb"))?;
    let config = json!({
        "sakhi_servers": servers
            .iter()
            .map(|s| json!({ "url": s.url, "setup_code": s.setup_code }))
            .collect::<Vec<_>>(),
        "sakhi_servers_2g": servers_2g
            .iter()
            .map(|s| json!({ "url": s.url, "setup_code": s.setup_code }))
            .collect::<Vec<_>>(),
        "pouch": pouch.url,
        "documents": documents,
        "cases": cases,
        "cases_2g": options.cases_over_2g,
        "two_g_bits_per_second": TWO_G_BITS_PER_SECOND,
        "runs": options.runs,
        "quick": options.quick,
    });
    let mut figures = node("sync", &config)?;
    for server in servers.into_iter().chain(servers_2g) {
        server.stop()?;
    }
    pouch.stop()?;

    let wire = figures
        .iter()
        .find(|f| f.unit == "bytes")
        .and_then(|f| f.sakhi)
        .context("the sync benchmark reported no bytes on the wire")?;
    let at_2g = |bytes: f64| bytes * 8.0 / TWO_G_BITS_PER_SECOND * 1000.0;
    figures.push(Figure::new(
        "sync, end to end",
        &format!("{cases} cases over 2G (250 kbit/s): bytes on the wire / bandwidth"),
        "ms",
        Some(Stats {
            median: at_2g(wire.median),
            min: at_2g(wire.min),
            max: at_2g(wire.max),
        }),
        Some((
            "floor: the cases as JSON, brotli -11",
            Stats::exact(at_2g(floor_bytes as f64)),
        )),
    ));
    Ok(figures)
}

/// Runs one browser benchmark and reads its figures; its progress shows as it goes.
fn node(benchmark: &str, config: &Value) -> Result<Vec<Figure>> {
    step(&format!("Benchmark: {benchmark} (headless Chromium)"));
    let out = Command::new("node")
        .arg("bench/browser/run.mjs")
        .arg(benchmark)
        .arg(config.to_string())
        .env("PATH", setup::path_with_node_tools()?)
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("Failed to run the {benchmark} benchmark (node)"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        anyhow::bail!(
            "the {benchmark} benchmark failed ({}):\n{stdout}",
            out.status
        );
    }
    figure::parse(&stdout, benchmark, "baseline")
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("Failed to clear {}", to.display()))?;
    }
    std::fs::create_dir_all(to)?;
    run(Command::new("cp")
        .arg("-R")
        .arg(format!("{}/.", from.display()))
        .arg(to))
}
