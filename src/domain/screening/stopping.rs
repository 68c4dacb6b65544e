//! When screening may stop: an estimate of the relevant records still
//! unscreened, and a test of "recall has reached the target".
//!
//! **Estimate.** A random pick is a uniform draw from the `pool` records
//! unscreened at that moment, so `pool × (1 if it was relevant)` is an
//! unbiased estimate of the relevant records unscreened then; subtracting
//! the includes found since makes it an unbiased estimate of those
//! unscreened now. The estimate averages that over the latest random picks.
//!
//! **Test** (after Callaghan & Müller-Hansen 2020, "Statistical stopping
//! criteria for automated screening in systematic reviews"). When the
//! ranked picks run dry (`dry_window` ranked picks in a row with at most one
//! include), the test fixes its pool: the `pool` records then unscreened,
//! with `found_before` includes found. Its sample is the longest stretch of
//! the batch's seeded random order, restricted to the pool, whose records
//! have all been screened since, whether by a random pick or by the model.
//! The random order puts the pool in uniformly random order, so that
//! stretch is a simple random sample of the pool; the model's picks only
//! make parts of it free. After `k` sampled records holding `x` includes,
//! with `seen` includes found in all, recall below the target `τ` would
//! mean the pool held at least `K = ⌊seen / τ − found_before⌋ + 1`
//! relevant records. If drawing `k` from `pool` with `K` relevant gives `x`
//! or fewer with probability below `1 − confidence` (the hypergeometric
//! lower tail), that is rejected and screening may stop: recall has reached
//! the target at the stated confidence. The probability only falls as `K`
//! grows, so the smallest `K` is the hardest case.
//!
//! Both assume the crowd's decisions are right; wrong excludes are what
//! the redundancy rule keeps rare.

/// The rule's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoppingRule {
    pub target_recall: f64,
    pub confidence: f64,
    /// Ranked picks in a row with at most one include that start the test:
    /// this many, or `dry_share` of the batch if more.
    pub dry_window: usize,
    pub dry_share: f64,
}

impl Default for StoppingRule {
    fn default() -> Self {
        Self {
            target_recall: 0.95,
            confidence: 0.95,
            dry_window: 50,
            dry_share: 0.05,
        }
    }
}

/// One random pick, as the estimate needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomDraw {
    /// Records unscreened just before this one was picked (itself included).
    pub pool: usize,
    /// Includes found before it.
    pub found_before: usize,
    pub include: bool,
}

/// The random sample the test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Records unscreened when the test started.
    pub pool: usize,
    /// Includes found when the test started.
    pub found_before: usize,
    /// Includes found by now, by any pick.
    pub seen: usize,
    /// Records in the sample, and includes among them.
    pub drawn: usize,
    pub found: usize,
}

/// The sample, kept up to date as records are screened.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleCursor {
    in_pool: Vec<bool>,
    /// How far along the random order the sample reaches.
    position: usize,
    pub sample: Sample,
}

impl SampleCursor {
    /// Starts the test now: `decisions` holds each record's outcome so far
    /// (`Some(true)` include, `Some(false)` exclude, `None` unscreened).
    pub fn start(decisions: &[Option<bool>]) -> Self {
        let in_pool: Vec<bool> = decisions.iter().map(Option::is_none).collect();
        let found_before = decisions.iter().filter(|d| **d == Some(true)).count();
        Self {
            sample: Sample {
                pool: in_pool.iter().filter(|&&p| p).count(),
                found_before,
                seen: found_before,
                drawn: 0,
                found: 0,
            },
            in_pool,
            position: 0,
        }
    }

    /// Extends the sample along `random_order` over every pool record
    /// screened since, up to the first still unscreened.
    pub fn advance(&mut self, random_order: &[usize], decisions: &[Option<bool>]) {
        self.sample.seen = decisions.iter().filter(|d| **d == Some(true)).count();
        while let Some(&record) = random_order.get(self.position) {
            if self.in_pool.get(record).copied().unwrap_or(false) {
                match decisions.get(record).copied().flatten() {
                    Some(include) => {
                        self.sample.drawn += 1;
                        self.sample.found += usize::from(include);
                    }
                    None => break,
                }
            }
            self.position += 1;
        }
    }
}

/// The outcome of the test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecallTest {
    /// The probability of a sample with this few includes were recall below
    /// the target; the test passes below `1 − confidence`.
    pub p_value: f64,
    /// Whether screening may stop.
    pub passes: bool,
    /// The fewest relevant records the pool held were recall below target.
    pub relevant_if_short: usize,
}

impl StoppingRule {
    /// The ranked picks in a row with at most one include that start the
    /// test in a batch of `records`.
    pub fn window(&self, records: usize) -> usize {
        self.dry_window
            .max((self.dry_share * records as f64).ceil() as usize)
            .max(1)
    }

    /// Whether the latest ranked picks (`true`: include) have run dry.
    pub fn ranked_ran_dry(&self, records: usize, latest_ranked: &[bool]) -> bool {
        let window = self.window(records);
        latest_ranked.len() >= window
            && latest_ranked[latest_ranked.len() - window..]
                .iter()
                .filter(|&&include| include)
                .count()
                <= 1
    }

    /// The test on the sample so far.
    pub fn test(&self, sample: &Sample) -> RecallTest {
        let seen = sample.seen.max(sample.found_before + sample.found) as f64;
        let relevant_if_short =
            ((seen / self.target_recall - sample.found_before as f64).floor() as i64 + 1).max(1)
                as usize;
        let p_value = if relevant_if_short > sample.pool {
            // The pool is too small to hide that many: recall is certain.
            0.0
        } else {
            hypergeometric_cdf(sample.found, sample.pool, relevant_if_short, sample.drawn)
        };
        RecallTest {
            p_value,
            passes: p_value < 1.0 - self.confidence,
            relevant_if_short,
        }
    }
}

/// The estimated relevant records unscreened now, from the latest `recent`
/// random draws, with `found_now` includes found so far. `None` with no
/// draws. Unbiased, so by chance it can fall below zero: show it as at least
/// zero.
pub fn estimate_remaining(draws: &[RandomDraw], found_now: usize, recent: usize) -> Option<f64> {
    let latest = &draws[draws.len().saturating_sub(recent.max(1))..];
    if latest.is_empty() {
        return None;
    }
    let sum: f64 = latest
        .iter()
        .map(|d| {
            let hit = if d.include { d.pool as f64 } else { 0.0 };
            hit - found_now.saturating_sub(d.found_before) as f64
        })
        .sum();
    Some(sum / latest.len() as f64)
}

/// ln(n!): exact sums below 32, Stirling's series above (its error there
/// is below 1e-13), so one test costs O(includes), not O(pool).
fn ln_factorial(n: usize) -> f64 {
    if n < 32 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    let x2 = x * x;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

fn ln_choose(n: usize, k: usize) -> f64 {
    ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k)
}

/// P(X ≤ x) for X the number of marked items among `draws` taken without
/// replacement from `population` items of which `marked` are marked.
pub fn hypergeometric_cdf(x: usize, population: usize, marked: usize, draws: usize) -> f64 {
    if marked > population || draws > population {
        return 1.0;
    }
    let low = (draws + marked).saturating_sub(population);
    let high = x.min(marked).min(draws);
    if high < low {
        return 0.0;
    }
    let total = ln_choose(population, draws);
    let sum: f64 = (low..=high)
        .map(|i| (ln_choose(marked, i) + ln_choose(population - marked, draws - i) - total).exp())
        .sum();
    sum.min(1.0)
}

#[cfg(test)]
#[path = "stopping_tests.rs"]
mod tests;
