//! `tessera aggregate`: batch aggregation of an answers CSV, scored against
//! an optional truth CSV, to compare the model with majority vote and to
//! show what adaptive stopping would save.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index;

use super::agreement::{fleiss_kappa, krippendorff_alpha_nominal};
pub use super::csv_input::{Dataset, Interner, OfflineError};
use super::dawid_skene::{FitOptions, Observation, fit};
use super::decision::top_class;
use super::replay::{ReplayOptions, replay_curve};
pub use super::report::{AggregateReport, Consensus, Score, write_consensus};

/// Settings for [`aggregate`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AggregateOptions {
    /// Share of the scorable truth tasks revealed to the model as gold
    /// (0 = none). Revealed tasks are excluded from scoring.
    pub gold_fraction: f64,
    /// Seed for choosing the gold tasks.
    pub seed: u64,
    /// Model settings.
    pub fit: FitOptions,
    /// Replay settings; `None` skips the replay.
    pub replay: Option<ReplayOptions>,
}

/// Reads the files and runs [`aggregate`].
pub fn aggregate_files(
    answers: &Path,
    truth: Option<&Path>,
    options: &AggregateOptions,
) -> Result<AggregateReport, OfflineError> {
    aggregate(&Dataset::from_paths(answers, truth)?, options)
}

/// Runs majority vote and the model over `data` and scores both.
///
/// Scoring covers tasks that have truth and at least one answer, minus the
/// revealed gold tasks, so gold can never inflate the figures.
pub fn aggregate(
    data: &Dataset,
    options: &AggregateOptions,
) -> Result<AggregateReport, OfflineError> {
    if !(0.0..=1.0).contains(&options.gold_fraction) {
        return Err(OfflineError::InvalidOption(format!(
            "gold fraction must be within 0..=1, got {}",
            options.gold_fraction
        )));
    }
    let k = data.classes.len().max(2);
    let answered: HashSet<u32> = data.answers.iter().map(|o| o.task).collect();
    let truth: HashMap<u32, u16> = data.truth.iter().copied().collect();
    let mut scorable: Vec<(u32, u16)> = truth
        .iter()
        .filter(|(t, _)| answered.contains(t))
        .map(|(&t, &l)| (t, l))
        .collect();
    scorable.sort_unstable();
    let reveal = (options.gold_fraction * scorable.len() as f64).round() as usize;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let gold: Vec<(u32, u16)> = index::sample(&mut rng, scorable.len(), reveal)
        .into_iter()
        .map(|i| scorable[i])
        .collect();
    let gold_set: HashSet<u32> = gold.iter().map(|&(t, _)| t).collect();
    let start = Instant::now();
    let model = fit(&data.answers, k, &gold, &options.fit)?;
    let fit_time = start.elapsed();
    let vote = majority_vote(&data.answers, data.tasks.names().len(), k);
    let mut majority = Score::new(k);
    let mut model_score = Score::new(k);
    for &(t, true_label) in scorable.iter().filter(|(t, _)| !gold_set.contains(t)) {
        majority.record(true_label, vote[t as usize]);
        model_score.record(true_label, model.label(t));
    }
    let replay = match &options.replay {
        Some(replay_options) => {
            let scored_truth: HashMap<u32, u16> = scorable.iter().copied().collect();
            Some(replay_curve(
                &data.answers,
                k,
                &gold,
                &scored_truth,
                &options.fit,
                replay_options,
            )?)
        }
        None => None,
    };
    let agreement = agreement_of(&data.answers, data.tasks.names().len(), k);
    let mut consensus = Vec::with_capacity(answered.len());
    for (id, name) in data.tasks.names().iter().enumerate() {
        let Some(posterior) = model.posterior(id as u32) else {
            continue;
        };
        if let Some((label, confidence)) = top_class(posterior)
            && let Some(label) = data.classes.get(usize::from(label))
        {
            consensus.push(Consensus {
                task: name.clone(),
                label: label.clone(),
                confidence,
            });
        }
    }
    Ok(AggregateReport {
        agreement,
        consensus,
        tasks: answered.len(),
        workers: data.workers.names().len(),
        answers: data.answers.len(),
        unsure: data.answers.iter().filter(|o| o.label.is_none()).count(),
        classes: data.classes.clone(),
        truth_without_answers: truth.len() - scorable.len(),
        gold_tasks: gold.len(),
        majority,
        model: model_score,
        fit_time,
        iterations: (model.iterations(), model.converged()),
        replay,
    })
}

/// Krippendorff's alpha over all answered tasks ("unsure" is a missing
/// value) and Fleiss' kappa when every task got the same number of labels.
fn agreement_of(
    answers: &[Observation],
    tasks: usize,
    classes: usize,
) -> (Option<f64>, Option<f64>) {
    let mut units: Vec<Vec<Option<u32>>> = vec![Vec::new(); tasks];
    let mut counts = vec![0u32; tasks * classes];
    for o in answers {
        if let Some(unit) = units.get_mut(o.task as usize) {
            unit.push(o.label.map(u32::from));
        }
        if let Some(label) = o.label
            && let Some(c) = counts.get_mut(o.task as usize * classes + usize::from(label))
        {
            *c += 1;
        }
    }
    let rows: Vec<&[u32]> = counts
        .chunks(classes)
        .filter(|row| row.iter().any(|&c| c > 0))
        .collect();
    (krippendorff_alpha_nominal(&units), fleiss_kappa(&rows))
}

/// Plain majority vote over dense task ids `0..tasks`. Ties go to the class
/// that is most common overall (then the lower id), the least surprising
/// guess; tasks with only "unsure" answers get `None`.
pub fn majority_vote(answers: &[Observation], tasks: usize, classes: usize) -> Vec<Option<u16>> {
    let mut votes = vec![0u32; tasks * classes];
    let mut overall = vec![0u64; classes];
    for o in answers {
        if let Some(label) = o.label
            && let Some(v) = votes.get_mut(o.task as usize * classes + usize::from(label))
        {
            *v += 1;
            overall[usize::from(label)] += 1;
        }
    }
    votes
        .chunks(classes)
        .map(|v| {
            let best = (0..classes).max_by_key(|&c| (v[c], overall[c], std::cmp::Reverse(c)))?;
            (v[best] > 0).then_some(best as u16)
        })
        .collect()
}

#[cfg(test)]
#[path = "offline_tests.rs"]
mod tests;
