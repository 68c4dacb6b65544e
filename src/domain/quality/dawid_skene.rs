//! Bayesian Dawid–Skene: every worker has a confusion matrix, every task a
//! latent true class, and EM finds the MAP estimate of both.
//!
//! Differences from the textbook model, and why:
//! - Dirichlet priors on confusion rows and the class prior (see
//!   [`Priors`]), so a worker with three answers is not declared perfect or
//!   useless, and a newcomer starts as "moderately better than chance".
//! - By default the confusion prior is centred on the crowd's typical
//!   worker (empirical Bayes: the average of the workers' own answer
//!   patterns, not of their answers), so rarely-seen workers inherit the
//!   crowd's typical mistakes instead of a generic guess, or the habits of
//!   its five most prolific members.
//! - Gold tasks have a fixed one-hot posterior: they train the confusion
//!   matrices directly, each gold answer counting k times (it is the only
//!   evidence the model cannot talk itself into), and also weight the
//!   initial majority vote.
//! - "Unsure" answers (`label: None`) are counted per task but are not
//!   evidence, so they never move a posterior. They are exposed through
//!   [`FittedModel::unsure_answers`] for difficulty reporting, and count
//!   against the answer budget in [`super::decision::decide`].

use std::collections::HashMap;

use super::confusion::ConfusionMatrix;
use super::em;
use super::error::ModelError;
use super::incremental::TaskPosterior;
use super::layout;
use super::priors::Priors;

/// One stored answer. `label: None` means the worker said "unsure".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Observation {
    /// The task answered.
    pub task: u32,
    /// Who answered.
    pub worker: u32,
    /// The class chosen, or `None` for "unsure".
    pub label: Option<u16>,
}

impl From<(u32, u32, Option<u16>)> for Observation {
    fn from((task, worker, label): (u32, u32, Option<u16>)) -> Self {
        Self {
            task,
            worker,
            label,
        }
    }
}

/// Settings for [`fit`].
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// Priors for confusion matrices and class frequencies.
    pub priors: Priors,
    /// Stop when no task posterior moves by more than this in an iteration.
    /// The default, 1e-5, is far below any sensible confidence target's
    /// margin, and EM's slow linear tail makes every further decade cost
    /// about a quarter more iterations.
    pub tolerance: f64,
    /// Hard cap on EM iterations, so a slowly converging batch still returns
    /// in bounded time (the result is then flagged as not converged).
    pub max_iterations: u32,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            priors: Priors::default(),
            tolerance: 1e-5,
            max_iterations: 1000,
        }
    }
}

/// The result of a batch fit: posteriors for every task and a confusion
/// matrix for every worker, looked up by the caller's own ids.
#[derive(Debug, Clone)]
pub struct FittedModel {
    classes: usize,
    class_prior: Vec<f64>,
    task_index: HashMap<u32, usize>,
    posteriors: Vec<f64>,
    unsure: Vec<u32>,
    worker_index: HashMap<u32, usize>,
    confusion: Vec<f64>,
    newcomer: ConfusionMatrix,
    prior_strength: f64,
    iterations: u32,
    converged: bool,
}

/// Fits the model to `observations` with `classes` possible labels, holding
/// the tasks in `gold` at their known label.
///
/// Runs EM from a (gold-weighted) majority vote until posteriors change by
/// less than `options.tolerance` or `options.max_iterations` is reached.
/// Tasks that appear only in `gold` still count towards the class prior.
pub fn fit(
    observations: &[Observation],
    classes: usize,
    gold: &[(u32, u16)],
    options: &FitOptions,
) -> Result<FittedModel, ModelError> {
    fit_from(observations, classes, gold, options, None)
}

/// Like [`fit`], but starts EM from the task posteriors that `previous`
/// implies for the new batch (its confusion matrices and class prior;
/// newcomers get its newcomer matrix). When a batch differs from the last
/// one by the answers that arrived since, EM starts next to the fixed point
/// and needs far fewer iterations. The result does not otherwise depend on
/// `previous`, beyond which local optimum EM settles in.
pub fn refit(
    observations: &[Observation],
    classes: usize,
    gold: &[(u32, u16)],
    options: &FitOptions,
    previous: &FittedModel,
) -> Result<FittedModel, ModelError> {
    if previous.classes != classes {
        return Err(ModelError::DimensionMismatch {
            expected: classes,
            found: previous.classes,
        });
    }
    fit_from(observations, classes, gold, options, Some(previous))
}

