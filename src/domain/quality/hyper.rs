//! The confusion-matrix prior shared by all workers: its mean (a fixed
//! newcomer matrix, or the crowd's typical worker) and its strength (fixed,
//! or learned from how much workers differ from one another).
//!
//! Learning the strength is empirical Bayes: it maximises the
//! Dirichlet-multinomial likelihood of the workers' expected answer counts
//! (Minka's fixed-point update). If workers behave alike the prior becomes
//! strong, so a worker with few answers is judged mostly by the crowd's
//! pattern; if they differ a lot it becomes weak and each worker's own
//! record dominates. That adapts to each project instead of hard-coding a
//! number tuned on someone else's data.

use super::priors::{Priors, Strength};

/// The learned strength stays within this range: at least one pseudo-answer
/// per row keeps some smoothing, and the cap stops a crowd of near-identical
/// workers from erasing individual differences entirely.
const STRENGTH_RANGE: (f64, f64) = (1.0, 1000.0);

/// Fixed-point steps per M-step; EM iterations continue the refinement.
const STEPS: usize = 3;

/// Prior pseudo-counts for every worker, `[answered][truth]`.
pub(super) struct ConfusionPrior {
    pub pseudo: Vec<f64>,
    pub strength: f64,
}

/// Builds the prior from `answers` (expected counts, `[worker][answered]
/// [truth]`), the fixed newcomer matrix (`[truth][answered]`) and the
/// strength used in the previous iteration.
pub(super) fn confusion_prior(
    answers: &[f64],
    k: usize,
    priors: &Priors,
    newcomer: &[f64],
    previous_strength: f64,
) -> ConfusionPrior {
    let kk = k * k;
    let mut mean = vec![0.0; kk];
    for truth in 0..k {
        for answered in 0..k {
            mean[answered * k + truth] = newcomer[truth * k + answered];
        }
    }
    if priors.pooled {
        mean = typical_worker(answers, k, &answer_pool(answers, k, &mean));
    }
    let strength = match priors.confusion_strength {
        Strength::Learned if priors.pooled => learn_strength(answers, k, &mean, previous_strength),
        _ => priors.confusion_strength_for(k),
    };
    ConfusionPrior {
        pseudo: mean.iter().map(|m| strength * m).collect(),
        strength,
    }
}

/// The crowd's answers pooled, anchored by one row-per-class worth of the
/// fixed newcomer matrix (`mean`) so an empty crowd still has a sensible mean.
fn answer_pool(answers: &[f64], k: usize, mean: &[f64]) -> Vec<f64> {
    let kk = k * k;
    let anchor = k as f64;
    let mut pooled = vec![0.0; kk];
    for worker in answers.chunks(kk) {
        pooled.iter_mut().zip(worker).for_each(|(p, c)| *p += c);
    }
    normalise_rows(&mut pooled, k, |i, p| p + anchor * mean[i]);
    pooled
}

/// The typical worker: the average of the workers' own answer patterns,
/// each row normalised, with `anchor` counting as one more worker.
///
/// Pooling answers instead would let the few most prolific workers define
/// what a newcomer looks like, when the prior is meant to describe workers,
/// not answers. A worker counts by `n / (n + k²)` for `n` answers: with
/// fewer than k² answers their own k×k matrix is mostly undetermined, so
/// they count less than half a worker; a worker with thousands counts once.
fn typical_worker(answers: &[f64], k: usize, anchor: &[f64]) -> Vec<f64> {
    let kk = k * k;
    let mut typical = vec![0.0; kk];
    let mut row_totals = vec![0.0; k];
    for worker in answers.chunks(kk) {
        row_totals.fill(0.0);
        for (i, &n) in worker.iter().enumerate() {
            row_totals[i % k] += n;
        }
        let n: f64 = row_totals.iter().sum();
        let weight = n / (n + kk as f64);
        for (i, (t, &c)) in typical.iter_mut().zip(worker).enumerate() {
            let total = row_totals[i % k];
            if total > 0.0 {
                *t += weight * c / total;
            }
        }
    }
    normalise_rows(&mut typical, k, |i, t| t + anchor[i]);
    typical
}

