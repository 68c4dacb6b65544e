//! The documents Tessera keeps in MongoDB, one struct per collection.
//!
//! Every document carries `schema_version` so a later release can migrate
//! documents lazily or in bulk. Identifiers are BSON UUIDs (binary subtype 4)
//! and times BSON dates; `codec.rs` converts them at the edge.

use mongodb::bson;
use mongodb::bson::oid::ObjectId;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::domain::account::StaffGroup;
use crate::domain::consensus::TaskState;
use crate::domain::kinds::{KindSettings, Vote};
use crate::domain::policy::BatchPolicy;
use crate::domain::practice::UnconfirmedAccounts;
use crate::domain::project::{Audience, WorkStatus};
use crate::store::{AnswerStatus, GoldFeedback};

/// The version of every document layout below; bump it with a migration.
pub const SCHEMA_VERSION: i32 = 1;

/// Collection names, in one place.
pub mod names {
    pub const ACCOUNTS: &str = "accounts";
    pub const REFRESH_TOKENS: &str = "refresh_tokens";
    pub const PROJECTS: &str = "projects";
    pub const BATCHES: &str = "batches";
    pub const TASKS: &str = "tasks";
    pub const SESSIONS: &str = "sessions";
    pub const ANSWERS: &str = "answers";
    pub const PARTICIPATION: &str = "participation";
    pub const WORKER_MODELS: &str = "worker_models";
    pub const CREDIT_LEDGER: &str = "credit_ledger";
    pub const CERTIFICATES: &str = "certificates";
    pub const ERASED_CERTIFICATES: &str = "erased_certificates";
    pub const ORGANISATIONS: &str = "organisations";
    pub const CERTIFICATE_STATUS: &str = "certificate_status";
    pub const COUNTERS: &str = "counters";
    pub const PENDING_SIGN_ONS: &str = "pending_sign_ons";
}

/// An account, keyed by its id; `email` is unique.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub staff_group: StaffGroup,
    pub organisation: Option<String>,
    /// The organisation record the email domain matched.
    #[serde(default)]
    pub organisation_id: Option<bson::Uuid>,
    #[serde(default)]
    pub email_confirmed: bool,
    /// The one confirmation link that may still be used.
    #[serde(default)]
    pub confirmation_nonce: Option<String>,
    /// The organisation whose single sign-on this account is linked to,
    /// and the provider's subject for the person.
    #[serde(default)]
    pub sign_on_organisation_id: Option<bson::Uuid>,
    #[serde(default)]
    pub sign_on_subject: Option<String>,
    pub registration_number: Option<String>,
    /// Role names; unknown names are skipped when read, as in SQLite.
    pub roles: Vec<String>,
    pub created_at: bson::DateTime,
}

/// An organisation; its email domains prove membership.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrganisationDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub name: String,
    pub ods_code: Option<String>,
    pub email_domains: Vec<String>,
    #[serde(default)]
    pub sign_on: Option<SignOnDoc>,
    /// `practice_only` for organisations stored before the policy existed.
    #[serde(default)]
    pub unconfirmed_accounts: UnconfirmedAccounts,
}

/// An organisation's OpenID Connect client.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignOnDoc {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// A sign-in on its way through a provider, keyed by its state's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingSignOnDoc {
    #[serde(rename = "_id")]
    pub state_hash: String,
    pub organisation_id: bson::Uuid,
    pub nonce: String,
    pub pkce_verifier: String,
    pub expires_at: bson::DateTime,
}

/// A refresh token, by hash; `_id` is left to the driver.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshTokenDoc {
    pub schema_version: i32,
    pub token_hash: String,
    pub family_id: bson::Uuid,
    pub account_id: bson::Uuid,
    pub expires_at: bson::DateTime,
    pub used: bool,
    pub revoked: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub owner_id: bson::Uuid,
    pub title: String,
    pub summary: String,
    pub purpose: String,
    pub audience: Audience,
    pub status: WorkStatus,
    pub outcome_note: Option<String>,
    pub created_at: bson::DateTime,
}

/// A batch. `ready` stays false while its tasks are being imported, and
/// every reader that lists batches skips unready ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub project_id: bson::Uuid,
    pub name: String,
    pub settings: KindSettings,
    pub instructions: String,
    pub policy: BatchPolicy,
    pub status: WorkStatus,
    pub answer_schema: Value,
    /// Absent in batches stored before it was kept.
    #[serde(default)]
    pub duplicates_dropped: i64,
    pub median_seconds: f64,
    pub answer_count: i64,
    pub ready: bool,
    pub import_started_at: bson::DateTime,
    pub created_at: bson::DateTime,
}

/// The known answer of a gold task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GoldDoc {
    pub answer: Value,
    pub votes: Vec<Vote>,
    pub explanation: String,
}

