//! Storing answers: idempotent by `client_id`, one answer per person per
//! task, credit written in the same transaction, consensus updated at once.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::SqliteStore;
use super::answer_rows::{
    BatchRules, SessionClock, TaskRow, batch_rules, credited_since, session_clock, stored_answer,
    task_row,
};
use super::claim::busy_hint;
use super::codec::{from_json, json_text};
use crate::domain::admission::{self, Refusal, StoredUnderClientId};
use crate::domain::answering::{self, AnswerFacts, LeaseWindow, Receipt};
use crate::domain::consensus::{WorkerModel, evaluate};
use crate::domain::kinds::Vote;
use crate::store::{
    AnswerOutcome, AnswerStatus, AnswerSubmission, Answerer, GoldFeedback, StoreError, StoreResult,
    SubmitRefusal,
};

/// Everything a submission reads once and writes back once, at the end,
/// instead of once per answer.
#[derive(Default)]
struct SubmissionState {
    batches: HashMap<String, BatchRules>,
    sessions: HashMap<String, SessionClock>,
    /// Seconds credited to the contributor today, this submission included;
    /// read on the first answer that needs it.
    credited_today: Option<i64>,
}

impl SqliteStore {
    pub(super) async fn store_answers(
        &self,
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>> {
        let answerer = answerer.clone();
        self.write(move |tx| {
            let mut state = SubmissionState::default();
            let mut outcomes = Vec::with_capacity(answers.len());
            for (index, answer) in answers.into_iter().enumerate() {
                match store_one(tx, &answerer, answer, now, &mut state)? {
                    Ok(outcome) => outcomes.push(outcome),
                    // Returning Err rolls the whole submission back.
                    Err(reason) => {
                        return Err(StoreError::Refused(SubmitRefusal { index, reason }));
                    }
                }
            }
            write_back(tx, answerer.id, &state)?;
            Ok(outcomes)
        })
        .await
        .map(Ok)
        .or_else(|err| match err {
            StoreError::Refused(refusal) => Ok(Err(refusal)),
            other => Err(other),
        })
    }
}

fn store_one(
    tx: &Transaction<'_>,
    answerer: &Answerer,
    submission: AnswerSubmission,
    now: DateTime<Utc>,
    state: &mut SubmissionState,
) -> StoreResult<Result<AnswerOutcome, Refusal>> {
    let me = answerer.id.to_string();
    let previous = stored_answer(
        tx,
        "SELECT contributor_id, votes, outcome FROM answers WHERE client_id = ?1",
        [submission.client_id.to_string()],
    )?;
    if let Some(previous) = previous {
        let outcome: AnswerOutcome = from_json(&previous.outcome)?;
        let votes: Vec<Vote> = from_json(&previous.votes)?;
        let stored = StoredUnderClientId {
            mine: previous.contributor_id == me,
            task_id: outcome.task_id,
            votes: &votes,
        };
        return Ok(
            admission::retry_of(&stored, submission.task_id, &submission.votes).map(|()| outcome),
        );
    }

    let Some(task) = task_row(tx, submission.task_id)? else {
        return Ok(Err(Refusal::UnknownTask));
    };
    let earlier = stored_answer(
        tx,
        "SELECT contributor_id, votes, outcome FROM answers WHERE task_seq = ?1 AND contributor_id = ?2",
        params![task.seq, me],
    )?;
    if let Some(earlier) = earlier {
        let votes: Vec<Vote> = from_json(&earlier.votes)?;
        if votes == submission.votes {
            return Ok(Ok(from_json(&earlier.outcome)?));
        }
        return Ok(Err(Refusal::DifferentAnswer));
    }

    let batch = match state.batches.entry(task.batch_id.clone()) {
        Entry::Occupied(known) => known.into_mut(),
        Entry::Vacant(slot) => slot.insert(batch_rules(tx, &task.batch_id, &me)?),
    };
    let now_ms = now.timestamp_millis();
    let lease: Option<(i64, i64, String)> = tx
        .prepare_cached("SELECT leased_at, expires_at, session_id FROM leases WHERE task_seq = ?1 AND contributor_id = ?2")?
        .query_row(params![task.seq, me], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let own = task.created_by.as_deref() == Some(me.as_str());
    let (leased_at, expires_at, session) =
        match admission::may_answer(lease, &batch.workplace(), own, &answerer.worker()) {
            Ok(lease) => lease,
            Err(refusal) => return Ok(Err(refusal)),
        };
    let gold = match (&task.gold_answer, &task.gold_votes) {
        (Some(answer), Some(votes)) if task.is_gold => Some((
            from_json::<serde_json::Value>(answer)?,
            from_json::<Vec<Vote>>(votes)?,
        )),
        _ => None,
    };
    let credited_today = match state.credited_today {
        Some(seconds) => seconds,
        None => credited_since(tx, &me, answering::day_start_ms(now_ms))?,
    };
    let clock = session_clock(tx, &mut state.sessions, &session, now_ms)?;
    let window = LeaseWindow {
        leased_at_ms: leased_at,
        expires_at_ms: expires_at,
        session_headroom: answering::session_headroom(
            clock.started_at,
            clock.stored_credited + clock.added,
            now_ms,
        ),
        day_headroom: answering::day_headroom(credited_today),
    };
    let assessed = answering::assess(&AnswerFacts {
        task_state: task.state,
        is_gold: task.is_gold,
        gold_votes: gold.as_ref().map(|(_, votes)| votes.as_slice()),
        lease: window,
        gold_total: batch.gold_total,
        gold_correct: batch.gold_correct,
        policy: &batch.policy,
        median_seconds: batch.median,
        votes: &submission.votes,
        seconds_spent: submission.seconds_spent,
        now_ms,
        practice_only: answerer.member.practice_only,
    });
    let status = match assessed.receipt {
        Receipt::Accepted => AnswerStatus::Accepted,
        Receipt::Late => AnswerStatus::Late,
        Receipt::Extra => AnswerStatus::Extra,
    };
    let (counted, credited) = (assessed.counted, assessed.credited_seconds);
    clock.added += i64::from(credited);
    state.credited_today = Some(credited_today + i64::from(credited));
    batch.median = assessed.median_seconds;
    batch.gold_total = assessed.gold_total;
    batch.gold_correct = assessed.gold_correct;
    batch.added += 1;
    batch.added_regular += u32::from(!task.is_gold);
    let feedback = gold
        .zip(assessed.gold_correct_answer)
        .map(|((answer, _), correct)| GoldFeedback {
            correct,
            correct_answer: answer,
            explanation: task.gold_explanation.clone().unwrap_or_default(),
        });

    let outcome = AnswerOutcome {
        client_id: submission.client_id,
        task_id: submission.task_id,
        status,
        credited_seconds: credited,
        counts_towards_consensus: counted,
        feedback,
        practice: assessed.practice,
    };
    tx.prepare_cached(
        "INSERT INTO answers (client_id, task_seq, batch_id, contributor_id, answer, votes, counted, outcome, created_at, practice)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        submission.client_id.to_string(),
        task.seq,
        task.batch_id,
        me,
        json_text(&submission.answer)?,
        json_text(&submission.votes)?,
        counted,
        json_text(&outcome)?,
        now_ms,
        assessed.practice,
    ])?;
    let answer_id = tx.last_insert_rowid();
    let marked = assessed.marked;
    // Practice earns nothing, so it has no place in the ledger.
    if !assessed.practice {
        tx.prepare_cached(
            "INSERT INTO credit_ledger (answer_id, contributor_id, project_id, batch_id, kind, seconds, late, extra, marked, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            answer_id,
            me,
            batch.project_id,
            task.batch_id,
            batch.kind,
            credited,
            status == AnswerStatus::Late,
            status == AnswerStatus::Extra,
            marked,
            now_ms,
        ])?;
    }
    tx.prepare_cached("DELETE FROM leases WHERE task_seq = ?1 AND contributor_id = ?2")?
        .execute(params![task.seq, me])?;
    if counted {
        settle(tx, &task, batch, now_ms)?;
    } else {
        tx.prepare_cached("UPDATE tasks SET answer_count = answer_count + 1 WHERE seq = ?1")?
            .execute([task.seq])?;
    }
    Ok(Ok(outcome))
}