/// Applies `cell` to every value of an `[answered][truth]` matrix, then
/// scales each truth column (one confusion row) to sum to 1.
fn normalise_rows(matrix: &mut [f64], k: usize, cell: impl Fn(usize, f64) -> f64) {
    for (i, value) in matrix.iter_mut().enumerate() {
        *value = cell(i, *value);
    }
    for truth in 0..k {
        let total: f64 = (0..k).map(|a| matrix[a * k + truth]).sum();
        if total > 0.0 {
            (0..k).for_each(|a| matrix[a * k + truth] /= total);
        }
    }
}

/// Minka's fixed-point update for a Dirichlet-multinomial concentration with
/// known mean, shared by all rows of all workers.
fn learn_strength(answers: &[f64], k: usize, mean: &[f64], start: f64) -> f64 {
    let kk = k * k;
    let mut s = start.clamp(STRENGTH_RANGE.0, STRENGTH_RANGE.1);
    let mut row_totals = vec![0.0; k];
    for _ in 0..STEPS {
        let (mut numerator, mut denominator) = (0.0, 0.0);
        for worker in answers.chunks(kk) {
            row_totals.fill(0.0);
            for (i, &n) in worker.iter().enumerate() {
                if n > 0.0 {
                    let m = mean[i];
                    numerator += m * (digamma(n + s * m) - digamma(s * m));
                    row_totals[i % k] += n;
                }
            }
            for &total in &row_totals {
                if total > 0.0 {
                    denominator += digamma(total + s) - digamma(s);
                }
            }
        }
        if denominator <= 0.0 || numerator <= 0.0 {
            break;
        }
        s = (s * numerator / denominator).clamp(STRENGTH_RANGE.0, STRENGTH_RANGE.1);
    }
    s
}

/// The digamma function ψ(x) for x > 0: shift x above 10 with the
/// recurrence ψ(x) = ψ(x + 1) − 1/x, then use the asymptotic series.
pub(super) fn digamma(mut x: f64) -> f64 {
    let mut shift = 0.0;
    while x < 10.0 {
        shift -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let series =
        f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f / 132.0))));
    shift + x.ln() - 0.5 / x - series
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_matches_known_values() {
        // ψ(1) = −γ and ψ(1/2) = −γ − 2 ln 2.
        let gamma = 0.577_215_664_901_532_9;
        assert!((digamma(1.0) + gamma).abs() < 1e-12);
        assert!((digamma(0.5) + gamma + 2.0 * 2f64.ln()).abs() < 1e-12);
        assert!((digamma(10.0) - 2.251_752_589_066_721).abs() < 1e-12);
    }

    #[test]
    fn identical_workers_make_a_strong_prior_and_diverse_ones_a_weak_one() {
        // Two classes, layout [worker][answered][truth]; 50 answers per row.
        let mean = [0.8, 0.2, 0.2, 0.8];
        let alike: Vec<f64> = (0..20).flat_map(|_| [40.0, 10.0, 10.0, 40.0]).collect();
        let diverse: Vec<f64> = (0..20)
            .flat_map(|w| {
                if w % 2 == 0 {
                    [50.0, 0.0, 0.0, 50.0]
                } else {
                    [30.0, 20.0, 20.0, 30.0]
                }
            })
            .collect();
        let mut strong = 2.0;
        let mut weak = 2.0;
        for _ in 0..50 {
            strong = learn_strength(&alike, 2, &mean, strong);
            weak = learn_strength(&diverse, 2, &mean, weak);
        }
        assert!(strong > 40.0, "identical crowd strength {strong}");
        assert!(weak < 10.0, "diverse crowd strength {weak}");
    }
}
