//! What the benchmark prints: one JSON object per figure, in the shape `cargo xtask bench` merges
//! with the other benchmarks' figures, and the statistics behind them.

use serde::Serialize;
use std::time::Duration;

/// One figure: Sakhi's measurement over the runs, and the floor's where there is one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Figure {
    pub benchmark: &'static str,
    pub figure: &'static str,
    pub unit: &'static str,
    pub higher_is_better: bool,
    pub sakhi: Spread,
    pub baseline: Option<Baseline>,
    /// Sakhi's median over the baseline's median.
    pub ratio: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Baseline {
    pub name: &'static str,
    #[serde(flatten)]
    pub spread: Spread,
}

/// The median of the runs, and their extremes, so that a reader sees how noisy the machine was.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of one or more values.
    pub fn of(values: &[f64]) -> Spread {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len().is_multiple_of(2) {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        } else {
            sorted[middle]
        };
        Spread {
            median,
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }

    /// Rounded to `places` decimals: more digits than the noise only make the report harder to
    /// read.
    fn rounded(self, places: i32) -> Spread {
        Spread {
            median: round(self.median, places),
            min: round(self.min, places),
            max: round(self.max, places),
        }
    }
}

fn round(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

/// The `p`-th percentile (0 < p ≤ 100) of some durations, by the nearest-rank method, in ms.
pub fn percentile_ms(durations: &[Duration], p: f64) -> f64 {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1_000.0
}

/// What one run measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Run {
    pub changes_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peak_mib: f64,
    pub raw_rows_per_second: f64,
    /// CPU time the server and the simulated devices used while pushing: not figures, but they
    /// show how much of the two cores the devices took from the server.
    pub server_cpu_s: f64,
    pub devices_cpu_s: f64,
}

/// The figures over several runs, named `benchmark`, against the floor named `baseline`.
pub fn figures(runs: &[Run], benchmark: &'static str, baseline: &'static str) -> Vec<Figure> {
    let spread = |figure: fn(&Run) -> f64| Spread::of(&runs.iter().map(figure).collect::<Vec<_>>());
    let sakhi = spread(|run| run.changes_per_second);
    let raw = spread(|run| run.raw_rows_per_second);
    let without_baseline = |figure, unit, sakhi: Spread, places| Figure {
        benchmark,
        figure,
        unit,
        higher_is_better: false,
        sakhi: sakhi.rounded(places),
        baseline: None,
        ratio: None,
    };
    vec![
        Figure {
            benchmark,
            figure: "changes per second",
            unit: "changes/s",
            higher_is_better: true,
            sakhi: sakhi.rounded(1),
            baseline: Some(Baseline {
                name: baseline,
                spread: raw.rounded(1),
            }),
            ratio: Some(round(sakhi.median / raw.median, 4)),
        },
        without_baseline("p50 push latency", "ms", spread(|run| run.p50_ms), 3),
        without_baseline("p99 push latency", "ms", spread(|run| run.p99_ms), 3),
        without_baseline("server peak memory", "MiB", spread(|run| run.peak_mib), 1),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(
            Spread::of(&[5.0, 1.0, 3.0]),
            Spread {
                median: 3.0,
                min: 1.0,
                max: 5.0
            }
        );
        assert_eq!(Spread::of(&[4.0, 1.0, 2.0, 8.0]).median, 3.0);
        assert_eq!(Spread::of(&[7.0]).median, 7.0);
    }

    #[test]
    fn percentiles_are_taken_by_nearest_rank() {
        let durations: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile_ms(&durations, 50.0), 50.0);
        assert_eq!(percentile_ms(&durations, 99.0), 99.0);
        assert_eq!(percentile_ms(&durations[..3], 99.0), 3.0);
        assert_eq!(percentile_ms(&durations[..1], 50.0), 1.0);
    }

    #[test]
    fn figures_have_the_shape_the_orchestrator_merges() {
        let run = Run {
            changes_per_second: 2_000.0,
            p50_ms: 30.0,
            p99_ms: 90.0,
            peak_mib: 40.0,
            raw_rows_per_second: 50_000.0,
            server_cpu_s: 1.0,
            devices_cpu_s: 0.5,
        };
        let figures = serde_json::to_value(figures(
            &[run],
            "server ingest on SQLite",
            "raw batched SQLite inserts",
        ))
        .unwrap();
        assert_eq!(
            figures[0],
            json!({
                "benchmark": "server ingest on SQLite",
                "figure": "changes per second",
                "unit": "changes/s",
                "higher_is_better": true,
                "sakhi": {"median": 2000.0, "min": 2000.0, "max": 2000.0},
                "baseline": {
                    "name": "raw batched SQLite inserts",
                    "median": 50000.0, "min": 50000.0, "max": 50000.0
                },
                "ratio": 0.04
            })
        );
        assert_eq!(figures[1]["benchmark"], "server ingest on SQLite");
        assert_eq!(figures[1]["baseline"], json!(null));
        assert_eq!(figures[1]["ratio"], json!(null));
        assert_eq!(figures[3]["unit"], "MiB");
        assert_eq!(figures.as_array().unwrap().len(), 4);
    }
}
