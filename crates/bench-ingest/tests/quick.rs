//! The benchmark's quick mode end to end: the real server library serving in its own process,
//! devices pushing to it, the raw floor, and the figures on stdout in the shape the orchestrator
//! merges. Nothing here is timed: a slow machine only makes the numbers smaller.

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

#[test]
fn a_quick_run_reports_every_figure_as_a_finite_positive_number() {
    let output = Command::new(env!("CARGO_BIN_EXE_sakhi-bench-ingest"))
        .arg("--quick")
        .output()
        .expect("Failed to run sakhi-bench-ingest");
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
        assert_eq!(figure["benchmark"], "server ingest");
        assert!(figure["unit"].is_string(), "{figure}");
        assert!(figure["higher_is_better"].is_boolean(), "{figure}");
        assert_spread(figure, &figure["sakhi"]);
        if figure["baseline"].is_null() {
            assert!(figure["ratio"].is_null(), "{figure}");
        } else {
            assert_eq!(figure["baseline"]["name"], "raw batched SQLite inserts");
            assert_spread(figure, &figure["baseline"]);
            assert!(is_finite_positive(&figure["ratio"]), "{figure}");
        }
    }
}
