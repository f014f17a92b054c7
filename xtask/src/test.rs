//! `cargo xtask test`: every test layer of DESIGN.md in one command, as CI runs it.

use crate::postgres::{self, Postgres};
use crate::servers::Server;
use crate::{build_app, cargo, run, setup, step};
use anyhow::{Context, Result, bail};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

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
    // `cargo xtask test schemathesis`: only the API against its OpenAPI document, on both backends.
    if args.first().is_some_and(|a| a == "schemathesis") {
        return schemathesis();
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

    schemathesis()?;

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

/// How long Schemathesis may test each backend, in seconds: the main run, then the run of what
/// would end its own session.
const SCHEMATHESIS_SECONDS: (u64, u64) = (45, 12);

/// Schemathesis against the real sakhi-server's `/api/v1/openapi.json`, on SQLite and on a
/// throwaway PostgreSQL: no answer may be a 5xx, and each must be what the document says
/// (its status, content type and schema). Bounded in time: about two minutes for both.
fn schemathesis() -> Result<()> {
    step("The API against its OpenAPI document (Schemathesis, on SQLite and PostgreSQL)");
    let schemathesis = setup::schemathesis()?;
    run(cargo().args(["build", "--quiet", "--package", "sakhi-server"]))?;
    let binary = crate::project_root().join(target_dir().join("debug/sakhi-server"));
    let data = scratch_dir("schemathesis")?;
    let sqlite = format!("sqlite://{}", data.join("sqlite/sakhi.db").display());
    let on_sqlite = check_api(&schemathesis, &binary, &data.join("sqlite"), &sqlite);
    // Both backends are checked whatever the first found, so that one run shows all.
    let on_postgres = Postgres::start().and_then(|server| {
        let checked = check_api(&schemathesis, &binary, &data.join("postgres"), &server.url);
        server.stop().and(checked)
    });
    match (on_sqlite, on_postgres) {
        (Ok(()), Ok(())) => {
            std::fs::remove_dir_all(&data).ok();
            Ok(())
        }
        // The servers' logs stay for reading.
        (Err(error), Ok(())) | (Ok(()), Err(error)) => Err(error),
        (Err(sqlite), Err(postgres)) => Err(sqlite.context(format!("{postgres:#}"))),
    }
}

/// One backend: a new server set up with a centre and an administrator, whose session
/// Schemathesis uses for every request.
fn check_api(schemathesis: &Path, binary: &Path, data: &Path, database: &str) -> Result<()> {
    let backend = database.split(':').next().unwrap_or("?");
    let dist = crate::project_root().join("dist");
    let server = Server::sakhi_on(binary, &dist, data, database)?;
    let password = format!("check {}", uuid::Uuid::now_v7().simple());
    let setup = json!({
        "code": server.setup_code,
        "centre": { "code": "API", "name": "API check", "district": "Dharwad",
                    "state": "Karnataka" },
        "admin": { "username": "api.check", "display_name": "API check",
                   "password": password }
    });
    let (status, _) = server.call("POST", "/api/v1/setup", Some(&setup), None)?;
    if status != 201 {
        bail!("setting up the {backend} server for Schemathesis answered {status}");
    }
    let login = json!({ "username": "api.check", "password": password,
                        "device": uuid::Uuid::now_v7() });
    let (status, session) = server.call("POST", "/api/v1/session", Some(&login), None)?;
    let Some(token) = session["token"].as_str().filter(|_| status == 200) else {
        bail!("logging in to the {backend} server for Schemathesis answered {status}");
    };
    let document = format!("{}api/v1/openapi.json", server.url);
    // A password reset of the administrator herself (her id is in GET /v1/session, which the
    // stateful phase follows) or a logout would end the session every other request uses: they
    // are tested last, apart.
    let last = "^(POST /v1/accounts/\\{id\\}/password|DELETE /v1/session)$";
    let (main, apart) = SCHEMATHESIS_SECONDS;
    let runs: [(&str, &str, u64); 2] = [
        ("--exclude-name-regex", last, main),
        ("--include-name-regex", last, apart),
    ];
    let mut result = Ok(());
    for (filter, names, seconds) in runs {
        println!("Schemathesis on {backend}: {filter} {names}, {seconds} s");
        let mut command = Command::new(schemathesis);
        command
            .arg("run")
            .arg(&document)
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args([filter, names])
            .args([
                "--checks",
                "not_a_server_error,response_schema_conformance,status_code_conformance,\
                 content_type_conformance",
            ])
            .args(["--max-examples", "20", "--max-time", &seconds.to_string()])
            .args(["--request-timeout", "10", "--seed", "17", "--no-shrink"])
            .args(["--suppress-health-check", "all", "--warnings", "off"])
            // Its example database and reports stay in the scratch folder.
            .current_dir(data);
        result = result.and(run_for(&mut command, Duration::from_secs(seconds + 60)));
    }
    server.stop_cleanly().and(result.with_context(|| {
        format!(
            "Schemathesis found answers on {backend} that break the OpenAPI document; the \
             server's log is {}",
            data.join("server.log").display()
        )
    }))
}

/// Runs a command, stopping it (by its own id) if it is still running after `limit`.
fn run_for(command: &mut Command, limit: Duration) -> Result<()> {
    let mut child = command
        .spawn()
        .with_context(|| format!("Failed to start {:?}", command.get_program()))?;
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait()? {
            if !status.success() {
                bail!("{:?} failed ({status})", command.get_program());
            }
            return Ok(());
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            bail!(
                "{:?} still ran after {} s: stopped",
                command.get_program(),
                limit.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
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

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| "target".into())
}

fn scratch_dir(name: &str) -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("sakhi-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    Ok(dir)
}
