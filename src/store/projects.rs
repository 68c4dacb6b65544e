//! Projects, batches and their tasks.

use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use serde_json::Value;
use uuid::Uuid;

use super::StoreResult;
use crate::domain::kinds::{KindSettings, TaskKind, Vote};
use crate::domain::policy::BatchPolicy;
use crate::domain::project::{Audience, WorkStatus};

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub title: String,
    pub summary: String,
    pub purpose: String,
    pub audience: Audience,
    pub status: WorkStatus,
    pub outcome_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Totals over a project's batches, and what one contributor did there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectProgress {
    pub tasks: u64,
    pub settled: u64,
    pub answers: u64,
    pub answered_by_contributor: u64,
    /// Seconds per task across the project's live batches (learned medians).
    pub seconds_per_task: f64,
}

#[derive(Debug, Clone)]
pub struct Batch {
    pub id: Uuid,
    pub project_id: Uuid,
    pub name: String,
    pub settings: KindSettings,
    pub instructions: String,
    pub policy: BatchPolicy,
    pub status: WorkStatus,
    /// Derived from the settings once, at creation, so sessions never rebuild it.
    pub answer_schema: Value,
    /// Records the upload held that duplicated an earlier one and were
    /// dropped (screening: same DOI, PMID or title), for PRISMA counts.
    pub duplicates_dropped: u64,
    pub created_at: DateTime<Utc>,
}

impl Batch {
    pub fn kind(&self) -> TaskKind {
        self.settings.kind()
    }
}

/// A task to store with its batch.
#[derive(Debug, Clone)]
pub struct NewTask {
    pub id: Uuid,
    pub external_id: Option<String>,
    pub content: Value,
    pub gold: Option<GoldAnswer>,
}

/// The known answer of a gold task, and why it is right.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldAnswer {
    pub answer: Value,
    pub votes: Vec<Vote>,
    pub explanation: String,
}

/// Progress of one batch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchCounts {
    pub tasks: u64,
    pub gold_tasks: u64,
    pub open: u64,
    pub in_progress: u64,
    pub settled: u64,
    pub escalated: u64,
    pub resolved: u64,
    pub answers: u64,
    /// Answers on tasks that are settled or resolved.
    pub answers_on_settled: u64,
    pub median_seconds: f64,
}

/// One task's outcome for the results export.
#[derive(Debug, Clone)]
pub struct TaskResult {
    pub task_id: Uuid,
    pub external_id: Option<String>,
    /// The task's content as uploaded (for screening: title, authors...).
    pub content: Value,
    pub is_gold: bool,
    pub state: crate::domain::consensus::TaskState,
    /// The consensus per question (JSON array), or the researcher's resolution.
    pub consensus: Value,
    pub confidence: f64,
    pub answers: Vec<RawAnswer>,
}

/// One answer as exported: who (by account id; the API pseudonymises it) and what.
#[derive(Debug, Clone)]
pub struct RawAnswer {
    pub contributor_id: Uuid,
    pub answer: Value,
    pub counted: bool,
    pub created_at: DateTime<Utc>,
}

#[async_trait::async_trait]
pub trait ProjectStore {
    async fn create_project(&self, project: &Project) -> StoreResult<()>;

    async fn project(&self, id: Uuid) -> StoreResult<Option<Project>>;

    /// Every project, newest first; callers filter by status and audience.
    async fn projects(&self) -> StoreResult<Vec<Project>>;

    /// The projects a researcher owns, drafts included, newest first.
    async fn owned_projects(&self, owner_id: Uuid) -> StoreResult<Vec<Project>>;

    async fn update_project(&self, project: &Project) -> StoreResult<()>;

    async fn project_progress(&self, id: Uuid, contributor: Uuid) -> StoreResult<ProjectProgress>;

    /// Stores the batch and all its tasks, all or nothing: the batch stays
    /// hidden (never listed, looked up or claimed) until every task is
    /// stored, and a failed import leaves nothing behind. Adapters write in
    /// short chunks so an import never stalls claims and answers. Returns
    /// how many tasks were stored.
    async fn import_batch(
        &self,
        batch: &Batch,
        tasks: Box<dyn Iterator<Item = NewTask> + Send>,
    ) -> StoreResult<u64>;

    async fn batch(&self, id: Uuid) -> StoreResult<Option<Batch>>;

    async fn project_batches(&self, project_id: Uuid) -> StoreResult<Vec<Batch>>;

    async fn set_batch_status(&self, id: Uuid, status: WorkStatus) -> StoreResult<()>;

    async fn batch_counts(&self, id: Uuid) -> StoreResult<BatchCounts>;

    /// Every task of the batch with its answers, streamed in task order.
    fn task_results(&self, batch_id: Uuid) -> BoxStream<'static, StoreResult<TaskResult>>;
}
