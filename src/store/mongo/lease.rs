//! One lease: the conditional update that takes a place on a task.
//!
//! The filter carries every rule the lease must respect, and the server
//! evaluates filter and update atomically on the one task document, so two
//! replicas racing for the last place cannot both win: the loser's update
//! matches nothing and it moves on to the next candidate.

use mongodb::bson::{self, Document, doc};
use mongodb::options::ReturnDocument;
use serde::Deserialize;
use serde_json::Value;

use super::MongoStore;
use super::projects::state_is;
use crate::domain::consensus::TaskState;
use crate::store::StoreResult;

/// A task as a lease returns it.
#[derive(Deserialize)]
pub(super) struct Leased {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub content: Value,
}

/// The moment a claim is made and the lease it hands out.
pub(super) struct Lease {
    pub contributor: bson::Uuid,
    pub session: bson::Uuid,
    pub now: bson::DateTime,
    pub expires: bson::DateTime,
}

impl Lease {
    /// Tasks this contributor may lease: not answered by them and not
    /// already held by them under a live lease.
    pub(super) fn available(&self) -> Document {
        doc! {
            "answered_by": { "$ne": self.contributor },
            "leases": { "$not": { "$elemMatch": {
                "contributor_id": self.contributor,
                "expires_at": { "$gt": self.now },
            } } },
        }
    }

    /// The task's unexpired leases, as an aggregation expression.
    fn live(&self) -> Document {
        doc! { "$filter": {
            "input": { "$ifNull": ["$leases", []] },
            "cond": { "$gt": ["$$this.expires_at", self.now] },
        } }
    }

    /// Replaces this contributor's earlier lease (expired, or the filter
    /// would not have matched) with a fresh one; other leases stay, expired
    /// or not, because a late answer is still credited from its lease.
    /// Regular tasks also get `busy_until`: the first expiry once full.
    fn update(&self, regular: bool) -> Vec<Document> {
        let mut stages = vec![doc! { "$set": { "leases": { "$concatArrays": [
            { "$filter": {
                "input": { "$ifNull": ["$leases", []] },
                "cond": { "$ne": ["$$this.contributor_id", self.contributor] },
            } },
            [{
                "contributor_id": self.contributor,
                "session_id": self.session,
                "leased_at": self.now,
                "expires_at": self.expires,
            }],
        ] } } }];
        if regular {
            stages.push(doc! { "$set": { "busy_until": { "$cond": [
                { "$gte": [{ "$size": self.live() }, "$places"] },
                { "$min": { "$map": { "input": self.live(), "in": "$$this.expires_at" } } },
                bson::DateTime::from_millis(0),
            ] } } });
        }
        stages
    }
}

impl MongoStore {
    /// Takes a lease on one task if every rule still holds at this instant.
    pub(super) async fn take(
        &self,
        task: bson::Uuid,
        lease: &Lease,
        regular: bool,
    ) -> StoreResult<Option<Leased>> {
        let mut filter = lease.available();
        filter.insert("_id", task);
        if regular {
            filter.insert("state", state_is(TaskState::Open));
            filter.insert("is_gold", false);
            // Never the verification of one's own observation.
            filter.insert("created_by", doc! { "$ne": lease.contributor });
            filter.insert(
                "$expr",
                doc! { "$lt": [{ "$size": lease.live() }, "$places"] },
            );
        }
        Ok(self
            .tasks
            .clone_with_type::<Leased>()
            .find_one_and_update(filter, lease.update(regular))
            .projection(doc! { "_id": 1, "content": 1 })
            .return_document(ReturnDocument::After)
            .await?)
    }

    /// A candidate that turned out full is skipped by later claims until its
    /// first lease runs out. Only a hint: `take` never trusts it.
    pub(super) async fn mark_full(&self, task: bson::Uuid, lease: &Lease) -> StoreResult<()> {
        self.tasks
            .update_one(
                doc! {
                    "_id": task,
                    "state": state_is(TaskState::Open),
                    "$expr": { "$gte": [{ "$size": lease.live() }, "$places"] },
                },
                vec![doc! { "$set": { "busy_until": { "$ifNull": [
                    { "$min": { "$map": { "input": lease.live(), "in": "$$this.expires_at" } } },
                    bson::DateTime::from_millis(0),
                ] } } }],
            )
            .await?;
        Ok(())
    }
}
