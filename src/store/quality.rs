//! What the quality engine reads and writes off the hot path: whole-batch
//! votes for re-estimation, the resolver queue, and report inputs.

use chrono::NaiveDate;
use serde_json::Value;
use uuid::Uuid;

use super::{RawAnswer, StoreResult};
use crate::domain::account::StaffGroup;
use crate::domain::consensus::{Verdict, WorkerModel};
use crate::domain::reestimate::BatchVotes;

/// An escalated task waiting for the researcher.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub task_id: Uuid,
    pub batch_id: Uuid,
    pub content: Value,
    pub consensus: Value,
    pub confidence: f64,
    pub answers: Vec<RawAnswer>,
}

/// One contributor's record on a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct ParticipationRow {
    pub contributor_id: Uuid,
    pub answers: u64,
    pub gold_total: u64,
    pub gold_correct: u64,
}

/// Who takes part in a project, by staff group.
#[derive(Debug, Clone, PartialEq)]
pub struct EngagementRow {
    pub staff_group: StaffGroup,
    pub contributors: u64,
    pub answers: u64,
}

#[async_trait::async_trait]
pub trait QualityStore {
    /// Every answer of the batch with its votes, and the gold tasks' votes.
    async fn batch_votes(&self, batch_id: Uuid) -> StoreResult<BatchVotes>;

    /// Answers the batch received on each UTC day that had any, oldest first.
    async fn answers_by_day(&self, batch_id: Uuid) -> StoreResult<Vec<(NaiveDate, u64)>>;

    /// Stores re-estimated contributor models and applies the new verdicts
    /// to tasks that are still open; settled, escalated and resolved tasks
    /// keep their state.
    async fn save_reestimate(
        &self,
        batch_id: Uuid,
        models: Vec<(Uuid, WorkerModel)>,
        verdicts: Vec<(Uuid, Verdict)>,
    ) -> StoreResult<()>;

    /// The contributor models last stored for the batch.
    async fn worker_models(&self, batch_id: Uuid) -> StoreResult<Vec<(Uuid, WorkerModel)>>;

    /// Escalated tasks of a project, oldest first, with their answers.
    async fn resolver_queue(&self, project_id: Uuid) -> StoreResult<Vec<QueueItem>>;

    /// Records the researcher's final answer; false when there is no such
    /// (non-gold) task.
    async fn resolve_task(&self, task_id: Uuid, resolution: Value) -> StoreResult<bool>;

    async fn batch_participation(&self, batch_id: Uuid) -> StoreResult<Vec<ParticipationRow>>;

    async fn engagement(&self, project_id: Uuid) -> StoreResult<Vec<EngagementRow>>;
}
