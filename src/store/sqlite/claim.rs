//! Claiming a bundle: one `BEGIN IMMEDIATE` transaction that picks tasks
//! across live batches by priority and leases them.

use rand::seq::SliceRandom;
use rusqlite::{OptionalExtension, Transaction, params};

use super::SqliteStore;
use super::codec::{from_json, uuid};
use crate::domain::admission::{self, Workplace};
use crate::domain::bundle::{BundlePlan, Draw};
use crate::domain::policy::BatchPolicy;
use crate::domain::project::{Audience, WorkStatus};
use crate::store::{ClaimRequest, LeasedTask, StoreResult};

/// A live batch the contributor may work on.
struct Candidate {
    id: String,
    project_id: String,
    project_title: String,
    instructions: String,
    answer_schema: String,
    policy: BatchPolicy,
    median_seconds: f64,
}

/// Candidates read beyond the number still wanted, for the few that turn
/// out full.
const PAGE_SLACK: usize = 4;

/// Full tasks whose first lease has run out that one claim moves back.
const FREED_PER_CLAIM: i64 = 32;

impl SqliteStore {
    pub(super) async fn claim_bundle(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>> {
        self.write_first(move |tx| {
            let batches = live_batches(tx, &request)?;
            tx.prepare_cached(
                "INSERT INTO sessions (id, contributor_id, started_at, budget_seconds) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                    request.session_id.to_string(),
                    request.contributor_id.to_string(),
                    request.now.timestamp_millis(),
                    request.budget_seconds,
                ],
            )?;
            let mut plan = BundlePlan::new(
                request.budget_seconds,
                batches
                    .iter()
                    .map(|batch| (batch.policy.priority, batch.median_seconds)),
            );
            let mut leased = Vec::new();
            while let Some(ask) = plan.next_ask() {
                let got = lease_from_batch(tx, &request, &batches[ask.position], ask.count)?;
                plan.took(ask.position, ask.count, got.len());
                leased.extend(got);
            }
            Ok(leased)
        })
        .await
    }
}

fn live_batches(tx: &Transaction<'_>, request: &ClaimRequest) -> StoreResult<Vec<Candidate>> {
    let mut statement = tx.prepare_cached(
        "SELECT b.id, b.project_id, p.title, b.instructions, b.answer_schema, b.policy,
                b.median_seconds, p.audience,
                b.status, p.status
         FROM batches b JOIN projects p ON p.id = b.project_id
         WHERE b.status = 'live' AND b.ready = 1 AND p.status = 'live'
           AND (?1 IS NULL OR p.id = ?1)",
    )?;
    // The status filter above only narrows the read; `admission::may_work`
    // decides, as it does for answers.
    let project = request.project_id.map(|id| id.to_string());
    let rows = statement.query_map([project], |row| {
        let audience: Audience = from_json(&row.get::<_, String>(7)?)?;
        let status = |index: usize| -> rusqlite::Result<WorkStatus> {
            let raw: String = row.get(index)?;
            Ok(WorkStatus::parse(&raw).unwrap_or(WorkStatus::Closed))
        };
        let statuses = (status(9)?, status(8)?);
        Ok((
            Candidate {
                id: row.get(0)?,
                project_id: row.get(1)?,
                project_title: row.get(2)?,
                instructions: row.get(3)?,
                answer_schema: row.get(4)?,
                policy: from_json(&row.get::<_, String>(5)?)?,
                median_seconds: row.get(6)?,
            },
            audience,
            statuses,
        ))
    })?;
    let worker = request.member.worker();
    let mut batches = Vec::new();
    for row in rows {
        let (batch, audience, (project_status, batch_status)) = row?;
        let place = Workplace {
            project_status,
            batch_status,
            audience: &audience,
        };
        if admission::may_work(&place, &worker).is_ok() {
            batches.push(batch);
        }
    }
    // Equal priorities in a fresh random order per claim, so claimants
    // spread over batches instead of all starting on the same one.
    batches.shuffle(&mut rand::rng());
    batches.sort_by_key(|b| std::cmp::Reverse(b.policy.priority));
    Ok(batches)
}

