//! Running work in a multi-document transaction, retried the way the
//! MongoDB transactions specification asks.
//!
//! The driver's own `and_run` helper retries on the same labels, but it
//! works in driver errors only; this runner keeps `StoreError`, so a refusal
//! (`StoreError::Refused`) aborts without a retry and reaches the caller
//! intact, and a duplicate key (another replica committed the same answer
//! first) is retried so the next attempt reads what was stored.

use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use mongodb::error::{TRANSIENT_TRANSACTION_ERROR, UNKNOWN_TRANSACTION_COMMIT_RESULT};
use mongodb::options::{ReadConcern, WriteConcern};
use mongodb::{Client, ClientSession};

use crate::store::{StoreError, StoreResult};

/// Attempts of the whole transaction before giving up. Generous: every
/// answer to a batch also updates the batch document (its median and answer
/// count), so concurrent submissions to one batch conflict and retry.
const MAX_ATTEMPTS: u32 = 100;

/// Attempts after a duplicate key: one more normally settles it, so a
/// conflict that persists is a real one and is returned.
const MAX_CONFLICT_RETRIES: u32 = 2;

/// Time after which no further attempt is started. The driver's helper
/// allows 120 s; an API request should fail well before its client gives up.
const MAX_TIME: Duration = Duration::from_secs(30);

/// Runs `attempt` inside a transaction and commits it. The closure may run
/// several times, so it must start from scratch each time (it gets a fresh
/// transaction on the same session).
///
/// - `TransientTransactionError` (write conflicts, elections) on any
///   operation or on commit: abort and run the whole attempt again.
/// - `UnknownTransactionCommitResult` on commit: commit again; the server
///   makes a repeated commit of the same transaction idempotent.
/// - A duplicate key inside the attempt: abort and run again, bounded.
/// - Anything else, including `Refused`: abort and return it.
pub async fn run<T, F>(client: &Client, mut attempt: F) -> StoreResult<T>
where
    F: for<'s> FnMut(&'s mut ClientSession) -> BoxFuture<'s, StoreResult<T>>,
{
    let started = Instant::now();
    let mut session = client.start_session().await?;
    let mut tries = 0u32;
    let mut conflicts = 0u32;
    'attempt: loop {
        tries += 1;
        // Snapshot reads and majority commits: what the attempt read is what
        // it decided on, and a commit survives a failover.
        session
            .start_transaction()
            .read_concern(ReadConcern::snapshot())
            .write_concern(WriteConcern::majority())
            .await?;
        let value = match attempt(&mut session).await {
            Ok(value) => value,
            Err(err) => {
                // Abort errors are ignored by the driver itself; the server
                // also aborts an idle transaction on its own.
                if let Err(abort) = session.abort_transaction().await {
                    tracing::debug!(error = %abort, "aborting a MongoDB transaction failed");
                }
                if matches!(err, StoreError::Conflict(_)) {
                    conflicts += 1;
                }
                let retry = retryable(&err) && conflicts <= MAX_CONFLICT_RETRIES;
                if retry && tries < MAX_ATTEMPTS && started.elapsed() < MAX_TIME {
                    backoff(tries).await;
                    continue 'attempt;
                }
                return Err(err);
            }
        };
        loop {
            match session.commit_transaction().await {
                Ok(()) => return Ok(value),
                Err(err) if started.elapsed() >= MAX_TIME => return Err(err.into()),
                Err(err) if err.contains_label(UNKNOWN_TRANSACTION_COMMIT_RESULT) => continue,
                Err(err)
                    if err.contains_label(TRANSIENT_TRANSACTION_ERROR) && tries < MAX_ATTEMPTS =>
                {
                    backoff(tries).await;
                    continue 'attempt;
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
}

/// Whether a failed attempt should be run again from the start.
fn retryable(err: &StoreError) -> bool {
    match err {
        // Only a unique index produces Conflict inside a transaction: a
        // concurrent writer got there first, and a fresh attempt sees it.
        StoreError::Conflict(_) => true,
        StoreError::Backend(inner) => inner
            .downcast_ref::<mongodb::error::Error>()
            .is_some_and(|driver| driver.contains_label(TRANSIENT_TRANSACTION_ERROR)),
        StoreError::Refused(_) => false,
    }
}

/// A short jittered pause so contending replicas do not collide again in step.
async fn backoff(tries: u32) {
    let ceiling_ms = (5u64 << tries.min(7)).min(500);
    let pause = rand::random_range(0..=ceiling_ms);
    tokio::time::sleep(Duration::from_millis(pause)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SubmitRefusal;

    #[test]
    fn refusals_and_plain_failures_are_not_retried() {
        assert!(!retryable(&StoreError::Refused(SubmitRefusal {
            index: 0,
            reason: crate::domain::admission::Refusal::UnknownTask,
        })));
        assert!(!retryable(&StoreError::Backend(anyhow::anyhow!(
            "disk full"
        ))));
        assert!(retryable(&StoreError::Conflict("E11000".into())));
    }
}
