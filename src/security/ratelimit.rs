//! Fixed-window rate limiting in memory. Each API replica keeps its own
//! counters; with N replicas an attacker gets at most N times the budget,
//! which still defeats password guessing at scale.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts attempts per key (an email, an address) within a window.
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Records one attempt under every key. When any key is over its budget,
    /// nothing is recorded and the seconds until it frees up are returned.
    pub fn attempt(&self, keys: &[&str], now: Instant) -> Result<(), u64> {
        let mut windows = self.windows();
        Self::over(&windows, self.limit, self.window, keys, now).map_or(Ok(()), Err)?;
        self.count(&mut windows, keys, now);
        Ok(())
    }

    /// Whether any key has spent its budget, without counting anything:
    /// login checks this first and counts only failures.
    pub fn check(&self, keys: &[&str], now: Instant) -> Result<(), u64> {
        let windows = self.windows();
        Self::over(&windows, self.limit, self.window, keys, now).map_or(Ok(()), Err)
    }

    /// Counts one event (a failure) under every key.
    pub fn record(&self, keys: &[&str], now: Instant) {
        let mut windows = self.windows();
        self.count(&mut windows, keys, now);
    }

    fn windows(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        self.windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Seconds until the most exhausted of `keys` frees up, if any is exhausted.
    fn over(
        windows: &HashMap<String, (Instant, u32)>,
        limit: u32,
        window: Duration,
        keys: &[&str],
        now: Instant,
    ) -> Option<u64> {
        keys.iter()
            .filter_map(|key| {
                let (start, count) = windows.get(*key)?;
                let elapsed = now.duration_since(*start);
                (elapsed < window && *count >= limit).then(|| (window - elapsed).as_secs().max(1))
            })
            .max()
    }

    fn count(&self, windows: &mut HashMap<String, (Instant, u32)>, keys: &[&str], now: Instant) {
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        for key in keys {
            let entry = windows.entry((*key).to_owned()).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 = entry.1.saturating_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_beyond_the_limit_wait_for_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limiter.attempt(&["a"], start).is_ok());
        assert!(limiter.attempt(&["a"], start).is_ok());
        assert_eq!(
            limiter.attempt(&["a"], start + Duration::from_secs(10)),
            Err(50)
        );
        assert!(limiter.attempt(&["b"], start).is_ok());
        assert!(
            limiter
                .attempt(&["a"], start + Duration::from_secs(61))
                .is_ok()
        );
    }

    #[test]
    fn checking_counts_nothing_and_recording_counts_once() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let now = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check(&["pair"], now).is_ok());
        }
        limiter.record(&["pair"], now);
        limiter.record(&["pair"], now);
        assert!(limiter.check(&["pair"], now).is_err());
        assert!(limiter.check(&["other"], now).is_ok());
    }

    #[test]
    fn any_exhausted_key_blocks_the_attempt() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        let now = Instant::now();
        assert!(limiter.attempt(&["ip", "alice"], now).is_ok());
        assert!(limiter.attempt(&["ip", "bob"], now).is_err());
    }
}
