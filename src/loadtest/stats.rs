//! What one simulated person saw, merged across everyone at the end: latency
//! samples per endpoint, counts, and failures by status.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

/// Counts and latency samples from the claim-and-answer loop.
#[derive(Debug, Default)]
pub struct Tally {
    /// Microseconds per successful session claim.
    pub claim_micros: Vec<u32>,
    /// Microseconds per successful answer submission.
    pub submit_micros: Vec<u32>,
    /// Sessions claimed (2xx), including empty ones.
    pub sessions: u64,
    /// Sessions that came back with no tasks (the pool was busy or dry).
    pub empty_sessions: u64,
    /// Tasks handed out across all sessions.
    pub tasks_leased: u64,
    /// Answers the server acknowledged with 2xx.
    pub answers_stored: u64,
    /// Failed requests keyed by endpoint and status (or transport error).
    pub errors: BTreeMap<String, u64>,
}

impl Tally {
    pub fn claim_ok(&mut self, took: Duration, tasks: usize) {
        self.claim_micros.push(micros(took));
        self.sessions += 1;
        self.tasks_leased += tasks as u64;
        if tasks == 0 {
            self.empty_sessions += 1;
        }
    }

    pub fn submit_ok(&mut self, took: Duration, answers: usize) {
        self.submit_micros.push(micros(took));
        self.answers_stored += answers as u64;
    }

    /// Records a failure as `endpoint status`, e.g. `answers 409`.
    pub fn failed(&mut self, endpoint: &str, status: &str) {
        *self
            .errors
            .entry(format!("{endpoint} {status}"))
            .or_default() += 1;
    }

    pub fn merge(&mut self, other: Tally) {
        self.claim_micros.extend(other.claim_micros);
        self.submit_micros.extend(other.submit_micros);
        self.sessions += other.sessions;
        self.empty_sessions += other.empty_sessions;
        self.tasks_leased += other.tasks_leased;
        self.answers_stored += other.answers_stored;
        for (key, count) in other.errors {
            *self.errors.entry(key).or_default() += count;
        }
    }
}

fn micros(took: Duration) -> u32 {
    u32::try_from(took.as_micros()).unwrap_or(u32::MAX)
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles; sorts `samples` in place.
    pub fn of(samples: &mut [u32]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let rank = |quantile: f64| {
            let index = ((quantile * samples.len() as f64).ceil() as usize).max(1) - 1;
            f64::from(samples[index.min(samples.len() - 1)]) / 1000.0
        };
        Self {
            count: samples.len(),
            p50_ms: rank(0.50),
            p95_ms: rank(0.95),
            p99_ms: rank(0.99),
            max_ms: rank(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let mut samples: Vec<u32> = (1..=100).rev().map(|ms| ms * 1000).collect();
        let p = Percentiles::of(&mut samples);
        assert_eq!(p.count, 100);
        assert_eq!(p.p50_ms, 50.0);
        assert_eq!(p.p95_ms, 95.0);
        assert_eq!(p.p99_ms, 99.0);
        assert_eq!(p.max_ms, 100.0);
    }

    #[test]
    fn no_samples_give_zeroes() {
        assert_eq!(Percentiles::of(&mut []), Percentiles::default());
    }

    #[test]
    fn merging_adds_counts_and_errors() {
        let mut a = Tally::default();
        a.claim_ok(Duration::from_millis(2), 0);
        a.failed("answers", "409");
        let mut b = Tally::default();
        b.claim_ok(Duration::from_millis(3), 10);
        b.submit_ok(Duration::from_millis(4), 10);
        b.failed("answers", "409");
        a.merge(b);
        assert_eq!(a.sessions, 2);
        assert_eq!(a.empty_sessions, 1);
        assert_eq!(a.tasks_leased, 10);
        assert_eq!(a.answers_stored, 10);
        assert_eq!(a.claim_micros, vec![2000, 3000]);
        assert_eq!(a.errors.get("answers 409"), Some(&2));
    }
}
