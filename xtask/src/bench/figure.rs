//! One benchmark figure: Sakhi's median, min and max, its baseline's, and their ratio; made from the
//! raw samples the benchmarks print, and shown as a table row.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

/// The shape every benchmark reports in, `sakhi-bench-ingest` included.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Figure {
    pub benchmark: String,
    pub figure: String,
    pub unit: String,
    pub higher_is_better: bool,
    pub sakhi: Option<Stats>,
    pub baseline: Option<Baseline>,
    /// Sakhi's median over the baseline's: above 1 means more time, bytes or throughput than the
    /// baseline, whichever way is better.
    pub ratio: Option<f64>,
    /// Why a figure has no numbers (not available yet, missing, failed), or how it was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Stats {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub name: String,
    #[serde(flatten)]
    pub stats: Stats,
}

/// What a browser-side benchmark prints: every timed run's number, for both sides.
#[derive(Debug, Deserialize)]
pub struct Samples {
    #[serde(default)]
    pub benchmark: Option<String>,
    pub figure: String,
    pub unit: String,
    #[serde(default)]
    pub higher_is_better: bool,
    pub sakhi: Option<Vec<f64>>,
    #[serde(default)]
    pub baseline_name: Option<String>,
    pub baseline: Option<Vec<f64>>,
    #[serde(default)]
    pub note: Option<String>,
}

impl Stats {
    /// Median, min and max of the samples; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Stats> {
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Some(Stats {
            median,
            min: sorted[0],
            max: sorted[n - 1],
        })
    }

    /// One measurement that does not vary between runs (a file's size).
    pub fn exact(value: f64) -> Stats {
        Stats {
            median: value,
            min: value,
            max: value,
        }
    }

    fn is_finite(&self) -> bool {
        self.median.is_finite() && self.min.is_finite() && self.max.is_finite()
    }
}

impl Figure {
    pub fn new(
        benchmark: &str,
        figure: &str,
        unit: &str,
        sakhi: Option<Stats>,
        baseline: Option<(&str, Stats)>,
    ) -> Figure {
        let baseline = baseline.map(|(name, stats)| Baseline {
            name: name.to_owned(),
            stats,
        });
        let ratio = match (&sakhi, &baseline) {
            (Some(s), Some(b)) if b.stats.median != 0.0 => Some(s.median / b.stats.median),
            _ => None,
        };
        Figure {
            benchmark: benchmark.to_owned(),
            figure: figure.to_owned(),
            unit: unit.to_owned(),
            higher_is_better: false,
            sakhi,
            baseline,
            ratio,
            note: None,
        }
    }

    /// A figure with no numbers, and why.
    pub fn without_numbers(benchmark: &str, figure: &str, unit: &str, note: &str) -> Figure {
        let mut figure = Figure::new(benchmark, figure, unit, None, None);
        figure.note = Some(note.to_owned());
        figure
    }

    pub fn from_samples(samples: Samples, benchmark: &str, baseline_name: &str) -> Figure {
        let baseline_name = samples.baseline_name.as_deref().unwrap_or(baseline_name);
        let sakhi = samples.sakhi.as_deref().and_then(Stats::of);
        let baseline = samples.baseline.as_deref().and_then(Stats::of);
        let mut figure = Figure::new(
            samples.benchmark.as_deref().unwrap_or(benchmark),
            &samples.figure,
            &samples.unit,
            sakhi,
            baseline.map(|stats| (baseline_name, stats)),
        );
        figure.higher_is_better = samples.higher_is_better;
        figure.note = samples.note;
        figure
    }

    /// A figure that was meant to have numbers must have finite ones: this is what the quick run in
    /// `cargo xtask test` checks, and all it checks.
    pub fn check(&self) -> Result<()> {
        if self.sakhi.is_none() && self.note.is_some() {
            return Ok(());
        }
        let finite = self.sakhi.is_some_and(|s| s.is_finite())
            && self.baseline.as_ref().is_none_or(|b| b.stats.is_finite())
            && self.ratio.is_none_or(f64::is_finite);
        if !finite {
            bail!(
                "{} / {}: no finite numbers ({:?})",
                self.benchmark,
                self.figure,
                self
            );
        }
        Ok(())
    }

