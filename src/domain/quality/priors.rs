//! The Dirichlet priors that smooth confusion matrices and class
//! frequencies, so that sparse data give sensible estimates.

use super::confusion::ConfusionMatrix;
use super::error::ModelError;

/// How strong the confusion-matrix prior is, in pseudo-answers per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Strength {
    /// The same number whatever the class count.
    Fixed(f64),
    /// This many per class, so each cell of a row gets about this many
    /// pseudo-answers. The default, 2, was best or tied among the pooled
    /// settings on every seeded synthetic crowd
    /// in `examples/ablation.rs` (against 1 per class and learned).
    PerClass(f64),
    /// Learned by empirical Bayes from how much workers differ (see the
    /// `hyper` module). Opt-in: with few answers per task the soft counts
    /// make workers look more alike than they are, so it over-shrinks.
    /// Falls back to 2 per class when priors are not pooled.
    Learned,
}

/// The Dirichlet priors that keep estimates sensible when data are scarce.
///
/// All values are pseudo-counts, i.e. "worth this many observed answers", so
/// they can be reasoned about without knowing the Dirichlet algebra. The
/// estimates are MAP estimates under Dirichlet(1 + pseudo-count) priors, which
/// is the same as adding the pseudo-counts to the observed counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Priors {
    /// Added to every class count when estimating how common each class is;
    /// 1 keeps a class that no task has yet claimed from getting probability 0.
    pub class_pseudo_count: f64,
    /// Accuracy assumed for a worker we know nothing about. `None` means half
    /// way between chance (1/classes) and perfect: moderately better than
    /// chance whatever the number of classes.
    pub newcomer_accuracy: Option<f64>,
    /// Pseudo-answers per confusion-matrix row: how many answers per class
    /// a worker needs before their own record outweighs the prior.
    pub confusion_strength: Strength,
    /// Centre each worker's prior on the crowd's typical worker (empirical
    /// Bayes: the average of the workers' confusion patterns, each weighted
    /// by how far their answers determine it) instead of the fixed newcomer
    /// matrix. With few answers per worker this shares systematic confusions
    /// (two classes everybody mixes up) across the crowd; with many answers
    /// it makes no difference. The fixed newcomer matrix still anchors it.
    pub pooled: bool,
}

impl Default for Priors {
    fn default() -> Self {
        Self {
            class_pseudo_count: 1.0,
            newcomer_accuracy: None,
            confusion_strength: Strength::PerClass(2.0),
            pooled: true,
        }
    }
}

impl Priors {
    /// The accuracy a newcomer is assumed to have for `classes` classes.
    pub fn newcomer_accuracy_for(&self, classes: usize) -> f64 {
        let chance = 1.0 / classes.max(1) as f64;
        self.newcomer_accuracy
            .unwrap_or((1.0 + chance) / 2.0)
            .clamp(0.0, 1.0)
    }

    /// Pseudo-answers per confusion row for `classes` classes (for
    /// [`Strength::Learned`], the starting point of the estimate).
    pub fn confusion_strength_for(&self, classes: usize) -> f64 {
        match self.confusion_strength {
            Strength::Fixed(s) => s,
            Strength::PerClass(factor) => factor * classes as f64,
            Strength::Learned => 2.0 * classes as f64,
        }
        .max(0.0)
    }

    /// The confusion matrix assumed for a worker with no history.
    pub fn newcomer_confusion(&self, classes: usize) -> Result<ConfusionMatrix, ModelError> {
        ConfusionMatrix::one_coin(classes, self.newcomer_accuracy_for(classes))
    }

    /// Rejects priors that would make the estimates meaningless.
    pub fn validate(&self) -> Result<(), ModelError> {
        let finite_non_negative = |x: f64| x.is_finite() && x >= 0.0;
        if !finite_non_negative(self.class_pseudo_count) {
            return Err(ModelError::InvalidOption {
                what: "class_pseudo_count must be finite and >= 0",
            });
        }
        if let Strength::Fixed(s) | Strength::PerClass(s) = self.confusion_strength
            && !finite_non_negative(s)
        {
            return Err(ModelError::InvalidOption {
                what: "confusion_strength must be finite and >= 0",
            });
        }
        if self
            .newcomer_accuracy
            .is_some_and(|a| !(0.0..=1.0).contains(&a))
        {
            return Err(ModelError::InvalidOption {
                what: "newcomer_accuracy must be within 0..=1",
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newcomer_is_half_way_between_chance_and_perfect() {
        let priors = Priors::default();
        assert!((priors.newcomer_accuracy_for(2) - 0.75).abs() < 1e-12);
        let newcomer = priors.newcomer_confusion(4).unwrap();
        assert!((newcomer.prob(1, 1) - 0.625).abs() < 1e-12);
        assert!((newcomer.prob(1, 3) - 0.125).abs() < 1e-12);
    }
}
