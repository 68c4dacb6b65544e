//! The hot loop of EM: recompute task posteriors and gather the counts for
//! the next M-step, in one pass over the answers.
//!
//! Large batches are split into contiguous task ranges of roughly equal
//! answer counts, one per available core; each range writes its own slice of
//! the posteriors and its own counts, which are summed afterwards. Results
//! are identical up to floating-point summation order.

use std::ops::Range;

use super::em::{Counts, Params};
use super::layout::Layout;

/// Below this many answers a thread costs more than it saves.
const ANSWERS_PER_THREAD: usize = 100_000;

/// Whether a task tells us anything about class frequencies or workers.
fn informative(layout: &Layout, t: usize) -> bool {
    layout.gold[t].is_some() || layout.offsets[t] != layout.offsets[t + 1]
}

fn empty_counts(layout: &Layout, k: usize) -> Counts {
    Counts {
        answers: vec![0.0; layout.workers() * k * k],
        classes: vec![0.0; k],
    }
}

/// Counts implied by the given posteriors (used once, after initialisation).
pub(super) fn accumulate(layout: &Layout, k: usize, posteriors: &[f64]) -> Counts {
    let mut counts = empty_counts(layout, k);
    for t in 0..layout.tasks() {
        if informative(layout, t) {
            add_task(layout, k, t, &posteriors[t * k..(t + 1) * k], &mut counts);
        }
    }
    counts
}

/// How many ordinary answers one answer to a gold task is worth in a
/// worker's counts, for `k` classes. An ordinary answer's count is spread
/// over the k possible true classes by a posterior that the model itself
/// produced, so it can only confirm what the model already believes; an
/// answer to a gold task lands in its true row with certainty, and is the
/// only evidence about a worker that the model cannot talk itself into.
/// Counting it k times gives it the weight of a full row's worth of spread
/// answers. The class frequencies still count every gold task once.
pub(super) fn gold_answer_weight(k: usize) -> f64 {
    k as f64
}

#[inline(always)]
fn add_task(layout: &Layout, k: usize, t: usize, post: &[f64], counts: &mut Counts) {
    let kk = k * k;
    for (c, p) in counts.classes.iter_mut().zip(post) {
        *c += p;
    }
    let (workers, labels) = layout.answers(t);
    if let Some(truth) = layout.gold[t] {
        let weight = gold_answer_weight(k);
        for (&worker, &label) in workers.iter().zip(labels) {
            counts.answers[worker as usize * kk + usize::from(label) * k + usize::from(truth)] +=
                weight;
        }
        return;
    }
    for (&worker, &label) in workers.iter().zip(labels) {
        let at = worker as usize * kk + usize::from(label) * k;
        for (c, p) in counts.answers[at..at + k].iter_mut().zip(post) {
            *c += p;
        }
    }
}

/// Recomputes every non-gold posterior, returning the largest change and
/// the counts for the next M-step.
pub(super) fn e_step(
    layout: &Layout,
    k: usize,
    params: &Params,
    posteriors: &mut [f64],
) -> (f64, Counts) {
    let answers = layout.workers.len();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (answers / ANSWERS_PER_THREAD).clamp(1, cores.min(16));
    if threads == 1 {
        return e_step_range(layout, k, params, 0..layout.tasks(), posteriors);
    }
    // Contiguous task ranges holding about answers / threads answers each.
    let mut bounds = vec![0];
    for i in 1..threads {
        let target = answers * i / threads;
        bounds.push(
            layout
                .offsets
                .partition_point(|&o| o < target)
                .min(layout.tasks()),
        );
    }
    bounds.push(layout.tasks());
    let results: Vec<(f64, Counts)> = std::thread::scope(|scope| {
        let mut rest = posteriors;
        let mut handles = Vec::with_capacity(threads);
        for pair in bounds.windows(2) {
            let (start, end) = (pair[0], pair[1].max(pair[0]));
            let (mine, tail) = rest.split_at_mut((end - start) * k);
            rest = tail;
            handles.push(scope.spawn(move || e_step_range(layout, k, params, start..end, mine)));
        }
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut merged = empty_counts(layout, k);
    let mut delta: f64 = 0.0;
    for (d, counts) in results {
        delta = delta.max(d);
        merged
            .answers
            .iter_mut()
            .zip(&counts.answers)
            .for_each(|(m, c)| *m += c);
        merged
            .classes
            .iter_mut()
            .zip(&counts.classes)
            .for_each(|(m, c)| *m += c);
    }
    (delta, merged)
}

/// Common class counts get their own copy of the loop with `k` a constant,
/// which lets the compiler unroll and vectorise the per-answer additions;
/// this roughly halves the cost of an iteration.
fn e_step_range(
    layout: &Layout,
    k: usize,
    params: &Params,
    tasks: Range<usize>,
    posteriors: &mut [f64],
) -> (f64, Counts) {
    match k {
        2 => e_step_inline(layout, 2, params, tasks, posteriors),
        3 => e_step_inline(layout, 3, params, tasks, posteriors),
        4 => e_step_inline(layout, 4, params, tasks, posteriors),
        5 => e_step_inline(layout, 5, params, tasks, posteriors),
        _ => e_step_inline(layout, k, params, tasks, posteriors),
    }
}

/// `posteriors` holds exactly the rows of `tasks`.
#[inline(always)]
fn e_step_inline(
    layout: &Layout,
    k: usize,
    params: &Params,
    tasks: Range<usize>,
    posteriors: &mut [f64],
) -> (f64, Counts) {
    let kk = k * k;
    let mut counts = empty_counts(layout, k);
    let mut delta: f64 = 0.0;
    let mut log_post = vec![0.0; k];
    let first = tasks.start;
    for t in tasks {
        if !informative(layout, t) {
            continue;
        }
        let row = t - first;
        let post = &mut posteriors[row * k..(row + 1) * k];
        if layout.gold[t].is_none() {
            log_post.copy_from_slice(&params.log_prior);
            let (workers, labels) = layout.answers(t);
            for (&worker, &label) in workers.iter().zip(labels) {
                let at = worker as usize * kk + usize::from(label) * k;
                for (lp, lt) in log_post.iter_mut().zip(&params.log_theta[at..at + k]) {
                    *lp += lt;
                }
            }
            let max = log_post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let mut total = 0.0;
            for lp in log_post.iter_mut() {
                *lp = (*lp - max).exp();
                total += *lp;
            }
            for (p, new) in post.iter_mut().zip(&log_post) {
                let new = new / total;
                delta = delta.max((new - *p).abs());
                *p = new;
            }
        }
        add_task(layout, k, t, post, &mut counts);
    }
    (delta, counts)
}
