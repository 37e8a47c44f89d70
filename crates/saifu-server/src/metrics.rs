//! `GET /metrics`: Prometheus text exposition of every request the node answered — counts by
//! method, route template and status, and latency histograms by route — so an operator sees
//! load, errors and slow paths without a tracing backend. Routes are recorded as their
//! templates (`/presentations/{id}/response`), never with ids or tokens in them.
//!
//! Beside HTTP, the node counts what its roles decided: credentials issued, presentations
//! verified and presentations rejected by reason. A handler reports such an [`Outcome`] by
//! putting it into its response's extensions; the same middleware that times the request counts
//! it, so no handler needs a handle on the metrics. Reasons are fixed check names, never values
//! from the request, so the number of series stays bounded.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// What a role decided while answering a request, for the domain counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// This many credentials were issued (a batch counts each copy).
    Issued(usize),
    /// A presentation passed every check.
    Verified,
    /// A presentation was refused; the name of the check that failed or of the refusal.
    Rejected(&'static str),
}

impl Outcome {
    /// `response` with this outcome attached for [`record`] to count.
    pub(crate) fn attach(self, mut response: Response) -> Response {
        response.extensions_mut().insert(self);
        response
    }
}

/// What the node counted since it started.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    outcomes: Mutex<Outcomes>,
}

/// The domain counters.
#[derive(Debug, Default)]
struct Outcomes {
    issued: u64,
    verified: u64,
    rejected: BTreeMap<&'static str, u64>,
}

impl Outcomes {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Issued(n) => self.issued += n as u64,
            Outcome::Verified => self.verified += 1,
            Outcome::Rejected(reason) => *self.rejected.entry(reason).or_default() += 1,
        }
    }

    fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "# HELP saifu_credentials_issued_total Credentials issued (each copy of a batch counts).\n\
             # TYPE saifu_credentials_issued_total counter\n\
             saifu_credentials_issued_total {}\n\
             # HELP saifu_presentations_verified_total Presentations that passed every check.\n\
             # TYPE saifu_presentations_verified_total counter\n\
             saifu_presentations_verified_total {}\n\
             # HELP saifu_presentations_rejected_total Presentations refused, by the check that failed.\n\
             # TYPE saifu_presentations_rejected_total counter",
            self.issued, self.verified
        );
        for (reason, count) in &self.rejected {
            let _ = writeln!(
                out,
                "saifu_presentations_rejected_total{{reason=\"{}\"}} {count}",
                escape(reason)
            );
        }
    }
}

#[derive(Debug, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    fn record(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let key = (method.to_owned(), route.to_owned(), status);
        *self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_default() += 1;
        let mut latency = self.latency.lock().unwrap_or_else(PoisonError::into_inner);
        let histogram = latency.entry(route.to_owned()).or_default();
        for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// The Prometheus text format (version 0.0.4).
    fn render(&self) -> String {
        let mut out = String::new();
        if let Some(bytes) = resident_memory_bytes() {
            let _ = writeln!(
                out,
                "# HELP process_resident_memory_bytes Resident memory size in bytes.\n\
                 # TYPE process_resident_memory_bytes gauge\n\
                 process_resident_memory_bytes {bytes}"
            );
        }
        self.outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .render(&mut out);
        out.push_str("# HELP saifu_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE saifu_http_requests_total counter\n");
        for ((method, route, status), count) in self
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let _ = writeln!(
                out,
                "saifu_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP saifu_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE saifu_http_request_duration_seconds histogram\n");
        for (route, histogram) in self
            .latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let route = escape(route);
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                let _ = writeln!(
                    out,
                    "saifu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "saifu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 saifu_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 saifu_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                histogram.count, histogram.sum, histogram.count
            );
        }
        out
    }
}

/// The process's resident set size (`VmRSS` of `/proc/self/status`), where the system has it:
/// what an operator watches for leaks, and what the soak test samples.
fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Label values escape `\`, `"` and newlines (Prometheus text format).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Records every request: route template (or `unmatched`), method, status, time to answer.
pub(crate) async fn record(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    let response = next.run(request).await;
    if let Some(outcome) = response.extensions().get::<Outcome>() {
        metrics
            .outcomes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .count(*outcome);
    }
    metrics.record(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// `GET /metrics`.
pub(crate) fn router<S: Clone + Send + Sync + 'static>(metrics: Arc<Metrics>) -> Router<S> {
    Router::new()
        .route("/metrics", get(render))
        .with_state(metrics)
}

async fn render(State(metrics): State<Arc<Metrics>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
        .into_response()
}
