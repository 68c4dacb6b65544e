//! Storage behind one trait. `Store` is the sum of one sub-trait per area, so
//! each area's records and methods sit in a small file of their own. API
//! structs hold an `Arc<dyn Store>`; configuration picks the backend.

mod accounts;
mod credits;
mod media;
pub mod mongo;
mod organisations;
mod privacy;
mod projects;
mod quality;
mod sessions;
mod sign_on;
pub mod sqlite;
mod status_list;

pub use accounts::{Account, AccountStore, Credentials, NewRefreshToken, Profile, RefreshOutcome};
pub use credits::{BatchImpact, CreditStore, StoredCertificate};
pub use media::{
    Logged, MediaRecord, MediaSize, MediaStore, NewObservation, NewPhoto, ObservationRecord,
    PhotoAttached,
};
pub use organisations::{AccountQuery, OrganisationStore};
pub use privacy::{ExportedAnswer, PersonalData, PrivacyStore};
pub use projects::{
    Batch, BatchCounts, GoldAnswer, NewTask, Project, ProjectProgress, ProjectStore, RawAnswer,
    TaskResult,
};
pub use quality::{EngagementRow, ParticipationRow, QualityStore, QueueItem};
pub use sessions::{
    AnswerOutcome, AnswerStatus, AnswerSubmission, Answerer, ClaimRequest, GoldFeedback,
    LeasedTask, Member, SessionStore, SubmitRefusal,
};
pub use sign_on::{PendingSignOn, SignOnStore};
pub use status_list::StatusListStore;

use std::sync::Arc;

use crate::config::Settings;

/// What can go wrong in a store, as far as callers need to tell apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. an email that is already registered).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The request was refused as a whole and nothing was written.
    #[error("refused: {0:?}")]
    Refused(SubmitRefusal),
    /// The backend failed; the caller logs it once and answers 500.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Every operation the service needs from storage, whichever backend holds it.
#[async_trait::async_trait]
pub trait Store:
    AccountStore
    + PrivacyStore
    + ProjectStore
    + QualityStore
    + SessionStore
    + MediaStore
    + CreditStore
    + OrganisationStore
    + StatusListStore
    + SignOnStore
    + Send
    + Sync
    + 'static
{
    /// Succeeds when the backend answers; `/readyz` calls it.
    async fn ping(&self) -> StoreResult<()>;

    /// True when no account exists yet; the demo seed only runs then.
    async fn is_empty(&self) -> StoreResult<bool>;

    /// Which backend this is, for logs and metrics.
    fn backend_name(&self) -> &'static str;
}

/// Opens the store the settings ask for: MongoDB when a URI is set, else the
/// embedded SQLite database in the data directory.
pub async fn open(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(uri) = &settings.mongodb_uri {
        let store = mongo::MongoStore::connect(uri, settings.mongodb_database.as_deref()).await?;
        return Ok(Arc::new(store));
    }
    let store = sqlite::SqliteStore::open(&settings.data_dir.join("tessera.db")).await?;
    Ok(Arc::new(store))
}
