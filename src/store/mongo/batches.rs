//! Batches as read back: lookups (fully imported ones only), counts, the
//! owners of tasks, and the streamed results export.

use std::collections::HashMap;

use futures_util::stream::{self, BoxStream};
use futures_util::{StreamExt, TryStreamExt};
use mongodb::bson::{self, Bson, Document, doc};
use serde::Deserialize;
use uuid::Uuid;

use super::MongoStore;
use super::codec::{id, time, uuid};
use super::documents::{BatchDoc, TaskDoc};
use super::projects::{count, state_is};
use crate::domain::consensus::TaskState;
use crate::store::{Batch, BatchCounts, RawAnswer, StoreError, StoreResult, TaskResult};

impl BatchDoc {
    pub(super) fn into_batch(self) -> Batch {
        Batch {
            id: uuid(self.id),
            project_id: uuid(self.project_id),
            name: self.name,
            settings: self.settings,
            instructions: self.instructions,
            policy: self.policy,
            status: self.status,
            answer_schema: self.answer_schema,
            duplicates_dropped: self.duplicates_dropped.max(0) as u64,
            created_at: time(self.created_at),
        }
    }
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
    regular_sum(conditions, Bson::Int32(1))
}

/// Sums `value` over the regular (non-gold) tasks meeting every condition.
fn regular_sum(conditions: Vec<Document>, value: Bson) -> Document {
    let mut all = vec![doc! { "$eq": ["$is_gold", false] }];
    all.extend(conditions);
    doc! { "$sum": { "$cond": [{ "$and": all }, value, 0] } }
}

impl MongoStore {
    pub(super) async fn find_batch(&self, batch_id: Uuid) -> StoreResult<Option<Batch>> {
        let found = self
            .batches
            .find_one(doc! { "_id": id(batch_id), "ready": true })
            .await?;
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
                    "answers_on_settled": regular_sum(
                        vec![doc! { "$in": ["$state", [state_is(TaskState::Settled), state_is(TaskState::Resolved)]] }],
                        Bson::String("$answer_count".to_owned()),
                    ),
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
            answers_on_settled: count(&totals, "answers_on_settled"),
            answers: u64::try_from(batch.answer_count).unwrap_or(0),
            median_seconds: batch.median_seconds,
        })
    }

    /// Which batch each known task belongs to, in the order asked.
    pub(super) async fn batches_of_tasks(
        &self,
        task_ids: &[Uuid],
    ) -> StoreResult<Vec<(Uuid, Uuid)>> {
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
        let by_task: HashMap<Uuid, Uuid> = owners
            .into_iter()
            .map(|owner| (uuid(owner.task), uuid(owner.batch_id)))
            .collect();
        Ok(task_ids
            .iter()
            .filter_map(|task| by_task.get(task).map(|batch| (*task, *batch)))
            .collect())
    }

    /// Streams the batch's tasks in upload order, each with its answers. The
    /// cursor fetches tasks in driver-sized batches, so memory stays bounded
    /// however large the batch is; dropping the stream closes the cursor.
    pub(super) fn stream_results(
        &self,
        batch_id: Uuid,
    ) -> BoxStream<'static, StoreResult<TaskResult>> {
        enum Walk {
            Start,
            // Boxed: a cursor is large, and the other states carry nothing.
            Tasks(Box<mongodb::Cursor<TaskDoc>>),
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
                        Ok(cursor) => Box::new(cursor),
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
        let answers = self.task_answers(task.id).await?;
        Ok(TaskResult {
            task_id: uuid(task.id),
            external_id: task.external_id,
            content: task.content,
            is_gold: task.is_gold,
            state: task.state,
            consensus: task.consensus.unwrap_or_default(),
            confidence: task.confidence,
            answers,
        })
    }

    /// A task's answers in arrival order, as exported.
    pub(super) async fn task_answers(&self, task: bson::Uuid) -> StoreResult<Vec<RawAnswer>> {
        let answers: Vec<ExportedAnswer> = self
            .answers
            .clone_with_type::<ExportedAnswer>()
            .find(doc! { "task_id": task })
            .sort(doc! { "created_at": 1, "_id": 1 })
            .projection(doc! { "contributor_id": 1, "answer": 1, "counted": 1, "created_at": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(answers
            .into_iter()
            .map(|answer| RawAnswer {
                contributor_id: uuid(answer.contributor_id),
                answer: answer.answer,
                counted: answer.counted,
                created_at: time(answer.created_at),
            })
            .collect())
    }
}
