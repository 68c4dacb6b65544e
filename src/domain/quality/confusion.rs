//! Worker confusion matrices and how much a worker's answers are worth.

use super::error::ModelError;

/// How likely a worker is to give each answer for each true class.
///
/// Stored row-major: `prob(truth, answered)` = P(worker answers `answered` |
/// the task's true class is `truth`). Every row sums to 1. This is the unit of
/// state the incremental path needs per worker, so it is cheap to clone and
/// round-trips through [`ConfusionMatrix::as_slice`] /
/// [`ConfusionMatrix::from_flat`] for storage.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ConfusionMatrix {
    classes: usize,
    probs: Vec<f64>,
}

impl ConfusionMatrix {
    /// Builds a matrix from `classes * classes` row-major values, normalising
    /// each row so stored values that drifted by rounding still sum to 1.
    pub fn from_flat(classes: usize, mut probs: Vec<f64>) -> Result<Self, ModelError> {
        if classes < 2 {
            return Err(ModelError::TooFewClasses { classes });
        }
        if probs.len() != classes * classes {
            return Err(ModelError::DimensionMismatch {
                expected: classes * classes,
                found: probs.len(),
            });
        }
        for row in probs.chunks_mut(classes) {
            normalise(row)?;
        }
        Ok(Self { classes, probs })
    }

    /// A worker who answers each class with probability `accuracy` and
    /// spreads the rest evenly (the "one-coin" model).
    pub fn one_coin(classes: usize, accuracy: f64) -> Result<Self, ModelError> {
        if !(0.0..=1.0).contains(&accuracy) {
            return Err(ModelError::InvalidOption {
                what: "accuracy must be within 0..=1",
            });
        }
        let off = if classes > 1 {
            (1.0 - accuracy) / (classes as f64 - 1.0)
        } else {
            0.0
        };
        let probs = (0..classes * classes)
            .map(|i| {
                if i / classes == i % classes {
                    accuracy
                } else {
                    off
                }
            })
            .collect();
        Self::from_flat(classes, probs)
    }

    /// The number of classes (rows and columns).
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// P(answer `answered` | truth `truth`); 0 for out-of-range indices.
    pub fn prob(&self, truth: usize, answered: usize) -> f64 {
        if truth >= self.classes || answered >= self.classes {
            return 0.0;
        }
        self.probs[truth * self.classes + answered]
    }

    /// The answer distribution for one true class (empty if out of range).
    pub fn row(&self, truth: usize) -> &[f64] {
        self.probs
            .chunks(self.classes)
            .nth(truth)
            .unwrap_or_default()
    }

    /// The row-major values, for storage.
    pub fn as_slice(&self) -> &[f64] {
        &self.probs
    }

    /// How informative this worker's answers are, in `[0, 1]`.
    ///
    /// This is the mutual information between the true class (distributed as
    /// `class_prior`) and the worker's answer, divided by the entropy of the
    /// true class: 1 for a worker whose answer reveals the truth, 0 for one
    /// whose answers do not depend on the truth at all (a random clicker, or
    /// someone who always gives the same answer). Unlike raw accuracy it
    /// credits a worker who is consistently wrong in a learnable way, because
    /// the model can still invert their answers. Returns 0 when the prior
    /// itself is certain or does not match the matrix.
    pub fn informativeness(&self, class_prior: &[f64]) -> f64 {
        if class_prior.len() != self.classes {
            return 0.0;
        }
        let k = self.classes;
        let mut answer_marginal = vec![0.0; k];
        for (truth, &p) in class_prior.iter().enumerate() {
            for (m, &q) in answer_marginal.iter_mut().zip(self.row(truth)) {
                *m += p * q;
            }
        }
        let mut mutual = 0.0;
        for (truth, &p) in class_prior.iter().enumerate() {
            for (&q, &m) in self.row(truth).iter().zip(&answer_marginal) {
                if p > 0.0 && q > 0.0 && m > 0.0 {
                    mutual += p * q * (q / m).ln();
                }
            }
        }
        let entropy: f64 = class_prior
            .iter()
            .filter(|&&p| p > 0.0)
            .map(|&p| -p * p.ln())
            .sum();
        if entropy <= 1e-12 {
            return 0.0;
        }
        (mutual / entropy).clamp(0.0, 1.0)
    }
}

/// A worker's vote weight for dashboards and audits: the informativeness
/// of their confusion matrix under the class prior (see
/// [`ConfusionMatrix::informativeness`]); near 0 for a spammer, 1 for a
/// worker whose answer always reveals the truth. The posterior itself never
/// needs this number: it uses the full matrix.
pub fn worker_weight(confusion: &ConfusionMatrix, class_prior: &[f64]) -> f64 {
    confusion.informativeness(class_prior)
}

/// Scales `row` to sum to 1, rejecting negative, non-finite or all-zero rows.
pub(super) fn normalise(row: &mut [f64]) -> Result<(), ModelError> {
    if row.iter().any(|p| !p.is_finite() || *p < 0.0) {
        return Err(ModelError::InvalidProbabilities);
    }
    let total: f64 = row.iter().sum();
    if total <= 0.0 {
        return Err(ModelError::InvalidProbabilities);
    }
    row.iter_mut().for_each(|p| *p /= total);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_clicker_carries_no_information() {
        let spammer = ConfusionMatrix::from_flat(3, vec![1.0; 9]).unwrap();
        assert_eq!(spammer.informativeness(&[0.5, 0.3, 0.2]), 0.0);
        assert!((spammer.prob(2, 1) - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_perfect_or_consistently_swapped_worker_is_fully_informative() {
        let perfect = ConfusionMatrix::one_coin(2, 1.0).unwrap();
        let swapped = ConfusionMatrix::from_flat(2, vec![0.0, 1.0, 1.0, 0.0]).unwrap();
        assert!((perfect.informativeness(&[0.5, 0.5]) - 1.0).abs() < 1e-12);
        assert!((swapped.informativeness(&[0.5, 0.5]) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn malformed_matrices_are_rejected() {
        assert_eq!(
            ConfusionMatrix::from_flat(2, vec![1.0; 3]),
            Err(ModelError::DimensionMismatch {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            ConfusionMatrix::from_flat(2, vec![1.0, -1.0, 1.0, 1.0]),
            Err(ModelError::InvalidProbabilities)
        );
        assert_eq!(
            ConfusionMatrix::from_flat(1, vec![1.0]),
            Err(ModelError::TooFewClasses { classes: 1 })
        );
    }
}
