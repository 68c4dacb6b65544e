use chrono::NaiveDate;
use rusqlite::params;
use serde_json::Value;
use uuid::Uuid;

use super::SqliteStore;
use super::codec::{from_json, json_text, time, uuid};
use crate::domain::account::StaffGroup;
use crate::domain::consensus::{TaskState, Verdict, WorkerModel};
use crate::domain::kinds::Vote;
use crate::domain::reestimate::{BatchVotes, VoteRow};
use crate::store::{
    EngagementRow, ParticipationRow, QualityStore, QueueItem, RawAnswer, StoreResult,
};

#[async_trait::async_trait]
impl QualityStore for SqliteStore {
    async fn answers_by_day(&self, batch_id: Uuid) -> StoreResult<Vec<(NaiveDate, u64)>> {
        self.read(move |conn| {
            let mut days = conn.prepare(
                "SELECT created_at / 86400000, COUNT(*) FROM answers WHERE batch_id = ?1
                 GROUP BY 1 ORDER BY 1",
            )?;
            let rows = days.query_map([batch_id.to_string()], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
            })?;
            let mut found = Vec::new();
            for row in rows {
                let (day, answers) = row?;
                if let Some(date) = chrono::DateTime::from_timestamp(day * 86_400, 0) {
                    found.push((date.date_naive(), answers.max(0) as u64));
                }
            }
            Ok(found)
        })
        .await
    }

    async fn batch_votes(&self, batch_id: Uuid) -> StoreResult<BatchVotes> {
        self.read(move |conn| {
            let id = batch_id.to_string();
            let mut data = BatchVotes::default();
            let mut gold = conn
                .prepare("SELECT id, gold_votes FROM tasks WHERE batch_id = ?1 AND is_gold = 1")?;
            for row in gold.query_map([&id], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
            })? {
                let (task, votes) = row?;
                if let Some(votes) = votes {
                    data.gold
                        .insert(uuid(&task)?, from_json::<Vec<Vote>>(&votes)?);
                }
            }
            let mut answers = conn.prepare(
                "SELECT t.id, a.contributor_id, a.votes, a.counted, a.practice FROM answers a
                 JOIN tasks t ON t.seq = a.task_seq WHERE a.batch_id = ?1",
            )?;
            for row in answers.query_map([&id], |row| {
                Ok(VoteRow {
                    task: uuid(&row.get::<_, String>(0)?)?,
                    contributor: uuid(&row.get::<_, String>(1)?)?,
                    votes: from_json(&row.get::<_, String>(2)?)?,
                    counted: row.get(3)?,
                    practice: row.get(4)?,
                })
            })? {
                data.rows.push(row?);
            }
            Ok(data)
        })
        .await
    }

    async fn save_reestimate(
        &self,
        batch_id: Uuid,
        models: Vec<(Uuid, WorkerModel)>,
        verdicts: Vec<(Uuid, Verdict)>,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            let id = batch_id.to_string();
            let mut save = tx.prepare(
                "INSERT INTO worker_models (batch_id, contributor_id, model) VALUES (?1, ?2, ?3)
                 ON CONFLICT (batch_id, contributor_id) DO UPDATE SET model = excluded.model",
            )?;
            for (contributor, model) in &models {
                save.execute(params![id, contributor.to_string(), json_text(model)?])?;
            }
            let mut update = tx.prepare(
                "UPDATE tasks SET state = ?2, consensus = ?3, confidence = ?4 WHERE id = ?1 AND state = 0",
            )?;
            for (task, verdict) in &verdicts {
                update.execute(params![
                    task.to_string(),
                    verdict.state.code(),
                    json_text(&verdict.consensus)?,
                    verdict.confidence
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn worker_models(&self, batch_id: Uuid) -> StoreResult<Vec<(Uuid, WorkerModel)>> {
        self.read(move |conn| {
            let mut statement = conn
                .prepare("SELECT contributor_id, model FROM worker_models WHERE batch_id = ?1")?;
            let rows = statement.query_map([batch_id.to_string()], |row| {
                Ok((
                    uuid(&row.get::<_, String>(0)?)?,
                    from_json(&row.get::<_, String>(1)?)?,
                ))
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn resolver_queue(&self, project_id: Uuid) -> StoreResult<Vec<QueueItem>> {
        self.read(move |conn| {
            let mut tasks = conn.prepare(
                "SELECT t.seq, t.id, t.batch_id, t.content, t.consensus, t.confidence FROM tasks t
                 JOIN batches b ON b.id = t.batch_id
                 WHERE b.project_id = ?1 AND t.state = ?2 ORDER BY t.seq LIMIT 500",
            )?;
            let mut answers = conn.prepare(
                "SELECT contributor_id, answer, counted, created_at FROM answers WHERE task_seq = ?1 ORDER BY id",
            )?;
            let rows: Vec<(i64, String, String, String, Option<String>, f64)> = tasks
                .query_map(params![project_id.to_string(), TaskState::Escalated.code()], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let mut queue = Vec::with_capacity(rows.len());
            for (seq, id, batch, content, consensus, confidence) in rows {
                let raw = answers
                    .query_map([seq], |a| {
                        Ok(RawAnswer {
                            contributor_id: uuid(&a.get::<_, String>(0)?)?,
                            answer: from_json(&a.get::<_, String>(1)?)?,
                            counted: a.get(2)?,
                            created_at: time(a.get(3)?),
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                queue.push(QueueItem {
                    task_id: uuid(&id)?,
                    batch_id: uuid(&batch)?,
                    content: from_json(&content)?,
                    consensus: consensus.map(|c| from_json(&c)).transpose()?.unwrap_or(Value::Null),
                    confidence,
                    answers: raw,
                });
            }
            Ok(queue)
        })
        .await
    }

    async fn resolve_task(&self, task_id: Uuid, resolution: Value) -> StoreResult<bool> {
        let text = json_text(&resolution)?;
        self.write(move |tx| {
            let changed = tx.execute(
                "UPDATE tasks SET state = ?2, consensus = ?3, confidence = 1.0 WHERE id = ?1 AND is_gold = 0",
                params![task_id.to_string(), TaskState::Resolved.code(), text],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    async fn batch_participation(&self, batch_id: Uuid) -> StoreResult<Vec<ParticipationRow>> {
        self.read(move |conn| {
            let mut statement = conn.prepare(
                "SELECT contributor_id, answers, gold_total, gold_correct FROM participation WHERE batch_id = ?1",
            )?;
            let rows = statement.query_map([batch_id.to_string()], |row| {
                Ok(ParticipationRow {
                    contributor_id: uuid(&row.get::<_, String>(0)?)?,
                    answers: row.get::<_, i64>(1)? as u64,
                    gold_total: row.get::<_, i64>(2)? as u64,
                    gold_correct: row.get::<_, i64>(3)? as u64,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn engagement(&self, project_id: Uuid) -> StoreResult<Vec<EngagementRow>> {
        self.read(move |conn| {
            let mut statement = conn.prepare(
                "SELECT a.staff_group, COUNT(DISTINCT p.contributor_id), SUM(p.answers)
                 FROM participation p JOIN batches b ON b.id = p.batch_id
                 JOIN accounts a ON a.id = p.contributor_id
                 WHERE b.project_id = ?1 GROUP BY a.staff_group ORDER BY 3 DESC",
            )?;
            let rows = statement.query_map([project_id.to_string()], |row| {
                let group: String = row.get(0)?;
                Ok((group, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (group, contributors, answers) = row?;
                let staff_group: StaffGroup = from_json(&format!("\"{group}\""))?;
                out.push(EngagementRow {
                    staff_group,
                    contributors: contributors as u64,
                    answers: answers as u64,
                });
            }
            Ok(out)
        })
        .await
    }
}