fn fit_from(
    observations: &[Observation],
    classes: usize,
    gold: &[(u32, u16)],
    options: &FitOptions,
    previous: Option<&FittedModel>,
) -> Result<FittedModel, ModelError> {
    if classes < 2 {
        return Err(ModelError::TooFewClasses { classes });
    }
    options.priors.validate()?;
    if !options.tolerance.is_finite() || options.tolerance < 0.0 {
        return Err(ModelError::InvalidOption {
            what: "tolerance must be finite and >= 0",
        });
    }
    let layout = layout::build(observations, classes, gold)?;
    let start = match previous {
        Some(previous) => Some(warm_posteriors(&layout, classes, previous)?),
        None => None,
    };
    let result = em::run(&layout, classes, options, start)?;
    let newcomer = ConfusionMatrix::from_flat(classes, result.newcomer)?;
    let index = |ids: &[u32]| ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    Ok(FittedModel {
        classes,
        class_prior: result.class_prior,
        task_index: index(&layout.task_ids),
        posteriors: result.posteriors,
        unsure: layout.unsure,
        worker_index: index(&layout.worker_ids),
        confusion: result.confusion,
        newcomer,
        prior_strength: result.strength,
        iterations: result.iterations,
        converged: result.converged,
    })
}

/// Posteriors of every task in `layout` under `previous`'s parameters.
fn warm_posteriors(
    layout: &layout::Layout,
    k: usize,
    previous: &FittedModel,
) -> Result<Vec<f64>, ModelError> {
    let matrices: Vec<ConfusionMatrix> = layout
        .worker_ids
        .iter()
        .map(|&w| previous.confusion_or_newcomer(w))
        .collect();
    let mut posteriors = Vec::with_capacity(layout.tasks() * k);
    for t in 0..layout.tasks() {
        if let Some(truth) = layout.gold[t] {
            posteriors.extend((0..k).map(|c| if c == usize::from(truth) { 1.0 } else { 0.0 }));
            continue;
        }
        let mut state = TaskPosterior::new(previous.class_prior())?;
        let (workers, labels) = layout.answers(t);
        for (&w, &label) in workers.iter().zip(labels) {
            state.add_answer(&matrices[w as usize], Some(label))?;
        }
        posteriors.extend(state.posterior());
    }
    Ok(posteriors)
}

impl FittedModel {
    /// Number of classes the model was fitted with.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Estimated class frequencies: the prior for the incremental path.
    pub fn class_prior(&self) -> &[f64] {
        &self.class_prior
    }

    /// Posterior over classes for `task`, if the task was in the batch.
    pub fn posterior(&self, task: u32) -> Option<&[f64]> {
        let t = *self.task_index.get(&task)?;
        self.posteriors
            .get(t * self.classes..(t + 1) * self.classes)
    }

    /// Most probable class for `task` (ties to the lower index).
    pub fn label(&self, task: u32) -> Option<u16> {
        super::decision::top_class(self.posterior(task)?).map(|(label, _)| label)
    }

    /// "Unsure" answers `task` received: a difficulty signal, not evidence.
    pub fn unsure_answers(&self, task: u32) -> Option<u32> {
        self.unsure.get(*self.task_index.get(&task)?).copied()
    }

    /// Estimated confusion matrix of `worker`, if they answered in the batch.
    pub fn confusion(&self, worker: u32) -> Option<ConfusionMatrix> {
        let w = *self.worker_index.get(&worker)?;
        let kk = self.classes * self.classes;
        let values = self.confusion.get(w * kk..(w + 1) * kk)?.to_vec();
        ConfusionMatrix::from_flat(self.classes, values).ok()
    }

    /// Confusion matrix of `worker`, or the newcomer prior for an unknown
    /// worker: what the incremental path should use for every answer.
    pub fn confusion_or_newcomer(&self, worker: u32) -> ConfusionMatrix {
        self.confusion(worker)
            .unwrap_or_else(|| self.newcomer.clone())
    }

    /// The prior mean confusion matrix: what a worker with no history is
    /// assumed to look like (the crowd average when priors are pooled).
    pub fn newcomer_confusion(&self) -> &ConfusionMatrix {
        &self.newcomer
    }

    /// Informativeness of `worker` in `[0, 1]` (see
    /// [`ConfusionMatrix::informativeness`]); near zero for a spammer.
    pub fn worker_weight(&self, worker: u32) -> Option<f64> {
        Some(self.confusion(worker)?.informativeness(&self.class_prior))
    }

    /// Caller ids of all tasks in the batch, in first-appearance order.
    pub fn task_ids(&self) -> Vec<u32> {
        let mut ids: Vec<(usize, u32)> = self.task_index.iter().map(|(&id, &i)| (i, id)).collect();
        ids.sort_unstable();
        ids.into_iter().map(|(_, id)| id).collect()
    }

    /// Pseudo-answers per row of the confusion prior that was used: the
    /// learned value for [`super::priors::Strength::Learned`] with pooled
    /// priors. Large means workers looked alike.
    pub fn prior_strength(&self) -> f64 {
        self.prior_strength
    }

    /// EM iterations run.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Whether EM met the tolerance before the iteration cap.
    pub fn converged(&self) -> bool {
        self.converged
    }
}
