//! Projects and their progress.

use futures_util::TryStreamExt;
use mongodb::bson::{Bson, Document, doc};
use uuid::Uuid;

use super::codec::{at, id, time, to_bson, uuid};
use super::documents::{ProjectDoc, SCHEMA_VERSION};
use super::{MongoStore, corrupt};
use crate::domain::consensus::TaskState;
use crate::domain::project::WorkStatus;
use crate::store::{Project, ProjectProgress, StoreResult};

impl ProjectDoc {
    fn new(project: &Project) -> Self {
        Self {
            id: id(project.id),
            schema_version: SCHEMA_VERSION,
            owner_id: id(project.owner_id),
            title: project.title.clone(),
            summary: project.summary.clone(),
            purpose: project.purpose.clone(),
            audience: project.audience.clone(),
            status: project.status,
            outcome_note: project.outcome_note.clone(),
            created_at: at(project.created_at),
        }
    }

    pub(super) fn into_project(self) -> Project {
        Project {
            id: uuid(self.id),
            owner_id: uuid(self.owner_id),
            title: self.title,
            summary: self.summary,
            purpose: self.purpose,
            audience: self.audience,
            status: self.status,
            outcome_note: self.outcome_note,
            created_at: time(self.created_at),
        }
    }
}

/// Reads a count produced by `$sum`, which the server returns as int32,
/// int64 or double depending on its size.
pub(super) fn count(document: &Document, key: &str) -> u64 {
    match document.get(key) {
        Some(Bson::Int32(value)) => u64::try_from(*value).unwrap_or(0),
        Some(Bson::Int64(value)) => u64::try_from(*value).unwrap_or(0),
        Some(Bson::Double(value)) if *value > 0.0 => *value as u64,
        _ => 0,
    }
}

pub(super) fn state_is(state: TaskState) -> Bson {
    Bson::String(state.as_str().to_owned())
}

#[async_trait::async_trait]
impl crate::store::ProjectStore for MongoStore {
    async fn create_project(&self, project: &Project) -> StoreResult<()> {
        self.projects.insert_one(ProjectDoc::new(project)).await?;
        Ok(())
    }

    async fn project(&self, project_id: Uuid) -> StoreResult<Option<Project>> {
        let found = self
            .projects
            .find_one(doc! { "_id": id(project_id) })
            .await?;
        Ok(found.map(ProjectDoc::into_project))
    }

    async fn projects(&self) -> StoreResult<Vec<Project>> {
        let cursor = self
            .projects
            .find(doc! {})
            .sort(doc! { "created_at": -1 })
            .await?;
        let found: Vec<ProjectDoc> = cursor.try_collect().await?;
        Ok(found.into_iter().map(ProjectDoc::into_project).collect())
    }

    async fn owned_projects(&self, owner_id: Uuid) -> StoreResult<Vec<Project>> {
        let cursor = self
            .projects
            .find(doc! { "owner_id": id(owner_id) })
            .sort(doc! { "created_at": -1 })
            .await?;
        let found: Vec<ProjectDoc> = cursor.try_collect().await?;
        Ok(found.into_iter().map(ProjectDoc::into_project).collect())
    }

    async fn update_project(&self, project: &Project) -> StoreResult<()> {
        self.projects
            .update_one(
                doc! { "_id": id(project.id) },
                doc! { "$set": {
                    "title": &project.title,
                    "summary": &project.summary,
                    "purpose": &project.purpose,
                    "audience": to_bson(&project.audience)?,
                    "status": project.status.as_str(),
                    "outcome_note": project.outcome_note.as_deref(),
                } },
            )
            .await?;
        Ok(())
    }

    async fn project_progress(
        &self,
        project_id: Uuid,
        contributor: Uuid,
    ) -> StoreResult<ProjectProgress> {
        let batches: Vec<Document> = self
            .batches
            .clone_with_type::<Document>()
            .find(doc! { "project_id": id(project_id), "ready": true })
            .projection(doc! { "_id": 1, "status": 1, "median_seconds": 1 })
            .await?
            .try_collect()
            .await?;
        let batch_ids: Vec<Bson> = batches
            .iter()
            .filter_map(|batch| batch.get("_id").cloned())
            .collect();

        let totals = self
            .tasks
            .aggregate([
                doc! { "$match": { "batch_id": { "$in": &batch_ids }, "is_gold": false } },
                doc! { "$group": {
                    "_id": Bson::Null,
                    "tasks": { "$sum": 1 },
                    "settled": { "$sum": { "$cond": [
                        { "$in": ["$state", [state_is(TaskState::Settled), state_is(TaskState::Resolved)]] }, 1, 0
                    ] } },
                    "answers": { "$sum": "$answer_count" },
                } },
            ])
            .await?
            .try_next()
            .await?
            .unwrap_or_default();
        let mine = self
            .participation
            .aggregate([
                doc! { "$match": { "batch_id": { "$in": &batch_ids }, "contributor_id": id(contributor) } },
                doc! { "$group": { "_id": Bson::Null, "answers": { "$sum": "$answers" } } },
            ])
            .await?
            .try_next()
            .await?
            .unwrap_or_default();

        // The mean of the live batches' learned medians, 0 without any.
        let live: Vec<f64> = batches
            .iter()
            .filter(|batch| batch.get_str("status").ok() == Some(WorkStatus::Live.as_str()))
            .map(|batch| {
                batch
                    .get_f64("median_seconds")
                    .map_err(|err| corrupt("batch", err))
            })
            .collect::<StoreResult<_>>()?;
        let seconds_per_task = if live.is_empty() {
            0.0
        } else {
            live.iter().sum::<f64>() / live.len() as f64
        };

        Ok(ProjectProgress {
            tasks: count(&totals, "tasks"),
            settled: count(&totals, "settled"),
            answers: count(&totals, "answers"),
            answered_by_contributor: count(&mine, "answers"),
            seconds_per_task,
        })
    }

    async fn import_batch(
        &self,
        batch: &crate::store::Batch,
        tasks: Box<dyn Iterator<Item = crate::store::NewTask> + Send>,
    ) -> StoreResult<u64> {
        self.import(batch, tasks).await
    }

    async fn batch(&self, batch_id: Uuid) -> StoreResult<Option<crate::store::Batch>> {
        self.find_batch(batch_id).await
    }

    async fn project_batches(&self, project_id: Uuid) -> StoreResult<Vec<crate::store::Batch>> {
        self.batches_of_project(project_id).await
    }

    async fn set_batch_status(&self, batch_id: Uuid, status: WorkStatus) -> StoreResult<()> {
        self.batches
            .update_one(
                doc! { "_id": id(batch_id) },
                doc! { "$set": { "status": status.as_str() } },
            )
            .await?;
        Ok(())
    }

    async fn batch_counts(&self, batch_id: Uuid) -> StoreResult<crate::store::BatchCounts> {
        self.counts_of_batch(batch_id).await
    }

    fn task_results(
        &self,
        batch_id: Uuid,
    ) -> futures_util::stream::BoxStream<'static, StoreResult<crate::store::TaskResult>> {
        self.stream_results(batch_id)
    }
}
