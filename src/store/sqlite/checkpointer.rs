//! Copies the WAL back into the database file on a thread of its own. Left to
//! SQLite, the checkpoint runs inside whichever commit crosses the threshold,
//! and that commit (with every write of its group) waited for the copy and
//! its fsync: tens of milliseconds on a busy writer.
//!
//! Passive checkpoints never block the writer. If writes never pause, a
//! passive checkpoint can never catch up and the WAL would keep growing, so
//! past `RESTART_FRAMES` a restarting checkpoint waits for a quiet moment and
//! lets the writer start the log again from the top.

use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

use rusqlite::Connection;

/// How often the WAL is copied back.
const INTERVAL: Duration = Duration::from_millis(100);
/// WAL frames (pages) after which the log is restarted: 256 MiB of 4 KiB pages.
const RESTART_FRAMES: i64 = 65_536;

/// Running while this handle lives.
pub(super) struct Checkpointer {
    _alive: Sender<()>,
}

impl Checkpointer {
    pub(super) fn start(path: &Path) -> anyhow::Result<Self> {
        let conn = super::connect(path)?;
        let (alive, stop) = channel();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run(&conn, &stop))?;
        Ok(Self { _alive: alive })
    }
}

fn run(conn: &Connection, stop: &Receiver<()>) {
    while let Err(RecvTimeoutError::Timeout) = stop.recv_timeout(INTERVAL) {
        match checkpoint(conn, "PASSIVE") {
            Ok(frames) if frames > RESTART_FRAMES => {
                if let Err(err) = checkpoint(conn, "RESTART") {
                    tracing::warn!(error = %err, "restarting the WAL failed");
                }
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "WAL checkpoint failed"),
        }
    }
}

/// Runs one checkpoint and returns the frames in the WAL.
fn checkpoint(conn: &Connection, mode: &str) -> rusqlite::Result<i64> {
    conn.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get(1)
    })
}