/// One contributor's lease on a task. It stays on the task after it expires
/// (only live ones take a place) until that contributor answers or leases
/// the task again, because a late answer is still credited from it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeaseDoc {
    pub contributor_id: bson::Uuid,
    pub session_id: bson::Uuid,
    pub leased_at: bson::DateTime,
    pub expires_at: bson::DateTime,
}

/// A task with everything the claim needs to decide atomically: its leases,
/// who answered it, and `places`, the open places for its counted answers
/// (`BatchPolicy::open_places`), rewritten whenever `counted_count` changes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub batch_id: bson::Uuid,
    /// Upload order within the batch; claims and exports walk it.
    pub seq: i64,
    /// When the task was stored; with `seq`, the order across batches.
    pub created_at: bson::DateTime,
    /// Who logged an observation's verification task: claims never hand it
    /// back to them.
    pub created_by: Option<bson::Uuid>,
    pub external_id: Option<String>,
    pub content: Value,
    pub is_gold: bool,
    pub gold: Option<GoldDoc>,
    pub state: TaskState,
    pub answer_count: i64,
    pub counted_count: i64,
    pub places: i64,
    /// A hint only: the task was full until then, so claims skip it through
    /// the index. The capacity check itself never trusts it.
    pub busy_until: bson::DateTime,
    pub consensus: Option<Value>,
    pub confidence: f64,
    #[serde(default)]
    pub leases: Vec<LeaseDoc>,
    /// Contributors who answered the task, so a claim can exclude them in
    /// the same atomic update that takes a place.
    #[serde(default)]
    pub answered_by: Vec<bson::Uuid>,
}

/// A claimed session: its wall clock bounds the credit its answers earn.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub contributor_id: bson::Uuid,
    pub started_at: bson::DateTime,
    pub budget_seconds: i64,
    pub credited_seconds: i64,
}

/// What an answer led to, stored with it so a retry gets it back unchanged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutcomeDoc {
    pub client_id: bson::Uuid,
    pub task_id: bson::Uuid,
    pub status: AnswerStatus,
    pub credited_seconds: i64,
    pub counts_towards_consensus: bool,
    pub feedback: Option<GoldFeedback>,
    #[serde(default)]
    pub practice: bool,
}

/// One answer; unique on `client_id` and on `(task_id, contributor_id)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnswerDoc {
    #[serde(rename = "_id")]
    pub id: ObjectId,
    pub schema_version: i32,
    pub client_id: bson::Uuid,
    pub task_id: bson::Uuid,
    pub batch_id: bson::Uuid,
    pub contributor_id: bson::Uuid,
    pub answer: Value,
    pub votes: Vec<Vote>,
    pub counted: bool,
    pub outcome: OutcomeDoc,
    pub created_at: bson::DateTime,
    /// Given for practice (`domain::practice`): it trains no model.
    #[serde(default)]
    pub practice: bool,
}

/// A contributor's record on one batch; unique on `(batch_id, contributor_id)`.
/// Written by upsert only, so `schema_version` is set on insert.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ParticipationDoc {
    #[serde(default)]
    pub schema_version: i32,
    pub batch_id: bson::Uuid,
    pub contributor_id: bson::Uuid,
    #[serde(default)]
    pub answers: i64,
    #[serde(default)]
    pub gold_total: i64,
    #[serde(default)]
    pub gold_correct: i64,
}

/// One append-only credit entry per answer or logged observation; unique
/// on `answer_id`. Nothing in Tessera updates or deletes these documents.
/// `kind` is the batch kind for answers and `observation_logging` for
/// logging (`domain::credits::CreditKind`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LedgerDoc {
    pub schema_version: i32,
    /// The answer credited; for logging, a fresh id matching no answer.
    pub answer_id: ObjectId,
    /// For logging: the observation's `client_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observation_id: Option<bson::Uuid>,
    pub contributor_id: bson::Uuid,
    pub project_id: bson::Uuid,
    pub batch_id: bson::Uuid,
    pub kind: String,
    pub seconds: i64,
    pub late: bool,
    pub extra: bool,
    pub marked: bool,
    pub created_at: bson::DateTime,
}

/// A contributor's model on a batch, written by re-estimation; unique on
/// `(batch_id, contributor_id)`. `model` is kept as raw BSON: the answer
/// path treats a model that does not decode as none, as SQLite does.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerModelDoc {
    #[serde(default)]
    pub schema_version: i32,
    pub contributor_id: bson::Uuid,
    #[serde(default)]
    pub model: bson::Bson,
}

/// An issued certificate, keyed by its id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificateDoc {
    #[serde(rename = "_id")]
    pub id: bson::Uuid,
    pub schema_version: i32,
    pub contributor_id: bson::Uuid,
    pub signed: String,
    pub created_at: bson::DateTime,
    pub revoked_at: Option<bson::DateTime>,
    pub revoke_reason: Option<String>,
}
