//! Credits: ledger sums per day, quality counts, impact, and issued
//! certificates. Ledger entries are written with each answer and each
//! logged observation (`kind: observation_logging`, no answer behind it, so
//! quality counts pass over it) and never changed; a certificate is written once and only its revocation is ever
//! filled in, once (the filter `revoked_at: null` makes the first one stand).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::TryStreamExt;
use mongodb::bson::{self, Bson, Document, doc};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use super::MongoStore;
use super::codec::{id, uuid};
use super::documents::{BatchDoc, ProjectDoc, names};
use super::projects::{count, state_is};
use crate::domain::consensus::TaskState;
use crate::domain::credits::{
    CreditDay, CreditKind, DateRange, QualityCounts, agrees_with_consensus, day_of_millis,
};
use crate::domain::kinds::{Question, Vote};
use crate::store::{BatchImpact, CreditStore, StoreError, StoreResult, StoredCertificate};

/// Milliseconds in a UTC day.
const DAY_MS: i64 = 86_400_000;

/// One of the contributor's answers with what its task became.
#[derive(Deserialize)]
struct Judged {
    batch_id: bson::Uuid,
    votes: Vec<Vote>,
    counted: bool,
    gold_correct: Option<bool>,
    state: TaskState,
    consensus: Option<Value>,
    is_gold: bool,
}

fn kind(name: &str) -> StoreResult<CreditKind> {
    name.parse()
        .map_err(|err| StoreError::Backend(anyhow::anyhow!("credit ledger: {err}")))
}

/// The ledger entries of one contributor within a range, as a `$match`.
fn ledger_match(contributor: Uuid, range: DateRange) -> Document {
    let (start, end) = range.millis();
    doc! { "$match": {
        "contributor_id": id(contributor),
        "created_at": {
            "$gte": bson::DateTime::from_millis(start),
            "$lt": bson::DateTime::from_millis(end),
        },
    } }
}

/// The UTC day of `created_at`, as the epoch milliseconds of its midnight.
fn day_expression() -> Document {
    doc! { "$let": {
        "vars": { "ms": { "$toLong": "$created_at" } },
        "in": { "$subtract": ["$$ms", { "$mod": ["$$ms", DAY_MS] }] },
    } }
}

fn millis(document: &Document, key: &str) -> i64 {
    match document.get(key) {
        Some(Bson::Int64(value)) => *value,
        Some(Bson::Int32(value)) => i64::from(*value),
        Some(Bson::Double(value)) => *value as i64,
        _ => 0,
    }
}

impl MongoStore {
    /// The consensus questions of a batch, read once per batch.
    async fn questions<'a>(
        &self,
        cache: &'a mut HashMap<bson::Uuid, Vec<Question>>,
        batch_id: bson::Uuid,
    ) -> StoreResult<&'a [Question]> {
        let questions = match cache.entry(batch_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(unknown) => {
                let batch = self
                    .batches
                    .find_one(doc! { "_id": batch_id })
                    .await?
                    .ok_or_else(|| {
                        StoreError::Backend(anyhow::anyhow!("answer of a missing batch"))
                    })?;
                unknown.insert(batch.settings.questions())
            }
        };
        Ok(questions.as_slice())
    }

    /// Counted answers of the contributor in the batch whose task is finished.
    async fn finished_with(
        &self,
        batch_id: bson::Uuid,
        contributor: bson::Uuid,
    ) -> StoreResult<u64> {
        let finished = [state_is(TaskState::Settled), state_is(TaskState::Resolved)];
        let counted = self
            .answers
            .aggregate([
                doc! { "$match": { "batch_id": batch_id, "contributor_id": contributor, "counted": true } },
                doc! { "$lookup": {
                    "from": names::TASKS,
                    "localField": "task_id",
                    "foreignField": "_id",
                    "pipeline": [{ "$match": { "state": { "$in": finished.to_vec() } } }, { "$project": { "_id": 1 } }],
                    "as": "task",
                } },
                doc! { "$match": { "task.0": { "$exists": true } } },
                doc! { "$count": "finished" },
            ])
            .await?
            .try_next()
            .await?;
        Ok(counted.map_or(0, |found| count(&found, "finished")))
    }
}

#[async_trait::async_trait]
impl CreditStore for MongoStore {
    async fn credit_days(
        &self,
        contributor: Uuid,
        range: DateRange,
    ) -> StoreResult<Vec<CreditDay>> {
        let groups: Vec<Document> = self
            .ledger
            .aggregate([
                ledger_match(contributor, range),
                doc! { "$group": {
                    "_id": { "project_id": "$project_id", "kind": "$kind", "day": day_expression() },
                    "answers": { "$sum": 1 },
                    "seconds": { "$sum": "$seconds" },
                    "marked": { "$sum": { "$cond": ["$marked", 1, 0] } },
                    "marked_seconds": { "$sum": { "$cond": ["$marked", "$seconds", 0] } },
                } },
            ])
            .await?
            .try_collect()
            .await?;
        let project_ids: Vec<Bson> = groups
            .iter()
            .filter_map(|group| group.get_document("_id").ok()?.get("project_id").cloned())
            .collect();
        let projects: Vec<ProjectDoc> = self
            .projects
            .find(doc! { "_id": { "$in": project_ids } })
            .await?
            .try_collect()
            .await?;
        let mut days = Vec::with_capacity(groups.len());
        for group in groups {
            let key = group
                .get_document("_id")
                .map_err(|err| StoreError::Backend(err.into()))?;
            let project_id: bson::Uuid =
                bson::from_bson(key.get("project_id").cloned().unwrap_or(Bson::Null))
                    .map_err(|err| StoreError::Backend(err.into()))?;
            // As SQLite's join: entries of a project that no longer exists drop out.
            let Some(project) = projects.iter().find(|project| project.id == project_id) else {
                continue;
            };
            days.push(CreditDay {
                project_id: uuid(project_id),
                project_title: project.title.clone(),
                kind: kind(key.get_str("kind").unwrap_or_default())?,
                day: day_of_millis(millis(key, "day")),
                answers: count(&group, "answers"),
                seconds: count(&group, "seconds"),
                marked_answers: count(&group, "marked"),
                marked_seconds: count(&group, "marked_seconds"),
            });
        }
        Ok(days)
    }

