//! The ceiling: how many bare `GET /healthz` the same server answers per
//! second at the same concurrency, on the same machine in the same run. The
//! loop's throughput is reported as a share of it, which survives a change
//! of machine better than absolute figures do.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::client::Api;

/// Stops a worker even if the deadline somehow never passes.
const MAX_REQUESTS_PER_WORKER: u64 = 10_000_000;

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Ceiling {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub per_second: f64,
}

/// Runs `concurrency` workers that call `/healthz` back to back for `length`.
pub async fn measure(api: &Api, concurrency: usize, length: Duration) -> Ceiling {
    let started = Instant::now();
    let deadline = started + length;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let api = api.clone();
            tokio::spawn(async move {
                let (mut ok, mut failed) = (0u64, 0u64);
                for _ in 0..MAX_REQUESTS_PER_WORKER {
                    if Instant::now() >= deadline {
                        break;
                    }
                    match api.get_status("/healthz").await {
                        Ok(200) => ok += 1,
                        _ => failed += 1,
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    let (mut requests, mut errors) = (0, 0);
    for worker in workers {
        if let Ok((ok, failed)) = worker.await {
            requests += ok;
            errors += failed;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ceiling {
        requests,
        errors,
        seconds,
        per_second: requests as f64 / seconds.max(f64::EPSILON),
    }
}
