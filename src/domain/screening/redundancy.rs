//! How many independent answers a screening record needs, given what the
//! relevance model thinks of it.
//!
//! The rule, as the batch report states it:
//! - The model never changes what the crowd's answers mean: a record's
//!   posterior is the crowd's alone (each contributor weighed by their
//!   confusion matrix, from an even prior), and it settles only at the
//!   batch's target confidence, as every task does.
//! - The model changes how many answers are asked for. A record the model
//!   puts below `clear_below` may settle with a single answer when the
//!   crowd's answers so far lean exclude: both must find it irrelevant (in
//!   practice two agreeing excludes, since one answer alone rarely reaches
//!   the target). A lone "include" answer, or a split crowd, keeps the
//!   batch's minimum.
//! - A record the model puts at or above `likely_above` needs one answer
//!   more than the batch's minimum: a missed include costs a review far
//!   more than an extra answer.
//! - Every other record needs the batch's minimum, and no record gets more
//!   than the batch's maximum; at the maximum without the target it goes to
//!   the researcher, as every task does.

use super::super::consensus::TaskState;
use super::super::policy::BatchPolicy;
use super::super::quality::{ConfusionMatrix, Decision, TaskPosterior, decide};

/// The screening question's labels: 0 is include, 1 is exclude.
pub const INCLUDE: u16 = 0;
pub const EXCLUDE: u16 = 1;

/// The thresholds of the rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RedundancyRule {
    pub clear_below: f64,
    pub likely_above: f64,
}

impl Default for RedundancyRule {
    fn default() -> Self {
        Self {
            clear_below: 0.1,
            likely_above: 0.5,
        }
    }
}

/// Where one record stands after its latest answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RecordVerdict {
    pub state: TaskState,
    /// Whether the most likely label is include.
    pub include: bool,
    pub confidence: f64,
}

impl RedundancyRule {
    /// The fewest answers a record with this model probability (`None`: no
    /// model yet) needs before it may settle, when its answers lean exclude
    /// (`crowd_excludes`) or not.
    pub fn min_answers(
        &self,
        policy: &BatchPolicy,
        relevance: Option<f64>,
        crowd_excludes: bool,
    ) -> u32 {
        let min = policy.min_answers;
        let needed = match relevance {
            Some(p) if p < self.clear_below && crowd_excludes => 1,
            Some(p) if p >= self.likely_above => min + 1,
            _ => min,
        };
        needed.clamp(1, policy.max_answers.max(1))
    }

    /// Combines a record's counted answers (each with its contributor's
    /// confusion matrix; `None` is "unsure") under the rule.
    pub fn evaluate(
        &self,
        policy: &BatchPolicy,
        relevance: Option<f64>,
        answers: &[(Option<u16>, &ConfusionMatrix)],
    ) -> RecordVerdict {
        let belief = posterior(&[0.5, 0.5], answers);
        let crowd_excludes = belief[usize::from(EXCLUDE)] > belief[usize::from(INCLUDE)];
        let include = belief[usize::from(INCLUDE)] >= belief[usize::from(EXCLUDE)];
        let confidence = belief[usize::from(INCLUDE)].max(belief[usize::from(EXCLUDE)]);
        let counted = answers.len() as u32;
        let decision = decide(
            &belief,
            counted,
            self.min_answers(policy, relevance, crowd_excludes),
            policy.max_answers,
            policy.target_confidence,
        );
        let state = match decision {
            Decision::Settled { .. } => TaskState::Settled,
            Decision::Escalate => TaskState::Escalated,
            Decision::Open => TaskState::Open,
        };
        RecordVerdict {
            state,
            include,
            confidence,
        }
    }
}

