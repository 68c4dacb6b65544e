//! The EM loop behind [`super::dawid_skene::fit`], over dense arrays.
//!
//! Internally worker parameters are laid out `[worker][answered][truth]` so
//! that both the E-step (add the log-likelihood of one answer to every
//! class) and the M-step (add a task's posterior to one answer's counts) walk
//! contiguous memory in the innermost loop. The public API transposes to the
//! conventional `[truth][answered]` on the way out.

use super::dawid_skene::FitOptions;
use super::e_step::{accumulate, e_step};
use super::error::ModelError;
use super::hyper::{ConfusionPrior, confusion_prior};
use super::incremental::softmax;
use super::layout::Layout;
use super::priors::Priors;

/// Keeps logs finite when a prior is switched off and a count is zero.
const FLOOR: f64 = 1e-300;

/// Estimates produced by [`run`].
pub(super) struct EmResult {
    pub class_prior: Vec<f64>,
    /// Task-major posteriors, `tasks * classes`.
    pub posteriors: Vec<f64>,
    /// `[worker][truth][answered]`.
    pub confusion: Vec<f64>,
    /// The prior mean confusion matrix, `[truth][answered]`: what a worker
    /// with no history is assumed to look like.
    pub newcomer: Vec<f64>,
    /// Pseudo-answers per confusion row (learned or fixed).
    pub strength: f64,
    pub iterations: u32,
    pub converged: bool,
}

/// Sufficient statistics of the posteriors for one M-step.
pub(super) struct Counts {
    /// `[worker][answered][truth]` expected answer counts.
    pub answers: Vec<f64>,
    /// Expected number of tasks per class.
    pub classes: Vec<f64>,
}

/// Parameters for one E-step.
pub(super) struct Params {
    pub log_prior: Vec<f64>,
    /// `[worker][answered][truth]` log-probabilities.
    pub log_theta: Vec<f64>,
    /// `[answered][truth]` pseudo-counts that were added to every worker.
    pub pseudo: Vec<f64>,
    /// Their total per row.
    pub strength: f64,
}

/// Runs EM from `start` posteriors (task-major, gold rows one-hot) or, if
/// none are given, from a gold-weighted majority vote.
pub(super) fn run(
    layout: &Layout,
    k: usize,
    options: &FitOptions,
    start: Option<Vec<f64>>,
) -> Result<EmResult, ModelError> {
    let priors = &options.priors;
    let newcomer = priors.newcomer_confusion(k)?;
    let mut posteriors = match start {
        Some(start) if start.len() == layout.tasks() * k => start,
        _ => initial_posteriors(layout, k, priors),
    };
    let mut counts = accumulate(layout, k, &posteriors);
    let mut params = m_step(
        &counts,
        k,
        priors,
        newcomer.as_slice(),
        priors.confusion_strength_for(k),
    );
    let mut iterations = 0;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        let (delta, next) = e_step(layout, k, &params, &mut posteriors);
        counts = next;
        params = m_step(&counts, k, priors, newcomer.as_slice(), params.strength);
        if delta < options.tolerance {
            converged = true;
            break;
        }
    }
    let class_prior: Vec<f64> = params.log_prior.iter().map(|lp| lp.exp()).collect();
    for t in 0..layout.tasks() {
        if layout.gold[t].is_none() && layout.answers(t).0.is_empty() {
            posteriors[t * k..(t + 1) * k].copy_from_slice(&class_prior);
        }
    }
    let kk = k * k;
    let mut confusion = vec![0.0; params.log_theta.len()];
    for (out, theta) in confusion.chunks_mut(kk).zip(params.log_theta.chunks(kk)) {
        for truth in 0..k {
            for answered in 0..k {
                out[truth * k + answered] = theta[answered * k + truth].exp();
            }
        }
    }
    let strength = params.strength;
    let newcomer = if strength > 0.0 {
        let mut m = vec![0.0; kk];
        for truth in 0..k {
            for answered in 0..k {
                m[truth * k + answered] = params.pseudo[answered * k + truth] / strength;
            }
        }
        m
    } else {
        newcomer.as_slice().to_vec()
    };
    Ok(EmResult {
        class_prior,
        posteriors,
        confusion,
        newcomer,
        strength,
        iterations,
        converged,
    })
}

