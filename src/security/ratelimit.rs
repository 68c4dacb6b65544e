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
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let mut retry_after = None;
        for key in keys {
            if let Some((start, count)) = windows.get(*key) {
                let elapsed = now.duration_since(*start);
                if elapsed < self.window && *count >= self.limit {
                    let wait = (self.window - elapsed).as_secs().max(1);
                    retry_after = Some(retry_after.map_or(wait, |other: u64| other.max(wait)));
                }
            }
        }
        if let Some(wait) = retry_after {
            return Err(wait);
        }
        for key in keys {
            let entry = windows.entry((*key).to_owned()).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
        Ok(())
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
    fn any_exhausted_key_blocks_the_attempt() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        let now = Instant::now();
        assert!(limiter.attempt(&["ip", "alice"], now).is_ok());
        assert!(limiter.attempt(&["ip", "bob"], now).is_err());
    }
}
