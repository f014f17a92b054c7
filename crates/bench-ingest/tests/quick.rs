//! The benchmark's quick mode end to end, on both backends: the real server library serving in
//! its own process, devices pushing to it, the raw floor, and the figures on stdout in the shape
//! the orchestrator merges. Nothing here is timed: a slow machine only makes the numbers smaller.

use serde_json::Value;
use std::process::Command;

fn is_finite_positive(value: &Value) -> bool {
    value.as_f64().is_some_and(|n| n.is_finite() && n > 0.0)
}

fn assert_spread(figure: &Value, spread: &Value) {
    for statistic in ["median", "min", "max"] {
        assert!(
            is_finite_positive(&spread[statistic]),
            "{statistic} of {figure}"
        );
    }
    let (min, median, max) = (
        spread["min"].as_f64().unwrap(),
        spread["median"].as_f64().unwrap(),
        spread["max"].as_f64().unwrap(),
    );
    assert!(min <= median && median <= max, "{figure}");
}

/// The variable `cargo xtask test` sets to a PostgreSQL server the tests may create databases on,
/// as it does for the server's tests.
const POSTGRES_URL_VARIABLE: &str = "SAKHI_TEST_POSTGRES_URL";

#[test]
fn a_quick_run_on_sqlite_reports_every_figure_as_a_finite_positive_number() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sakhi-bench-ingest"));
    command
        .arg("--quick")
        .env_remove("SAKHI_BENCH_POSTGRES_URL");
    check_quick_run(
        &mut command,
        "server ingest on SQLite",
        "raw batched SQLite inserts",
    );
}

#[test]
fn a_quick_run_on_postgres_reports_every_figure_as_a_finite_positive_number() {
    // Never passes by not running, as the server's PostgreSQL tests do not.
    let url = std::env::var(POSTGRES_URL_VARIABLE)
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| {
            panic!(
                "{POSTGRES_URL_VARIABLE} is not set, so the PostgreSQL run cannot be checked. \
                 Run `cargo xtask test`, which starts a throwaway PostgreSQL server and sets it, \
                 or set it to a role that may create databases. To check only SQLite: \
                 cargo test -p sakhi-bench-ingest sqlite"
            )
        });
    let mut command = Command::new(env!("CARGO_BIN_EXE_sakhi-bench-ingest"));
    command.arg("--quick").env("SAKHI_BENCH_POSTGRES_URL", url);
    check_quick_run(
        &mut command,
        "server ingest on PostgreSQL",
        "raw batched PostgreSQL inserts",
    );
}

fn check_quick_run(command: &mut Command, benchmark: &str, baseline: &str) {
    let output = command.output().expect("Failed to run sakhi-bench-ingest");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}\n{stderr}", output.status);

    let figures: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "stdout is not a JSON array ({error}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    let names: Vec<&str> = figures
        .iter()
        .map(|figure| figure["figure"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "changes per second",
            "p50 push latency",
            "p99 push latency",
            "server peak memory"
        ]
    );
    for figure in &figures {
        assert_eq!(figure["benchmark"], benchmark);
        assert!(figure["unit"].is_string(), "{figure}");
        assert!(figure["higher_is_better"].is_boolean(), "{figure}");
        assert_spread(figure, &figure["sakhi"]);
        if figure["baseline"].is_null() {
            assert!(figure["ratio"].is_null(), "{figure}");
        } else {
            assert_eq!(figure["baseline"]["name"], baseline);
            assert_spread(figure, &figure["baseline"]);
            assert!(is_finite_positive(&figure["ratio"]), "{figure}");
        }
    }
}
