//! The summary of a load run: printed for people, and written as JSON with
//! `--json` for comparing runs.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::ceiling::Ceiling;
use super::stats::Percentiles;

#[derive(Debug, Serialize)]
pub struct Summary {
    pub target: String,
    pub tasks: u64,
    pub staff: usize,
    pub minutes: u32,
    pub think_ms: u64,
    /// 1-minute load average of the machine before and after the run.
    pub load_average_before: Option<f64>,
    pub load_average_after: Option<f64>,
    pub seed_seconds: f64,
    pub login_seconds: f64,
    /// Wall-clock length of the loop, from the first claim to the last reply.
    pub loop_seconds: f64,
    pub sessions: u64,
    pub empty_sessions: u64,
    pub tasks_per_session: f64,
    pub answers_stored: u64,
    pub claims_per_second: f64,
    pub answers_per_second: f64,
    /// Claims plus answer submissions per second.
    pub requests_per_second: f64,
    pub claim: Percentiles,
    pub submit: Percentiles,
    pub errors: BTreeMap<String, u64>,
    pub healthz: Option<Ceiling>,
    /// `requests_per_second` as a share of the `/healthz` ceiling.
    pub ratio_to_healthz: Option<f64>,
    /// Peak resident memory while seeding and logging in, in MiB.
    pub peak_rss_setup_mib: Option<f64>,
    /// Peak resident memory during the loop and the ceiling, in MiB.
    pub peak_rss_load_mib: Option<f64>,
}

fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0)
}

impl Summary {
    pub fn memory(setup_kib: Option<u64>, load_kib: Option<u64>) -> (Option<f64>, Option<f64>) {
        (mib(setup_kib), mib(load_kib))
    }
}

fn optional(value: Option<f64>, unit: &str) -> String {
    value.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}{unit}"))
}

fn latency(name: &str, p: &Percentiles) -> String {
    format!(
        "{name:<8} n={:<8} p50 {:>8.2} ms   p95 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
        p.count, p.p50_ms, p.p95_ms, p.p99_ms, p.max_ms
    )
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Tessera load test against {}", self.target)?;
        writeln!(
            f,
            "  {} tasks, {} staff, {}-minute sessions, think time {} ms",
            self.tasks, self.staff, self.minutes, self.think_ms
        )?;
        writeln!(
            f,
            "  load average before {} / after {}; seeding {:.1} s, logins {:.1} s",
            optional(self.load_average_before, ""),
            optional(self.load_average_after, ""),
            self.seed_seconds,
            self.login_seconds
        )?;
        writeln!(
            f,
            "  loop {:.1} s: {} sessions ({} empty, {:.1} tasks each), {} answers stored",
            self.loop_seconds,
            self.sessions,
            self.empty_sessions,
            self.tasks_per_session,
            self.answers_stored
        )?;
        writeln!(
            f,
            "  session claims/s {:.1}   answers/s {:.1}   requests/s {:.1}",
            self.claims_per_second, self.answers_per_second, self.requests_per_second
        )?;
        writeln!(f, "  {}", latency("claim", &self.claim))?;
        writeln!(f, "  {}", latency("submit", &self.submit))?;
        if self.errors.is_empty() {
            writeln!(f, "  errors: none")?;
        } else {
            let listed: Vec<String> = self
                .errors
                .iter()
                .map(|(key, count)| format!("{key}: {count}"))
                .collect();
            writeln!(f, "  errors: {}", listed.join(", "))?;
        }
        match (&self.healthz, self.ratio_to_healthz) {
            (Some(ceiling), Some(ratio)) => writeln!(
                f,
                "  /healthz ceiling {:.1} requests/s ({} errors); loop requests/s are {:.1}% of it",
                ceiling.per_second,
                ceiling.errors,
                ratio * 100.0
            )?,
            _ => writeln!(f, "  /healthz ceiling not measured")?,
        }
        writeln!(
            f,
            "  peak RSS: {} while seeding and logging in, {} under load",
            optional(self.peak_rss_setup_mib, " MiB"),
            optional(self.peak_rss_load_mib, " MiB")
        )
    }
}

/// The 1-minute load average, from `/proc/loadavg`.
pub fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
