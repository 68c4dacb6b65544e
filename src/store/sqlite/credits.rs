//! Credits in SQLite: ledger sums per day, quality counts, impact, and the
//! append-only `certificates` table (migration 3).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};
use uuid::Uuid;

use super::SqliteStore;
use super::codec::{from_json, time, uuid};
use crate::domain::consensus::TaskState;
use crate::domain::credits::{
    CreditDay, CreditKind, DateRange, QualityCounts, agrees_with_consensus, day_of_millis,
};
use crate::domain::kinds::{KindSettings, Question, Vote};
use crate::store::{BatchImpact, CreditStore, StoreError, StoreResult, StoredCertificate};

const DAY_MS: i64 = 86_400_000;

const CERTIFICATE_COLUMNS: &str =
    "id, contributor_id, signed, created_at, revoked_at, revoke_reason";

fn kind(name: &str) -> StoreResult<CreditKind> {
    name.parse()
        .map_err(|err| StoreError::Backend(anyhow::anyhow!("credit ledger: {err}")))
}

fn certificate_from_row(row: &Row<'_>) -> rusqlite::Result<StoredCertificate> {
    Ok(StoredCertificate {
        id: uuid(&row.get::<_, String>(0)?)?,
        contributor_id: uuid(&row.get::<_, String>(1)?)?,
        signed: row.get(2)?,
        created_at: time(row.get(3)?),
        revoked_at: row.get::<_, Option<i64>>(4)?.map(time),
        revoke_reason: row.get(5)?,
    })
}

fn find_certificate(conn: &Connection, id: &str) -> StoreResult<Option<StoredCertificate>> {
    let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE id = ?1");
    Ok(conn
        .query_row(&sql, [id], certificate_from_row)
        .optional()?)
}

/// The consensus questions of a batch, read once per batch.
fn questions<'a>(
    conn: &Connection,
    cache: &'a mut HashMap<String, Vec<Question>>,
    batch_id: &str,
) -> StoreResult<&'a [Question]> {
    if !cache.contains_key(batch_id) {
        let settings: String = conn.query_row(
            "SELECT settings FROM batches WHERE id = ?1",
            [batch_id],
            |row| row.get(0),
        )?;
        let settings: KindSettings = from_json(&settings)?;
        cache.insert(batch_id.to_owned(), settings.questions());
    }
    Ok(cache.get(batch_id).map(Vec::as_slice).unwrap_or_default())
}

/// One answer of the contributor with what its task became.
struct Judged {
    batch_id: String,
    votes: String,
    counted: bool,
    state: i64,
    consensus: Option<String>,
    is_gold: bool,
    gold_correct: Option<bool>,
}

