//! What the quality engine reads and writes off the hot path: whole-batch
//! votes, stored contributor models, the resolver queue and report inputs.

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use mongodb::bson::{self, Bson, Document, doc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::codec::{id, to_bson, uuid};
use super::documents::{GoldDoc, ParticipationDoc, SCHEMA_VERSION, TaskDoc, WorkerModelDoc, names};
use super::projects::{count, state_is};
use super::{MongoStore, corrupt};
use crate::domain::account::StaffGroup;
use crate::domain::consensus::{TaskState, Verdict, WorkerModel};
use crate::domain::kinds::Vote;
use crate::domain::reestimate::{BatchVotes, VoteRow};
use crate::store::{
    EngagementRow, ParticipationRow, QualityStore, QueueItem, StoreError, StoreResult,
};

/// Escalated tasks listed at most, as in SQLite.
const QUEUE_LIMIT: i64 = 500;

#[derive(Deserialize)]
struct GoldTask {
    #[serde(rename = "_id")]
    id: bson::Uuid,
    gold: Option<GoldDoc>,
}

#[derive(Deserialize)]
struct BatchVote {
    task_id: bson::Uuid,
    contributor_id: bson::Uuid,
    votes: Vec<Vote>,
    counted: bool,
    #[serde(default)]
    practice: bool,
}

impl MongoStore {
    /// Ids of the project's fully imported batches.
    pub(super) async fn project_batch_ids(&self, project_id: Uuid) -> StoreResult<Vec<Bson>> {
        let batches: Vec<Document> = self
            .batches
            .clone_with_type::<Document>()
            .find(doc! { "project_id": id(project_id), "ready": true })
            .projection(doc! { "_id": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(batches
            .into_iter()
            .filter_map(|batch| batch.get("_id").cloned())
            .collect())
    }
}

#[async_trait::async_trait]
impl QualityStore for MongoStore {
    async fn answers_by_day(&self, batch_id: Uuid) -> StoreResult<Vec<(NaiveDate, u64)>> {
        let pipeline = vec![
            doc! { "$match": { "batch_id": id(batch_id) } },
            doc! { "$group": {
                "_id": { "$dateToString": { "format": "%Y-%m-%d", "date": "$created_at" } },
                "answers": { "$sum": 1 },
            } },
            doc! { "$sort": { "_id": 1 } },
        ];
        let groups: Vec<Document> = self
            .answers
            .aggregate(pipeline)
            .await?
            .try_collect()
            .await?;
        Ok(groups
            .iter()
            .filter_map(|group| {
                let day = NaiveDate::parse_from_str(group.get_str("_id").ok()?, "%Y-%m-%d").ok()?;
                let answers = group
                    .get_i32("answers")
                    .map(i64::from)
                    .or_else(|_| group.get_i64("answers"))
                    .ok()?;
                Some((day, answers.max(0) as u64))
            })
            .collect())
    }

    async fn batch_votes(&self, batch_id: Uuid) -> StoreResult<BatchVotes> {
        let mut data = BatchVotes::default();
        let mut gold = self
            .tasks
            .clone_with_type::<GoldTask>()
            .find(doc! { "batch_id": id(batch_id), "is_gold": true })
            .projection(doc! { "_id": 1, "gold": 1 })
            .await?;
        while let Some(task) = gold.try_next().await? {
            if let Some(known) = task.gold {
                data.gold.insert(uuid(task.id), known.votes);
            }
        }
        let mut answers = self
            .answers
            .clone_with_type::<BatchVote>()
            .find(doc! { "batch_id": id(batch_id) })
            .projection(
                doc! { "task_id": 1, "contributor_id": 1, "votes": 1, "counted": 1, "practice": 1 },
            )
            .await?;
        while let Some(answer) = answers.try_next().await? {
            data.rows.push(VoteRow {
                task: uuid(answer.task_id),
                contributor: uuid(answer.contributor_id),
                votes: answer.votes,
                counted: answer.counted,
                practice: answer.practice,
            });
        }
        Ok(data)
    }

    /// Without a transaction: each model is one upsert and each verdict one
    /// update conditional on the task still being open, so a run cut short
    /// leaves every document consistent and the next run completes the rest.
    async fn save_reestimate(
        &self,
        batch_id: Uuid,
        models: Vec<(Uuid, WorkerModel)>,
        verdicts: Vec<(Uuid, Verdict)>,
    ) -> StoreResult<()> {
        for (contributor, model) in &models {
            self.worker_models
                .update_one(
                    doc! { "batch_id": id(batch_id), "contributor_id": id(*contributor) },
                    doc! {
                        "$set": { "model": to_bson(model)? },
                        "$setOnInsert": { "schema_version": SCHEMA_VERSION },
                    },
                )
                .upsert(true)
                .await?;
        }
        for (task, verdict) in &verdicts {
            self.tasks
                .update_one(
                    doc! { "_id": id(*task), "state": state_is(TaskState::Open) },
                    doc! { "$set": {
                        "state": state_is(verdict.state),
                        "consensus": to_bson(&verdict.consensus)?,
                        "confidence": verdict.confidence,
                    } },
                )
                .await?;
        }
        Ok(())
    }

    async fn worker_models(&self, batch_id: Uuid) -> StoreResult<Vec<(Uuid, WorkerModel)>> {
        let stored: Vec<WorkerModelDoc> = self
            .worker_models
            .clone_with_type::<WorkerModelDoc>()
            .find(doc! { "batch_id": id(batch_id) })
            .projection(doc! { "contributor_id": 1, "model": 1 })
            .await?
            .try_collect()
            .await?;
        stored
            .into_iter()
            .map(|stored| {
                let model =
                    bson::from_bson(stored.model).map_err(|err| corrupt("worker model", err))?;
                Ok((uuid(stored.contributor_id), model))
            })
            .collect()
    }

    async fn resolver_queue(&self, project_id: Uuid) -> StoreResult<Vec<QueueItem>> {
        let batch_ids = self.project_batch_ids(project_id).await?;
        // Oldest first: tasks by when they were stored, then upload order.
        let tasks: Vec<TaskDoc> = self
            .tasks
            .find(
                doc! { "batch_id": { "$in": batch_ids }, "state": state_is(TaskState::Escalated) },
            )
            .sort(doc! { "created_at": 1, "seq": 1 })
            .limit(QUEUE_LIMIT)
            .projection(doc! { "leases": 0, "answered_by": 0 })
            .await?
            .try_collect()
            .await?;
        let mut queue = Vec::with_capacity(tasks.len());
        for task in tasks {
            queue.push(QueueItem {
                task_id: uuid(task.id),
                batch_id: uuid(task.batch_id),
                answers: self.task_answers(task.id).await?,
                content: task.content,
                consensus: task.consensus.unwrap_or(Value::Null),
                confidence: task.confidence,
            });
        }
        Ok(queue)
    }

    async fn resolve_task(&self, task_id: Uuid, resolution: Value) -> StoreResult<bool> {
        let result = self
            .tasks
            .update_one(
                doc! { "_id": id(task_id), "is_gold": false },
                doc! { "$set": {
                    "state": state_is(TaskState::Resolved),
                    "consensus": to_bson(&resolution)?,
                    "confidence": 1.0,
                } },
            )
            .await?;
        Ok(result.matched_count == 1)
    }

    async fn batch_participation(&self, batch_id: Uuid) -> StoreResult<Vec<ParticipationRow>> {
        let rows: Vec<ParticipationDoc> = self
            .participation
            .find(doc! { "batch_id": id(batch_id) })
            .sort(doc! { "contributor_id": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| ParticipationRow {
                contributor_id: uuid(row.contributor_id),
                answers: u64::try_from(row.answers).unwrap_or(0),
                gold_total: u64::try_from(row.gold_total).unwrap_or(0),
                gold_correct: u64::try_from(row.gold_correct).unwrap_or(0),
            })
            .collect())
    }

    async fn engagement(&self, project_id: Uuid) -> StoreResult<Vec<EngagementRow>> {
        let batch_ids = self.project_batch_ids(project_id).await?;
        let mut groups = self
            .participation
            .aggregate([
                doc! { "$match": { "batch_id": { "$in": batch_ids } } },
                doc! { "$lookup": {
                    "from": names::ACCOUNTS,
                    "localField": "contributor_id",
                    "foreignField": "_id",
                    "pipeline": [{ "$project": { "staff_group": 1 } }],
                    "as": "account",
                } },
                doc! { "$unwind": "$account" },
                doc! { "$group": {
                    "_id": "$account.staff_group",
                    "contributors": { "$addToSet": "$contributor_id" },
                    "answers": { "$sum": "$answers" },
                } },
                doc! { "$project": { "contributors": { "$size": "$contributors" }, "answers": 1 } },
                doc! { "$sort": { "answers": -1 } },
            ])
            .await?;
        let mut out = Vec::new();
        while let Some(group) = groups.try_next().await? {
            let staff_group: StaffGroup = bson::from_bson(
                group.get("_id").cloned().unwrap_or(Bson::Null),
            )
            .map_err(|err| StoreError::Backend(anyhow::anyhow!("unknown staff group: {err}")))?;
            out.push(EngagementRow {
                staff_group,
                contributors: count(&group, "contributors"),
                answers: count(&group, "answers"),
            });
        }
        Ok(out)
    }
}
