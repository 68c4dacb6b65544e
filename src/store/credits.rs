//! Reading the credit ledger for the contributor it belongs to, what their
//! work fed into, and issued certificates. The ledger itself is written with
//! each answer (`SessionStore::submit_answers`) and never changed.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::StoreResult;
use crate::domain::credits::{CreditDay, DateRange, QualityCounts};
use crate::domain::kinds::TaskKind;

/// One batch a contributor answered in, and where it stands now.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchImpact {
    pub project_id: Uuid,
    pub project_title: String,
    /// The researcher's published note on what the project found or changed.
    pub outcome_note: Option<String>,
    pub batch_id: Uuid,
    pub batch_name: String,
    pub kind: TaskKind,
    /// Regular (non-gold) tasks in the batch.
    pub tasks: u64,
    /// Of those, settled by consensus or resolved by the researcher.
    pub finished: u64,
    /// Answers the contributor gave in the batch, gold included.
    pub answers: u64,
    /// Finished tasks whose result the contributor's counted answer fed into.
    pub finished_with_contributor: u64,
}

/// An issued certificate as stored. `signed` is written once and never
/// changed; only the revocation fields are ever filled in, once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    pub id: Uuid,
    pub contributor_id: Uuid,
    /// The signed certificate as compact JSON (`domain::credits::record_text`).
    pub signed: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
}

#[async_trait::async_trait]
pub trait CreditStore {
    /// The contributor's ledger within `range`, summed per project, task
    /// kind and UTC day, in no particular order.
    async fn credit_days(&self, contributor: Uuid, range: DateRange)
    -> StoreResult<Vec<CreditDay>>;

    /// Every UTC day on which the contributor was credited, in no particular order.
    async fn active_days(&self, contributor: Uuid) -> StoreResult<Vec<NaiveDate>>;

    /// Agreement with consensus (counted answers on settled tasks) and gold
    /// accuracy, over answers given within `range`.
    async fn credit_quality(
        &self,
        contributor: Uuid,
        range: DateRange,
    ) -> StoreResult<QualityCounts>;

    /// Every batch the contributor answered in, with its progress.
    async fn impact(&self, contributor: Uuid) -> StoreResult<Vec<BatchImpact>>;

    /// Stores a newly issued certificate; `Conflict` if the id exists.
    async fn insert_certificate(&self, certificate: &StoredCertificate) -> StoreResult<()>;

    async fn certificate(&self, id: Uuid) -> StoreResult<Option<StoredCertificate>>;

    /// Every certificate issued to the contributor, revoked ones included.
    async fn certificates_of(&self, contributor: Uuid) -> StoreResult<Vec<StoredCertificate>>;

    /// Records a revocation unless the certificate was already revoked (the
    /// first revocation stands). Returns the certificate as it now is, or
    /// `None` when there is no such certificate.
    async fn revoke_certificate(
        &self,
        id: Uuid,
        at: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Option<StoredCertificate>>;
}
