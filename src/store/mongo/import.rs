//! Importing a batch all or nothing, without a transaction.
//!
//! The batch is inserted with `ready: false`, then its tasks in ordered
//! chunks of [`CHUNK`], then `ready` is set. Every reader that lists or
//! looks up batches asks for `ready: true`, so a half-imported batch is never
//! seen (and its tasks cannot be claimed: claims start from ready batches);
//! on failure the tasks and the batch are deleted. A replica that dies
//! mid-import leaves an unready batch behind, which the next start-up of any
//! replica deletes once it is [`ABANDONED_AFTER`] old.
//!
//! A transaction would also be all or nothing, but uploads of up to 512 MiB
//! are far beyond what one MongoDB transaction should carry (its 60 s
//! default lifetime, and cache pressure on the primary).

use chrono::{DateTime, Duration, Utc};
use futures_util::TryStreamExt;
use mongodb::bson::{self, doc};
use serde::Deserialize;

use super::MongoStore;
use super::codec::{at, id, uuid};
use super::documents::{BatchDoc, GoldDoc, SCHEMA_VERSION, TaskDoc};
use crate::domain::consensus::TaskState;
use crate::store::{Batch, NewTask, StoreError, StoreResult};

/// Tasks per `insert_many`.
const CHUNK: usize = 1000;

/// Age after which an unready batch is taken for an interrupted import.
const ABANDONED_AFTER: Duration = Duration::hours(6);

impl BatchDoc {
    fn new(batch: &Batch, now: DateTime<Utc>) -> Self {
        Self {
            id: id(batch.id),
            schema_version: SCHEMA_VERSION,
            project_id: id(batch.project_id),
            name: batch.name.clone(),
            settings: batch.settings.clone(),
            instructions: batch.instructions.clone(),
            policy: batch.policy.clone(),
            status: batch.status,
            answer_schema: batch.answer_schema.clone(),
            duplicates_dropped: i64::try_from(batch.duplicates_dropped).unwrap_or(i64::MAX),
            median_seconds: f64::from(batch.policy.estimated_seconds),
            answer_count: 0,
            ready: false,
            import_started_at: at(now),
            created_at: at(batch.created_at),
        }
    }
}

fn task_doc(batch: &Batch, seq: i64, created_at: bson::DateTime, task: NewTask) -> TaskDoc {
    TaskDoc {
        id: id(task.id),
        schema_version: SCHEMA_VERSION,
        batch_id: id(batch.id),
        seq,
        created_at,
        created_by: None,
        external_id: task.external_id,
        content: task.content,
        is_gold: task.gold.is_some(),
        gold: task.gold.map(|gold| GoldDoc {
            answer: gold.answer,
            votes: gold.votes,
            explanation: gold.explanation,
        }),
        state: TaskState::Open,
        answer_count: 0,
        counted_count: 0,
        places: i64::from(batch.policy.open_places(0)),
        busy_until: bson::DateTime::from_millis(0),
        consensus: None,
        confidence: 0.0,
        leases: Vec::new(),
        answered_by: Vec::new(),
    }
}

/// A document read for its id alone.
#[derive(Deserialize)]
struct IdOnly {
    #[serde(rename = "_id")]
    id: bson::Uuid,
}

type Tasks = Box<dyn Iterator<Item = NewTask> + Send>;

impl MongoStore {
    pub(super) async fn import(&self, batch: &Batch, tasks: Tasks) -> StoreResult<u64> {
        let now = Utc::now();
        self.batches.insert_one(BatchDoc::new(batch, now)).await?;
        let stored = match self.insert_tasks(batch, at(now), tasks).await {
            Ok(stored) => stored,
            Err(err) => {
                self.discard_import(id(batch.id)).await;
                return Err(err);
            }
        };
        let flipped = self
            .batches
            .update_one(
                doc! { "_id": id(batch.id), "ready": false },
                doc! { "$set": { "ready": true } },
            )
            .await;
        match flipped {
            Ok(result) if result.matched_count == 1 => Ok(stored),
            Ok(_) => Err(StoreError::Backend(anyhow::anyhow!(
                "batch {} vanished during its import (taken for an abandoned one)",
                batch.id
            ))),
            // The flip may have landed all the same (a lost reply): look
            // before deleting, so a ready batch never loses its tasks.
            Err(err) => match self.batches.find_one(doc! { "_id": id(batch.id) }).await {
                Ok(Some(found)) if found.ready => Ok(stored),
                Ok(_) => {
                    self.discard_import(id(batch.id)).await;
                    Err(err.into())
                }
                // Unknown: if it stayed unready, the start-up sweep removes it.
                Err(_) => Err(err.into()),
            },
        }
    }

    /// Inserts the tasks in ordered chunks. The iterator may block (uploads
    /// are parsed on a thread), so chunks are pulled on the blocking pool.
    async fn insert_tasks(
        &self,
        batch: &Batch,
        created_at: bson::DateTime,
        tasks: Tasks,
    ) -> StoreResult<u64> {
        let mut tasks = Some(tasks);
        let mut stored = 0u64;
        while let Some(mut source) = tasks.take() {
            let owner = batch.clone();
            let first = stored as i64;
            let (source, chunk) = tokio::task::spawn_blocking(move || {
                let chunk: Vec<TaskDoc> = source
                    .by_ref()
                    .take(CHUNK)
                    .enumerate()
                    .map(|(offset, task)| task_doc(&owner, first + offset as i64, created_at, task))
                    .collect();
                (source, chunk)
            })
            .await
            .map_err(|err| StoreError::Backend(anyhow::anyhow!("reading tasks failed: {err}")))?;
            if chunk.is_empty() {
                break;
            }
            let full = chunk.len() == CHUNK;
            stored += chunk.len() as u64;
            self.tasks.insert_many(chunk).await?;
            if full {
                tasks = Some(source);
            }
        }
        Ok(stored)
    }

    /// Deletes a failed import's tasks, then its batch. Failures are logged:
    /// the start-up sweep deletes whatever is left.
    async fn discard_import(&self, batch_id: bson::Uuid) {
        if let Err(err) = self.delete_import(batch_id).await {
            tracing::error!(error = %err, "could not remove a failed batch import; a later start-up will");
        }
    }

    async fn delete_import(&self, batch_id: bson::Uuid) -> mongodb::error::Result<()> {
        self.tasks
            .delete_many(doc! { "batch_id": batch_id })
            .await?;
        self.batches
            .delete_one(doc! { "_id": batch_id, "ready": false })
            .await?;
        Ok(())
    }

    /// Deletes imports that stayed unready for longer than any import takes.
    pub(super) async fn sweep_abandoned_imports(
        &self,
        now: DateTime<Utc>,
    ) -> mongodb::error::Result<()> {
        let mut stale = self
            .batches
            .clone_with_type::<IdOnly>()
            .find(
                doc! { "ready": false, "import_started_at": { "$lt": at(now - ABANDONED_AFTER) } },
            )
            .projection(doc! { "_id": 1 })
            .await?;
        while let Some(found) = stale.try_next().await? {
            tracing::warn!(batch = %uuid(found.id), "removing an interrupted batch import");
            self.delete_import(found.id).await?;
        }
        Ok(())
    }
}
