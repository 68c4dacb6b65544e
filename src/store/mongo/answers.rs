//! Storing answers: idempotent by `client_id`, one answer per person per
//! task, credit written in the same transaction, consensus updated at once.
//!
//! One submission is one multi-document transaction (answers, ledger,
//! session credit, participation, batch median, task). Everything it decides
//! on is read inside the transaction from its snapshot, and every document it
//! decides on is also written by it, so a concurrent change to any of them
//! (another answer to the task, a claim taking a lease on it, a parallel
//! submission of the same contributor) makes one side fail with a write
//! conflict, which `transaction::run` retries from the start. A duplicate
//! key on the unique answer indexes is retried the same way: the next
//! attempt finds the stored answer and returns its outcome or a conflict,
//! exactly as SQLite's serialised writer would have.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use mongodb::ClientSession;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{self, Document, doc};
use serde::Deserialize;
use uuid::Uuid;

use super::documents::{
    AnswerDoc, LedgerDoc, OutcomeDoc, SCHEMA_VERSION, TaskDoc, at, id, to_bson,
};
use super::projects::state_is;
use super::{MongoStore, transaction};
use crate::domain::answering::{
    AnswerFacts, DIFFERENT_ANSWER, FOREIGN_CLIENT_ID, LeaseWindow, Receipt, assess, session_headroom,
};
use crate::domain::consensus::{WorkerModel, evaluate};
use crate::domain::kinds::{Question, Vote};
use crate::domain::policy::BatchPolicy;
use crate::store::{
    AnswerOutcome, AnswerStatus, AnswerSubmission, GoldFeedback, StoreError, StoreResult,
    SubmitRefusal,
};

/// What the answer path needs of a batch, read once per attempt.
struct BatchRules {
    project_id: bson::Uuid,
    kind: &'static str,
    questions: Vec<Question>,
    policy: BatchPolicy,
    median: f64,
}

/// An answer already stored, as far as a resubmission needs it.
#[derive(Deserialize)]
struct Stored {
    contributor_id: bson::Uuid,
    votes: Vec<Vote>,
    outcome: OutcomeDoc,
}

/// A contributor's learned model on a batch; decoded leniently.
#[derive(Deserialize)]
struct StoredModel {
    contributor_id: bson::Uuid,
    #[serde(default)]
    model: bson::Bson,
}

/// A counted answer, for recomputing consensus.
#[derive(Deserialize)]
struct Counted {
    contributor_id: bson::Uuid,
    votes: Vec<Vote>,
}

fn refuse_at(refusal: SubmitRefusal, index: usize) -> SubmitRefusal {
    match refusal {
        SubmitRefusal::UnknownTask { .. } => SubmitRefusal::UnknownTask { index },
        SubmitRefusal::Conflict { detail, .. } => SubmitRefusal::Conflict { index, detail },
    }
}

fn conflict(detail: &str) -> SubmitRefusal {
    SubmitRefusal::Conflict { index: 0, detail: detail.to_owned() }
}

fn status(receipt: Receipt) -> AnswerStatus {
    match receipt {
        Receipt::Accepted => AnswerStatus::Accepted,
        Receipt::Late => AnswerStatus::Late,
        Receipt::Extra => AnswerStatus::Extra,
    }
}

