//! Password hashing on a small fixed pool of threads. Each argon2id hash
//! holds 19 MiB while it runs; on tokio's blocking pool (up to 512 threads,
//! each with its own allocator arena) a shift-start rush of logins and
//! registrations took the server past 2 GB and kept it there. Here at most
//! `threads` hashes run at once, always on the same threads, so their
//! memory is bounded and reused; the rest wait in a bounded queue, and
//! beyond that the caller is told to come back shortly.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes waiting for a thread before new ones are refused.
const QUEUE: usize = 4096;

/// Why a hash could not be computed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PoolError {
    /// The queue is full: too many sign-ins at this instant.
    #[error("too many sign-ins are being checked at once")]
    Busy,
    /// The pool's threads are gone (the process is shutting down).
    #[error("the password hashing threads stopped")]
    Stopped,
}

/// A fixed set of hashing threads fed through a bounded queue.
pub struct HashPool {
    jobs: SyncSender<Job>,
}

impl HashPool {
    pub fn start(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = sync_channel::<Job>(QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads.max(1) {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("tessera-hash-{index}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self { jobs })
    }

    /// Runs `hash` on a pool thread and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        hash: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let (done, result) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(hash());
        });
        self.jobs.try_send(job).map_err(|err| match err {
            TrySendError::Full(_) => PoolError::Busy,
            TrySendError::Disconnected(_) => PoolError::Stopped,
        })?;
        result.await.map_err(|_| PoolError::Stopped)
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // The lock is held only while taking a job, never while hashing.
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_the_pool_has_threads() {
        let pool = Arc::new(HashPool::start(2).unwrap());
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..12)
            .map(|_| {
                let (pool, running, peak) = (pool.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                        now
                    })
                    .await
                })
            })
            .collect();
        for job in jobs {
            assert!(job.await.unwrap().is_ok());
        }
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }
}
