//! Recomputing a task's consensus inside the answer transaction, with the
//! same pure `evaluate` SQLite uses.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use mongodb::ClientSession;
use mongodb::bson::{self, Document, doc};
use serde::Deserialize;

use super::MongoStore;
use super::codec::{at, to_bson};
use super::documents::{TaskDoc, WorkerModelDoc};
use super::projects::state_is;
use crate::domain::consensus::{WorkerModel, evaluate};
use crate::domain::kinds::{Question, Vote};
use crate::domain::policy::BatchPolicy;
use crate::domain::project::{Audience, WorkStatus};
use crate::store::{StoreError, StoreResult};

/// What the answer path needs of a batch, read once per attempt.
pub(super) struct BatchRules {
    pub project_id: bson::Uuid,
    pub status: WorkStatus,
    pub project_status: WorkStatus,
    pub audience: Audience,
    pub kind: &'static str,
    pub questions: Vec<Question>,
    pub policy: BatchPolicy,
    /// The learned median, updated by each answer of the submission.
    pub median: f64,
}

impl BatchRules {
    pub fn workplace(&self) -> crate::domain::admission::Workplace<'_> {
        crate::domain::admission::Workplace {
            project_status: self.project_status,
            batch_status: self.status,
            audience: &self.audience,
        }
    }
}

/// A counted answer, for recomputing consensus.
#[derive(Deserialize)]
struct Counted {
    contributor_id: bson::Uuid,
    votes: Vec<Vote>,
}

impl MongoStore {
    /// The task's new consensus from its counted answers (this one
    /// included: the transaction sees its own writes), its state, its places
    /// for the new count and its `busy_until` hint, as a `$set` document.
    pub(super) async fn settle(
        &self,
        session: &mut ClientSession,
        task: &TaskDoc,
        me: bson::Uuid,
        batch: &BatchRules,
        now: DateTime<Utc>,
    ) -> StoreResult<Document> {
        let counted: Vec<Counted> = self
            .answers
            .clone_with_type::<Counted>()
            .find(doc! { "task_id": task.id, "counted": true })
            .sort(doc! { "created_at": 1, "_id": 1 })
            .projection(doc! { "contributor_id": 1, "votes": 1 })
            .session(&mut *session)
            .await?
            .stream(&mut *session)
            .try_collect()
            .await?;
        let contributors: Vec<bson::Uuid> =
            counted.iter().map(|answer| answer.contributor_id).collect();
        let stored_models: Vec<WorkerModelDoc> = self
            .worker_models
            .clone_with_type::<WorkerModelDoc>()
            .find(doc! { "batch_id": task.batch_id, "contributor_id": { "$in": contributors } })
            .projection(doc! { "contributor_id": 1, "model": 1 })
            .session(&mut *session)
            .await?
            .stream(&mut *session)
            .try_collect()
            .await?;
        // A model that does not decode counts as none, as in SQLite.
        let models: HashMap<bson::Uuid, WorkerModel> = stored_models
            .into_iter()
            .filter_map(|stored| Some((stored.contributor_id, bson::from_bson(stored.model).ok()?)))
            .collect();
        let answers: Vec<(&[Vote], Option<&WorkerModel>)> = counted
            .iter()
            .map(|answer| (answer.votes.as_slice(), models.get(&answer.contributor_id)))
            .collect();
        let verdict = evaluate(&batch.questions, &batch.policy, &answers);

        let counted_after = u32::try_from(task.counted_count + 1).unwrap_or(u32::MAX);
        let places = batch.policy.open_places(counted_after);
        let now = at(now);
        let live: Vec<bson::DateTime> = task
            .leases
            .iter()
            // This answer's own lease is pulled by the same update.
            .filter(|lease| lease.contributor_id != me && lease.expires_at > now)
            .map(|lease| lease.expires_at)
            .collect();
        let busy_until = match live.iter().min() {
            Some(earliest) if live.len() as u64 >= u64::from(places) => *earliest,
            _ => bson::DateTime::from_millis(0),
        };
        Ok(doc! {
            "state": state_is(verdict.state),
            "consensus": to_bson(&verdict.consensus)?,
            "confidence": verdict.confidence,
            "places": i64::from(places),
            "busy_until": busy_until,
        })
    }

    pub(super) async fn batch_rules(
        &self,
        session: &mut ClientSession,
        batch_id: bson::Uuid,
    ) -> StoreResult<BatchRules> {
        let batch = self
            .batches
            .find_one(doc! { "_id": batch_id })
            .session(&mut *session)
            .await?
            .ok_or_else(|| {
                StoreError::Backend(anyhow::anyhow!("task refers to a missing batch"))
            })?;
        let project = self
            .projects
            .find_one(doc! { "_id": batch.project_id })
            .session(&mut *session)
            .await?
            .ok_or_else(|| {
                StoreError::Backend(anyhow::anyhow!("batch refers to a missing project"))
            })?;
        Ok(BatchRules {
            project_id: batch.project_id,
            status: batch.status,
            project_status: project.status,
            audience: project.audience,
            kind: batch.settings.kind().as_str(),
            questions: batch.settings.questions(),
            policy: batch.policy,
            median: batch.median_seconds,
        })
    }
}