/// Weighted majority vote. Each worker's vote weight is the one-coin
/// log-odds of their accuracy on gold tasks, smoothed towards the newcomer
/// accuracy, so without gold this is a plain (soft) majority vote and with
/// gold the known-good workers lead from the first iteration.
fn initial_posteriors(layout: &Layout, k: usize, priors: &Priors) -> Vec<f64> {
    let w = layout.workers();
    let mut correct = vec![0.0; w];
    let mut seen = vec![0.0; w];
    for t in 0..layout.tasks() {
        if let Some(truth) = layout.gold[t] {
            let (workers, labels) = layout.answers(t);
            for (&worker, &label) in workers.iter().zip(labels) {
                seen[worker as usize] += 1.0;
                if label == truth {
                    correct[worker as usize] += 1.0;
                }
            }
        }
    }
    let a0 = priors.newcomer_accuracy_for(k);
    let s = priors.confusion_strength_for(k).max(1.0);
    let weights: Vec<f64> = correct
        .iter()
        .zip(&seen)
        .map(|(&c, &n)| {
            let accuracy = ((c + s * a0) / (n + s)).clamp(1e-3, 1.0 - 1e-3);
            (accuracy * (k as f64 - 1.0) / (1.0 - accuracy)).ln()
        })
        .collect();
    let mut posteriors = vec![1.0 / k as f64; layout.tasks() * k];
    let mut score = vec![0.0; k];
    for (t, post) in posteriors.chunks_mut(k).enumerate() {
        if let Some(truth) = layout.gold[t] {
            post.fill(0.0);
            post[usize::from(truth)] = 1.0;
            continue;
        }
        let (workers, labels) = layout.answers(t);
        if workers.is_empty() {
            continue;
        }
        score.fill(0.0);
        for (&worker, &label) in workers.iter().zip(labels) {
            score[usize::from(label)] += weights[worker as usize];
        }
        post.copy_from_slice(&softmax(&score));
    }
    posteriors
}

/// MAP estimates given expected counts: observed counts plus pseudo-counts.
fn m_step(counts: &Counts, k: usize, priors: &Priors, newcomer: &[f64], strength: f64) -> Params {
    let kk = k * k;
    let ConfusionPrior { pseudo, strength } =
        confusion_prior(&counts.answers, k, priors, newcomer, strength);
    let mut log_theta = vec![0.0; counts.answers.len()];
    let mut row_totals = vec![0.0; k];
    for (out, worker) in log_theta.chunks_mut(kk).zip(counts.answers.chunks(kk)) {
        row_totals.fill(strength);
        for row in worker.chunks(k) {
            for (total, c) in row_totals.iter_mut().zip(row) {
                *total += c;
            }
        }
        for answered in 0..k {
            for truth in 0..k {
                let i = answered * k + truth;
                let theta = if row_totals[truth] > 0.0 {
                    (worker[i] + pseudo[i]) / row_totals[truth]
                } else {
                    newcomer[truth * k + answered]
                };
                out[i] = theta.max(FLOOR).ln();
            }
        }
    }
    let a = priors.class_pseudo_count;
    let total: f64 = counts.classes.iter().sum::<f64>() + a * k as f64;
    let log_prior = counts
        .classes
        .iter()
        .map(|c| {
            let p = if total > 0.0 {
                (c + a) / total
            } else {
                1.0 / k as f64
            };
            p.max(FLOOR).ln()
        })
        .collect();
    Params {
        log_prior,
        log_theta,
        pseudo,
        strength,
    }
}
