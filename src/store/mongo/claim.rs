//! Claiming a bundle without a transaction: each lease is one conditional
//! `findOneAndUpdate` on the task document, so capacity holds across any
//! number of API replicas.
//!
//! The filter of that update carries every rule the lease must respect —
//! the task is open, the contributor has not answered it (`answered_by`),
//! did not log it (`created_by`), holds no live lease on it, and (for
//! regular tasks) its live leases are fewer than its `places` — and the
//! server evaluates filter and update
//! atomically on the one document. Two replicas racing for the last place
//! both match the candidate query, but only one update matches the filter;
//! the other gets nothing back and moves on. Expired leases simply stop
//! counting (`expires_at > now`), so no cleanup job is needed.
//!
//! Unlike SQLite's single transaction, a failure half-way leaves the leases
//! already taken in place; they are harmless and expire on their own.

use futures_util::TryStreamExt;
use mongodb::bson::{self, doc};
use rand::seq::SliceRandom;
use serde::Deserialize;
use serde_json::Value;

use super::MongoStore;
use super::codec::{at, id, time, uuid};
use super::documents::{BatchDoc, ProjectDoc, SCHEMA_VERSION, SessionDoc};
use super::lease::Lease;
use super::projects::state_is;
use crate::domain::admission::{self, Workplace};
use crate::domain::bundle::{BundlePlan, Draw};
use crate::domain::consensus::TaskState;
use crate::domain::policy::BatchPolicy;
use crate::store::{ClaimRequest, LeasedTask, StoreResult};

/// A live batch the contributor may work on.
struct Candidate {
    id: bson::Uuid,
    project_id: bson::Uuid,
    project_title: String,
    instructions: String,
    answer_schema: Value,
    policy: BatchPolicy,
    median_seconds: f64,
}

/// How many candidates to read per task wanted: some will turn out full.
const OVERSCAN: usize = 4;

/// Pages of candidates read before giving up on filling a batch's share;
/// more than one only when other replicas took the places first.
const MAX_PAGES: usize = 4;

#[derive(Deserialize)]
struct Found {
    #[serde(rename = "_id")]
    id: bson::Uuid,
    #[serde(default)]
    seq: i64,
}

