//! The embedded store: SQLite in WAL mode. One writer thread owns the
//! writing connection and commits queued writes in groups (`writer.rs`);
//! readers use their own connections on tokio's blocking pool, so reads
//! never wait behind a write and no SQLite call runs on the async threads.

mod accounts;
mod answer_rows;
mod answers;
mod checkpointer;
mod claim;
mod codec;
mod credits;
mod import;
mod media;
mod migrations;
mod organisations;
mod privacy;
mod projects;
mod quality;
mod queue;
mod sign_on;
mod status_list;
mod writer;

use std::path::Path;
use std::sync::{Arc, Mutex};

use checkpointer::Checkpointer;
use queue::Lane;
use writer::Writer;

use anyhow::Context;
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction};

use super::{
    AnswerOutcome, AnswerSubmission, Answerer, ClaimRequest, LeasedTask, SessionStore, Store,
    StoreError, StoreResult, SubmitRefusal,
};

/// The SQLite adapter.
#[derive(Clone)]
pub struct SqliteStore {
    writer: Arc<Writer>,
    _checkpointer: Arc<Checkpointer>,
    readers: Arc<Mutex<Vec<Connection>>>,
    path: Arc<Path>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating data directory {}", dir.display()))?;
        }
        let path: Arc<Path> = Arc::from(path);
        let opened_path = path.clone();
        let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<Connection> {
            let mut conn = connect(&opened_path)?;
            // The writer's cache stays valid between transactions (nobody
            // else writes), so a large one saves re-reading index and task
            // pages from the OS on every claim and answer. Readers keep the
            // default: their caches are dropped whenever the database changes.
            conn.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
            // Savepoint journals stay in memory instead of a temporary file.
            conn.pragma_update(None, "temp_store", "MEMORY")?;
            // The checkpointer thread copies the WAL back, not the commits.
            conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
            migrations::apply(&mut conn)?;
            let orphans = import::remove_orphans(&conn)?;
            if orphans > 0 {
                tracing::warn!(orphans, "removed batches an interrupted import left hidden");
            }
            Ok(conn)
        })
        .await??;
        Ok(Self {
            writer: Arc::new(Writer::start(writer)?),
            _checkpointer: Arc::new(Checkpointer::start(&path)?),
            readers: Arc::new(Mutex::new(Vec::new())),
            path,
        })
    }

    /// Runs `work` in a savepoint of the writer's current group
    /// transaction and returns once that transaction has committed; a write
    /// that returns `Err` is rolled back alone.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.writer.write(Lane::Background, work).await
    }

    /// [`Self::write`] for a write someone is waiting on: it goes ahead of
    /// the background queue.
    pub(crate) async fn write_first<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.writer.write(Lane::Waiting, work).await
    }

    /// Runs `work` on a reader connection, taken from the pool or opened.
    pub(crate) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let readers = self.readers.clone();
        let path = self.path.clone();
        run_blocking(move || {
            let pooled = readers.lock().ok().and_then(|mut pool| pool.pop());
            let conn = match pooled {
                Some(conn) => conn,
                None => connect(&path)?,
            };
            let result = work(&conn);
            if let Ok(mut pool) = readers.lock() {
                pool.push(conn);
            }
            result
        })
        .await
    }
}

async fn run_blocking<T, F>(work: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> StoreResult<T> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| StoreError::Backend(anyhow::anyhow!("store task failed: {err}")))?
}

fn connect(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening {}", path.display()))?;
    // FULL syncs the WAL on every commit, so an acknowledged answer
    // survives a power cut, not only a killed process. Group commit
    // (`writer.rs`) makes one fsync serve every answer of the group.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 5000;",
    )?;
    // Claiming a bundle and storing answers use about 25 distinct
    // statements on the writer; with rusqlite's default cache of 16 they
    // evicted each other and every one was parsed again on every call.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    Ok(conn)
}

/// Page cache of the writer connection, in KiB (SQLite's default is 2 MiB).
/// Not larger: every commit walks the cache's hash table once, so a huge
/// cache costs more per commit than the reads it saves.
const WRITER_CACHE_KIB: i64 = 16 * 1024;

/// Bytes the WAL file is cut back to once a checkpoint has emptied it.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// Prepared statements kept per connection: every statement of the hot
/// paths, with room for the rest.
const STATEMENT_CACHE_CAPACITY: usize = 128;

/// Maps SQLite errors: uniqueness violations are conflicts, the rest are
/// backend failures.
pub(crate) fn classify(err: rusqlite::Error) -> StoreError {
    match &err {
        rusqlite::Error::SqliteFailure(failure, message)
            if failure.code == ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(message.clone().unwrap_or_else(|| failure.to_string()))
        }
        _ => StoreError::Backend(err.into()),
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        classify(err)
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?))
            .await
    }

    async fn is_empty(&self) -> StoreResult<bool> {
        self.read(|conn| {
            let accounts: i64 =
                conn.query_row("SELECT COUNT(*) FROM accounts", [], |row| row.get(0))?;
            Ok(accounts == 0)
        })
        .await
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }
}

#[async_trait::async_trait]
impl SessionStore for SqliteStore {
    async fn claim(&self, request: ClaimRequest) -> StoreResult<Vec<LeasedTask>> {
        self.claim_bundle(request).await
    }

    async fn task_batches(
        &self,
        task_ids: &[uuid::Uuid],
    ) -> StoreResult<Vec<(uuid::Uuid, uuid::Uuid)>> {
        let ids: Vec<String> = task_ids.iter().map(ToString::to_string).collect();
        self.read(move |conn| {
            let mut statement = conn.prepare_cached("SELECT batch_id FROM tasks WHERE id = ?1")?;
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                let batch: Option<String> = rusqlite::OptionalExtension::optional(
                    statement.query_row([&id], |row| row.get(0)),
                )?;
                if let Some(batch) = batch {
                    found.push((codec::uuid(&id)?, codec::uuid(&batch)?));
                }
            }
            Ok(found)
        })
        .await
    }

    async fn submit_answers(
        &self,
        answerer: &Answerer,
        answers: Vec<AnswerSubmission>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<Result<Vec<AnswerOutcome>, SubmitRefusal>> {
        self.store_answers(answerer, answers, now).await
    }
}