    async fn active_days(&self, contributor: Uuid) -> StoreResult<Vec<NaiveDate>> {
        let days: Vec<Document> = self
            .ledger
            .aggregate([
                doc! { "$match": { "contributor_id": id(contributor) } },
                doc! { "$group": { "_id": day_expression() } },
            ])
            .await?
            .try_collect()
            .await?;
        Ok(days
            .iter()
            .map(|day| day_of_millis(millis(day, "_id")))
            .collect())
    }

    async fn credit_quality(
        &self,
        contributor: Uuid,
        range: DateRange,
    ) -> StoreResult<QualityCounts> {
        // Through the ledger's (contributor_id, created_at) index: only this
        // contributor's answers in the range are read.
        let mut judged = self
            .ledger
            .aggregate([
                ledger_match(contributor, range),
                doc! { "$lookup": { "from": names::ANSWERS, "localField": "answer_id", "foreignField": "_id", "as": "answer" } },
                doc! { "$unwind": "$answer" },
                doc! { "$lookup": {
                    "from": names::TASKS,
                    "localField": "answer.task_id",
                    "foreignField": "_id",
                    "pipeline": [{ "$project": { "state": 1, "consensus": 1, "is_gold": 1 } }],
                    "as": "task",
                } },
                doc! { "$unwind": "$task" },
                doc! { "$project": {
                    "batch_id": "$answer.batch_id",
                    "votes": "$answer.votes",
                    "counted": "$answer.counted",
                    "gold_correct": "$answer.outcome.feedback.correct",
                    "state": "$task.state",
                    "consensus": "$task.consensus",
                    "is_gold": "$task.is_gold",
                } },
            ])
            .with_type::<Judged>()
            .await?;
        let mut counts = QualityCounts::default();
        let mut cache = HashMap::new();
        while let Some(answer) = judged.try_next().await? {
            if answer.is_gold {
                counts.gold_accuracy.total += 1;
                counts.gold_accuracy.matched += u64::from(answer.gold_correct == Some(true));
                continue;
            }
            let settled = answer.state == TaskState::Settled;
            let Some(consensus) = answer.consensus.filter(|_| answer.counted && settled) else {
                continue;
            };
            let questions = self.questions(&mut cache, answer.batch_id).await?;
            if let Some(agrees) = agrees_with_consensus(&answer.votes, &consensus, questions) {
                counts.consensus_agreement.total += 1;
                counts.consensus_agreement.matched += u64::from(agrees);
            }
        }
        Ok(counts)
    }

    async fn impact(&self, contributor: Uuid) -> StoreResult<Vec<BatchImpact>> {
        let me = id(contributor);
        let records: Vec<super::documents::ParticipationDoc> = self
            .participation
            .find(doc! { "contributor_id": me })
            .await?
            .try_collect()
            .await?;
        let mut found: Vec<(String, bson::Uuid, bson::DateTime, BatchImpact)> = Vec::new();
        for record in records {
            let Some(batch): Option<BatchDoc> = self
                .batches
                .find_one(doc! { "_id": record.batch_id })
                .await?
            else {
                continue;
            };
            let Some(project) = self
                .projects
                .find_one(doc! { "_id": batch.project_id })
                .await?
            else {
                continue;
            };
            let regular = doc! { "batch_id": batch.id, "is_gold": false };
            let mut finished_filter = regular.clone();
            finished_filter.insert(
                "state",
                doc! { "$in": [state_is(TaskState::Settled), state_is(TaskState::Resolved)] },
            );
            let impact = BatchImpact {
                project_id: uuid(project.id),
                project_title: project.title.clone(),
                outcome_note: project.outcome_note.clone(),
                batch_id: uuid(batch.id),
                batch_name: batch.name.clone(),
                kind: batch.settings.kind(),
                tasks: self.tasks.count_documents(regular).await?,
                finished: self.tasks.count_documents(finished_filter).await?,
                answers: u64::try_from(record.answers).unwrap_or(0),
                finished_with_contributor: self.finished_with(batch.id, me).await?,
            };
            found.push((project.title, project.id, batch.created_at, impact));
        }
        // As SQLite: by project title, project id, then batch creation.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        Ok(found.into_iter().map(|(_, _, _, impact)| impact).collect())
    }

    async fn insert_certificate(&self, certificate: &StoredCertificate) -> StoreResult<()> {
        self.store_certificate(certificate).await
    }

    async fn certificate(&self, certificate_id: Uuid) -> StoreResult<Option<StoredCertificate>> {
        self.find_certificate(certificate_id).await
    }

    async fn certificates_of(&self, contributor: Uuid) -> StoreResult<Vec<StoredCertificate>> {
        self.contributor_certificates(contributor).await
    }

    async fn revoke_certificate(
        &self,
        certificate_id: Uuid,
        revoked_at: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Option<StoredCertificate>> {
        self.revoke(certificate_id, revoked_at, reason).await
    }
}
