//! The per-submission path: update one task's posterior from the answers it
//! has, using confusion matrices estimated by the last batch fit.
//!
//! This is O(classes) per answer and touches no global state, so it can run
//! inside the request that stores an answer. The batch fit
//! ([`super::dawid_skene::fit`]) periodically refreshes the confusion
//! matrices and class prior this path consumes.
//!
//! "Unsure" answers are counted (they use up the task's answer budget, so a
//! task many people find too hard escalates to an expert instead of being
//! shown forever) but they do not move the posterior: an unsure answer says
//! nothing about which class is true, and treating it as a vote for any class
//! would bias the result.

use super::confusion::{ConfusionMatrix, normalise};
use super::error::ModelError;

/// Running posterior for one task, kept in log space so long answer lists
/// with confident workers do not underflow.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskPosterior {
    log_posterior: Vec<f64>,
    labelled: u32,
    unsure: u32,
}

/// Probabilities are floored before taking logs so a confusion matrix with a
/// hard zero cannot make every class impossible at once.
const FLOOR: f64 = 1e-300;

impl TaskPosterior {
    /// Starts from the class prior, i.e. no answers yet.
    pub fn new(class_prior: &[f64]) -> Result<Self, ModelError> {
        if class_prior.len() < 2 {
            return Err(ModelError::TooFewClasses {
                classes: class_prior.len(),
            });
        }
        let mut prior = class_prior.to_vec();
        normalise(&mut prior)?;
        Ok(Self {
            log_posterior: prior.iter().map(|p| p.max(FLOOR).ln()).collect(),
            labelled: 0,
            unsure: 0,
        })
    }

    /// Folds in one answer from a worker with the given confusion matrix;
    /// `None` is an "unsure" answer (counted, but not evidence).
    pub fn add_answer(
        &mut self,
        confusion: &ConfusionMatrix,
        label: Option<u16>,
    ) -> Result<(), ModelError> {
        let classes = self.log_posterior.len();
        if confusion.classes() != classes {
            return Err(ModelError::DimensionMismatch {
                expected: classes,
                found: confusion.classes(),
            });
        }
        let Some(label) = label else {
            self.unsure += 1;
            return Ok(());
        };
        let answered = usize::from(label);
        if answered >= classes {
            return Err(ModelError::LabelOutOfRange { label, classes });
        }
        for (truth, lp) in self.log_posterior.iter_mut().enumerate() {
            *lp += confusion.prob(truth, answered).max(FLOOR).ln();
        }
        self.labelled += 1;
        Ok(())
    }

    /// The normalised posterior over classes.
    pub fn posterior(&self) -> Vec<f64> {
        softmax(&self.log_posterior)
    }

    /// Answers that named a class.
    pub fn labelled_answers(&self) -> u32 {
        self.labelled
    }

    /// Answers that said "unsure".
    pub fn unsure_answers(&self) -> u32 {
        self.unsure
    }

    /// All answers that used up the task's budget: the `n_counted_answers`
    /// to pass to [`super::decision::decide`].
    pub fn counted_answers(&self) -> u32 {
        self.labelled + self.unsure
    }
}

/// One-shot form of [`TaskPosterior`]: the posterior of a task given the
/// class prior and each answering worker's confusion matrix and label.
pub fn task_posterior<'a, I>(class_prior: &[f64], answers: I) -> Result<Vec<f64>, ModelError>
where
    I: IntoIterator<Item = (&'a ConfusionMatrix, Option<u16>)>,
{
    let mut state = TaskPosterior::new(class_prior)?;
    for (confusion, label) in answers {
        state.add_answer(confusion, label)?;
    }
    Ok(state.posterior())
}

/// Exponentiates and normalises log-weights without overflow.
pub(super) fn softmax(log_weights: &[f64]) -> Vec<f64> {
    let max = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let mut out: Vec<f64> = log_weights.iter().map(|w| (w - max).exp()).collect();
    let total: f64 = out.iter().sum();
    out.iter_mut().for_each(|p| *p /= total);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coin(accuracy: f64) -> ConfusionMatrix {
        ConfusionMatrix::one_coin(2, accuracy).unwrap()
    }

    #[test]
    fn one_answer_from_a_ninety_percent_worker_gives_ninety_percent() {
        let good = coin(0.9);
        let post = task_posterior(&[0.5, 0.5], [(&good, Some(1))]).unwrap();
        assert!((post[1] - 0.9).abs() < 1e-12);
    }

    #[test]
    fn two_reliable_workers_outvote_one_weak_one() {
        // Likelihood for class 0: 0.9 * 0.9 * 0.4 = 0.324; class 1:
        // 0.1 * 0.1 * 0.6 = 0.006, so P(0) = 0.324 / 0.330.
        let (good, weak) = (coin(0.9), coin(0.6));
        let answers = [(&good, Some(0)), (&good, Some(0)), (&weak, Some(1))];
        let post = task_posterior(&[0.5, 0.5], answers).unwrap();
        assert!((post[0] - 0.324 / 0.330).abs() < 1e-12);
    }

    #[test]
    fn an_unsure_answer_uses_budget_but_does_not_move_the_posterior() {
        let good = coin(0.8);
        let mut state = TaskPosterior::new(&[0.3, 0.7]).unwrap();
        state.add_answer(&good, None).unwrap();
        assert_eq!(state.posterior(), vec![0.3, 0.7]);
        assert_eq!((state.counted_answers(), state.labelled_answers()), (1, 0));
    }

    #[test]
    fn mismatched_inputs_are_errors_not_panics() {
        let three = ConfusionMatrix::one_coin(3, 0.8).unwrap();
        let mut state = TaskPosterior::new(&[0.5, 0.5]).unwrap();
        assert!(state.add_answer(&three, Some(0)).is_err());
        assert_eq!(
            state.add_answer(&coin(0.8), Some(2)),
            Err(ModelError::LabelOutOfRange {
                label: 2,
                classes: 2
            })
        );
        assert!(TaskPosterior::new(&[1.0]).is_err());
    }

    #[test]
    fn hundreds_of_confident_answers_do_not_underflow() {
        let sure = coin(0.999);
        let answers = std::iter::repeat_n((&sure, Some(0)), 500);
        let post = task_posterior(&[0.5, 0.5], answers).unwrap();
        assert_eq!(post[0], 1.0);
        assert!(post[1].is_finite());
    }
}