impl MongoStore {
    pub(super) async fn claim_bundle(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>> {
        let batches = self.live_batches(&request).await?;
        self.sessions
            .insert_one(SessionDoc {
                id: id(request.session_id),
                schema_version: SCHEMA_VERSION,
                contributor_id: id(request.contributor_id),
                started_at: at(request.now),
                budget_seconds: i64::from(request.budget_seconds),
                credited_seconds: 0,
            })
            .await?;
        let mut plan = BundlePlan::new(
            request.budget_seconds,
            batches
                .iter()
                .map(|b| (b.policy.priority, b.median_seconds)),
        );
        let mut leased = Vec::new();
        while let Some(ask) = plan.next_ask() {
            let got = self
                .lease_from_batch(&request, &batches[ask.position], ask.count)
                .await?;
            plan.took(ask.position, ask.count, got.len());
            leased.extend(got);
        }
        Ok(leased)
    }

    /// Live, fully imported batches of live projects whose audience admits
    /// the contributor, highest priority first.
    async fn live_batches(&self, request: &ClaimRequest) -> StoreResult<Vec<Candidate>> {
        let mut filter = doc! { "status": "live", "ready": true };
        if let Some(project) = request.project_id {
            filter.insert("project_id", id(project));
        }
        let batches: Vec<BatchDoc> = self.batches.find(filter).await?.try_collect().await?;
        let project_ids: Vec<bson::Uuid> = batches.iter().map(|batch| batch.project_id).collect();
        let projects: Vec<ProjectDoc> = self
            .projects
            .find(doc! { "_id": { "$in": project_ids }, "status": "live" })
            .await?
            .try_collect()
            .await?;
        let mut candidates: Vec<Candidate> = batches
            .into_iter()
            .filter_map(|batch| {
                let project = projects
                    .iter()
                    .find(|project| project.id == batch.project_id)?;
                let place = Workplace {
                    project_status: project.status,
                    batch_status: batch.status,
                    audience: &project.audience,
                };
                let worker = request.member.worker();
                admission::may_work(&place, &worker)
                    .is_ok()
                    .then(|| Candidate {
                        id: batch.id,
                        project_id: batch.project_id,
                        project_title: project.title.clone(),
                        instructions: batch.instructions,
                        answer_schema: batch.answer_schema,
                        policy: batch.policy,
                        median_seconds: batch.median_seconds,
                    })
            })
            .collect();
        // Equal priorities in a fresh random order per claim, as in SQLite.
        candidates.shuffle(&mut rand::rng());
        candidates.sort_by_key(|c| std::cmp::Reverse(c.policy.priority));
        Ok(candidates)
    }

    async fn lease_from_batch(
        &self,
        request: &ClaimRequest,
        batch: &Candidate,
        wanted: usize,
    ) -> StoreResult<Vec<LeasedTask>> {
        let expires_at =
            request.now + chrono::Duration::seconds(i64::from(batch.policy.lease_seconds));
        let lease = Lease {
            contributor: id(request.contributor_id),
            session: id(request.session_id),
            now: at(request.now),
            expires: at(expires_at),
        };
        let gold_seen = self
            .participation
            .find_one(doc! { "batch_id": batch.id, "contributor_id": lease.contributor })
            .await?
            .map_or(0, |record| u32::try_from(record.gold_total).unwrap_or(0));
        let mut picked = Vec::with_capacity(wanted);

        let draw = Draw::new(
            &batch.policy,
            wanted,
            gold_seen,
            request.member.practice_only,
        );
        let gold = draw.gold;
        if gold > 0 {
            let mut filter = lease.available();
            filter.insert("batch_id", batch.id);
            filter.insert("is_gold", true);
            let sample: Vec<Found> = self
                .tasks
                .aggregate([
                    doc! { "$match": filter },
                    doc! { "$sample": { "size": gold as i64 } },
                    doc! { "$project": { "_id": 1 } },
                ])
                .with_type::<Found>()
                .await?
                .try_collect()
                .await?;
            for found in sample {
                picked.extend(self.take(found.id, &lease, false).await?);
            }
        }

        let regular_wanted = draw.regular(picked.len());
        let limit = regular_wanted * OVERSCAN + 8;
        let mut after: Option<i64> = None;
        let mut taken = 0;
        for _ in 0..MAX_PAGES {
            if taken == regular_wanted {
                break;
            }
            let mut filter = lease.available();
            filter.insert("batch_id", batch.id);
            filter.insert("state", state_is(TaskState::Open));
            filter.insert("is_gold", false);
            filter.insert("created_by", doc! { "$ne": lease.contributor });
            filter.insert("busy_until", doc! { "$lte": lease.now });
            if let Some(seq) = after {
                filter.insert("seq", doc! { "$gt": seq });
            }
            let page: Vec<Found> = self
                .tasks
                .clone_with_type::<Found>()
                .find(filter)
                .sort(doc! { "seq": 1 })
                .limit(limit as i64)
                .projection(doc! { "_id": 1, "seq": 1 })
                .await?
                .try_collect()
                .await?;
            let exhausted = page.len() < limit;
            for found in page {
                after = Some(found.seq);
                if taken == regular_wanted {
                    break;
                }
                match self.take(found.id, &lease, true).await? {
                    Some(task) => {
                        picked.push(task);
                        taken += 1;
                    }
                    None => self.mark_full(found.id, &lease).await?,
                }
            }
            if exhausted {
                break;
            }
        }

        let lease_expires_at = time(lease.expires);
        Ok(picked
            .into_iter()
            .map(|task| LeasedTask {
                task_id: uuid(task.id),
                batch_id: uuid(batch.id),
                project_id: uuid(batch.project_id),
                project_title: batch.project_title.clone(),
                instructions: batch.instructions.clone(),
                content: task.content,
                answer_schema: batch.answer_schema.clone(),
                estimated_seconds: batch.median_seconds.round() as u32,
                lease_expires_at,
            })
            .collect())
    }
}
