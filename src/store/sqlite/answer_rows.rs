//! What the answer path reads from SQLite, once per submission where it
//! can: the task, the batch's rules with the contributor's record, the
//! session's clock, the day's credit and answers stored before.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::codec::from_json;
use crate::domain::admission::Workplace;
use crate::domain::consensus::TaskState;
use crate::domain::kinds::{KindSettings, Question};
use crate::domain::policy::BatchPolicy;
use crate::domain::project::{Audience, WorkStatus};
use crate::store::{StoreError, StoreResult};

/// What the answer path needs of a batch, read once per submission, with
/// the contributor's running record on it.
pub(super) struct BatchRules {
    pub(super) project_id: String,
    pub(super) status: WorkStatus,
    pub(super) project_status: WorkStatus,
    pub(super) audience: Audience,
    pub(super) kind: &'static str,
    pub(super) questions: Vec<Question>,
    pub(super) policy: BatchPolicy,
    pub(super) median: f64,
    pub(super) gold_total: u32,
    pub(super) gold_correct: u32,
    /// Answers this submission added to the batch.
    pub(super) added: u32,
    /// Of those, the answers to regular (not gold) tasks.
    pub(super) added_regular: u32,
}

impl BatchRules {
    pub(super) fn workplace(&self) -> Workplace<'_> {
        Workplace {
            project_status: self.project_status,
            batch_status: self.status,
            audience: &self.audience,
        }
    }
}

/// A session's wall clock: as stored, plus what this submission credited.
pub(super) struct SessionClock {
    pub(super) started_at: i64,
    pub(super) stored_credited: i64,
    pub(super) added: i64,
}

/// A task as the answer path reads it.
pub(super) struct TaskRow {
    pub(super) seq: i64,
    pub(super) batch_id: String,
    pub(super) is_gold: bool,
    pub(super) gold_answer: Option<String>,
    pub(super) gold_votes: Option<String>,
    pub(super) gold_explanation: Option<String>,
    pub(super) state: TaskState,
    pub(super) counted: u32,
    pub(super) created_by: Option<String>,
}

/// An answer already stored, as a resubmission needs it.
pub(super) struct Stored {
    pub(super) contributor_id: String,
    pub(super) votes: String,
    pub(super) outcome: String,
}

pub(super) fn stored_answer(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Option<Stored>> {
    Ok(tx
        .prepare_cached(sql)?
        .query_row(params, |row| {
            Ok(Stored {
                contributor_id: row.get(0)?,
                votes: row.get(1)?,
                outcome: row.get(2)?,
            })
        })
        .optional()?)
}

/// The session's clock, read once per submission.
pub(super) fn session_clock<'a>(
    tx: &Transaction<'_>,
    sessions: &'a mut HashMap<String, SessionClock>,
    session: &str,
    now_ms: i64,
) -> StoreResult<&'a mut SessionClock> {
    Ok(match sessions.entry(session.to_owned()) {
        Entry::Occupied(known) => known.into_mut(),
        Entry::Vacant(slot) => {
            let (started_at, stored_credited) = tx
                .prepare_cached("SELECT started_at, credited_seconds FROM sessions WHERE id = ?1")?
                .query_row([session], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?
                .unwrap_or((now_ms, 0));
            slot.insert(SessionClock {
                started_at,
                stored_credited,
                added: 0,
            })
        }
    })
}

/// Seconds credited to the contributor since `since_ms` (the start of the
/// day) for answers and for logging, from both ledgers' contributor indexes.
pub(super) fn credited_since(tx: &Transaction<'_>, me: &str, since_ms: i64) -> StoreResult<i64> {
    Ok(tx
        .prepare_cached(
            "SELECT (SELECT COALESCE(SUM(seconds), 0) FROM credit_ledger
                     WHERE contributor_id = ?1 AND created_at >= ?2)
                  + (SELECT COALESCE(SUM(seconds), 0) FROM observation_credits
                     WHERE contributor_id = ?1 AND created_at >= ?2)",
        )?
        .query_row(params![me, since_ms], |row| row.get(0))?)
}

pub(super) fn task_row(tx: &Transaction<'_>, id: Uuid) -> StoreResult<Option<TaskRow>> {
    Ok(tx
        .prepare_cached(
            "SELECT seq, batch_id, is_gold, gold_answer, gold_votes, gold_explanation, state,
                    counted_count, created_by
             FROM tasks WHERE id = ?1",
        )?
        .query_row([id.to_string()], |row| {
            Ok(TaskRow {
                seq: row.get(0)?,
                batch_id: row.get(1)?,
                is_gold: row.get(2)?,
                gold_answer: row.get(3)?,
                gold_votes: row.get(4)?,
                gold_explanation: row.get(5)?,
                state: TaskState::from_code(row.get(6)?),
                counted: row.get(7)?,
                created_by: row.get(8)?,
            })
        })
        .optional()?)
}

pub(super) fn batch_rules(
    tx: &Transaction<'_>,
    batch_id: &str,
    me: &str,
) -> StoreResult<BatchRules> {
    let (project_id, settings, policy, median, status, project_status, audience): (
        String,
        String,
        String,
        f64,
        String,
        String,
        String,
    ) = tx
        .prepare_cached(
            "SELECT b.project_id, b.settings, b.policy, b.median_seconds, b.status, p.status, p.audience
             FROM batches b JOIN projects p ON p.id = b.project_id WHERE b.id = ?1",
        )?
        .query_row([batch_id], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
                row.get(5)?,
                row.get(6)?,
            ))
        })?;
    let settings: KindSettings = from_json(&settings)?;
    let (gold_total, gold_correct): (u32, u32) = tx
        .prepare_cached("SELECT gold_total, gold_correct FROM participation WHERE batch_id = ?1 AND contributor_id = ?2")?
        .query_row(params![batch_id, me], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?
        .unwrap_or((0, 0));
    Ok(BatchRules {
        project_id,
        status: work_status(&status)?,
        project_status: work_status(&project_status)?,
        audience: from_json(&audience)?,
        kind: settings.kind().as_str(),
        questions: settings.questions(),
        policy: from_json(&policy)?,
        median,
        gold_total,
        gold_correct,
        added: 0,
        added_regular: 0,
    })
}

pub(super) fn work_status(raw: &str) -> StoreResult<WorkStatus> {
    WorkStatus::parse(raw)
        .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("unknown work status {raw:?}")))
}
