//! Whether an answer agreed with the consensus its task settled on.

use serde_json::Value;

use crate::domain::consensus::QuestionConsensus;
use crate::domain::kinds::{Question, Vote};

/// Compares an answer's votes with a settled task's consensus (the JSON
/// stored with the task: one entry per question, keyed by question key).
///
/// The answer agrees when every decisive vote names the consensus label of
/// its question. "Unsure" votes are a signal, not a position, so an answer
/// with no decisive vote, or a consensus that cannot be read, is not
/// compared at all (`None`) rather than counted as a disagreement.
pub fn agrees_with_consensus(
    votes: &[Vote],
    consensus: &Value,
    questions: &[Question],
) -> Option<bool> {
    let consensus: Vec<QuestionConsensus> = serde_json::from_value(consensus.clone()).ok()?;
    let mut compared = false;
    for vote in votes {
        let Some(label) = vote.label else { continue };
        let question = questions.get(vote.question)?;
        let said = question.labels.get(usize::from(label))?;
        let settled = consensus.iter().find(|c| c.question == question.key)?;
        if settled.label != *said {
            return Some(false);
        }
        compared = true;
    }
    compared.then_some(true)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question::new("code:A", "Code A?", &["no", "yes"]),
            Question::new("code:B", "Code B?", &["no", "yes"]),
        ]
    }

    fn consensus() -> Value {
        json!([
            {"question": "code:A", "label": "yes", "confidence": 0.97, "posterior": [0.03, 0.97]},
            {"question": "code:B", "label": "no", "confidence": 0.96, "posterior": [0.96, 0.04]}
        ])
    }

    fn vote(question: usize, label: Option<u16>) -> Vote {
        Vote { question, label }
    }

    #[test]
    fn an_answer_matching_every_question_agrees() {
        let votes = [vote(0, Some(1)), vote(1, Some(0))];
        assert_eq!(
            agrees_with_consensus(&votes, &consensus(), &questions()),
            Some(true)
        );
    }

    #[test]
    fn one_differing_question_is_a_disagreement() {
        let votes = [vote(0, Some(1)), vote(1, Some(1))];
        assert_eq!(
            agrees_with_consensus(&votes, &consensus(), &questions()),
            Some(false)
        );
    }

    #[test]
    fn unsure_votes_are_skipped_and_all_unsure_is_not_compared() {
        let partly = [vote(0, Some(1)), vote(1, None)];
        assert_eq!(
            agrees_with_consensus(&partly, &consensus(), &questions()),
            Some(true)
        );
        let unsure = [vote(0, None), vote(1, None)];
        assert_eq!(
            agrees_with_consensus(&unsure, &consensus(), &questions()),
            None
        );
    }

    #[test]
    fn an_unreadable_consensus_is_not_compared() {
        let votes = [vote(0, Some(1))];
        assert_eq!(
            agrees_with_consensus(&votes, &json!({"resolution": "x"}), &questions()),
            None
        );
    }
}
