use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use super::SqliteStore;
use super::codec::{from_json, json_text, time, uuid};
use crate::domain::consensus::TaskState;
use crate::domain::project::WorkStatus;
use crate::store::{
    Batch, BatchCounts, NewTask, Project, ProjectProgress, ProjectStore, RawAnswer, StoreResult,
    TaskResult,
};

const PROJECT_COLUMNS: &str =
    "id, owner_id, title, summary, purpose, audience, status, outcome_note, created_at";
const BATCH_COLUMNS: &str = "id, project_id, name, settings, instructions, policy, status, answer_schema, created_at, \
     duplicates_dropped";

fn project_from_row(row: &Row<'_>) -> rusqlite::Result<Project> {
    let status: String = row.get(6)?;
    Ok(Project {
        id: uuid(&row.get::<_, String>(0)?)?,
        owner_id: uuid(&row.get::<_, String>(1)?)?,
        title: row.get(2)?,
        summary: row.get(3)?,
        purpose: row.get(4)?,
        audience: from_json(&row.get::<_, String>(5)?)?,
        status: WorkStatus::parse(&status).unwrap_or(WorkStatus::Closed),
        outcome_note: row.get(7)?,
        created_at: time(row.get(8)?),
    })
}

pub(super) fn batch_from_row(row: &Row<'_>) -> rusqlite::Result<Batch> {
    let status: String = row.get(6)?;
    Ok(Batch {
        id: uuid(&row.get::<_, String>(0)?)?,
        project_id: uuid(&row.get::<_, String>(1)?)?,
        name: row.get(2)?,
        settings: from_json(&row.get::<_, String>(3)?)?,
        instructions: row.get(4)?,
        policy: from_json(&row.get::<_, String>(5)?)?,
        status: WorkStatus::parse(&status).unwrap_or(WorkStatus::Closed),
        answer_schema: from_json(&row.get::<_, String>(7)?)?,
        created_at: time(row.get(8)?),
        duplicates_dropped: row.get::<_, i64>(9)?.max(0) as u64,
    })
}

