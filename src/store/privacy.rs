//! A person's right to see and erase their data.

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::{Account, ObservationRecord, StoreResult};
use crate::domain::credits::erased::ErasedCertificate;

/// One answer as its author sees it in an export.
#[derive(Debug, Clone)]
pub struct ExportedAnswer {
    pub task_id: Uuid,
    pub batch_id: Uuid,
    pub answer: Value,
    pub credited_seconds: u64,
    pub created_at: DateTime<Utc>,
}

/// Everything stored about a person that names or is linked to them.
#[derive(Debug, Clone)]
pub struct PersonalData {
    pub account: Account,
    pub answers: Vec<ExportedAnswer>,
    /// Observations the person logged, oldest first.
    pub observations: Vec<ObservationRecord>,
    /// Issued certificates, as signed.
    pub certificates: Vec<Value>,
}

#[async_trait::async_trait]
pub trait PrivacyStore {
    async fn personal_data(&self, account_id: Uuid) -> StoreResult<Option<PersonalData>>;

    /// Deletes the account, its tokens, leases and certificates (which carry
    /// the name), keeping in the same transaction the nameless `traces` of
    /// those certificates so that they can still be checked. Answers and
    /// ledger rows stay as research data: they keep only the account's
    /// random id, which nothing links to a person any more. False when
    /// there was no such account (and nothing is written).
    async fn erase_account(
        &self,
        account_id: Uuid,
        traces: &[ErasedCertificate],
    ) -> StoreResult<bool>;

    /// The trace of a certificate whose holder erased their account.
    async fn erased_certificate(&self, id: Uuid) -> StoreResult<Option<ErasedCertificate>>;
}
