//! The relevance model: L2-regularised logistic regression on the TF-IDF
//! features, trained on the batch's settled records with the classes
//! weighted equally (includes are rare; unweighted, the model would learn
//! to call everything irrelevant).
//!
//! Training is Nesterov's accelerated gradient descent on the full
//! objective. With unit-length features and a bias, the objective's
//! gradient is Lipschitz with constant at most 1/2 + l2, so that step
//! always descends; retraining starts from the previous weights and needs
//! few steps.

use super::tfidf::{Features, SparseVector};

/// How hard to train.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrainingOptions {
    /// The L2 penalty on the term weights (the bias is not penalised).
    pub l2: f64,
    /// Most gradient steps per training.
    pub max_steps: u32,
    /// Stop once the gradient's length falls below this.
    pub tolerance: f64,
}

impl Default for TrainingOptions {
    fn default() -> Self {
        Self {
            l2: 1e-3,
            max_steps: 150,
            tolerance: 1e-5,
        }
    }
}

/// A trained model.
#[derive(Debug, Clone, PartialEq)]
pub struct RelevanceModel {
    weights: Vec<f64>,
    bias: f64,
    /// Share of includes among the records it was trained on, to turn the
    /// equal-weighted score back into a probability.
    trained_prevalence: f64,
}

/// One settled record: its index in the features and whether it was
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Example {
    pub record: usize,
    pub include: bool,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl RelevanceModel {
    /// Trains on `examples`, starting from `warm` when given. `None` when
    /// the examples do not hold both an include and an exclude.
    pub fn train(
        features: &Features,
        examples: &[Example],
        options: &TrainingOptions,
        warm: Option<&RelevanceModel>,
    ) -> Option<Self> {
        let positives = examples.iter().filter(|e| e.include).count();
        let negatives = examples.len() - positives;
        if positives == 0 || negatives == 0 {
            return None;
        }
        let rows: Vec<(&SparseVector, f64, f64)> = examples
            .iter()
            .filter_map(|e| {
                let vector = features.vectors.get(e.record)?;
                let (target, weight) = if e.include {
                    (1.0, 0.5 / positives as f64)
                } else {
                    (0.0, 0.5 / negatives as f64)
                };
                Some((vector, target, weight))
            })
            .collect();
        let dimensions = features.dimensions;
        let mut current = match warm {
            Some(model) if model.weights.len() == dimensions => {
                let mut point = model.weights.clone();
                point.push(model.bias);
                point
            }
            _ => vec![0.0; dimensions + 1],
        };
        let step = 1.0 / (0.5 + options.l2);
        let mut previous = current.clone();
        let mut gradient = vec![0.0; dimensions + 1];
        for k in 0..options.max_steps {
            // Look ahead along the momentum, take the gradient there.
            let momentum = f64::from(k) / (f64::from(k) + 3.0);
            let ahead: Vec<f64> = current
                .iter()
                .zip(&previous)
                .map(|(x, p)| x + momentum * (x - p))
                .collect();
            gradient.iter_mut().for_each(|g| *g = 0.0);
            for (vector, target, weight) in &rows {
                let z = vector.dot(&ahead[..dimensions]) + ahead[dimensions];
                let residual = weight * (sigmoid(z) - target);
                for (&i, &v) in vector.indices.iter().zip(&vector.values) {
                    gradient[i as usize] += residual * v;
                }
                gradient[dimensions] += residual;
            }
            for (g, w) in gradient[..dimensions].iter_mut().zip(&ahead) {
                *g += options.l2 * w;
            }
            let length = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
            previous = std::mem::replace(
                &mut current,
                ahead
                    .iter()
                    .zip(&gradient)
                    .map(|(a, g)| a - step * g)
                    .collect(),
            );
            if length < options.tolerance {
                break;
            }
        }
        let bias = current.pop().unwrap_or(0.0);
        Some(Self {
            weights: current,
            bias,
            trained_prevalence: positives as f64 / examples.len() as f64,
        })
    }

    /// The equal-weighted log-odds of relevance: what the order sorts by.
    pub fn score(&self, vector: &SparseVector) -> f64 {
        vector.dot(&self.weights) + self.bias
    }

    /// The probability of relevance, with the equal class weighting undone
    /// by the share of includes the model was trained on. Active learning
    /// trains on more includes than the batch holds, so this leans high:
    /// the safe side for deciding how many answers a record needs.
    pub fn probability(&self, vector: &SparseVector) -> f64 {
        let prevalence = self.trained_prevalence.clamp(1e-6, 1.0 - 1e-6);
        sigmoid(self.score(vector) + (prevalence / (1.0 - prevalence)).ln())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tfidf::{RecordText, tfidf};
    use super::*;

    fn records() -> Vec<RecordText> {
        let text = |title: &str| RecordText {
            title: title.into(),
            ..RecordText::default()
        };
        vec![
            text("clonidine children pain trial"),
            text("clonidine adults pain trial"),
            text("hand hygiene ward audit"),
            text("hand hygiene theatre audit"),
            text("clonidine children sedation"),
            text("hygiene audit outpatients"),
        ]
    }

    #[test]
    fn a_model_ranks_unseen_records_like_the_ones_it_learned_from() {
        let features = tfidf(&records());
        let examples = [
            Example {
                record: 0,
                include: true,
            },
            Example {
                record: 1,
                include: true,
            },
            Example {
                record: 2,
                include: false,
            },
            Example {
                record: 3,
                include: false,
            },
        ];
        let model =
            RelevanceModel::train(&features, &examples, &TrainingOptions::default(), None).unwrap();
        let like_includes = model.score(&features.vectors[4]);
        let like_excludes = model.score(&features.vectors[5]);
        assert!(
            like_includes > 0.0 && like_excludes < 0.0,
            "{like_includes} {like_excludes}"
        );
        // Trained on half includes, the probability equals the balanced one.
        let p = model.probability(&features.vectors[4]);
        assert!((p - sigmoid(like_includes)).abs() < 1e-9);
    }

    #[test]
    fn one_class_alone_trains_nothing() {
        let features = tfidf(&records());
        let examples = [Example {
            record: 0,
            include: true,
        }];
        assert!(
            RelevanceModel::train(&features, &examples, &TrainingOptions::default(), None)
                .is_none()
        );
    }

    #[test]
    fn training_lowers_the_loss_and_a_warm_start_keeps_it_low() {
        let features = tfidf(&records());
        let examples: Vec<Example> = (0..4)
            .map(|record| Example {
                record,
                include: record < 2,
            })
            .collect();
        let loss = |model: &RelevanceModel| -> f64 {
            examples
                .iter()
                .map(|e| {
                    let p = sigmoid(model.score(&features.vectors[e.record]));
                    -(if e.include { p } else { 1.0 - p }).ln()
                })
                .sum()
        };
        let short = TrainingOptions {
            max_steps: 2,
            ..TrainingOptions::default()
        };
        let first = RelevanceModel::train(&features, &examples, &short, None).unwrap();
        let longer =
            RelevanceModel::train(&features, &examples, &TrainingOptions::default(), None).unwrap();
        let warm = RelevanceModel::train(&features, &examples, &short, Some(&longer)).unwrap();
        assert!(loss(&longer) < loss(&first));
        assert!(loss(&warm) <= loss(&first));
        assert!(4.0 * 2f64.ln() > loss(&first));
    }
}
