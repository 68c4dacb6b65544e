//! The phone's side of the loop, over real HTTP. Only loopback addresses
//! are accepted: these tools load a server on this machine and nothing else.

use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize, de::IgnoredAny};
use serde_json::{Value, json};
use uuid::Uuid;

/// Why a request did not succeed: an HTTP status, or no response at all.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    Status(u16),
    Transport(&'static str),
}

impl Failure {
    /// A short label for error counts, e.g. `409` or `timeout`.
    pub fn label(&self) -> String {
        match self {
            Failure::Status(status) => status.to_string(),
            Failure::Transport(kind) => (*kind).to_owned(),
        }
    }
}

impl From<reqwest::Error> for Failure {
    fn from(err: reqwest::Error) -> Self {
        if let Some(status) = err.status() {
            Failure::Status(status.as_u16())
        } else if err.is_timeout() {
            Failure::Transport("timeout")
        } else if err.is_connect() {
            Failure::Transport("connect")
        } else if err.is_decode() {
            Failure::Transport("bad body")
        } else {
            Failure::Transport("transport")
        }
    }
}

/// One answer as the phone sends it.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub client_id: Uuid,
    pub task_id: Uuid,
    pub answer: Value,
    pub seconds_spent: f64,
}

impl Answer {
    pub fn screening(task_id: Uuid, decision: &str) -> Self {
        Self {
            client_id: Uuid::new_v4(),
            task_id,
            answer: json!({ "decision": decision }),
            seconds_spent: 20.0,
        }
    }
}

#[derive(Deserialize)]
struct Bundle {
    tasks: Vec<BundleTask>,
}

/// Only the id is read; the content is skipped without being built.
#[derive(Deserialize)]
struct BundleTask {
    task_id: Uuid,
    #[serde(flatten)]
    _rest: IgnoredAny,
}

#[derive(Deserialize)]
struct Results {
    results: Vec<Value>,
}

#[derive(Deserialize)]
struct Tokens {
    access_token: String,
}

/// A client for one server.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    base: String,
}

impl Api {
    /// `base` must be an `http://` URL on a loopback address.
    pub fn new(base: &str, connections: usize) -> anyhow::Result<Self> {
        ensure_loopback(base)?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()?;
        Ok(Self {
            client,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in and returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> Result<String, Failure> {
        let body = json!({ "email": email, "password": password });
        let response = self
            .client
            .post(self.url("/v1/auth/login"))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json::<Tokens>().await?.access_token)
    }

    /// Claims a session of `minutes`; returns the leased task ids.
    pub async fn claim(&self, token: &str, minutes: u32) -> Result<Vec<Uuid>, Failure> {
        let response = self
            .client
            .post(self.url("/v1/sessions"))
            .bearer_auth(token)
            .json(&json!({ "minutes": minutes }))
            .send()
            .await?
            .error_for_status()?;
        let bytes = response.bytes().await?;
        let bundle: Bundle =
            serde_json::from_slice(&bytes).map_err(|_| Failure::Transport("bad body"))?;
        Ok(bundle.tasks.into_iter().map(|task| task.task_id).collect())
    }

    /// Sends answers in one request; returns the per-answer results.
    pub async fn submit(&self, token: &str, answers: &[Answer]) -> Result<Vec<Value>, Failure> {
        let response = self
            .client
            .post(self.url("/v1/answers"))
            .bearer_auth(token)
            .json(&json!({ "answers": answers }))
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json::<Results>().await?.results)
    }

    /// GETs a path and returns the status alone (for the `/healthz` ceiling).
    pub async fn get_status(&self, path: &str) -> Result<u16, Failure> {
        let response = self.client.get(self.url(path)).send().await?;
        let status = response.status().as_u16();
        // Read the body so the connection goes back to the pool.
        response.bytes().await?;
        Ok(status)
    }

    /// GETs a JSON document with a token.
    pub async fn get_json(&self, path: &str, token: &str) -> Result<Value, Failure> {
        let response = self
            .client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?;
        Ok(response.json().await?)
    }
}

/// Refuses any target but this machine's loopback interface.
pub fn ensure_loopback(base: &str) -> anyhow::Result<()> {
    let url = reqwest::Url::parse(base)?;
    anyhow::ensure!(url.scheme() == "http", "only http:// targets are supported");
    // IPv6 hosts come back in brackets, e.g. `[::1]`.
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    anyhow::ensure!(
        loopback,
        "{base} is not a loopback address; load is only ever sent to this machine"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        assert!(ensure_loopback("http://127.0.0.1:8080").is_ok());
        assert!(ensure_loopback("http://localhost:1/").is_ok());
        assert!(ensure_loopback("http://[::1]:9000").is_ok());
        assert!(ensure_loopback("http://10.0.0.5:8080").is_err());
        assert!(ensure_loopback("http://example.org").is_err());
        assert!(ensure_loopback("https://127.0.0.1").is_err());
    }
}
