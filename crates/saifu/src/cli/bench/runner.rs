//! Running `count` jobs on `concurrency` workers, as fast as they go or paced at a rate, with a
//! progress bar on stderr (drawn only on a terminal), and the wallet's HTTP calls whose failures
//! become error keys.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use reqwest::RequestBuilder;
use serde_json::Value;

use crate::cli::CliError;

/// Runs `job(0..count)` on `concurrency` tasks, each taking the next index when it is free;
/// the results in index order. `label` names the phase on the progress bar.
pub async fn run_all<T, F, Fut>(label: &str, count: usize, concurrency: usize, job: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    run_paced(label, count, concurrency, None, job).await
}

/// [`run_all`], but with `rate` (jobs per second) job `i` does not start before `i / rate`
/// seconds after the first: a steady load below the peak, as a soak test wants. A job that
/// cannot start on time (every worker busy) starts as soon as one is free.
pub async fn run_paced<T, F, Fut>(
    label: &str,
    count: usize,
    concurrency: usize,
    rate: Option<f64>,
    job: F,
) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let started = tokio::time::Instant::now();
    let bar = ProgressBar::new(count as u64).with_message(label.to_owned());
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:30}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let job = Arc::new(job);
    let workers: Vec<_> = (0..concurrency.clamp(1, count.max(1)))
        .map(|_| {
            let (next, job, bar) = (next.clone(), job.clone(), bar.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        return done;
                    }
                    if let Some(rate) = rate {
                        let due = Duration::from_secs_f64(index as f64 / rate);
                        tokio::time::sleep_until(started + due).await;
                    }
                    done.push((index, job(index).await));
                    bar.inc(1);
                }
            })
        })
        .collect();
    let mut results = Vec::with_capacity(count);
    for worker in workers {
        results.extend(worker.await.expect("a bench worker panicked"));
    }
    bar.finish_and_clear();
    results.sort_unstable_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
}

/// Sends `request` and returns its JSON body; a failure as its error key: `STATUS error_code`
/// for an error answer, `transport: …` when no answer came.
pub async fn send(request: RequestBuilder) -> Result<Value, String> {
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {}", transport_kind(&e)))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|_| format!("{} non-JSON body", status.as_u16()))?;
    if status.is_success() {
        return Ok(body);
    }
    let code = body.get("error").and_then(Value::as_str).unwrap_or("error");
    Err(format!("{} {code}", status.as_u16()))
}

/// The error key of a failed admin API call.
pub fn admin_error_key(error: &CliError) -> String {
    match error {
        CliError::NodeRejected { status, error, .. } => format!("{} {error}", status.as_u16()),
        CliError::NodeUnreachable { source, .. } => {
            format!("transport: {}", transport_kind(source))
        }
        other => other.to_string(),
    }
}

fn transport_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    }
}
