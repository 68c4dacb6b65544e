//! A screening task's final decision, as a researcher filters and exports it.

use serde_json::Value;

use crate::domain::consensus::TaskState;

/// Where a screening task ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum Decision {
    /// The paper meets the inclusion criteria.
    Include,
    /// The paper does not meet them.
    Exclude,
    /// A researcher resolved the task as unsure (e.g. to check the full text).
    Unsure,
    /// No decision yet: the task is still collecting answers or waits in
    /// the resolver queue.
    Undecided,
}

impl Decision {
    /// The decision's wire name, e.g. `include`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Include => "include",
            Decision::Exclude => "exclude",
            Decision::Unsure => "unsure",
            Decision::Undecided => "undecided",
        }
    }

    fn from_label(label: &str) -> Option<Self> {
        match label {
            "include" => Some(Decision::Include),
            "exclude" => Some(Decision::Exclude),
            "unsure" => Some(Decision::Unsure),
            _ => None,
        }
    }
}

/// What the decision rests on.
#[derive(Debug, Clone, PartialEq)]
pub enum Basis {
    /// The crowd's consensus settled it, with this confidence.
    Consensus { confidence: f64 },
    /// The researcher decided, with their note if they left one.
    Resolution { note: Option<String> },
    /// Nothing has decided it yet; the task is in this state.
    Pending(TaskState),
}

/// A task's final decision and what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalDecision {
    pub decision: Decision,
    pub basis: Basis,
}

/// The final decision of a screening task from its stored state and
/// consensus: the settled label of the `decision` question, or the answer
/// of a researcher's resolution (`{"answer": {"decision"}, "note"}`).
/// Anything else, or a consensus that names no decision, is undecided.
pub fn screening_decision(state: TaskState, consensus: &Value) -> FinalDecision {
    let pending = FinalDecision {
        decision: Decision::Undecided,
        basis: Basis::Pending(state),
    };
    match state {
        TaskState::Settled => consensus
            .as_array()
            .and_then(|questions| questions.iter().find(|q| q["question"] == "decision"))
            .and_then(|question| {
                let decision = Decision::from_label(question["label"].as_str()?)?;
                let confidence = question["confidence"].as_f64()?;
                Some(FinalDecision {
                    decision,
                    basis: Basis::Consensus { confidence },
                })
            })
            .unwrap_or(pending),
        TaskState::Resolved => consensus["answer"]["decision"]
            .as_str()
            .and_then(Decision::from_label)
            .map(|decision| FinalDecision {
                decision,
                basis: Basis::Resolution {
                    note: consensus["note"].as_str().map(str::to_owned),
                },
            })
            .unwrap_or(pending),
        TaskState::Open | TaskState::Escalated => pending,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_settled_task_takes_its_consensus_label_and_confidence() {
        let consensus = json!([{"question": "decision", "label": "include",
            "confidence": 0.97, "posterior": [0.97, 0.03]}]);
        assert_eq!(
            screening_decision(TaskState::Settled, &consensus),
            FinalDecision {
                decision: Decision::Include,
                basis: Basis::Consensus { confidence: 0.97 }
            }
        );
    }

    #[test]
    fn a_resolved_task_takes_the_researchers_answer_and_note_even_unsure() {
        let resolution = json!({"resolved_by": "researcher",
            "answer": {"decision": "unsure"}, "note": "Need the full text."});
        assert_eq!(
            screening_decision(TaskState::Resolved, &resolution),
            FinalDecision {
                decision: Decision::Unsure,
                basis: Basis::Resolution {
                    note: Some("Need the full text.".into())
                }
            }
        );
        let without_note = json!({"answer": {"decision": "exclude"}, "note": null});
        assert_eq!(
            screening_decision(TaskState::Resolved, &without_note).basis,
            Basis::Resolution { note: None }
        );
    }

    #[test]
    fn open_escalated_and_unreadable_tasks_are_undecided() {
        let leaning = json!([{"question": "decision", "label": "include", "confidence": 0.6}]);
        for state in [TaskState::Open, TaskState::Escalated] {
            assert_eq!(
                screening_decision(state, &leaning),
                FinalDecision {
                    decision: Decision::Undecided,
                    basis: Basis::Pending(state)
                }
            );
        }
        let odd = screening_decision(TaskState::Settled, &json!([{"question": "other"}]));
        assert_eq!(odd.decision, Decision::Undecided);
    }
}
