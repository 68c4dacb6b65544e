//! The result of an offline run: scores, timings, replay curve and the
//! per-task consensus, with the human-readable `Display` form.

use std::fmt;
use std::time::Duration;

use super::csv_input::OfflineError;
use super::replay::ReplayCurve;

/// Accuracy of one method on the scored tasks, overall and per true class.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Score {
    /// Tasks predicted correctly.
    pub correct: usize,
    /// Tasks scored.
    pub scored: usize,
    /// Per true class: `(correct, scored)`.
    pub per_class: Vec<(usize, usize)>,
}

impl Score {
    pub(super) fn new(classes: usize) -> Self {
        Self {
            per_class: vec![(0, 0); classes],
            ..Self::default()
        }
    }

    pub(super) fn record(&mut self, truth: u16, predicted: Option<u16>) {
        let hit = usize::from(predicted == Some(truth));
        self.correct += hit;
        self.scored += 1;
        if let Some(class) = self.per_class.get_mut(usize::from(truth)) {
            class.0 += hit;
            class.1 += 1;
        }
    }

    /// `correct / scored`, if anything was scored.
    pub fn accuracy(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.correct as f64 / self.scored as f64)
    }

    /// Mean recall over the true classes that occur: unlike accuracy it is
    /// not dominated by the commonest class, so it shows whether rare
    /// classes (often the ones that matter) are being found.
    pub fn balanced_accuracy(&self) -> Option<f64> {
        let recalls: Vec<f64> = self
            .per_class
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|&(c, n)| c as f64 / n as f64)
            .collect();
        (!recalls.is_empty()).then(|| recalls.iter().sum::<f64>() / recalls.len() as f64)
    }
}

/// What [`super::offline::aggregate`] found; `Display` prints the human-readable report.
#[derive(Debug, Clone)]
pub struct AggregateReport {
    /// Distinct tasks with at least one answer.
    pub tasks: usize,
    /// Distinct workers.
    pub workers: usize,
    /// Answer rows, "unsure" included.
    pub answers: usize,
    /// "Unsure" answer rows.
    pub unsure: usize,
    /// Class names, in class-id order.
    pub classes: Vec<String>,
    /// Truth rows whose task received no answers (never scored).
    pub truth_without_answers: usize,
    /// Tasks revealed to the model as gold.
    pub gold_tasks: usize,
    /// Majority vote on the scored tasks.
    pub majority: Score,
    /// The model on the scored tasks.
    pub model: Score,
    /// Wall time of the model fit.
    pub fit_time: Duration,
    /// EM iterations, and whether EM converged.
    pub iterations: (u32, bool),
    /// Krippendorff's alpha and Fleiss' kappa of the raw answers (`None`
    /// where undefined, e.g. kappa when tasks got different numbers of
    /// answers).
    pub agreement: (Option<f64>, Option<f64>),
    /// Adaptive-stopping replay, if requested.
    pub replay: Option<ReplayCurve>,
    /// The model's label and its posterior probability for every answered
    /// task, in task order (not printed by `Display`; see
    /// [`write_consensus`]).
    pub consensus: Vec<Consensus>,
}

/// The model's verdict on one task.
#[derive(Debug, Clone, PartialEq)]
pub struct Consensus {
    /// Task name as in the input file.
    pub task: String,
    /// Winning class name.
    pub label: String,
    /// Its posterior probability.
    pub confidence: f64,
}

/// Writes `task,label,confidence` rows, the offline tool's main output.
pub fn write_consensus<W: std::io::Write>(
    report: &AggregateReport,
    writer: W,
) -> Result<(), OfflineError> {
    let to_error = |error: csv::Error| OfflineError::Csv {
        source: "output".to_owned(),
        line: None,
        message: error.to_string(),
    };
    let mut out = csv::Writer::from_writer(writer);
    out.write_record(["task", "label", "confidence"])
        .map_err(to_error)?;
    for row in &report.consensus {
        let confidence = format!("{:.6}", row.confidence);
        out.write_record([row.task.as_str(), row.label.as_str(), confidence.as_str()])
            .map_err(to_error)?;
    }
    out.flush().map_err(|error| OfflineError::Io {
        source: "output".to_owned(),
        error,
    })
}

fn percent(score: &Score) -> String {
    match (score.accuracy(), score.balanced_accuracy()) {
        (Some(a), Some(b)) => {
            format!(
                "{a:.3} ({}/{}), balanced {b:.3}",
                score.correct, score.scored
            )
        }
        _ => "n/a".to_owned(),
    }
}

impl fmt::Display for AggregateReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "tasks {}, workers {}, answers {} ({} unsure), classes {} [{}]",
            self.tasks,
            self.workers,
            self.answers,
            self.unsure,
            self.classes.len(),
            self.classes.join(", ")
        )?;
        writeln!(
            f,
            "scored on {} tasks with truth (gold revealed to the model: {}, excluded; truth rows without answers: {})",
            self.model.scored, self.gold_tasks, self.truth_without_answers
        )?;
        let show = |x: Option<f64>| x.map_or("n/a".to_owned(), |v| format!("{v:.3}"));
        writeln!(
            f,
            "agreement: Krippendorff's alpha {}, Fleiss' kappa {}",
            show(self.agreement.0),
            show(self.agreement.1)
        )?;
        writeln!(f, "majority vote accuracy: {}", percent(&self.majority))?;
        writeln!(f, "model accuracy:         {}", percent(&self.model))?;
        let (iterations, converged) = self.iterations;
        writeln!(
            f,
            "fit time: {:.3} s ({iterations} EM iterations, {})",
            self.fit_time.as_secs_f64(),
            if converged {
                "converged"
            } else {
                "hit the iteration cap"
            }
        )?;
        if let Some(replay) = &self.replay {
            write!(f, "{replay}")?;
        }
        Ok(())
    }
}