    /// This figure as a row of a Markdown table: figure, Sakhi, baseline, ratio.
    pub fn row(&self) -> String {
        let sakhi = match (&self.sakhi, &self.note) {
            (Some(stats), _) => self.range(stats),
            (None, Some(note)) => note.clone(),
            (None, None) => "missing".to_owned(),
        };
        let baseline = self.baseline.as_ref().map_or("—".to_owned(), |b| {
            format!("{}: {}", b.name, self.range(&b.stats))
        });
        let ratio = self.ratio.map_or("—".to_owned(), |r| format!("{r:.2}×"));
        let better = if self.higher_is_better {
            " (higher is better)"
        } else {
            ""
        };
        format!(
            "| {}: {}{better} | {sakhi} | {baseline} | {ratio} |",
            self.benchmark, self.figure
        )
    }

    fn range(&self, stats: &Stats) -> String {
        if stats.min == stats.max {
            return self.amount(stats.median);
        }
        format!(
            "{} [{}–{}]",
            self.amount(stats.median),
            self.amount(stats.min),
            self.amount(stats.max)
        )
    }

    /// A number in its unit, rounded as a person reads it.
    fn amount(&self, value: f64) -> String {
        match self.unit.as_str() {
            "bytes" if value >= 1024.0 * 1024.0 => {
                format!("{:.1} MiB", value / 1024.0 / 1024.0)
            }
            "bytes" if value >= 1024.0 => format!("{:.1} KiB", value / 1024.0),
            "bytes" => format!("{value:.0} B"),
            "ms" if value >= 100.0 => format!("{value:.0} ms"),
            "ms" => format!("{value:.1} ms"),
            unit if value.abs() >= 100.0 => format!("{value:.0} {unit}"),
            unit => format!("{value:.2} {unit}"),
        }
    }
}

/// Every `SAKHI_BENCH {json}` line of a benchmark's output, as figures.
pub fn parse(output: &str, benchmark: &str, baseline: &str) -> Result<Vec<Figure>> {
    output
        .lines()
        .filter_map(|line| line.split_once("SAKHI_BENCH ").map(|(_, json)| json))
        .map(|json| {
            let samples: Samples = serde_json::from_str(json)
                .with_context(|| format!("Failed to read a benchmark line: {json}"))?;
            Ok(Figure::from_samples(samples, benchmark, baseline))
        })
        .collect()
}

/// The figures as a Markdown table, the same text on stdout and in the README.
pub fn table(figures: &[Figure]) -> String {
    let mut text = String::from(
        "| figure | Sakhi median [min–max] | baseline median [min–max] | ratio |\n|---|---|---|---|\n",
    );
    for figure in figures {
        text.push_str(&figure.row());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_number_of_runs_is_the_mean_of_the_middle_two() {
        let stats = Stats::of(&[4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!((stats.median, stats.min, stats.max), (2.5, 1.0, 4.0));
        assert_eq!(Stats::of(&[5.0, 1.0, 9.0]).unwrap().median, 5.0);
        assert!(Stats::of(&[]).is_none());
    }

    #[test]
    fn the_ratio_is_sakhi_over_the_baseline_and_absent_against_zero() {
        let figure = Figure::new(
            "b",
            "f",
            "ms",
            Some(Stats::exact(30.0)),
            Some(("floor", Stats::exact(20.0))),
        );
        assert_eq!(figure.ratio, Some(1.5));
        let against_nothing = Figure::new(
            "b",
            "f",
            "bytes",
            Some(Stats::exact(30.0)),
            Some(("floor", Stats::exact(0.0))),
        );
        assert_eq!(against_nothing.ratio, None);
        assert!(against_nothing.check().is_ok());
    }

    #[test]
    fn only_marked_lines_are_read_and_a_figure_may_come_without_numbers() {
        let output = "running 1 test\n\
            SAKHI_BENCH {\"figure\":\"read\",\"unit\":\"ms\",\"sakhi\":[3,1,2],\"baseline\":[2,2]}\n\
            SAKHI_BENCH {\"figure\":\"search\",\"unit\":\"ms\",\"sakhi\":null,\"baseline\":null,\"note\":\"not available yet\"}\n\
            test result: ok";
        let figures = parse(output, "local store", "raw").unwrap();
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].ratio, Some(1.0));
        assert_eq!(figures[0].baseline.as_ref().unwrap().name, "raw");
        assert!(figures[1].sakhi.is_none() && figures[1].check().is_ok());
    }

    #[test]
    fn a_figure_not_available_yet_passes_the_check_but_a_missing_number_does_not() {
        assert!(
            Figure::without_numbers("b", "search", "ms", "not available yet")
                .check()
                .is_ok()
        );
        let mut broken = Figure::new("b", "f", "ms", Some(Stats::exact(f64::NAN)), None);
        assert!(broken.check().is_err());
        broken.sakhi = None;
        assert!(broken.check().is_err());
    }
}