impl MongoStore {
    pub(super) async fn store_answers(
        &self,
        contributor: Uuid,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>> {
        let outcome = transaction::run(&self.client, |session| {
            // Each attempt starts afresh from owned copies.
            let store = self.clone();
            let answers = answers.clone();
            Box::pin(async move { store.store_all(session, contributor, answers, now).await })
        })
        .await;
        match outcome {
            Ok(outcomes) => Ok(Ok(outcomes)),
            // Returning Refused from the attempt aborted the transaction.
            Err(StoreError::Refused(refusal)) => Ok(Err(refusal)),
            Err(err) => Err(err),
        }
    }

    async fn store_all(
        &self,
        session: &mut ClientSession,
        contributor: Uuid,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<AnswerOutcome>> {
        let mut rules: HashMap<bson::Uuid, BatchRules> = HashMap::new();
        let mut outcomes = Vec::with_capacity(answers.len());
        for (index, answer) in answers.into_iter().enumerate() {
            match self.store_one(session, contributor, answer, now, &mut rules).await? {
                Ok(outcome) => outcomes.push(outcome),
                Err(refusal) => return Err(StoreError::Refused(refuse_at(refusal, index))),
            }
        }
        Ok(outcomes)
    }

    async fn store_one(
        &self,
        session: &mut ClientSession,
        contributor: Uuid,
        submission: AnswerSubmission,
        now: DateTime<Utc>,
        rules: &mut HashMap<bson::Uuid, BatchRules>,
    ) -> StoreResult<Result<AnswerOutcome, SubmitRefusal>> {
        let me = id(contributor);
        let stored = self.answers.clone_with_type::<Stored>();
        let previous = stored
            .find_one(doc! { "client_id": id(submission.client_id) })
            .session(&mut *session)
            .await?;
        if let Some(previous) = previous {
            if previous.contributor_id != me {
                return Ok(Err(conflict(FOREIGN_CLIENT_ID)));
            }
            return Ok(Ok(previous.outcome.into_outcome()));
        }

        let task = self
            .tasks
            .find_one(doc! { "_id": id(submission.task_id) })
            .projection(doc! { "answered_by": 0 })
            .session(&mut *session)
            .await?;
        let Some(task) = task else {
            return Ok(Err(SubmitRefusal::UnknownTask { index: 0 }));
        };
        let earlier = stored
            .find_one(doc! { "task_id": task.id, "contributor_id": me })
            .session(&mut *session)
            .await?;
        if let Some(earlier) = earlier {
            if earlier.votes == submission.votes {
                return Ok(Ok(earlier.outcome.into_outcome()));
            }
            return Ok(Err(conflict(DIFFERENT_ANSWER)));
        }

        if !rules.contains_key(&task.batch_id) {
            let loaded = self.batch_rules(session, task.batch_id).await?;
            rules.insert(task.batch_id, loaded);
        }
        let Some(batch) = rules.get_mut(&task.batch_id) else {
            return Ok(Err(SubmitRefusal::UnknownTask { index: 0 }));
        };

        let now_ms = now.timestamp_millis();
        // The contributor's lease, expired or not, as SQLite keeps it.
        let lease = task.leases.iter().find(|lease| lease.contributor_id == me).cloned();
        let record = self
            .participation
            .find_one(doc! { "batch_id": task.batch_id, "contributor_id": me })
            .session(&mut *session)
            .await?
            .unwrap_or_default();
        let window = match &lease {
            Some(lease) => {
                let clock = self
                    .sessions
                    .find_one(doc! { "_id": lease.session_id })
                    .session(&mut *session)
                    .await?
                    .map_or((now_ms, 0), |found| (found.started_at.timestamp_millis(), found.credited_seconds));
                Some(LeaseWindow {
                    leased_at_ms: lease.leased_at.timestamp_millis(),
                    expires_at_ms: lease.expires_at.timestamp_millis(),
                    session_headroom: session_headroom(clock.0, clock.1, now_ms),
                })
            }
            None => None,
        };
        let assessed = assess(&AnswerFacts {
            task_state: task.state,
            is_gold: task.is_gold,
            gold_votes: task.gold.as_ref().map(|gold| gold.votes.as_slice()),
            lease: window,
            gold_total: u32::try_from(record.gold_total).unwrap_or(0),
            gold_correct: u32::try_from(record.gold_correct).unwrap_or(0),
            policy: &batch.policy,
            median_seconds: batch.median,
            votes: &submission.votes,
            seconds_spent: submission.seconds_spent,
            now_ms,
        });
        let credited = assessed.credited_seconds;
        if let Some(lease) = &lease {
            self.sessions
                .update_one(
                    doc! { "_id": lease.session_id },
                    doc! { "$inc": { "credited_seconds": i64::from(credited) } },
                )
                .session(&mut *session)
                .await?;
        }
        batch.median = assessed.median_seconds;

        let status = status(assessed.receipt);
        let outcome = AnswerOutcome {
            client_id: submission.client_id,
            task_id: submission.task_id,
            status,
            credited_seconds: credited,
            counts_towards_consensus: assessed.counted,
            feedback: assessed.gold_correct_answer.zip(task.gold.as_ref()).map(|(correct, gold)| GoldFeedback {
                correct,
                correct_answer: gold.answer.clone(),
                explanation: gold.explanation.clone(),
            }),
        };
        let answer_id = ObjectId::new();
        let created_at = at(now);
        self.answers
            .insert_one(AnswerDoc {
                id: answer_id,
                schema_version: SCHEMA_VERSION,
                client_id: id(submission.client_id),
                task_id: task.id,
                batch_id: task.batch_id,
                contributor_id: me,
                answer: submission.answer,
                votes: submission.votes,
                counted: assessed.counted,
                outcome: OutcomeDoc::from_outcome(&outcome),
                created_at,
            })
            .session(&mut *session)
            .await?;
        self.ledger
            .insert_one(LedgerDoc {
                schema_version: SCHEMA_VERSION,
                answer_id,
                contributor_id: me,
                project_id: batch.project_id,
                batch_id: task.batch_id,
                kind: batch.kind.to_owned(),
                seconds: i64::from(credited),
                late: status == AnswerStatus::Late,
                extra: status == AnswerStatus::Extra,
                marked: assessed.marked,
                created_at,
            })
            .session(&mut *session)
            .await?;
        self.participation
            .update_one(
                doc! { "batch_id": task.batch_id, "contributor_id": me },
                doc! {
                    "$inc": { "answers": 1_i64 },
                    "$set": {
                        "gold_total": i64::from(assessed.gold_total),
                        "gold_correct": i64::from(assessed.gold_correct),
                    },
                    "$setOnInsert": { "schema_version": SCHEMA_VERSION },
                },
            )
            .upsert(true)
            .session(&mut *session)
            .await?;
        self.batches
            .update_one(
                doc! { "_id": task.batch_id },
                doc! { "$inc": { "answer_count": 1_i64 }, "$set": { "median_seconds": batch.median } },
            )
            .session(&mut *session)
            .await?;

        let mut update = doc! {
            "$inc": { "answer_count": 1_i64, "counted_count": i64::from(assessed.counted) },
            "$pull": { "leases": { "contributor_id": me } },
            "$addToSet": { "answered_by": me },
        };
        if assessed.counted {
            update.insert("$set", self.settle(session, &task, me, batch, now).await?);
        }
        self.tasks
            .update_one(doc! { "_id": task.id }, update)
            .session(&mut *session)
            .await?;
        Ok(Ok(outcome))
    }

    /// The task's new consensus from its counted answers (this one
    /// included: the transaction sees its own writes), its state, its places
    /// for the new count and its `busy_until` hint, as a `$set` document.
    async fn settle(
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
        let contributors: Vec<bson::Uuid> = counted.iter().map(|answer| answer.contributor_id).collect();
        let stored_models: Vec<StoredModel> = self
            .worker_models
            .clone_with_type::<StoredModel>()
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

    async fn batch_rules(&self, session: &mut ClientSession, batch_id: bson::Uuid) -> StoreResult<BatchRules> {
        let batch = self
            .batches
            .find_one(doc! { "_id": batch_id })
            .session(&mut *session)
            .await?
            .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("task refers to a missing batch")))?;
        Ok(BatchRules {
            project_id: batch.project_id,
            kind: batch.settings.kind().as_str(),
            questions: batch.settings.questions(),
            policy: batch.policy,
            median: batch.median_seconds,
        })
    }
}
