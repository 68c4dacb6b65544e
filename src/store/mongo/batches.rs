//! Batches: importing them all or nothing, their counts, and the streamed
//! results export.
//!
//! An import inserts the batch with `ready: false`, then its tasks in
//! ordered chunks of [`CHUNK`], then sets `ready: true`. Every reader that
//! lists or looks up batches asks for `ready: true`, so a half-imported
//! batch is never seen; on failure the tasks and the batch are deleted. A
//! replica that dies mid-import leaves an unready batch behind, which the
//! next start-up of any replica deletes once it is [`ABANDONED_AFTER`] old.
//! A transaction would also be all or nothing, but uploads of up to 512 MiB
//! are far beyond what one MongoDB transaction should carry (its 60 s
//! default lifetime, and cache pressure on the primary).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use futures_util::stream::{self, BoxStream};
use futures_util::{StreamExt, TryStreamExt};
use mongodb::bson::{self, Bson, Document, doc};
use serde::Deserialize;
use uuid::Uuid;

use super::documents::{BatchDoc, GoldDoc, SCHEMA_VERSION, TaskDoc, at, id, time, uuid};
use super::projects::{count, state_is};
use super::MongoStore;
use crate::domain::consensus::TaskState;
use crate::store::{Batch, BatchCounts, NewTask, RawAnswer, StoreError, StoreResult, TaskResult};

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
            median_seconds: f64::from(batch.policy.estimated_seconds),
            answer_count: 0,
            ready: false,
            import_started_at: at(now),
            created_at: at(batch.created_at),
        }
    }

    fn into_batch(self) -> Batch {
        Batch {
            id: uuid(self.id),
            project_id: uuid(self.project_id),
            name: self.name,
            settings: self.settings,
            instructions: self.instructions,
            policy: self.policy,
            status: self.status,
            answer_schema: self.answer_schema,
            created_at: time(self.created_at),
        }
    }
}

