//! What the load goes to: the real application started in this process on
//! 127.0.0.1 port 0 with a fresh data directory, or a server already running
//! on this machine.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tessera::config::Settings;
use tessera::startup::Application;
use tessera::store::{self, Store};

use super::client::ensure_loopback;
use super::rss::Process;

/// A directory under the system temp dir, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(label: &str) -> anyhow::Result<Self> {
        let path = std::env::temp_dir().join(format!("tessera-{label}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server to load and a store to seed it through.
pub struct Target {
    pub base: String,
    pub store: Arc<dyn Store>,
    /// Whose peak memory to report, when known.
    pub process: Option<Process>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    // Declared last: dropped after the store's connections are closed.
    _scratch: Option<Scratch>,
}

impl Target {
    /// Starts the application in this process with a throwaway data directory.
    pub async fn in_process() -> anyhow::Result<Self> {
        let scratch = Scratch::new("loadtest")?;
        let mut settings = Settings::for_tests(scratch.path().to_path_buf());
        // Every simulated person logs in from 127.0.0.1; the per-address
        // login limit would otherwise stop the thousandth of them.
        settings.login_attempts = u32::MAX;
        let app = Application::build(settings).await?;
        let base = format!("http://{}", app.address());
        let store = app.store();
        let server = tokio::spawn(app.run_until_stopped());
        Ok(Self {
            base,
            store,
            process: Some(Process::This),
            server: Some(server),
            _scratch: Some(scratch),
        })
    }

    /// A server already running at `url`, seeded through its data directory
    /// (SQLite lets a second process write to the same WAL database).
    pub async fn running(url: &str, data_dir: &Path, pid: Option<u32>) -> anyhow::Result<Self> {
        ensure_loopback(url)?;
        let mut settings = Settings::from_env()?;
        settings.data_dir = data_dir.to_path_buf();
        let store = store::open(&settings).await?;
        Ok(Self {
            base: url.trim_end_matches('/').to_owned(),
            store,
            process: pid.map(Process::Pid),
            server: None,
            _scratch: None,
        })
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}
