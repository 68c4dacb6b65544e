//! `tessera serve` as a child process, for drills that kill it. It binds
//! port 0 on 127.0.0.1 and the address is read from its start-up line.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What `tessera serve` prints once it is listening.
const LISTENING: &str = "Tessera is listening on http://";
/// How long a start (including WAL recovery) may take.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A running server process; killed if dropped.
pub struct ServerProcess {
    child: Child,
    pub base: String,
}

impl ServerProcess {
    /// Starts `binary serve` on `data_dir` and waits until it listens.
    pub async fn start(binary: &Path, data_dir: &Path) -> anyhow::Result<Self> {
        Self::start_with(binary, data_dir, &[], &[]).await
    }

    /// [`Self::start`] with extra `serve` arguments and settings, which
    /// override the drill defaults.
    pub async fn start_with(
        binary: &Path,
        data_dir: &Path,
        args: &[&str],
        settings: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let mut command = Command::new(binary);
        command.arg("serve").args(args);
        // Only the settings below apply, whatever this shell exports (a
        // MongoDB URI, a fixed port).
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("TESSERA_")) {
            command.env_remove(name);
        }
        command
            .env("TESSERA_DATA_DIR", data_dir)
            .env("TESSERA_BIND", "127.0.0.1:0")
            // Every drill client logs in from 127.0.0.1.
            .env("TESSERA_LOGIN_ATTEMPTS", "1000000")
            .env("TESSERA_LOG_JSON", "false")
            .env("RUST_LOG", "warn")
            .envs(settings.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let mut child = command
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout from the server")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(START_LIMIT, async {
            while let Some(line) = lines.next_line().await? {
                if let Some(address) = line.strip_prefix(LISTENING) {
                    return Ok(address.trim().to_owned());
                }
            }
            anyhow::bail!("the server exited before listening")
        })
        .await
        .context("the server did not start in time")??;
        // Keep reading so the server never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Self {
            child,
            base: format!("http://{address}"),
        })
    }

    /// `kill -9`: no chance to flush, close or say goodbye.
    pub async fn kill_hard(mut self) -> anyhow::Result<()> {
        self.child.start_kill().context("sending SIGKILL")?;
        self.child
            .wait()
            .await
            .context("waiting for the killed server")?;
        Ok(())
    }

    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }
}
