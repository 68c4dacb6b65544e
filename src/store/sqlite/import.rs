//! Importing a batch without stopping the world. The batch row is written
//! hidden (`ready = 0`), its tasks follow in short transactions of
//! [`CHUNK`] tasks on the background lane (claims, answers and logins go
//! ahead of every chunk), and one last short write makes it visible. Every
//! reader that lists or looks up batches asks for `ready = 1`, so a
//! half-imported batch is never seen and its tasks are never handed out. A
//! failed import is deleted chunk by chunk; one cut short by a crash is
//! deleted when the store next opens (on SQLite only this process writes,
//! so an unready batch at start-up is always an orphan).

use rusqlite::{Connection, Transaction, params};

use super::SqliteStore;
use super::codec::json_text;
use crate::store::{Batch, NewTask, StoreResult};

/// Tasks written per transaction. Measured with `bench/claims-during-upload`
/// (300,000 records, 2 cores): 2,000 gave claim p99 109 ms with a 6.9 s
/// upload, 1,000 gave 81 ms with 8.8 s, 500 gave 64 ms but 13 s and a
/// 300 ms stall (more commits, more WAL to checkpoint). One transaction for
/// the whole file stalled every claim for 2.95 s.
const CHUNK: usize = 1_000;

type Tasks = Box<dyn Iterator<Item = NewTask> + Send>;

impl SqliteStore {
    pub(super) async fn import_in_chunks(&self, batch: &Batch, tasks: Tasks) -> StoreResult<u64> {
        let batch_id = batch.id.to_string();
        let row = batch.clone();
        self.write(move |tx| insert_hidden(tx, &row)).await?;
        match self.import_tasks(&batch_id, tasks).await {
            Ok((stored, regular)) => {
                let id = batch_id.clone();
                let shown = self
                    .write(move |tx| {
                        tx.execute(
                            "UPDATE batches SET ready = 1, task_total = ?2 WHERE id = ?1",
                            params![id, regular as i64],
                        )?;
                        Ok(())
                    })
                    .await;
                match shown {
                    Ok(()) => Ok(stored),
                    Err(err) => Err(self.discard(batch_id, err).await),
                }
            }
            Err(err) => Err(self.discard(batch_id, err).await),
        }
    }

    /// Writes every task, a chunk per transaction; returns how many were
    /// stored and how many of those are regular (not gold).
    async fn import_tasks(&self, batch_id: &str, mut tasks: Tasks) -> StoreResult<(u64, u64)> {
        let (mut stored, mut regular) = (0u64, 0u64);
        loop {
            let id = batch_id.to_owned();
            let (rest, written, plain) = self
                .write(move |tx| {
                    let (written, plain) = insert_chunk(tx, &id, &mut tasks)?;
                    Ok((tasks, written, plain))
                })
                .await?;
            tasks = rest;
            stored += written;
            regular += plain;
            if written < CHUNK as u64 {
                return Ok((stored, regular));
            }
        }
    }

    /// Deletes what a failed import wrote, a chunk at a time, and returns
    /// the error that made it fail. If even that fails, the next start-up
    /// finishes the job.
    async fn discard(
        &self,
        batch_id: String,
        cause: crate::store::StoreError,
    ) -> crate::store::StoreError {
        loop {
            let id = batch_id.clone();
            let deleted = self
                .write(move |tx| {
                    Ok(tx.execute(
                        "DELETE FROM tasks WHERE seq IN
                             (SELECT seq FROM tasks WHERE batch_id = ?1 LIMIT ?2)",
                        params![id, CHUNK as i64],
                    )?)
                })
                .await;
            match deleted {
                Ok(0) => break,
                Ok(_) => continue,
                Err(err) => {
                    tracing::error!(error = %err, batch = %batch_id, "cleaning up a failed import");
                    return cause;
                }
            }
        }
        let id = batch_id.clone();
        if let Err(err) = self
            .write(move |tx| {
                tx.execute("DELETE FROM batches WHERE id = ?1 AND ready = 0", [id])?;
                Ok(())
            })
            .await
        {
            tracing::error!(error = %err, batch = %batch_id, "cleaning up a failed import");
        }
        cause
    }
}

fn insert_hidden(tx: &Transaction<'_>, batch: &Batch) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO batches (id, project_id, name, settings, instructions, policy, status,
             answer_schema, created_at, median_seconds, duplicates_dropped, ready)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0)",
        params![
            batch.id.to_string(),
            batch.project_id.to_string(),
            batch.name,
            json_text(&batch.settings)?,
            batch.instructions,
            json_text(&batch.policy)?,
            batch.status.as_str(),
            json_text(&batch.answer_schema)?,
            batch.created_at.timestamp_millis(),
            f64::from(batch.policy.estimated_seconds),
            i64::try_from(batch.duplicates_dropped).unwrap_or(i64::MAX),
        ],
    )?;
    Ok(())
}

/// Up to [`CHUNK`] tasks from `tasks`; returns how many were written and
/// how many of them are regular.
fn insert_chunk(
    tx: &Transaction<'_>,
    batch_id: &str,
    tasks: &mut Tasks,
) -> StoreResult<(u64, u64)> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO tasks (id, batch_id, external_id, content, is_gold, gold_answer,
             gold_votes, gold_explanation) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    let (mut written, mut regular) = (0u64, 0u64);
    for task in tasks.by_ref().take(CHUNK) {
        let gold = task.gold.as_ref();
        regular += u64::from(gold.is_none());
        insert.execute(params![
            task.id.to_string(),
            batch_id,
            task.external_id,
            json_text(&task.content)?,
            gold.is_some(),
            gold.map(|g| json_text(&g.answer)).transpose()?,
            gold.map(|g| json_text(&g.votes)).transpose()?,
            gold.map(|g| g.explanation.clone()),
        ])?;
        written += 1;
    }
    Ok((written, regular))
}

/// Deletes batches an interrupted import left hidden, with their tasks.
/// Runs once when the store opens, before anything else writes.
pub(super) fn remove_orphans(conn: &Connection) -> rusqlite::Result<usize> {
    let orphans: Vec<String> = conn
        .prepare("SELECT id FROM batches WHERE ready = 0")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &orphans {
        conn.execute("DELETE FROM tasks WHERE batch_id = ?1", [id])?;
        conn.execute("DELETE FROM batches WHERE id = ?1", [id])?;
    }
    Ok(orphans.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_an_interrupted_import_left_hidden_are_removed_with_their_tasks() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations::apply(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO projects (id, owner_id, title, summary, purpose, audience, status, created_at)
                 VALUES ('p', 'o', 't', 's', 'p', '{}', 'live', 0);
             INSERT INTO batches (id, project_id, name, settings, instructions, policy, status,
                 answer_schema, created_at, median_seconds, ready)
                 VALUES ('half', 'p', 'n', '{}', '', '{}', 'live', '{}', 0, 30, 0),
                        ('whole', 'p', 'n', '{}', '', '{}', 'live', '{}', 0, 30, 1);
             INSERT INTO tasks (id, batch_id, content, is_gold) VALUES ('t1', 'half', '{}', 0),
                 ('t2', 'half', '{}', 0), ('t3', 'whole', '{}', 0);",
        )
        .unwrap();
        assert_eq!(remove_orphans(&conn).unwrap(), 1);
        let left: Vec<String> = conn
            .prepare("SELECT id FROM tasks ORDER BY id")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(left, ["t3"]);
        let batches: i64 = conn
            .query_row("SELECT COUNT(*) FROM batches", [], |row| row.get(0))
            .unwrap();
        assert_eq!(batches, 1);
    }
}