fn posterior(prior: &[f64; 2], answers: &[(Option<u16>, &ConfusionMatrix)]) -> Vec<f64> {
    let mut posterior = match TaskPosterior::new(prior) {
        Ok(posterior) => posterior,
        Err(_) => return prior.to_vec(),
    };
    for &(label, matrix) in answers {
        // A matrix of another shape is not evidence about this question.
        let _ = posterior.add_answer(matrix, label);
    }
    posterior.posterior()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(accuracy: f64) -> ConfusionMatrix {
        ConfusionMatrix::one_coin(2, accuracy).unwrap()
    }

    #[test]
    fn a_clear_exclude_settles_early_only_when_the_crowd_agrees() {
        let rule = RedundancyRule::default();
        let policy = BatchPolicy::default();
        let m = matrix(0.9);
        let ex = (Some(EXCLUDE), &m);
        let inc = (Some(INCLUDE), &m);
        // One answer at 90% is 0.9 confident: below the 0.95 target.
        assert_eq!(
            rule.evaluate(&policy, Some(0.03), &[ex]).state,
            TaskState::Open
        );
        let two = rule.evaluate(&policy, Some(0.03), &[ex, ex]);
        assert_eq!(two.state, TaskState::Settled);
        assert!(!two.include);
        // The same two answers on a record the model is unsure of, or has
        // not scored, wait for the batch's minimum of three.
        assert_eq!(
            rule.evaluate(&policy, Some(0.3), &[ex, ex]).state,
            TaskState::Open
        );
        assert_eq!(
            rule.evaluate(&policy, None, &[ex, ex]).state,
            TaskState::Open
        );
        // An include answer among them keeps the minimum too.
        assert_eq!(
            rule.evaluate(&policy, Some(0.03), &[inc, ex, ex]).state,
            TaskState::Open
        );
    }

    #[test]
    fn likely_includes_need_one_answer_more_than_the_minimum_within_the_maximum() {
        let rule = RedundancyRule::default();
        let policy = BatchPolicy {
            min_answers: 3,
            max_answers: 7,
            ..BatchPolicy::default()
        };
        assert_eq!(rule.min_answers(&policy, Some(0.8), false), 4);
        assert_eq!(rule.min_answers(&policy, Some(0.3), true), 3);
        assert_eq!(rule.min_answers(&policy, Some(0.01), true), 1);
        assert_eq!(rule.min_answers(&policy, Some(0.01), false), 3);
        let tight = BatchPolicy {
            min_answers: 3,
            max_answers: 3,
            ..BatchPolicy::default()
        };
        assert_eq!(rule.min_answers(&tight, Some(0.8), false), 3);
        let m = matrix(0.9);
        let three = [
            (Some(INCLUDE), &m),
            (Some(INCLUDE), &m),
            (Some(INCLUDE), &m),
        ];
        assert_eq!(
            rule.evaluate(&policy, Some(0.8), &three).state,
            TaskState::Open
        );
        assert_eq!(
            rule.evaluate(&policy, Some(0.3), &three).state,
            TaskState::Settled
        );
    }

    #[test]
    fn the_model_alone_never_settles_a_record() {
        let rule = RedundancyRule::default();
        let policy = BatchPolicy::default();
        let m = matrix(0.9);
        let split = [
            (Some(INCLUDE), &m),
            (Some(EXCLUDE), &m),
            (Some(INCLUDE), &m),
            (Some(EXCLUDE), &m),
        ];
        let verdict = rule.evaluate(&policy, Some(0.0), &split);
        assert_eq!(verdict.state, TaskState::Open);
        assert!((verdict.confidence - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_split_crowd_goes_to_the_researcher_at_the_maximum() {
        let rule = RedundancyRule::default();
        let policy = BatchPolicy {
            min_answers: 2,
            max_answers: 4,
            ..BatchPolicy::default()
        };
        let m = matrix(0.9);
        let split = [
            (Some(INCLUDE), &m),
            (Some(EXCLUDE), &m),
            (Some(INCLUDE), &m),
            (Some(EXCLUDE), &m),
        ];
        assert_eq!(
            rule.evaluate(&policy, Some(0.05), &split).state,
            TaskState::Escalated
        );
    }
}
