use futures_util::TryStreamExt;
use mongodb::bson::{Document, doc};
use uuid::Uuid;

use super::MongoStore;
use super::codec::{id, time, uuid};
use super::documents::{CertificateDoc, names};
use crate::domain::credits::erased::ErasedCertificate;
use crate::store::{
    AccountStore, ExportedAnswer, PersonalData, PrivacyStore, StoreError, StoreResult,
};

#[async_trait::async_trait]
impl PrivacyStore for MongoStore {
    async fn personal_data(&self, account_id: Uuid) -> StoreResult<Option<PersonalData>> {
        let Some(account) = self.account(account_id).await? else {
            return Ok(None);
        };
        let me = id(account_id);
        let answers: Vec<ExportedAnswer> = self
            .answers
            .find(doc! { "contributor_id": me })
            .sort(doc! { "created_at": 1 })
            .await?
            .map_ok(|answer| ExportedAnswer {
                task_id: uuid(answer.task_id),
                batch_id: uuid(answer.batch_id),
                answer: answer.answer,
                credited_seconds: answer.outcome.credited_seconds.max(0) as u64,
                created_at: time(answer.created_at),
            })
            .try_collect()
            .await?;
        let certificates: Vec<CertificateDoc> = self
            .db
            .collection::<CertificateDoc>(names::CERTIFICATES)
            .find(doc! { "contributor_id": me })
            .await?
            .try_collect()
            .await?;
        let certificates = certificates
            .into_iter()
            .filter_map(|certificate| serde_json::from_str(&certificate.signed).ok())
            .collect();
        Ok(Some(PersonalData {
            account,
            answers,
            observations: self.observations_by(account_id).await?,
            certificates,
        }))
    }

    async fn erase_account(
        &self,
        account_id: Uuid,
        traces: &[ErasedCertificate],
    ) -> StoreResult<bool> {
        let me = id(account_id);
        if self.accounts.find_one(doc! { "_id": me }).await?.is_none() {
            return Ok(false);
        }
        // The traces are written first: an erasure cut short by a crash is
        // finished by the person asking again, and never loses the evidence.
        let erased = self.db.collection::<Document>(names::ERASED_CERTIFICATES);
        for trace in traces {
            erased
                .update_one(
                    doc! { "_id": id(trace.certificate_id) },
                    doc! { "$setOnInsert": { "trace": serde_json::to_string(trace).map_err(|err| StoreError::Backend(anyhow::anyhow!("erased certificate trace: {err}")))? } },
                )
                .upsert(true)
                .await?;
        }
        self.refresh_tokens
            .delete_many(doc! { "account_id": me })
            .await?;
        self.db
            .collection::<CertificateDoc>(names::CERTIFICATES)
            .delete_many(doc! { "contributor_id": me })
            .await?;
        // Live leases sit inside task documents; drop this person's.
        self.tasks
            .update_many(
                doc! { "leases.contributor_id": me },
                doc! { "$pull": { "leases": { "contributor_id": me } } },
            )
            .await?;
        let deleted = self.accounts.delete_one(doc! { "_id": me }).await?;
        Ok(deleted.deleted_count == 1)
    }

    async fn erased_certificate(
        &self,
        certificate: Uuid,
    ) -> StoreResult<Option<ErasedCertificate>> {
        let found = self
            .db
            .collection::<Document>(names::ERASED_CERTIFICATES)
            .find_one(doc! { "_id": id(certificate) })
            .await?;
        let Some(trace) = found.as_ref().and_then(|doc| doc.get_str("trace").ok()) else {
            return Ok(None);
        };
        serde_json::from_str(trace)
            .map(Some)
            .map_err(|err| StoreError::Backend(anyhow::anyhow!("erased certificate trace: {err}")))
    }
}
