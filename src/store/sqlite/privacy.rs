use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::SqliteStore;
use super::codec::{from_json, json_text, time, uuid};
use crate::domain::credits::erased::ErasedCertificate;
use crate::store::{
    AccountStore, AnswerOutcome, ExportedAnswer, PersonalData, PrivacyStore, StoreResult,
};

#[async_trait::async_trait]
impl PrivacyStore for SqliteStore {
    async fn personal_data(&self, account_id: Uuid) -> StoreResult<Option<PersonalData>> {
        let Some(account) = self.account(account_id).await? else {
            return Ok(None);
        };
        self.read(move |conn| {
            let me = account_id.to_string();
            let mut answers = conn.prepare(
                "SELECT t.id, a.batch_id, a.answer, a.outcome, a.created_at FROM answers a
                 JOIN tasks t ON t.seq = a.task_seq WHERE a.contributor_id = ?1 ORDER BY a.id",
            )?;
            let answers = answers
                .query_map([&me], |row| {
                    let outcome: AnswerOutcome = from_json(&row.get::<_, String>(3)?)?;
                    Ok(ExportedAnswer {
                        task_id: uuid(&row.get::<_, String>(0)?)?,
                        batch_id: uuid(&row.get::<_, String>(1)?)?,
                        answer: from_json(&row.get::<_, String>(2)?)?,
                        credited_seconds: u64::from(outcome.credited_seconds),
                        created_at: time(row.get(4)?),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut certificates = conn.prepare(
                "SELECT signed FROM certificates WHERE contributor_id = ?1 ORDER BY created_at",
            )?;
            let certificates = certificates
                .query_map([&me], |row| from_json(&row.get::<_, String>(0)?))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Some(PersonalData {
                account,
                answers,
                observations: super::media::observations_by(conn, account_id)?,
                certificates,
            }))
        })
        .await
    }

    async fn erase_account(
        &self,
        account_id: Uuid,
        traces: &[ErasedCertificate],
    ) -> StoreResult<bool> {
        let traces: Vec<(String, String)> = traces
            .iter()
            .map(|trace| Ok((trace.certificate_id.to_string(), json_text(trace)?)))
            .collect::<StoreResult<_>>()?;
        let erased_at = chrono::Utc::now().timestamp_millis();
        self.write(move |tx| {
            let me = account_id.to_string();
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = ?1)",
                params![me],
                |row| row.get(0),
            )?;
            if !exists {
                return Ok(false);
            }
            for (id, trace) in &traces {
                tx.execute(
                    "INSERT OR IGNORE INTO erased_certificates (id, trace, erased_at) VALUES (?1, ?2, ?3)",
                    params![id, trace, erased_at],
                )?;
            }
            tx.execute(
                "DELETE FROM refresh_tokens WHERE account_id = ?1",
                params![me],
            )?;
            tx.execute(
                "DELETE FROM certificates WHERE contributor_id = ?1",
                params![me],
            )?;
            tx.execute("DELETE FROM leases WHERE contributor_id = ?1", params![me])?;
            Ok(tx.execute("DELETE FROM accounts WHERE id = ?1", params![me])? == 1)
        })
        .await
    }

    async fn erased_certificate(&self, id: Uuid) -> StoreResult<Option<ErasedCertificate>> {
        self.read(move |conn| {
            let trace: Option<String> = conn
                .query_row(
                    "SELECT trace FROM erased_certificates WHERE id = ?1",
                    [id.to_string()],
                    |row| row.get(0),
                )
                .optional()?;
            Ok(trace.map(|text| from_json(&text)).transpose()?)
        })
        .await
    }
}