fn credit_quality(conn: &Connection, me: &str, range: DateRange) -> StoreResult<QualityCounts> {
    let (start, end) = range.millis();
    // Through the ledger's (contributor_id, created_at) index: only this
    // contributor's answers in the range are read.
    let mut statement = conn.prepare_cached(
        "SELECT a.batch_id, a.votes, a.counted, t.state, t.consensus, t.is_gold,
                json_extract(a.outcome, '$.feedback.correct')
         FROM credit_ledger l
         JOIN answers a ON a.id = l.answer_id
         JOIN tasks t ON t.seq = a.task_seq
         WHERE l.contributor_id = ?1 AND l.created_at >= ?2 AND l.created_at < ?3",
    )?;
    let judged = statement
        .query_map(params![me, start, end], |row| {
            Ok(Judged {
                batch_id: row.get(0)?,
                votes: row.get(1)?,
                counted: row.get(2)?,
                state: row.get(3)?,
                consensus: row.get(4)?,
                is_gold: row.get(5)?,
                gold_correct: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut counts = QualityCounts::default();
    let mut cache = HashMap::new();
    for answer in judged {
        if answer.is_gold {
            counts.gold_accuracy.total += 1;
            counts.gold_accuracy.matched += u64::from(answer.gold_correct == Some(true));
            continue;
        }
        let settled = TaskState::from_code(answer.state) == TaskState::Settled;
        let Some(consensus) = answer.consensus.filter(|_| answer.counted && settled) else {
            continue;
        };
        let votes: Vec<Vote> = from_json(&answer.votes)?;
        let consensus: serde_json::Value = from_json(&consensus)?;
        let questions = questions(conn, &mut cache, &answer.batch_id)?;
        if let Some(agrees) = agrees_with_consensus(&votes, &consensus, questions) {
            counts.consensus_agreement.total += 1;
            counts.consensus_agreement.matched += u64::from(agrees);
        }
    }
    Ok(counts)
}

fn impact(conn: &Connection, me: &str) -> StoreResult<Vec<BatchImpact>> {
    let mut statement = conn.prepare_cached(
        "SELECT b.project_id, p.title, p.outcome_note, b.id, b.name, b.settings,
            (SELECT COUNT(*) FROM tasks t WHERE t.batch_id = b.id AND t.is_gold = 0),
            (SELECT COUNT(*) FROM tasks t WHERE t.batch_id = b.id AND t.is_gold = 0
                AND t.state IN (1, 3)),
            pa.answers,
            (SELECT COUNT(*) FROM answers a JOIN tasks t ON t.seq = a.task_seq
                WHERE a.batch_id = b.id AND a.contributor_id = pa.contributor_id
                AND a.counted = 1 AND t.state IN (1, 3))
         FROM participation pa
         JOIN batches b ON b.id = pa.batch_id
         JOIN projects p ON p.id = b.project_id
         WHERE pa.contributor_id = ?1
         ORDER BY p.title, p.id, b.created_at",
    )?;
    let rows = statement.query_map([me], |row| {
        let settings: KindSettings = from_json(&row.get::<_, String>(5)?)?;
        Ok(BatchImpact {
            project_id: uuid(&row.get::<_, String>(0)?)?,
            project_title: row.get(1)?,
            outcome_note: row.get(2)?,
            batch_id: uuid(&row.get::<_, String>(3)?)?,
            batch_name: row.get(4)?,
            kind: settings.kind(),
            tasks: row.get(6)?,
            finished: row.get(7)?,
            answers: row.get(8)?,
            finished_with_contributor: row.get(9)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

#[async_trait::async_trait]
impl CreditStore for SqliteStore {
    async fn credit_days(
        &self,
        contributor: Uuid,
        range: DateRange,
    ) -> StoreResult<Vec<CreditDay>> {
        let (start, end) = range.millis();
        self.read(move |conn| {
            // Answers' ledger and logging's, each through its contributor index.
            let mut statement = conn.prepare_cached(
                "SELECT l.project_id, p.title, l.kind, l.created_at / ?4 AS day, COUNT(*),
                        SUM(l.seconds), SUM(l.marked), SUM(CASE WHEN l.marked THEN l.seconds ELSE 0 END)
                 FROM (SELECT project_id, kind, created_at, seconds, marked FROM credit_ledger
                       WHERE contributor_id = ?1 AND created_at >= ?2 AND created_at < ?3
                       UNION ALL
                       SELECT project_id, ?5, created_at, seconds, 0 FROM observation_credits
                       WHERE contributor_id = ?1 AND created_at >= ?2 AND created_at < ?3) l
                 JOIN projects p ON p.id = l.project_id
                 GROUP BY l.project_id, l.kind, day",
            )?;
            let logging = CreditKind::ObservationLogging.as_str();
            let rows = statement
                .query_map(params![contributor.to_string(), start, end, DAY_MS, logging], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        [row.get::<_, u64>(4)?, row.get(5)?, row.get(6)?, row.get(7)?],
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(project, title, kind_name, day, [answers, seconds, marked, marked_seconds])| {
                    Ok(CreditDay {
                        project_id: uuid(&project)?,
                        project_title: title,
                        kind: kind(&kind_name)?,
                        day: day_of_millis(day * DAY_MS),
                        answers,
                        seconds,
                        marked_answers: marked,
                        marked_seconds,
                    })
                })
                .collect()
        })
        .await
    }

    async fn active_days(&self, contributor: Uuid) -> StoreResult<Vec<NaiveDate>> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT created_at / ?2 FROM credit_ledger WHERE contributor_id = ?1
                 UNION
                 SELECT created_at / ?2 FROM observation_credits WHERE contributor_id = ?1",
            )?;
            let days = statement
                .query_map(params![contributor.to_string(), DAY_MS], |row| {
                    row.get::<_, i64>(0)
                })?
                .map(|day| day.map(|day| day_of_millis(day * DAY_MS)))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(days)
        })
        .await
    }

    async fn credit_quality(
        &self,
        contributor: Uuid,
        range: DateRange,
    ) -> StoreResult<QualityCounts> {
        self.read(move |conn| credit_quality(conn, &contributor.to_string(), range))
            .await
    }

    async fn impact(&self, contributor: Uuid) -> StoreResult<Vec<BatchImpact>> {
        self.read(move |conn| impact(conn, &contributor.to_string()))
            .await
    }

    async fn insert_certificate(&self, certificate: &StoredCertificate) -> StoreResult<()> {
        let certificate = certificate.clone();
        self.write(move |tx| {
            tx.execute(
                &format!("INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
                params![
                    certificate.id.to_string(),
                    certificate.contributor_id.to_string(),
                    certificate.signed,
                    certificate.created_at.timestamp_millis(),
                    certificate.revoked_at.map(|at| at.timestamp_millis()),
                    certificate.revoke_reason,
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn certificate(&self, id: Uuid) -> StoreResult<Option<StoredCertificate>> {
        self.read(move |conn| find_certificate(conn, &id.to_string()))
            .await
    }

    async fn certificates_of(&self, contributor: Uuid) -> StoreResult<Vec<StoredCertificate>> {
        self.read(move |conn| {
            let sql =
                format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE contributor_id = ?1");
            Ok(conn
                .prepare_cached(&sql)?
                .query_map([contributor.to_string()], certificate_from_row)?
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn revoke_certificate(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Option<StoredCertificate>> {
        let reason = reason.to_owned();
        self.write(move |tx| {
            let id = id.to_string();
            tx.execute(
                "UPDATE certificates SET revoked_at = ?2, revoke_reason = ?3
                 WHERE id = ?1 AND revoked_at IS NULL",
                params![id, at.timestamp_millis(), reason],
            )?;
            // Its credential's bit in the revocation list, if it has a place.
            tx.execute(
                "UPDATE certificate_status SET revoked = 1 WHERE certificate_id = ?1",
                [&id],
            )?;
            find_certificate(tx, &id)
        })
        .await
    }
}
