//! The hot path: claiming a bundle of leased tasks, and storing answers with
//! their credit in the same transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::StoreResult;
use crate::domain::account::StaffGroup;
use crate::domain::kinds::Vote;

/// A request for a bundle worth `budget_seconds` of work.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub session_id: Uuid,
    pub contributor_id: Uuid,
    pub organisation: Option<String>,
    pub staff_group: StaffGroup,
    pub budget_seconds: u32,
    pub project_id: Option<Uuid>,
    pub now: DateTime<Utc>,
}

/// A task handed out with a lease: everything a phone needs to show it offline.
#[derive(Debug, Clone)]
pub struct LeasedTask {
    pub task_id: Uuid,
    pub batch_id: Uuid,
    pub project_id: Uuid,
    pub project_title: String,
    pub instructions: String,
    pub content: Value,
    pub answer_schema: Value,
    pub estimated_seconds: u32,
    pub lease_expires_at: DateTime<Utc>,
}

/// One answer to store, already validated against its task kind.
#[derive(Debug, Clone)]
pub struct AnswerSubmission {
    pub client_id: Uuid,
    pub task_id: Uuid,
    pub answer: Value,
    pub votes: Vec<Vote>,
    pub seconds_spent: Option<f64>,
}

/// How an answer was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    /// Within its lease, on a task that still needed it.
    Accepted,
    /// After its lease expired (or without one); stored and credited all the same.
    Late,
    /// The task had already settled; kept as extra evidence and credited.
    Extra,
}

/// For gold tasks: whether the answer was right, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoldFeedback {
    pub correct: bool,
    pub correct_answer: Value,
    pub explanation: String,
}

/// What one stored answer led to; a retry with the same `client_id` gets
/// exactly this back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOutcome {
    pub client_id: Uuid,
    pub task_id: Uuid,
    pub status: AnswerStatus,
    pub credited_seconds: u32,
    /// False when the contributor has not yet qualified on the batch's gold
    /// (or failed this gold task): the time is credited but marked.
    pub counts_towards_consensus: bool,
    pub feedback: Option<GoldFeedback>,
}

/// Why a submission was refused as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitRefusal {
    /// No such task.
    UnknownTask { index: usize },
    /// The contributor already gave a different answer to this task, or the
    /// `client_id` belongs to someone else's answer.
    Conflict { index: usize, detail: String },
}

#[async_trait::async_trait]
pub trait SessionStore {
    /// Leases a bundle in one transaction; never more leases on a task than
    /// it has open places, never a task the contributor answered or holds.
    async fn claim(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>>;

    /// Which batch each task belongs to (unknown tasks are left out).
    async fn task_batches(&self, task_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid)>>;

    /// Stores the answers, their ledger entries and the tasks' new consensus
    /// in one transaction; all or nothing.
    async fn submit_answers(
        &self,
        contributor_id: Uuid,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>>;
}