fn task_doc(batch: &Batch, seq: i64, task: NewTask) -> TaskDoc {
    TaskDoc {
        id: id(task.id),
        schema_version: SCHEMA_VERSION,
        batch_id: id(batch.id),
        seq,
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

/// The fields of an answer the export needs.
#[derive(Deserialize)]
struct ExportedAnswer {
    contributor_id: bson::Uuid,
    answer: serde_json::Value,
    counted: bool,
    created_at: bson::DateTime,
}

/// Counts the regular (non-gold) tasks meeting every condition.
fn regular(conditions: Vec<Document>) -> Document {
    let mut all = vec![doc! { "$eq": ["$is_gold", false] }];
    all.extend(conditions);
    doc! { "$sum": { "$cond": [{ "$and": all }, 1, 0] } }
}

type Tasks = Box<dyn Iterator<Item = NewTask> + Send>;

impl MongoStore {
    pub(super) async fn import(&self, batch: &Batch, tasks: Tasks) -> StoreResult<u64> {
        self.batches.insert_one(BatchDoc::new(batch, Utc::now())).await?;
        let stored = match self.insert_tasks(batch, tasks).await {
            Ok(stored) => stored,
            Err(err) => {
                self.discard_import(id(batch.id)).await;
                return Err(err);
            }
        };
        let flipped = self
            .batches
            .update_one(doc! { "_id": id(batch.id), "ready": false }, doc! { "$set": { "ready": true } })
            .await;
        match flipped {
            Ok(result) if result.matched_count == 1 => Ok(stored),
            Ok(_) => Err(StoreError::Backend(anyhow::anyhow!(
                "batch {} vanished during its import (taken for an abandoned one)",
                batch.id
            ))),
            Err(err) => {
                self.discard_import(id(batch.id)).await;
                Err(err.into())
            }
        }
    }

    /// Inserts the tasks in ordered chunks. The iterator may block (uploads
    /// are parsed on a thread), so chunks are pulled on the blocking pool.
    async fn insert_tasks(&self, batch: &Batch, tasks: Tasks) -> StoreResult<u64> {
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
                    .map(|(offset, task)| task_doc(&owner, first + offset as i64, task))
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
        self.tasks.delete_many(doc! { "batch_id": batch_id }).await?;
        self.batches.delete_one(doc! { "_id": batch_id, "ready": false }).await?;
        Ok(())
    }

    /// Deletes imports that stayed unready for longer than any import takes.
    pub(super) async fn sweep_abandoned_imports(&self, now: DateTime<Utc>) -> mongodb::error::Result<()> {
        let mut stale = self
            .batches
            .clone_with_type::<IdOnly>()
            .find(doc! { "ready": false, "import_started_at": { "$lt": at(now - ABANDONED_AFTER) } })
            .projection(doc! { "_id": 1 })
            .await?;
        while let Some(found) = stale.try_next().await? {
            tracing::warn!(batch = %uuid(found.id), "removing an interrupted batch import");
            self.delete_import(found.id).await?;
        }
        Ok(())
    }

    pub(super) async fn find_batch(&self, batch_id: Uuid) -> StoreResult<Option<Batch>> {
        let found = self.batches.find_one(doc! { "_id": id(batch_id), "ready": true }).await?;
        Ok(found.map(BatchDoc::into_batch))
    }

    pub(super) async fn batches_of_project(&self, project_id: Uuid) -> StoreResult<Vec<Batch>> {
        let cursor = self
            .batches
            .find(doc! { "project_id": id(project_id), "ready": true })
            .sort(doc! { "created_at": 1 })
            .await?;
        let found: Vec<BatchDoc> = cursor.try_collect().await?;
        Ok(found.into_iter().map(BatchDoc::into_batch).collect())
    }

    pub(super) async fn counts_of_batch(&self, batch_id: Uuid) -> StoreResult<BatchCounts> {
        let open = state_is(TaskState::Open);
        let totals = self
            .tasks
            .aggregate([
                doc! { "$match": { "batch_id": id(batch_id) } },
                doc! { "$group": {
                    "_id": Bson::Null,
                    "tasks": { "$sum": 1 },
                    "gold_tasks": { "$sum": { "$cond": ["$is_gold", 1, 0] } },
                    "open": regular(vec![
                        doc! { "$eq": ["$state", open.clone()] },
                        doc! { "$eq": ["$answer_count", 0] },
                    ]),
                    "in_progress": regular(vec![
                        doc! { "$eq": ["$state", open] },
                        doc! { "$gt": ["$answer_count", 0] },
                    ]),
                    "settled": regular(vec![doc! { "$eq": ["$state", state_is(TaskState::Settled)] }]),
                    "escalated": regular(vec![doc! { "$eq": ["$state", state_is(TaskState::Escalated)] }]),
                    "resolved": regular(vec![doc! { "$eq": ["$state", state_is(TaskState::Resolved)] }]),
                } },
            ])
            .await?
            .try_next()
            .await?
            .unwrap_or_default();
        let batch = self
            .batches
            .find_one(doc! { "_id": id(batch_id) })
            .await?
            .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("no batch {batch_id}")))?;
        Ok(BatchCounts {
            tasks: count(&totals, "tasks"),
            gold_tasks: count(&totals, "gold_tasks"),
            open: count(&totals, "open"),
            in_progress: count(&totals, "in_progress"),
            settled: count(&totals, "settled"),
            escalated: count(&totals, "escalated"),
            resolved: count(&totals, "resolved"),
            answers: u64::try_from(batch.answer_count).unwrap_or(0),
            median_seconds: batch.median_seconds,
        })
    }

    /// Which batch each known task belongs to, in the order asked.
    pub(super) async fn batches_of_tasks(&self, task_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid)>> {
        #[derive(Deserialize)]
        struct Owner {
            #[serde(rename = "_id")]
            task: bson::Uuid,
            batch_id: bson::Uuid,
        }
        let ids: Vec<bson::Uuid> = task_ids.iter().copied().map(id).collect();
        let owners: Vec<Owner> = self
            .tasks
            .clone_with_type::<Owner>()
            .find(doc! { "_id": { "$in": ids } })
            .projection(doc! { "_id": 1, "batch_id": 1 })
            .await?
            .try_collect()
            .await?;
        let by_task: HashMap<Uuid, Uuid> =
            owners.into_iter().map(|owner| (uuid(owner.task), uuid(owner.batch_id))).collect();
        Ok(task_ids.iter().filter_map(|task| by_task.get(task).map(|batch| (*task, *batch))).collect())
    }

    /// Streams the batch's tasks in upload order, each with its answers. The
    /// cursor fetches tasks in driver-sized batches, so memory stays bounded
    /// however large the batch is; dropping the stream closes the cursor.
    pub(super) fn stream_results(&self, batch_id: Uuid) -> BoxStream<'static, StoreResult<TaskResult>> {
        enum Walk {
            Start,
            Tasks(mongodb::Cursor<TaskDoc>),
            Done,
        }
        let store = self.clone();
        stream::unfold(Walk::Start, move |walk| {
            let store = store.clone();
            async move {
                let mut cursor = match walk {
                    Walk::Done => return None,
                    Walk::Tasks(cursor) => cursor,
                    Walk::Start => match store
                        .tasks
                        .find(doc! { "batch_id": id(batch_id) })
                        .sort(doc! { "seq": 1 })
                        .projection(doc! { "leases": 0, "answered_by": 0 })
                        .await
                    {
                        Ok(cursor) => cursor,
                        Err(err) => return Some((Err(err.into()), Walk::Done)),
                    },
                };
                match cursor.try_next().await {
                    Ok(Some(task)) => match store.task_result(task).await {
                        Ok(result) => Some((Ok(result), Walk::Tasks(cursor))),
                        Err(err) => Some((Err(err), Walk::Done)),
                    },
                    Ok(None) => None,
                    Err(err) => Some((Err(err.into()), Walk::Done)),
                }
            }
        })
        .boxed()
    }

    async fn task_result(&self, task: TaskDoc) -> StoreResult<TaskResult> {
        let answers: Vec<ExportedAnswer> = self
            .answers
            .clone_with_type::<ExportedAnswer>()
            .find(doc! { "task_id": task.id })
            .sort(doc! { "created_at": 1, "_id": 1 })
            .projection(doc! { "contributor_id": 1, "answer": 1, "counted": 1, "created_at": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(TaskResult {
            task_id: uuid(task.id),
            external_id: task.external_id,
            is_gold: task.is_gold,
            state: task.state,
            consensus: task.consensus.unwrap_or_default(),
            confidence: task.confidence,
            answers: answers
                .into_iter()
                .map(|answer| RawAnswer {
                    contributor_id: uuid(answer.contributor_id),
                    answer: answer.answer,
                    counted: answer.counted,
                    created_at: time(answer.created_at),
                })
                .collect(),
        })
    }
}
