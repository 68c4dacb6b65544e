//! Answers, and the categorical votes that consensus is computed from.

use serde::Serialize;
use serde_json::Value;

/// One categorical question that consensus runs on, e.g. "include or
/// exclude?". A task kind turns every answer into one [`Vote`] per question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Question {
    /// Stable machine name, e.g. `decision` or `code:A`.
    pub key: String,
    /// What is being asked, in words a person reads.
    pub prompt: String,
    /// The possible answers; a vote's `label` is an index into this list.
    pub labels: Vec<String>,
}

impl Question {
    /// Builds a question from its key, prompt and labels.
    pub fn new(key: impl Into<String>, prompt: impl Into<String>, labels: &[&str]) -> Self {
        Self {
            key: key.into(),
            prompt: prompt.into(),
            labels: labels.iter().map(|label| (*label).to_owned()).collect(),
        }
    }
}

/// One answer's position on one [`Question`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct Vote {
    /// Index of the question in [`KindSettings::questions`](super::KindSettings::questions).
    pub question: usize,
    /// Index into the question's labels, or `None` for "unsure": a signal
    /// that the task is hard, not a vote for either side.
    pub label: Option<u16>,
}

/// A validated, normalised answer together with the votes it casts.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    json: Value,
    votes: Vec<Vote>,
}

impl Answer {
    /// Wraps a normalised answer and its votes. Only kinds call this, after
    /// validation, so every `Answer` in the system is known to be valid.
    pub(crate) fn new(json: Value, votes: Vec<Vote>) -> Self {
        Self { json, votes }
    }

    /// The normalised answer as JSON, ready to store or send back.
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }

    /// Whether two answers say the same thing: they cast the same votes.
    /// Free text (a screening reason, a verification note) is ignored, so a
    /// retried submission that only reworded its reason is not a conflict.
    pub fn same_as(&self, other: &Answer) -> bool {
        self.votes == other.votes
    }

    /// The votes this answer casts, one per question it takes a position on.
    pub fn votes(&self) -> &[Vote] {
        &self.votes
    }

    /// True when no vote is "unsure". Gold answers must be decisive, since
    /// contributors are scored against them.
    pub fn is_decisive(&self) -> bool {
        self.votes.iter().all(|vote| vote.label.is_some())
    }
}
