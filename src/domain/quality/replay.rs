//! Replays stored answers through the per-submission path to show what
//! adaptive stopping would have saved.
//!
//! Answers are fed in file order, as if they were arriving live; once a task
//! settles or escalates, its later answers are ignored, as if never asked
//! for. Worker confusion matrices come from a batch fit that never saw the
//! replayed task (k-fold cross-fitting over tasks), because in production the
//! matrices are always fitted on *other*, earlier tasks; fitting on the
//! replayed answers themselves would flatter the curve.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::fmt;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::confusion::ConfusionMatrix;
use super::dawid_skene::{FitOptions, Observation, fit};
use super::decision::{Decision, decide, top_class};
use super::error::ModelError;
use super::incremental::TaskPosterior;

/// Settings for [`replay_curve`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayOptions {
    /// Answers required before a task may settle.
    pub min_answers: u32,
    /// Answers after which an unconvinced task escalates.
    pub max_answers: u32,
    /// Target confidences to try, one curve point each.
    pub targets: Vec<f64>,
    /// Cross-fitting folds; 1 replays with a fit on all answers (optimistic).
    pub folds: u32,
    /// Seed for assigning tasks to folds.
    pub seed: u64,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self {
            min_answers: 1,
            max_answers: 10,
            targets: vec![0.8, 0.9, 0.95, 0.99],
            folds: 2,
            seed: 42,
        }
    }
}

/// One point of the curve. `target: None` is the baseline that uses every
/// answer and never stops early.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRow {
    /// The confidence target, or `None` for "all answers".
    pub target: Option<f64>,
    /// Tasks replayed (non-gold tasks with at least one answer).
    pub tasks: usize,
    /// Answers consumed before each task stopped, summed.
    pub answers_used: usize,
    /// Replayed tasks that have truth.
    pub scored: usize,
    /// Of those, how many ended with the true label.
    pub correct: usize,
    /// Tasks that reached the target.
    pub settled: usize,
    /// Tasks that hit the answer cap first.
    pub escalated: usize,
    /// Tasks that ran out of stored answers while open.
    pub exhausted: usize,
}

impl ReplayRow {
    /// Mean answers used per task.
    pub fn mean_answers(&self) -> f64 {
        self.answers_used as f64 / self.tasks.max(1) as f64
    }

    /// Accuracy on tasks with truth, if any.
    pub fn accuracy(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.correct as f64 / self.scored as f64)
    }
}

/// The replay results, baseline first.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayCurve {
    /// The options used.
    pub options: ReplayOptions,
    /// Baseline ("all answers") followed by one row per target.
    pub rows: Vec<ReplayRow>,
}

/// Replays `answers` (in order) for every non-gold task and scores the final
/// labels against `truth`. Gold tasks train the batch fits but are not
/// replayed, since they are never settled by consensus.
pub fn replay_curve(
    answers: &[Observation],
    classes: usize,
    gold: &[(u32, u16)],
    truth: &HashMap<u32, u16>,
    fit_options: &FitOptions,
    options: &ReplayOptions,
) -> Result<ReplayCurve, ModelError> {
    if options.min_answers > options.max_answers || options.folds == 0 {
        return Err(ModelError::InvalidOption {
            what: "replay needs min_answers <= max_answers and at least one fold",
        });
    }
    let gold_tasks: HashSet<u32> = gold.iter().map(|&(t, _)| t).collect();
    let mut tasks: Vec<u32> = Vec::new();
    let mut seen = HashSet::new();
    for o in answers {
        if !gold_tasks.contains(&o.task) && seen.insert(o.task) {
            tasks.push(o.task);
        }
    }
    tasks.shuffle(&mut StdRng::seed_from_u64(options.seed));
    let fold_of: HashMap<u32, u32> = tasks
        .iter()
        .enumerate()
        .map(|(i, &t)| (t, i as u32 % options.folds))
        .collect();
    let mut settings: Vec<Option<f64>> = vec![None];
    settings.extend(options.targets.iter().map(|&t| Some(t)));
    let mut rows: Vec<ReplayRow> = settings
        .iter()
        .map(|&target| ReplayRow {
            target,
            tasks: 0,
            answers_used: 0,
            scored: 0,
            correct: 0,
            settled: 0,
            escalated: 0,
            exhausted: 0,
        })
        .collect();
    for fold in 0..options.folds {
        let in_fold = |task: &u32| fold_of.get(task) == Some(&fold);
        let training: Vec<Observation> = answers
            .iter()
            .filter(|o| options.folds == 1 || !in_fold(&o.task))
            .copied()
            .collect();
        let model = fit(&training, classes, gold, fit_options)?;
        let mut matrices: HashMap<u32, ConfusionMatrix> = HashMap::new();
        let mut stream = Vec::new();
        for o in answers.iter().filter(|o| in_fold(&o.task)) {
            matrices
                .entry(o.worker)
                .or_insert_with(|| model.confusion_or_newcomer(o.worker));
            stream.push(*o);
        }
        for row in rows.iter_mut() {
            replay_fold(&stream, &matrices, model.class_prior(), truth, options, row)?;
        }
    }
    Ok(ReplayCurve {
        options: options.clone(),
        rows,
    })
}

