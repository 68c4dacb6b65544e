//! The MongoDB store, for running several API replicas against one replica
//! set (transactions need one). Claims stay atomic across replicas through
//! single-document conditional updates (`claim.rs`, `lease.rs`).
//! Multi-document transactions (`transaction.rs`) are used only where no
//! single document can carry the change: storing answers (`answers.rs`)
//! and logging an observation (`media.rs`). Batches are imported behind a
//! `ready` flag instead (`import.rs`), because an upload can be far larger
//! than one transaction should carry. Documents are in `documents.rs`,
//! indexes in `indexes.rs`.

mod accounts;
mod answers;
mod batches;
mod certificates;
mod claim;
mod codec;
mod credits;
mod documents;
mod import;
mod indexes;
mod lease;
mod media;
mod organisations;
mod privacy;
mod projects;
mod quality;
mod settle;
mod sign_on;
mod status_list;
mod transaction;

use anyhow::Context;
use chrono::{DateTime, Utc};
use mongodb::bson::{Document, doc};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database};
use uuid::Uuid;

use self::documents::{
    AccountDoc, AnswerDoc, BatchDoc, LedgerDoc, ParticipationDoc, ProjectDoc, RefreshTokenDoc,
    SessionDoc, TaskDoc, names,
};
use super::{
    AnswerOutcome, AnswerSubmission, Answerer, ClaimRequest, LeasedTask, SessionStore, Store,
    StoreError, StoreResult, SubmitRefusal,
};

/// The server's code for a write that broke a unique index.
const DUPLICATE_KEY: i32 = 11000;

/// The database used when neither the settings nor the URI name one.
const DEFAULT_DATABASE: &str = "tessera";

/// The MongoDB adapter. Cloning is cheap: the driver's client and
/// collection handles share one connection pool.
#[derive(Clone)]
pub struct MongoStore {
    client: Client,
    db: Database,
    accounts: Collection<AccountDoc>,
    refresh_tokens: Collection<RefreshTokenDoc>,
    projects: Collection<ProjectDoc>,
    batches: Collection<BatchDoc>,
    tasks: Collection<TaskDoc>,
    sessions: Collection<SessionDoc>,
    answers: Collection<AnswerDoc>,
    participation: Collection<ParticipationDoc>,
    worker_models: Collection<Document>,
    ledger: Collection<LedgerDoc>,
}

impl MongoStore {
    /// Connects, creates every index (idempotent) and sweeps imports that
    /// were interrupted long ago. The database is `database` if given, else
    /// the URI's default database, else `tessera`.
    pub async fn connect(uri: &str, database: Option<&str>) -> anyhow::Result<Self> {
        let mut options = ClientOptions::parse(uri)
            .await
            .context("parsing the MongoDB connection string")?;
        options.app_name.get_or_insert_with(|| "tessera".to_owned());
        let name = database
            .map(str::to_owned)
            .or_else(|| options.default_database.clone())
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned());
        let client = Client::with_options(options).context("creating the MongoDB client")?;
        let db = client.database(&name);
        let store = Self {
            accounts: db.collection(names::ACCOUNTS),
            refresh_tokens: db.collection(names::REFRESH_TOKENS),
            projects: db.collection(names::PROJECTS),
            batches: db.collection(names::BATCHES),
            tasks: db.collection(names::TASKS),
            sessions: db.collection(names::SESSIONS),
            answers: db.collection(names::ANSWERS),
            participation: db.collection(names::PARTICIPATION),
            worker_models: db.collection(names::WORKER_MODELS),
            ledger: db.collection(names::CREDIT_LEDGER),
            client,
            db,
        };
        indexes::ensure(&store.db)
            .await
            .with_context(|| format!("creating the indexes of MongoDB database {name}"))?;
        store
            .sweep_abandoned_imports(Utc::now())
            .await
            .context("removing interrupted batch imports")?;
        Ok(store)
    }
}

/// Maps driver errors: a broken unique index is a conflict, as in SQLite;
/// the rest are backend failures. The driver error stays inside the
/// `anyhow::Error` so the transaction runner can read its labels.
impl From<mongodb::error::Error> for StoreError {
    fn from(err: mongodb::error::Error) -> Self {
        if is_duplicate_key(&err) {
            StoreError::Conflict(err.to_string())
        } else {
            StoreError::Backend(err.into())
        }
    }
}

/// Whether the server refused a write because it broke a unique index.
pub(crate) fn is_duplicate_key(err: &mongodb::error::Error) -> bool {
    match err.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(write)) => write.code == DUPLICATE_KEY,
        ErrorKind::Command(command) => command.code == DUPLICATE_KEY,
        ErrorKind::InsertMany(insert) => insert
            .write_errors
            .iter()
            .flatten()
            .any(|write| write.code == DUPLICATE_KEY),
        _ => false,
    }
}

/// A document that did not decode; the schema and the code disagree.
fn corrupt(what: &str, err: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(anyhow::anyhow!("malformed {what} document: {err}"))
}

#[async_trait::async_trait]
impl Store for MongoStore {
    async fn ping(&self) -> StoreResult<()> {
        self.db.run_command(doc! { "ping": 1 }).await?;
        Ok(())
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        let any = self
            .accounts
            .clone_with_type::<Document>()
            .find_one(doc! {})
            .projection(doc! { "_id": 1 })
            .await?;
        Ok(any.is_none())
    }

    fn backend_name(&self) -> &'static str {
        "mongodb"
    }
}

#[async_trait::async_trait]
impl SessionStore for MongoStore {
    async fn claim(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>> {
        self.claim_bundle(request).await
    }

    async fn task_batches(&self, task_ids: &[Uuid]) -> StoreResult<Vec<(Uuid, Uuid)>> {
        self.batches_of_tasks(task_ids).await
    }

    async fn submit_answers(
        &self,
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>> {
        self.store_answers(answerer, answers, now).await
    }
}
