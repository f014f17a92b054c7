//! The app shell's size: what a phone downloads before Sakhi can open (wasm, JavaScript, CSS, HTML
//! and the service worker of the release build in `dist/`), raw, gzip -9 and brotli -11, against
//! the empty Leptos page of `bench/floor/` built the same way. Sizes do not vary between runs, so
//! each is measured once.

use super::figure::{Figure, Stats};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const BENCHMARK: &str = "app shell size";
const FLOOR: &str = "empty Leptos page";
/// The build's folder of what the app loads only when a PDF is opened (pdf.js and its decoders):
/// no part of the shell, though the service worker keeps it too.
const OPENED_LATER: &str = "pdf";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Wasm,
    Js,
    Css,
    Html,
    Worker,
}

impl Part {
    const ALL: [Part; 5] = [Part::Wasm, Part::Js, Part::Css, Part::Html, Part::Worker];

    fn of(path: &Path) -> Option<Part> {
        let name = path.file_name()?.to_str()?;
        match path.extension()?.to_str()? {
            _ if name == "sw.js" => Some(Part::Worker),
            "wasm" => Some(Part::Wasm),
            "js" => Some(Part::Js),
            "css" => Some(Part::Css),
            "html" => Some(Part::Html),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Part::Wasm => "wasm",
            Part::Js => "JS",
            Part::Css => "CSS",
            Part::Html => "HTML",
            Part::Worker => "service worker",
        }
    }
}

/// One build's bytes per part and per encoding: raw, gzip -9, brotli -11.
struct Sizes(Vec<(Part, [u64; 3])>);

impl Sizes {
    fn measure(dist: &Path) -> Result<Sizes> {
        let mut sizes = Vec::new();
        for path in files(dist)? {
            if path
                .strip_prefix(dist)
                .is_ok_and(|inside| inside.starts_with(OPENED_LATER))
            {
                continue;
            }
            if let Some(part) = Part::of(&path) {
                sizes.push((part, [raw(&path)?, gzip(&path)?, brotli(&path)?]));
            }
        }
        if !sizes.iter().any(|(part, _)| *part == Part::Wasm) {
            bail!("{} holds no wasm: is it built?", dist.display());
        }
        Ok(Sizes(sizes))
    }

    fn total(&self, parts: &[Part], encoding: usize) -> u64 {
        self.0
            .iter()
            .filter(|(part, _)| parts.contains(part))
            .map(|(_, bytes)| bytes[encoding])
            .sum()
    }
}

pub fn run(app_dist: &Path, floor_dist: &Path) -> Result<Vec<Figure>> {
    let app = Sizes::measure(app_dist)?;
    let floor = Sizes::measure(floor_dist)?;
    let mut figures = Vec::new();
    for (encoding, how) in ["raw", "gzip -9", "brotli -11"].into_iter().enumerate() {
        let mut rows: Vec<(String, Vec<Part>)> = Part::ALL
            .into_iter()
            .map(|part| (part.name().to_owned(), vec![part]))
            .collect();
        // DESIGN.md's budget counts wasm + JS + CSS + HTML.
        rows.push((
            "shell (wasm + JS + CSS + HTML)".to_owned(),
            vec![Part::Wasm, Part::Js, Part::Css, Part::Html],
        ));
        for (name, parts) in rows {
            let sakhi = Stats::exact(app.total(&parts, encoding) as f64);
            let base = Stats::exact(floor.total(&parts, encoding) as f64);
            figures.push(Figure::new(
                BENCHMARK,
                &format!("{name}, {how}"),
                "bytes",
                Some(sakhi),
                Some((FLOOR, base)),
            ));
        }
    }
    Ok(figures)
}

fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("Failed to read {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            found.extend(files(&path)?);
        } else {
            found.push(path);
        }
    }
    Ok(found)
}

fn raw(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path)
        .with_context(|| format!("Failed to read {}", path.display()))?
        .len())
}

fn gzip(path: &Path) -> Result<u64> {
    compressed(Command::new("gzip").args(["-9", "-n", "-c"]).arg(path))
}

fn brotli(path: &Path) -> Result<u64> {
    compressed(Command::new("brotli").args(["-q", "11", "-c"]).arg(path))
}

/// The number of bytes a compressor writes for one file.
pub fn compressed(command: &mut Command) -> Result<u64> {
    let out = command
        .output()
        .with_context(|| format!("Failed to run {command:?}"))?;
    if !out.status.success() {
        bail!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout.len() as u64)
}