/// Writes what the submission added to batches, the contributor's record
/// and sessions: once per batch and session, not once per answer.
fn write_back(tx: &Transaction<'_>, contributor: Uuid, state: &SubmissionState) -> StoreResult<()> {
    let me = contributor.to_string();
    for (batch_id, batch) in state.batches.iter().filter(|(_, b)| b.added > 0) {
        tx.prepare_cached(
            "UPDATE batches SET answer_count = answer_count + ?2, task_answers = task_answers + ?3,
                 median_seconds = ?4 WHERE id = ?1",
        )?
        .execute(params![
            batch_id,
            batch.added,
            batch.added_regular,
            batch.median
        ])?;
        tx.prepare_cached(
            "INSERT INTO participation (batch_id, contributor_id, answers, gold_total, gold_correct)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (batch_id, contributor_id) DO UPDATE SET
                 answers = answers + excluded.answers,
                 gold_total = excluded.gold_total, gold_correct = excluded.gold_correct",
        )?
        .execute(params![batch_id, me, batch.added, batch.gold_total, batch.gold_correct])?;
    }
    for (session, clock) in state.sessions.iter().filter(|(_, c)| c.added > 0) {
        tx.prepare_cached(
            "UPDATE sessions SET credited_seconds = credited_seconds + ?2 WHERE id = ?1",
        )?
        .execute(params![session, clock.added])?;
    }
    Ok(())
}

/// Recomputes the task's consensus from its counted answers and moves it to
/// settled or escalated when the policy says so.
fn settle(
    tx: &Transaction<'_>,
    task: &TaskRow,
    batch: &BatchRules,
    now_ms: i64,
) -> StoreResult<()> {
    let mut statement = tx.prepare_cached(
        "SELECT a.votes, m.model FROM answers a
         LEFT JOIN worker_models m ON m.batch_id = a.batch_id AND m.contributor_id = a.contributor_id
         WHERE a.task_seq = ?1 AND a.counted = 1",
    )?;
    let rows: Vec<(Vec<Vote>, Option<WorkerModel>)> = statement
        .query_map([task.seq], |row| {
            let votes: Vec<Vote> = from_json(&row.get::<_, String>(0)?)?;
            let model: Option<String> = row.get(1)?;
            Ok((
                votes,
                model.and_then(|text| serde_json::from_str(&text).ok()),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let answers: Vec<(&[Vote], Option<&WorkerModel>)> = rows
        .iter()
        .map(|(votes, model)| (votes.as_slice(), model.as_ref()))
        .collect();
    let verdict = evaluate(&batch.questions, &batch.policy, &answers);
    let counted = task.counted + 1;
    let busy_until = busy_hint(tx, task.seq, batch.policy.open_places(counted), now_ms)?;
    tx.prepare_cached(
        "UPDATE tasks SET answer_count = answer_count + 1, counted_count = counted_count + 1,
             state = ?2, consensus = ?3, confidence = ?4, busy_until = ?5 WHERE seq = ?1",
    )?
    .execute(params![
        task.seq,
        verdict.state.code(),
        json_text(&verdict.consensus)?,
        verdict.confidence,
        busy_until,
    ])?;
    Ok(())
}
