//! The hot path: claiming a bundle of leased tasks, and storing answers with
//! their credit in the same transaction.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::StoreResult;
use crate::domain::account::StaffGroup;
use crate::domain::admission::{Refusal, Worker};
use crate::domain::kinds::Vote;

/// A request for a bundle worth `budget_seconds` of work.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub session_id: Uuid,
    pub contributor_id: Uuid,
    pub member: Member,
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
    /// After its lease expired; stored and credited all the same.
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
    /// Answered for practice (`domain::practice`): no credit, no consensus.
    #[serde(default)]
    pub practice: bool,
}

/// Why a submission was refused as a whole: the answer at `index` broke
/// one of the rules in `domain::admission`, and nothing was stored.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmitRefusal {
    pub index: usize,
    pub reason: Refusal,
}

/// Where a person works, as the stored account says now (never as a token
/// says): what the admission rules need, owned so it can cross into a store.
#[derive(Debug, Clone)]
pub struct Member {
    pub organisation: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub verified: bool,
    pub staff_group: StaffGroup,
    /// Handed only gold tasks, answered for practice (`domain::practice`).
    pub practice_only: bool,
}

impl Member {
    /// The account as claims and answers see it; `practice_only` is what
    /// its organisation's policy makes of it (`Account::practice_only`).
    pub fn of(account: &super::Account, practice_only: bool) -> Self {
        let worker = account.worker();
        Self {
            organisation: account.organisation.clone(),
            organisation_id: worker.organisation_id,
            verified: worker.verified,
            staff_group: worker.staff_group,
            practice_only,
        }
    }

    pub fn worker(&self) -> Worker<'_> {
        Worker {
            organisation: self.organisation.as_deref(),
            organisation_id: self.organisation_id,
            verified: self.verified,
            staff_group: self.staff_group,
        }
    }
}

/// Who is answering, as the stored account says now.
#[derive(Debug, Clone)]
pub struct Answerer {
    pub id: Uuid,
    pub member: Member,
}

impl Answerer {
    pub fn worker(&self) -> Worker<'_> {
        self.member.worker()
    }
}

#[async_trait::async_trait]
pub trait SessionStore {
    /// Leases a bundle in one transaction; never more leases on a task than
    /// it has open places, never a task the contributor answered or holds.
    async fn claim(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>>;

    /// Which batch each task belongs to (unknown tasks are left out).
    async fn task_batches(&self, task_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid)>>;

    /// Stores the answers, their ledger entries and the tasks' new consensus
    /// in one transaction; all or nothing. Every answer must be to a task
    /// the answerer was leased, on live work open to them.
    async fn submit_answers(
        &self,
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>>;
}