fn lease_from_batch(
    tx: &Transaction<'_>,
    request: &ClaimRequest,
    batch: &Candidate,
    wanted: usize,
) -> StoreResult<Vec<LeasedTask>> {
    let now = request.now.timestamp_millis();
    let expires = now + i64::from(batch.policy.lease_seconds) * 1000;
    let contributor = request.contributor_id.to_string();
    let gold_seen: u32 = tx
        .prepare_cached(
            "SELECT gold_total FROM participation WHERE batch_id = ?1 AND contributor_id = ?2",
        )?
        .query_row(params![batch.id, contributor], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let draw = Draw::new(
        &batch.policy,
        wanted,
        gold_seen,
        request.member.practice_only,
    );
    let mut picked = if draw.gold > 0 {
        unseen_gold(tx, &batch.id, &contributor, now, draw.gold)?
    } else {
        Vec::with_capacity(wanted)
    };

    let regular_wanted = draw.regular(picked.len());
    if regular_wanted > 0 {
        free_expired(tx, batch, now)?;
    }
    let mut taken = 0;
    // Walk the free tasks in upload order a page at a time, each page
    // starting where the last one ended. The planner rates `tasks_batch`
    // as good a choice, but it also holds every full task.
    let mut after = 0i64;
    while taken < regular_wanted {
        let mut candidates = tx.prepare_cached(
            "SELECT t.seq, t.counted_count FROM tasks t INDEXED BY tasks_free
             WHERE t.batch_id = ?1 AND t.state = 0 AND t.is_gold = 0 AND t.busy_until = 0
               AND t.seq > ?4 AND t.created_by IS NOT ?2
               AND NOT EXISTS (SELECT 1 FROM answers a WHERE a.task_seq = t.seq AND a.contributor_id = ?2)
               AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.task_seq = t.seq
                               AND l.contributor_id = ?2 AND l.expires_at > ?3)
             ORDER BY t.seq LIMIT ?5",
        )?;
        let limit = (regular_wanted - taken + PAGE_SLACK) as i64;
        let rows: Vec<(i64, u32)> = candidates
            .query_map(params![batch.id, contributor, now, after, limit], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let Some(&(last, _)) = rows.last() else {
            break;
        };
        after = last;
        for (seq, counted) in rows {
            if taken == regular_wanted {
                break;
            }
            let places = batch.policy.open_places(counted);
            let (live, earliest) = live_leases(tx, seq, now)?;
            if live >= places {
                // Full until its first lease runs out: out of the free index.
                set_busy_until(tx, seq, earliest.unwrap_or(now))?;
                continue;
            }
            if live + 1 >= places {
                // This lease fills it.
                set_busy_until(tx, seq, earliest.unwrap_or(expires).min(expires))?;
            }
            picked.push(seq);
            taken += 1;
        }
    }

    let mut lease = tx.prepare_cached(
        "INSERT OR REPLACE INTO leases (task_seq, contributor_id, session_id, leased_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let session = request.session_id.to_string();
    let lease_expires_at = super::codec::time(expires);
    let schema: serde_json::Value = from_json(&batch.answer_schema)?;
    let batch_id = uuid(&batch.id)?;
    let project_id = uuid(&batch.project_id)?;
    let mut task = tx.prepare_cached("SELECT id, content FROM tasks WHERE seq = ?1")?;
    let mut leased = Vec::with_capacity(picked.len());
    for seq in picked {
        lease.execute(params![seq, contributor, session, now, expires])?;
        let (id, content): (String, String) =
            task.query_row([seq], |row| Ok((row.get(0)?, row.get(1)?)))?;
        leased.push(LeasedTask {
            task_id: uuid(&id)?,
            batch_id,
            project_id,
            project_title: batch.project_title.clone(),
            instructions: batch.instructions.clone(),
            content: from_json(&content)?,
            answer_schema: schema.clone(),
            estimated_seconds: batch.median_seconds.round() as u32,
            lease_expires_at,
        });
    }
    Ok(leased)
}

/// Up to `wanted` of the batch's gold tasks, in random order, that the
/// contributor has neither answered nor holds. Gold sets are small (tens to
/// hundreds), so their ids are read from `tasks_gold` and probed one by one
/// until enough are found.
fn unseen_gold(
    tx: &Transaction<'_>,
    batch_id: &str,
    contributor: &str,
    now: i64,
    wanted: usize,
) -> StoreResult<Vec<i64>> {
    let mut gold: Vec<i64> = tx
        .prepare_cached(
            "SELECT seq FROM tasks INDEXED BY tasks_gold WHERE batch_id = ?1 AND is_gold = 1",
        )?
        .query_map([batch_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    gold.shuffle(&mut rand::rng());
    let mut seen = tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM answers WHERE task_seq = ?1 AND contributor_id = ?2)
             OR EXISTS (SELECT 1 FROM leases WHERE task_seq = ?1 AND contributor_id = ?2 AND expires_at > ?3)",
    )?;
    let mut unseen = Vec::with_capacity(wanted);
    for seq in gold {
        if unseen.len() == wanted {
            break;
        }
        if !seen.query_row(params![seq, contributor, now], |row| row.get::<_, bool>(0))? {
            unseen.push(seq);
        }
    }
    Ok(unseen)
}

/// Moves full tasks whose first lease has expired back to the free index
/// (or on to their next expiry), oldest first and a bounded number per
/// claim: expired leases need no cleanup job, and no claim walks past them.
fn free_expired(tx: &Transaction<'_>, batch: &Candidate, now: i64) -> StoreResult<()> {
    let expired: Vec<(i64, u32)> = tx
        .prepare_cached(
            "SELECT seq, counted_count FROM tasks INDEXED BY tasks_full
             WHERE batch_id = ?1 AND state = 0 AND is_gold = 0 AND busy_until > 0 AND busy_until <= ?2
             ORDER BY busy_until LIMIT ?3",
        )?
        .query_map(params![batch.id, now, FREED_PER_CLAIM], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (seq, counted) in expired {
        let hint = busy_hint(tx, seq, batch.policy.open_places(counted), now)?;
        set_busy_until(tx, seq, hint)?;
    }
    Ok(())
}

/// A task's `busy_until` for `places` open places: the first live lease's
/// expiry when the live leases fill them, else 0 (free).
pub(super) fn busy_hint(
    tx: &Transaction<'_>,
    seq: i64,
    places: u32,
    now: i64,
) -> rusqlite::Result<i64> {
    let (live, earliest) = live_leases(tx, seq, now)?;
    Ok(if live >= places {
        earliest.unwrap_or(0)
    } else {
        0
    })
}

/// Unexpired leases on a task and the earliest expiry among them. Expired
/// rows are simply not counted, so no cleanup job is needed for correctness.
fn live_leases(tx: &Transaction<'_>, seq: i64, now: i64) -> rusqlite::Result<(u32, Option<i64>)> {
    tx.prepare_cached(
        "SELECT COUNT(*), MIN(expires_at) FROM leases WHERE task_seq = ?1 AND expires_at > ?2",
    )?
    .query_row(params![seq, now], |row| Ok((row.get(0)?, row.get(1)?)))
}

pub(super) fn set_busy_until(
    tx: &Transaction<'_>,
    seq: i64,
    busy_until: i64,
) -> rusqlite::Result<()> {
    tx.prepare_cached("UPDATE tasks SET busy_until = ?2 WHERE seq = ?1")?
        .execute(params![seq, busy_until])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::domain::consensus::TaskState;

    /// The gold lookup in `lease_from_batch` lists every state code.
    #[test]
    fn the_gold_lookup_lists_every_task_state() {
        for code in 0..=3 {
            assert_eq!(TaskState::from_code(code).code(), code);
        }
        assert_eq!(
            TaskState::from_code(4).code(),
            0,
            "a fifth task state exists: add its code to the gold lookup"
        );
    }
}
