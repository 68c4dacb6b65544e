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
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use mongodb::ClientSession;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{self, doc};
use serde::Deserialize;

use super::codec::{at, id};
use super::documents::{AnswerDoc, LedgerDoc, OutcomeDoc, SCHEMA_VERSION};
use super::settle::BatchRules;
use super::{MongoStore, transaction};
use crate::domain::admission::{self, Refusal, StoredUnderClientId};
use crate::domain::answering::{
    AnswerFacts, LeaseWindow, Receipt, assess, day_headroom, day_start_ms, session_headroom,
};
use crate::domain::kinds::Vote;
use crate::store::{
    AnswerOutcome, AnswerStatus, AnswerSubmission, Answerer, GoldFeedback, StoreError, StoreResult,
    SubmitRefusal,
};

/// An answer already stored, as far as a resubmission needs it.
#[derive(Deserialize)]
struct Stored {
    contributor_id: bson::Uuid,
    votes: Vec<Vote>,
    outcome: OutcomeDoc,
}

/// What one attempt carries from answer to answer: each batch's rules and
/// the seconds credited to the contributor today.
#[derive(Default)]
struct Attempt {
    rules: HashMap<bson::Uuid, BatchRules>,
    credited_today: Option<i64>,
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
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>> {
        let outcome = transaction::run(&self.client, |session| {
            // Each attempt starts afresh from owned copies.
            let store = self.clone();
            let answers = answers.clone();
            let answerer = answerer.clone();
            Box::pin(async move { store.store_all(session, &answerer, answers, now).await })
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
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<AnswerOutcome>> {
        let mut attempt = Attempt::default();
        let mut outcomes = Vec::with_capacity(answers.len());
        for (index, answer) in answers.into_iter().enumerate() {
            match self
                .store_one(session, answerer, answer, now, &mut attempt)
                .await?
            {
                Ok(outcome) => outcomes.push(outcome),
                Err(reason) => return Err(StoreError::Refused(SubmitRefusal { index, reason })),
            }
        }
        Ok(outcomes)
    }

    async fn store_one(
        &self,
        session: &mut ClientSession,
        answerer: &Answerer,
        submission: AnswerSubmission,
        now: DateTime<Utc>,
        attempt: &mut Attempt,
    ) -> StoreResult<Result<AnswerOutcome, Refusal>> {
        let me = id(answerer.id);
        let stored = self.answers.clone_with_type::<Stored>();
        let previous = stored
            .find_one(doc! { "client_id": id(submission.client_id) })
            .session(&mut *session)
            .await?;
        if let Some(previous) = previous {
            let outcome = previous.outcome.into_outcome();
            let stored = StoredUnderClientId {
                mine: previous.contributor_id == me,
                task_id: outcome.task_id,
                votes: &previous.votes,
            };
            return Ok(
                admission::retry_of(&stored, submission.task_id, &submission.votes)
                    .map(|()| outcome),
            );
        }

        let task = self
            .tasks
            .find_one(doc! { "_id": id(submission.task_id) })
            .projection(doc! { "answered_by": 0 })
            .session(&mut *session)
            .await?;
        let Some(task) = task else {
            return Ok(Err(Refusal::UnknownTask));
        };
        let earlier = stored
            .find_one(doc! { "task_id": task.id, "contributor_id": me })
            .session(&mut *session)
            .await?;
        if let Some(earlier) = earlier {
            if earlier.votes == submission.votes {
                return Ok(Ok(earlier.outcome.into_outcome()));
            }
            return Ok(Err(Refusal::DifferentAnswer));
        }

        let batch = match attempt.rules.entry(task.batch_id) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(unknown) => {
                unknown.insert(self.batch_rules(session, task.batch_id).await?)
            }
        };

        let now_ms = now.timestamp_millis();
        // The contributor's lease, expired or not, as SQLite keeps it.
        let lease = task
            .leases
            .iter()
            .find(|lease| lease.contributor_id == me)
            .cloned();
        let own = task.created_by == Some(me);
        let lease = match admission::may_answer(lease, &batch.workplace(), own, &answerer.worker())
        {
            Ok(lease) => lease,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let credited_today = match attempt.credited_today {
            Some(seconds) => seconds,
            None => {
                self.credited_since(session, me, day_start_ms(now_ms))
                    .await?
            }
        };
        let (gold_total, gold_correct) = self
            .participation
            .find_one(doc! { "batch_id": task.batch_id, "contributor_id": me })
            .session(&mut *session)
            .await?
            .map_or((0, 0), |record| (record.gold_total, record.gold_correct));
        let clock = self
            .sessions
            .find_one(doc! { "_id": lease.session_id })
            .session(&mut *session)
            .await?
            .map_or((now_ms, 0), |found| {
                (found.started_at.timestamp_millis(), found.credited_seconds)
            });
        let window = LeaseWindow {
            leased_at_ms: lease.leased_at.timestamp_millis(),
            expires_at_ms: lease.expires_at.timestamp_millis(),
            session_headroom: session_headroom(clock.0, clock.1, now_ms),
            day_headroom: day_headroom(credited_today),
        };
        let assessed = assess(&AnswerFacts {
            task_state: task.state,
            is_gold: task.is_gold,
            gold_votes: task.gold.as_ref().map(|gold| gold.votes.as_slice()),
            lease: window,
            gold_total: u32::try_from(gold_total).unwrap_or(0),
            gold_correct: u32::try_from(gold_correct).unwrap_or(0),
            policy: &batch.policy,
            median_seconds: batch.median,
            votes: &submission.votes,
            seconds_spent: submission.seconds_spent,
            now_ms,
            practice_only: answerer.member.practice_only,
        });
        let credited = assessed.credited_seconds;
        attempt.credited_today = Some(credited_today + i64::from(credited));
        self.sessions
            .update_one(
                doc! { "_id": lease.session_id },
                doc! { "$inc": { "credited_seconds": i64::from(credited) } },
            )
            .session(&mut *session)
            .await?;
        batch.median = assessed.median_seconds;

        let status = status(assessed.receipt);
        let outcome = AnswerOutcome {
            client_id: submission.client_id,
            task_id: submission.task_id,
            status,
            credited_seconds: credited,
            counts_towards_consensus: assessed.counted,
            feedback: assessed.gold_correct_answer.zip(task.gold.as_ref()).map(
                |(correct, gold)| GoldFeedback {
                    correct,
                    correct_answer: gold.answer.clone(),
                    explanation: gold.explanation.clone(),
                },
            ),
            practice: assessed.practice,
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
                practice: assessed.practice,
            })
            .session(&mut *session)
            .await?;
        // Practice earns nothing, so it has no place in the ledger.
        if !assessed.practice {
            self.ledger
                .insert_one(LedgerDoc {
                    schema_version: SCHEMA_VERSION,
                    answer_id,
                    observation_id: None,
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
        }
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
}

/// A sum of ledger seconds.
#[derive(Deserialize)]
struct Total {
    seconds: i64,
}

impl MongoStore {
    /// Seconds credited to the contributor since `since_ms` (the start of
    /// the day) for answers and logging, inside the writing transaction.
    pub(super) async fn credited_since(
        &self,
        session: &mut ClientSession,
        contributor: bson::Uuid,
        since_ms: i64,
    ) -> StoreResult<i64> {
        let pipeline = [
            doc! { "$match": {
                "contributor_id": contributor,
                "created_at": { "$gte": bson::DateTime::from_millis(since_ms) },
            } },
            doc! { "$group": { "_id": null, "seconds": { "$sum": "$seconds" } } },
        ];
        let mut cursor = self
            .ledger
            .aggregate(pipeline)
            .with_type::<Total>()
            .session(&mut *session)
            .await?;
        Ok(cursor
            .next(&mut *session)
            .await
            .transpose()?
            .map_or(0, |total| total.seconds))
    }
}
