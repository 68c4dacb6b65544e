//! The writer thread: it owns the only writing connection and commits queued
//! writes in groups. Under load most of a commit's cost (WAL frames for the
//! pages touched, the commit record, locking) is shared by every write in
//! the group, so a busy queue gets cheaper per write instead of slower.
//!
//! Each write runs inside its own savepoint: one that fails is rolled back
//! alone and the rest of its group still commits. Nobody hears back before
//! the group's commit, so an acknowledged write is always a committed one.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use super::classify;
use super::queue::{Lane, Queue};
use crate::store::{StoreError, StoreResult};

type Value = Box<dyn Any + Send>;
type Work = Box<dyn FnOnce(&Transaction<'_>) -> StoreResult<Value> + Send>;

/// One queued write and where its result goes.
struct Job {
    work: Work,
    reply: oneshot::Sender<StoreResult<Value>>,
}

/// A group stops taking queued writes after this long, so the first write
/// in it does not wait behind an unbounded number of later ones.
const GROUP_BUDGET: Duration = Duration::from_millis(10);

/// The handle every clone of the store shares; the thread finishes the
/// queued writes and stops when the last one is dropped.
pub(super) struct Writer {
    queue: Arc<Queue<Job>>,
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.queue.close();
    }
}

impl Writer {
    pub(super) fn start(conn: Connection) -> anyhow::Result<Self> {
        let queue = Arc::new(Queue::new());
        let jobs = queue.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run(conn, &jobs))?;
        Ok(Self { queue })
    }

    /// Queues `work` in `lane` and waits until the group it ran in has
    /// committed.
    pub(super) async fn write<T, F>(&self, lane: Lane, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        let (reply, result) = oneshot::channel();
        let work: Work = Box::new(move |tx| work(tx).map(|value| Box::new(value) as Value));
        self.queue
            .push(lane, Job { work, reply })
            .map_err(|_| stopped())?;
        let value = result.await.map_err(|_| stopped())??;
        value
            .downcast::<T>()
            .map(|value| *value)
            .map_err(|_| StoreError::Backend(anyhow::anyhow!("writer returned another type")))
    }
}

fn stopped() -> StoreError {
    StoreError::Backend(anyhow::anyhow!("the writer thread has stopped"))
}

fn run(mut conn: Connection, queue: &Queue<Job>) {
    while let Some((lane, first)) = queue.wait() {
        commit_group(&mut conn, lane, first, queue);
    }
}

/// Runs `first` and whatever is queued behind it, within the time budget,
/// in one transaction. Every group runs at least one background write if
/// one is queued, however many claims are waiting.
fn commit_group(conn: &mut Connection, lane: Lane, first: Job, queue: &Queue<Job>) {
    let tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(err) => {
            let _ = first.reply.send(Err(classify(err)));
            return;
        }
    };
    let started = Instant::now();
    let mut done: Vec<(oneshot::Sender<StoreResult<Value>>, StoreResult<Value>)> = Vec::new();
    let mut background_ran = lane == Lane::Background;
    let mut job = Some(first);
    while let Some(Job { work, reply }) = job.take() {
        match in_savepoint(&tx, work) {
            Step::Finished(result) => done.push((reply, result)),
            Step::Aborted(err) => {
                // SQLite rolled the whole transaction back: the writes
                // before this one are gone too, and say so.
                let _ = reply.send(Err(err));
                for (reply, result) in done {
                    let _ = reply.send(result.and(Err(aborted())));
                }
                return;
            }
        }
        if started.elapsed() < GROUP_BUDGET {
            job = queue.try_next().map(|(lane, job)| {
                background_ran |= lane == Lane::Background;
                job
            });
        } else if !background_ran {
            job = queue.try_next_background();
            background_ran = true;
        }
    }
    let committed = tx.commit().map_err(|err| err.to_string());
    for (reply, result) in done {
        let result = match &committed {
            Ok(()) => result,
            Err(message) => result.and(Err(StoreError::Backend(anyhow::anyhow!(
                "commit failed: {message}"
            )))),
        };
        let _ = reply.send(result);
    }
}

