//! Turns a task's counted votes into a state: still open, settled with a
//! consensus, or escalated to the researcher.

use serde::{Deserialize, Serialize};

use super::kinds::{Answer, Question, Vote};
use super::policy::BatchPolicy;
use super::quality::{ConfusionMatrix, Decision, TaskPosterior, decide};

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Open,
    Settled,
    Escalated,
    Resolved,
}

impl TaskState {
    pub fn code(self) -> i64 {
        match self {
            TaskState::Open => 0,
            TaskState::Settled => 1,
            TaskState::Escalated => 2,
            TaskState::Resolved => 3,
        }
    }

    pub fn from_code(code: i64) -> Self {
        match code {
            1 => TaskState::Settled,
            2 => TaskState::Escalated,
            3 => TaskState::Resolved,
            _ => TaskState::Open,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Settled => "settled",
            TaskState::Escalated => "escalated",
            TaskState::Resolved => "resolved",
        }
    }
}

/// The current belief about one question of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionConsensus {
    pub question: String,
    /// The most likely label.
    pub label: String,
    /// Its posterior probability.
    pub confidence: f64,
    /// The full posterior, in label order.
    pub posterior: Vec<f64>,
}

/// The verdict after the latest answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub state: TaskState,
    pub consensus: Vec<QuestionConsensus>,
    /// The weakest question's confidence.
    pub confidence: f64,
}

/// Confusion matrices for each question, for one contributor.
pub type WorkerModel = Vec<ConfusionMatrix>;

/// Combines the counted answers of a task. `answers` holds each counted
/// answer's votes with that contributor's model (`None`: a newcomer, who gets
/// the default matrix). A task settles when every question is confident and
/// the minimum is met; it escalates at the maximum otherwise.
pub fn evaluate(
    questions: &[Question],
    policy: &BatchPolicy,
    answers: &[(&[Vote], Option<&WorkerModel>)],
) -> Verdict {
    let counted = answers.len() as u32;
    let mut consensus = Vec::with_capacity(questions.len());
    let mut all_settled = true;
    for (index, question) in questions.iter().enumerate() {
        let classes = question.labels.len().max(2);
        let prior = vec![1.0 / classes as f64; classes];
        let newcomer = newcomer_matrix(classes);
        let mut posterior = match TaskPosterior::new(&prior) {
            Ok(posterior) => posterior,
            Err(_) => continue,
        };
        for (votes, model) in answers {
            let matrix = model
                .and_then(|model| model.get(index))
                .filter(|matrix| matrix.classes() == classes)
                .unwrap_or(&newcomer);
            for vote in votes.iter().filter(|vote| vote.question == index) {
                let _ = posterior.add_answer(matrix, vote.label);
            }
        }
        let belief = posterior.posterior();
        let decision = decide(
            &belief,
            counted,
            policy.min_answers,
            u32::MAX,
            policy.target_confidence,
        );
        all_settled &= matches!(decision, Decision::Settled { .. });
        let (best, confidence) =
            belief
                .iter()
                .copied()
                .enumerate()
                .fold(
                    (0, 0.0),
                    |best, (i, p)| if p > best.1 { (i, p) } else { best },
                );
        consensus.push(QuestionConsensus {
            question: question.key.clone(),
            label: question.labels.get(best).cloned().unwrap_or_default(),
            confidence,
            posterior: belief,
        });
    }
    let confidence = consensus.iter().map(|q| q.confidence).fold(1.0, f64::min);
    let state = if all_settled && counted >= policy.min_answers {
        TaskState::Settled
    } else if counted >= policy.max_answers {
        TaskState::Escalated
    } else {
        TaskState::Open
    };
    Verdict {
        state,
        consensus,
        confidence,
    }
}

/// The default model of someone the engine knows nothing about yet: right
/// halfway between chance and always.
pub fn newcomer_matrix(classes: usize) -> ConfusionMatrix {
    let accuracy = (1.0 + 1.0 / classes as f64) / 2.0;
    ConfusionMatrix::one_coin(classes, accuracy)
        .or_else(|_| ConfusionMatrix::one_coin(2, 0.75))
        .unwrap_or_else(|_| unreachable!("a two-class one-coin matrix is always valid"))
}

/// A researcher's resolution in the same per-question shape as a settled
/// task's consensus: each question the answer takes a position on, with its
/// label at certainty. Questions answered "unsure" are left out.
pub fn resolved_consensus(questions: &[Question], answer: &Answer) -> Vec<QuestionConsensus> {
    answer
        .votes()
        .iter()
        .filter_map(|vote| {
            let question = questions.get(vote.question)?;
            let label = usize::from(vote.label?);
            let mut posterior = vec![0.0; question.labels.len()];
            *posterior.get_mut(label)? = 1.0;
            Some(QuestionConsensus {
                question: question.key.clone(),
                label: question.labels[label].clone(),
                confidence: 1.0,
                posterior,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screening() -> Vec<Question> {
        vec![Question::new(
            "decision",
            "Include?",
            &["include", "exclude"],
        )]
    }

    fn vote(label: u16) -> Vec<Vote> {
        vec![Vote {
            question: 0,
            label: Some(label),
        }]
    }

    #[test]
    fn a_resolution_reads_like_a_certain_consensus_and_skips_unsure_questions() {
        let questions = vec![
            Question::new("code:a", "A?", &["no", "yes"]),
            Question::new("code:b", "B?", &["no", "yes"]),
        ];
        let votes = vec![
            Vote {
                question: 0,
                label: Some(1),
            },
            Vote {
                question: 1,
                label: None,
            },
        ];
        let answer = Answer::new(serde_json::json!({}), votes);
        let consensus = resolved_consensus(&questions, &answer);
        assert_eq!(consensus.len(), 1);
        assert_eq!(consensus[0].question, "code:a");
        assert_eq!(consensus[0].label, "yes");
        assert_eq!(consensus[0].confidence, 1.0);
        assert_eq!(consensus[0].posterior, vec![0.0, 1.0]);
    }

    #[test]
    fn agreeing_answers_settle_once_the_minimum_is_met() {
        let policy = BatchPolicy {
            min_answers: 3,
            max_answers: 5,
            target_confidence: 0.9,
            ..BatchPolicy::default()
        };
        let yes = vote(0);
        let two = evaluate(&screening(), &policy, &[(&yes, None), (&yes, None)]);
        assert_eq!(two.state, TaskState::Open);
        let three = evaluate(
            &screening(),
            &policy,
            &[(&yes, None), (&yes, None), (&yes, None)],
        );
        assert_eq!(three.state, TaskState::Settled);
        assert_eq!(three.consensus[0].label, "include");
        assert!(three.confidence > 0.95);
    }

    #[test]
    fn a_split_crowd_escalates_at_the_maximum() {
        let policy = BatchPolicy {
            min_answers: 2,
            max_answers: 4,
            target_confidence: 0.9,
            ..BatchPolicy::default()
        };
        let (yes, no) = (vote(0), vote(1));
        let verdict = evaluate(
            &screening(),
            &policy,
            &[(&yes, None), (&no, None), (&yes, None), (&no, None)],
        );
        assert_eq!(verdict.state, TaskState::Escalated);
        assert!((verdict.confidence - 0.5).abs() < 1e-9);
    }

    #[test]
    fn unsure_answers_do_not_move_the_posterior() {
        let policy = BatchPolicy::default();
        let unsure = vec![Vote {
            question: 0,
            label: None,
        }];
        let verdict = evaluate(&screening(), &policy, &[(&unsure, None), (&unsure, None)]);
        assert!((verdict.consensus[0].confidence - 0.5).abs() < 1e-9);
    }
}
