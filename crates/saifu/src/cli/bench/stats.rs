//! What one measured flow took, and the summary of many: successes, errors by kind,
//! throughput, latency percentiles and the median of each step.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;

/// One flow's timings: the whole flow and each named step, and the error that stopped it.
#[derive(Debug)]
pub struct Flow {
    /// From the first request to the last answer.
    pub total: Duration,
    /// Each step in order, with its duration.
    pub steps: Vec<(&'static str, Duration)>,
    /// Why the flow failed (`400 invalid_grant`, `rejected invalid_key_binding`, …).
    pub error: Option<String>,
}

/// Times a flow step by step: each [`FlowTimer::step`] records the time since the previous one.
#[derive(Debug)]
pub struct FlowTimer {
    start: Instant,
    last: Instant,
    steps: Vec<(&'static str, Duration)>,
}

impl FlowTimer {
    /// Starts timing now.
    pub fn start() -> FlowTimer {
        let now = Instant::now();
        FlowTimer {
            start: now,
            last: now,
            steps: Vec::new(),
        }
    }

    /// Records that step `name` ended now.
    pub fn step(&mut self, name: &'static str) {
        let now = Instant::now();
        self.steps.push((name, now - self.last));
        self.last = now;
    }

    /// The flow's timings, failed with `outcome`'s error if it has one.
    pub fn finish<T>(self, outcome: Result<T, String>) -> Flow {
        Flow {
            total: self.start.elapsed(),
            steps: self.steps,
            error: outcome.err(),
        }
    }
}

/// Latency percentiles in milliseconds (nearest rank).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The slowest.
    pub max: f64,
}

/// The measured phase in numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Flows run.
    pub total: usize,
    /// Flows that ended as they should.
    pub succeeded: usize,
    /// Failed flows.
    pub failed: usize,
    /// Failed flows by status and error code.
    pub errors: BTreeMap<String, usize>,
    /// Wall-clock time of the measured phase, in seconds.
    pub elapsed_seconds: f64,
    /// Successful flows per second of wall-clock time.
    pub throughput_per_second: f64,
    /// Latency of successful flows, in milliseconds.
    pub latency_ms: Latency,
    /// Median duration of each step of the successful flows, in flow order.
    pub steps: Vec<StepMedian>,
}

/// The median duration of one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepMedian {
    /// The step (`token`, `nonce`, `proof`, `credential`, `response`, `result`).
    pub step: String,
    /// Its median over the successful flows, in milliseconds.
    pub median_ms: f64,
}

impl Summary {
    /// Summarizes `flows` that took `elapsed` in all.
    pub fn of(flows: &[Flow], elapsed: Duration) -> Summary {
        let mut errors = BTreeMap::new();
        for error in flows.iter().filter_map(|flow| flow.error.as_ref()) {
            *errors.entry(error.clone()).or_insert(0) += 1;
        }
        let good: Vec<&Flow> = flows.iter().filter(|flow| flow.error.is_none()).collect();
        let mut totals: Vec<Duration> = good.iter().map(|flow| flow.total).collect();
        totals.sort_unstable();
        let mut steps = Vec::new();
        for (name, _) in good.first().map_or(&[][..], |flow| &flow.steps[..]) {
            let mut times: Vec<Duration> = good
                .iter()
                .flat_map(|flow| flow.steps.iter())
                .filter(|(step, _)| step == name)
                .map(|(_, time)| *time)
                .collect();
            times.sort_unstable();
            steps.push(StepMedian {
                step: (*name).to_owned(),
                median_ms: millis(percentile(&times, 50.0)),
            });
        }
        let seconds = elapsed.as_secs_f64();
        Summary {
            total: flows.len(),
            succeeded: good.len(),
            failed: flows.len() - good.len(),
            errors,
            elapsed_seconds: seconds,
            throughput_per_second: if seconds > 0.0 {
                good.len() as f64 / seconds
            } else {
                0.0
            },
            latency_ms: Latency {
                p50: millis(percentile(&totals, 50.0)),
                p90: millis(percentile(&totals, 90.0)),
                p99: millis(percentile(&totals, 99.0)),
                max: millis(totals.last().copied().unwrap_or_default()),
            },
            steps,
        }
    }
}

/// The nearest-rank `p`th percentile of `sorted` (zero when empty).
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(ms: u64, error: Option<&str>) -> Flow {
        Flow {
            total: Duration::from_millis(ms),
            steps: vec![("a", Duration::from_millis(ms / 2))],
            error: error.map(str::to_owned),
        }
    }

    #[test]
    fn percentiles_are_nearest_rank_over_successes_only() {
        let mut flows: Vec<Flow> = (1..=100).map(|ms| flow(ms, None)).collect();
        flows.push(flow(5000, Some("500 server_error")));
        let summary = Summary::of(&flows, Duration::from_secs(2));
        assert_eq!(
            (summary.total, summary.succeeded, summary.failed),
            (101, 100, 1)
        );
        assert_eq!(summary.errors["500 server_error"], 1);
        assert_eq!(summary.throughput_per_second, 50.0);
        let latency = summary.latency_ms;
        assert_eq!(
            (latency.p50, latency.p90, latency.p99, latency.max),
            (50.0, 90.0, 99.0, 100.0)
        );
        assert_eq!(
            summary.steps,
            vec![StepMedian {
                step: "a".into(),
                median_ms: 25.0
            }]
        );
    }

    #[test]
    fn no_success_gives_zeros() {
        let summary = Summary::of(&[flow(3, Some("x"))], Duration::from_secs(1));
        assert_eq!(summary.latency_ms.max, 0.0);
        assert!(summary.steps.is_empty());
    }
}