fn aborted() -> StoreError {
    StoreError::Backend(anyhow::anyhow!(
        "the transaction was aborted by another write; nothing was stored"
    ))
}

enum Step {
    /// The write ran; on `Err` its own changes were rolled back.
    Finished(StoreResult<Value>),
    /// The transaction itself is gone.
    Aborted(StoreError),
}

fn in_savepoint(tx: &Transaction<'_>, work: Work) -> Step {
    if let Err(err) = run_statement(tx, "SAVEPOINT write") {
        return Step::Aborted(classify(err));
    }
    let result = catch_unwind(AssertUnwindSafe(|| work(tx))).unwrap_or_else(|_| {
        Err(StoreError::Backend(anyhow::anyhow!(
            "a store write panicked; it was rolled back"
        )))
    });
    if tx.is_autocommit() {
        return Step::Aborted(result.err().unwrap_or_else(aborted));
    }
    let rollback = match &result {
        Ok(_) => Ok(()),
        Err(_) => run_statement(tx, "ROLLBACK TO write"),
    };
    match rollback.and_then(|()| run_statement(tx, "RELEASE write")) {
        Ok(()) => Step::Finished(result),
        Err(err) => Step::Aborted(classify(err)),
    }
}

/// Runs a statement from the writer's statement cache.
fn run_statement(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn writer() -> Writer {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY)")
            .unwrap();
        Writer::start(conn).unwrap()
    }

    fn insert(n: i64) -> impl FnOnce(&Transaction<'_>) -> StoreResult<()> + Send + 'static {
        move |tx| {
            tx.execute("INSERT INTO t (n) VALUES (?1)", [n])?;
            Ok(())
        }
    }

    async fn stored(writer: &Writer) -> Vec<i64> {
        writer
            .write(Lane::Background, |tx| {
                let mut statement = tx.prepare("SELECT n FROM t ORDER BY n")?;
                let rows = statement.query_map([], |row| row.get(0))?;
                Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
            })
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_failing_or_panicking_write_is_rolled_back_alone() {
        let writer = writer();
        // The first write holds the thread, so the rest queue up behind it
        // and share its group transaction.
        let slow = writer.write(Lane::Background, |tx| {
            insert(1)(tx)?;
            std::thread::sleep(Duration::from_millis(50));
            Ok(())
        });
        let failing = writer.write(Lane::Background, |tx| {
            insert(2)(tx)?;
            Err::<(), _>(StoreError::Conflict("refused".into()))
        });
        let panicking = writer.write(Lane::Background, |tx| {
            insert(3)(tx)?;
            panic!("a bug in a write");
        });
        let fine = writer.write(Lane::Waiting, insert(4));
        let (slow, failing, panicking, fine): (StoreResult<()>, _, StoreResult<()>, _) =
            tokio::join!(slow, failing, panicking, fine);
        assert!(slow.is_ok() && fine.is_ok());
        assert!(matches!(failing, Err(StoreError::Conflict(_))));
        assert!(matches!(panicking, Err(StoreError::Backend(_))));
        assert_eq!(stored(&writer).await, [1, 4]);
    }

    #[tokio::test]
    async fn a_broken_constraint_in_one_write_keeps_the_others() {
        let writer = writer();
        writer.write(Lane::Background, insert(7)).await.unwrap();
        let results = tokio::join!(
            writer.write(Lane::Background, insert(8)),
            writer.write(Lane::Background, insert(7)),
            writer.write(Lane::Background, insert(9)),
        );
        assert!(results.0.is_ok() && results.2.is_ok());
        assert!(matches!(results.1, Err(StoreError::Conflict(_))));
        assert_eq!(stored(&writer).await, [7, 8, 9]);
    }

    #[tokio::test]
    async fn results_of_the_right_type_come_back_to_each_caller() {
        let writer = writer();
        let (text, number) = tokio::join!(
            writer.write(Lane::Background, |_| Ok(String::from("text"))),
            writer.write(Lane::Waiting, |_| Ok(42u64)),
        );
        assert_eq!(text.unwrap(), "text");
        assert_eq!(number.unwrap(), 42);
    }
}