#[async_trait::async_trait]
impl ProjectStore for SqliteStore {
    async fn create_project(&self, project: &Project) -> StoreResult<()> {
        let project = project.clone();
        let audience = json_text(&project.audience)?;
        self.write(move |tx| {
            tx.execute(
                &format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
                params![
                    project.id.to_string(),
                    project.owner_id.to_string(),
                    project.title,
                    project.summary,
                    project.purpose,
                    audience,
                    project.status.as_str(),
                    project.outcome_note,
                    project.created_at.timestamp_millis(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn project(&self, id: Uuid) -> StoreResult<Option<Project>> {
        self.read(move |conn| {
            let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE id = ?1");
            Ok(conn
                .query_row(&sql, [id.to_string()], project_from_row)
                .optional()?)
        })
        .await
    }

    async fn projects(&self) -> StoreResult<Vec<Project>> {
        self.read(|conn| {
            let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY created_at DESC");
            let mut statement = conn.prepare(&sql)?;
            let rows = statement.query_map([], project_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn owned_projects(&self, owner_id: Uuid) -> StoreResult<Vec<Project>> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {PROJECT_COLUMNS} FROM projects WHERE owner_id = ?1 ORDER BY created_at DESC"
            );
            let mut statement = conn.prepare(&sql)?;
            let rows = statement.query_map([owner_id.to_string()], project_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn update_project(&self, project: &Project) -> StoreResult<()> {
        let project = project.clone();
        let audience = json_text(&project.audience)?;
        self.write(move |tx| {
            tx.execute(
                "UPDATE projects SET title = ?2, summary = ?3, purpose = ?4, audience = ?5,
                     status = ?6, outcome_note = ?7 WHERE id = ?1",
                params![
                    project.id.to_string(),
                    project.title,
                    project.summary,
                    project.purpose,
                    audience,
                    project.status.as_str(),
                    project.outcome_note,
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn project_progress(&self, id: Uuid, contributor: Uuid) -> StoreResult<ProjectProgress> {
        self.read(move |conn| {
            let id = id.to_string();
            let (tasks, settled, answers): (i64, i64, i64) = conn.query_row(
                "SELECT COALESCE(SUM(task_total), 0), COALESCE(SUM(task_settled), 0),
                        COALESCE(SUM(task_answers), 0)
                 FROM batches WHERE project_id = ?1",
                [&id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?;
            let mine: i64 = conn.query_row(
                "SELECT COALESCE(SUM(p.answers), 0) FROM participation p
                 JOIN batches b ON b.id = p.batch_id WHERE b.project_id = ?1 AND p.contributor_id = ?2",
                params![id, contributor.to_string()],
                |row| row.get(0),
            )?;
            let seconds: Option<f64> = conn.query_row(
                "SELECT AVG(median_seconds) FROM batches
                 WHERE project_id = ?1 AND status = 'live' AND ready = 1",
                [&id],
                |row| row.get(0),
            )?;
            Ok(ProjectProgress {
                tasks: tasks as u64,
                settled: settled as u64,
                answers: answers as u64,
                answered_by_contributor: mine as u64,
                seconds_per_task: seconds.unwrap_or(0.0),
            })
        })
        .await
    }

    async fn import_batch(
        &self,
        batch: &Batch,
        tasks: Box<dyn Iterator<Item = NewTask> + Send>,
    ) -> StoreResult<u64> {
        self.import_in_chunks(batch, tasks).await
    }

    async fn batch(&self, id: Uuid) -> StoreResult<Option<Batch>> {
        self.read(move |conn| {
            let sql = format!("SELECT {BATCH_COLUMNS} FROM batches WHERE id = ?1 AND ready = 1");
            Ok(conn
                .query_row(&sql, [id.to_string()], batch_from_row)
                .optional()?)
        })
        .await
    }

    async fn project_batches(&self, project_id: Uuid) -> StoreResult<Vec<Batch>> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT {BATCH_COLUMNS} FROM batches WHERE project_id = ?1 AND ready = 1
                 ORDER BY created_at"
            );
            let mut statement = conn.prepare(&sql)?;
            let rows = statement.query_map([project_id.to_string()], batch_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn set_batch_status(&self, id: Uuid, status: WorkStatus) -> StoreResult<()> {
        self.write(move |tx| {
            tx.execute(
                "UPDATE batches SET status = ?2 WHERE id = ?1",
                params![id.to_string(), status.as_str()],
            )?;
            Ok(())
        })
        .await
    }

    async fn batch_counts(&self, id: Uuid) -> StoreResult<BatchCounts> {
        self.read(move |conn| {
            let id = id.to_string();
            let mut counts = conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(is_gold), 0),
                     COALESCE(SUM(is_gold = 0 AND state = 0 AND answer_count = 0), 0),
                     COALESCE(SUM(is_gold = 0 AND state = 0 AND answer_count > 0), 0),
                     COALESCE(SUM(is_gold = 0 AND state = 1), 0),
                     COALESCE(SUM(is_gold = 0 AND state = 2), 0),
                     COALESCE(SUM(is_gold = 0 AND state = 3), 0),
                     COALESCE(SUM(CASE WHEN is_gold = 0 AND state IN (1, 3) THEN answer_count END), 0)
                 FROM tasks WHERE batch_id = ?1",
                [&id],
                |row| {
                    Ok(BatchCounts {
                        tasks: row.get::<_, i64>(0)? as u64,
                        gold_tasks: row.get::<_, i64>(1)? as u64,
                        open: row.get::<_, i64>(2)? as u64,
                        in_progress: row.get::<_, i64>(3)? as u64,
                        settled: row.get::<_, i64>(4)? as u64,
                        escalated: row.get::<_, i64>(5)? as u64,
                        resolved: row.get::<_, i64>(6)? as u64,
                        answers_on_settled: row.get::<_, i64>(7)? as u64,
                        ..BatchCounts::default()
                    })
                },
            )?;
            let (answers, median): (i64, f64) = conn.query_row(
                "SELECT answer_count, median_seconds FROM batches WHERE id = ?1",
                [&id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            counts.answers = answers as u64;
            counts.median_seconds = median;
            Ok(counts)
        })
        .await
    }

    fn task_results(&self, batch_id: Uuid) -> BoxStream<'static, StoreResult<TaskResult>> {
        let (sender, receiver) = tokio::sync::mpsc::channel(256);
        let store = self.clone();
        tokio::spawn(async move {
            let failed = sender.clone();
            let outcome = store
                .read(move |conn| {
                    stream_results(conn, batch_id, &sender);
                    Ok(())
                })
                .await;
            if let Err(err) = outcome {
                let _ = failed.send(Err(err)).await;
            }
        });
        tokio_stream_from(receiver).boxed()
    }
}

/// Walks the batch's tasks in order, sending each with its answers; stops
/// early when the client has gone away.
fn stream_results(
    conn: &rusqlite::Connection,
    batch_id: Uuid,
    sender: &tokio::sync::mpsc::Sender<StoreResult<TaskResult>>,
) {
    let result = (|| -> rusqlite::Result<()> {
        let mut tasks = conn.prepare(
            "SELECT seq, id, external_id, is_gold, state, consensus, confidence, content
             FROM tasks WHERE batch_id = ?1 ORDER BY seq",
        )?;
        let mut answers = conn.prepare(
            "SELECT contributor_id, answer, counted, created_at FROM answers WHERE task_seq = ?1 ORDER BY id",
        )?;
        let mut rows = tasks.query([batch_id.to_string()])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let consensus: Option<String> = row.get(5)?;
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
            let result = TaskResult {
                task_id: uuid(&row.get::<_, String>(1)?)?,
                external_id: row.get(2)?,
                content: from_json(&row.get::<_, String>(7)?)?,
                is_gold: row.get(3)?,
                state: TaskState::from_code(row.get(4)?),
                consensus: consensus
                    .map(|text| from_json(&text))
                    .transpose()?
                    .unwrap_or_default(),
                confidence: row.get(6)?,
                answers: raw,
            };
            if sender.blocking_send(Ok(result)).is_err() {
                return Ok(());
            }
        }
        Ok(())
    })();
    if let Err(err) = result {
        let _ = sender.blocking_send(Err(err.into()));
    }
}

fn tokio_stream_from<T: Send + 'static>(
    mut receiver: tokio::sync::mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}
