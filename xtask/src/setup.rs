//! Installs what Sakhi needs when it is missing: the wasm32 target, Trunk, the wasm-bindgen CLI of
//! the version in Cargo.lock, the npm tools (wasm-opt, Playwright, the PouchDB peer of the
//! benchmarks), Schemathesis (a Python tool, in a virtualenv of its own) and Debian's Chromium
//! (and, for the benchmarks, brotli).

use crate::{cargo, run, step};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Schemathesis, which tests the server against its own OpenAPI document: pinned, like every tool.
pub const SCHEMATHESIS_VERSION: &str = "4.32.5";

/// Trunk 0.22 needs a newer rustc than this project's; 0.21.14 is the newest that installs.
const TRUNK_VERSION: &str = "0.21.14";

pub fn all(browser: bool) -> Result<()> {
    wasm_target()?;
    cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;
    // `--locked` fails for this CLI: one of its locked dependencies is no longer published.
    cargo_tool(
        "wasm-bindgen-cli",
        "wasm-bindgen",
        &locked_version("wasm-bindgen")?,
        false,
    )?;
    npm_tools()?;
    schemathesis()?;
    if browser {
        chromium()?;
    }
    Ok(())
}

fn wasm_target() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|line| line.trim() == "wasm32-unknown-unknown")
    {
        step("Adding the wasm32-unknown-unknown target");
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// Installs a cargo-installed tool unless the binary already reports exactly this version.
fn cargo_tool(package: &str, binary: &str, version: &str, locked: bool) -> Result<()> {
    let path = cargo_bin(binary);
    let current = Command::new(&path).arg("--version").output().ok();
    let current = current.map(|out| String::from_utf8_lossy(&out.stdout).into_owned());
    if current.is_some_and(|text| text.split_whitespace().any(|word| word == version)) {
        return Ok(());
    }
    step(&format!(
        "Installing {package} {version} (several minutes, once)"
    ));
    let mut install = cargo();
    install.args(["install", package, "--version", version, "--force"]);
    if locked {
        install.arg("--locked");
    }
    // A project-wide target dir would make cargo install rebuild with this project's profiles.
    install.env_remove("CARGO_TARGET_DIR");
    run(&mut install)
}

/// Schemathesis's command, in a virtualenv of its own under the build cache (reused by every
/// checkout that shares it), installed with pip when it is missing or of another version.
pub fn schemathesis() -> Result<PathBuf> {
    let venv = crate::project_root()
        .join(crate::test::target_dir())
        .join(format!("tools/schemathesis-{SCHEMATHESIS_VERSION}"));
    let command = venv.join("bin/schemathesis");
    let installed = Command::new(&command).arg("--version").output().ok();
    if installed.is_some_and(|out| {
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .any(|word| word == SCHEMATHESIS_VERSION)
    }) {
        return Ok(command);
    }
    step(&format!(
        "Installing Schemathesis {SCHEMATHESIS_VERSION} with pip into {}",
        venv.display()
    ));
    run(Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS_VERSION}"),
    ]))?;
    Ok(command)
}

/// The version of a package as resolved in Cargo.lock.
fn locked_version(package: &str) -> Result<String> {
    let lock = std::fs::read_to_string("Cargo.lock").context("Failed to read Cargo.lock")?;
    let name = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == name
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    bail!("{package} is not in Cargo.lock: run `cargo generate-lockfile`")
}

fn npm_tools() -> Result<()> {
    let lock = std::fs::read("package-lock.json").context("Failed to read package-lock.json")?;
    let stamp = Path::new("node_modules/.sakhi-installed");
    if std::fs::read(stamp).is_ok_and(|installed| installed == lock) {
        return Ok(());
    }
    step("Installing the npm tools (wasm-opt, Playwright, PouchDB, esbuild)");
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    std::fs::write(stamp, lock).context("Failed to record the npm install")?;
    Ok(())
}

/// Debian's Chromium and its driver, and a Devanagari font so Hindi screens render as a phone shows
/// them (without one, screenshots show empty boxes).
fn chromium() -> Result<()> {
    const NEEDED: [&str; 3] = [
        "/usr/bin/chromium",
        "/usr/bin/chromedriver",
        "/usr/share/fonts/truetype/noto/NotoSansDevanagari-Regular.ttf",
    ];
    if NEEDED.iter().all(|path| Path::new(path).exists()) {
        return Ok(());
    }
    step("Installing Chromium, ChromeDriver and a Devanagari font from Debian's packages");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(["chromium", "chromium-driver", "fonts-noto-core"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Debian's brotli CLI, which the shell-size benchmark compresses with (as a CDN or server would at
/// its highest level).
pub fn brotli() -> Result<()> {
    if Command::new("brotli").arg("--version").output().is_ok() {
        return Ok(());
    }
    step("Installing brotli from Debian's packages");
    run(Command::new("apt-get").arg("update"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "brotli"])
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// A tool that cargo installed, found where cargo puts it even when that is not on PATH.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_default();
    home.join("bin").join(name)
}

/// PATH with the project's npm tools and cargo's bin folder first, so Trunk finds the right
/// wasm-opt and wasm-bindgen (never Debian's wasm-opt, which breaks the app).
pub fn path_with_node_tools() -> Result<std::ffi::OsString> {
    let node_bin = crate::project_root().join("node_modules/.bin");
    let cargo_bin = cargo_bin("trunk")
        .parent()
        .map(Path::to_owned)
        .unwrap_or_default();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let paths = [node_bin, cargo_bin]
        .into_iter()
        .chain(std::env::split_paths(&rest));
    std::env::join_paths(paths).context("Failed to build PATH")
}

fn output(command: &mut Command) -> Result<String> {
    let out = command
        .output()
        .with_context(|| format!("Failed to start {command:?}"))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