struct Live {
    state: TaskPosterior,
    outcome: Option<Decision>,
}

fn replay_fold(
    stream: &[Observation],
    matrices: &HashMap<u32, ConfusionMatrix>,
    class_prior: &[f64],
    truth: &HashMap<u32, u16>,
    options: &ReplayOptions,
    row: &mut ReplayRow,
) -> Result<(), ModelError> {
    let (target, max) = match row.target {
        Some(target) => (target, options.max_answers),
        None => (f64::INFINITY, u32::MAX),
    };
    let mut live: HashMap<u32, Live> = HashMap::new();
    let mut order = Vec::new();
    for o in stream {
        let Some(matrix) = matrices.get(&o.worker) else {
            continue;
        };
        let task = match live.entry(o.task) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                order.push(o.task);
                entry.insert(Live {
                    state: TaskPosterior::new(class_prior)?,
                    outcome: None,
                })
            }
        };
        if task.outcome.is_some() {
            continue;
        }
        task.state.add_answer(matrix, o.label)?;
        let posterior = task.state.posterior();
        let n = task.state.counted_answers();
        match decide(&posterior, n, options.min_answers, max, target) {
            Decision::Open => {}
            decided => task.outcome = Some(decided),
        }
    }
    for t in order {
        let Some(task) = live.get(&t) else { continue };
        row.tasks += 1;
        row.answers_used += task.state.counted_answers() as usize;
        let label = match task.outcome {
            Some(Decision::Settled { label, .. }) => {
                row.settled += 1;
                Some(label)
            }
            other => {
                if other.is_some() {
                    row.escalated += 1;
                } else {
                    row.exhausted += 1;
                }
                top_class(&task.state.posterior()).map(|(label, _)| label)
            }
        };
        if let Some(&true_label) = truth.get(&t) {
            row.scored += 1;
            row.correct += usize::from(label == Some(true_label));
        }
    }
    Ok(())
}

impl fmt::Display for ReplayCurve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        let fitting = if o.folds > 1 {
            format!("{}-fold cross-fitted worker models", o.folds)
        } else {
            "worker models fitted on all answers".to_owned()
        };
        writeln!(
            f,
            "Replay in file order, adaptive stopping with min {} / max {} answers, {fitting}:",
            o.min_answers, o.max_answers
        )?;
        writeln!(
            f,
            "  {:<7} {:>12} {:>7} {:>9} {:>8} {:>9} {:>8}",
            "target", "answers/task", "saved", "accuracy", "settled", "escalated", "ran out"
        )?;
        let baseline = self.rows.first().map_or(0.0, ReplayRow::mean_answers);
        for row in &self.rows {
            let target = row.target.map_or("all".to_owned(), |t| format!("{t:.2}"));
            let saved = if row.target.is_some() && baseline > 0.0 {
                format!("{:.0}%", 100.0 * (1.0 - row.mean_answers() / baseline))
            } else {
                "-".to_owned()
            };
            let accuracy = row
                .accuracy()
                .map_or("n/a".to_owned(), |a| format!("{a:.3}"));
            writeln!(
                f,
                "  {:<7} {:>12.2} {:>7} {:>9} {:>8} {:>9} {:>8}",
                target,
                row.mean_answers(),
                saved,
                accuracy,
                row.settled,
                row.escalated,
                row.exhausted
            )?;
        }
        Ok(())
    }
}
