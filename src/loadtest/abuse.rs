//! `tessera drill abuse`: the attacks a server behind a hospital's ingress
//! meets, against a real server process on loopback. For each attack it
//! prints what the server answered and its peak resident memory so far;
//! throughout, a prober asks `/healthz` every 50 ms. The drill passes when
//! every attack got a 4xx or was cut off, `/healthz` always answered within
//! 100 ms, and peak RSS stayed under 256 MiB.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::rss::Process;
use super::server::ServerProcess;
use super::target::Scratch;

/// Options of `tessera drill abuse`.
#[derive(Debug, clap::Args)]
pub struct AbuseArgs {
    /// The server binary to run (default: this executable).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Idle connections held open at once.
    #[arg(long, default_value_t = 2_000)]
    idle_connections: usize,
}

/// Peak RSS the drill allows, in MiB.
const RSS_CEILING_MIB: u64 = 256;
/// Slowest `/healthz` the drill allows.
const HEALTH_CEILING: Duration = Duration::from_millis(100);
/// The header and request time limits the drill's server runs with, short
/// so the drill ends in about a minute (production defaults: 10 s and 30 s).
const HEADER_SECONDS: u64 = 3;
const REQUEST_SECONDS: u64 = 5;
const DEMO_PASSWORD: &str = "tessera-demo";

/// What one attack met.
struct Outcome {
    attack: &'static str,
    answer: String,
    passed: bool,
}

pub async fn abuse(args: AbuseArgs) -> anyhow::Result<()> {
    crate_raise_own_limit();
    let scratch = Scratch::new("abuse")?;
    let binary = match args.server {
        Some(path) => path,
        None => std::env::current_exe().context("finding this executable")?,
    };
    let header = HEADER_SECONDS.to_string();
    let request = REQUEST_SECONDS.to_string();
    let server = ServerProcess::start_with(
        &binary,
        scratch.path(),
        &["--demo"],
        &[
            ("TESSERA_LOGIN_ATTEMPTS", "10"),
            ("TESSERA_HEADER_SECONDS", &header),
            ("TESSERA_REQUEST_SECONDS", &request),
        ],
    )
    .await?;
    let pid = server.id().context("the server has no pid")?;
    let address = server.base.trim_start_matches("http://").to_owned();
    eprintln!("server {pid} at {}", server.base);
    let drill = Drill {
        address: address.clone(),
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?,
        base: server.base.clone(),
    };

    let prober = Prober::start(address.clone());
    let mut outcomes = Vec::new();
    let mut record = |outcome: Outcome| {
        let peak = Process::Pid(pid).peak_rss_kib().unwrap_or(0) / 1024;
        println!(
            "{:<44} {:<34} peak RSS {:>4} MiB",
            outcome.attack, outcome.answer, peak
        );
        outcomes.push(outcome);
    };

    record(drill.gzip_bomb_to_login().await?);
    record(drill.huge_json_to_answers().await?);
    record(drill.gzip_bombed_upload_to_anothers_project().await?);
    record(drill.idle_connections(args.idle_connections).await?);
    record(drill.slow_headers().await?);
    record(drill.never_finished_body().await?);
    record(drill.parallel_registrations(64).await?);
    record(drill.logins_from_one_address(1_000).await?);
    record(drill.photo_bombs(2).await?);

    let slowest = prober.stop().await;
    let peak_mib = Process::Pid(pid).peak_rss_kib().unwrap_or(u64::MAX) / 1024;
    println!(
        "healthz: slowest {} ms over the drill (ceiling {} ms)",
        slowest.as_millis(),
        HEALTH_CEILING.as_millis()
    );
    println!("peak RSS: {peak_mib} MiB (ceiling {RSS_CEILING_MIB} MiB)");
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|o| !o.passed)
        .map(|o| o.attack)
        .collect();
    anyhow::ensure!(failed.is_empty(), "attacks not refused: {failed:?}");
    anyhow::ensure!(
        slowest <= HEALTH_CEILING,
        "/healthz took {} ms",
        slowest.as_millis()
    );
    anyhow::ensure!(peak_mib < RSS_CEILING_MIB, "peak RSS {peak_mib} MiB");
    println!("abuse drill passed");
    Ok(())
}

/// The drill client opens thousands of sockets of its own.
fn crate_raise_own_limit() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
}

struct Drill {
    address: String,
    base: String,
    http: reqwest::Client,
}

/// A refusal or a cut-off connection passes; anything else fails.
fn judged(attack: &'static str, answer: Answer) -> Outcome {
    let passed = match &answer {
        Answer::Status(status) => (400..500).contains(status),
        Answer::CutOff(_) => true,
        Answer::Mixed { ok, .. } => *ok,
    };
    Outcome {
        attack,
        answer: answer.describe(),
        passed,
    }
}

enum Answer {
    Status(u16),
    CutOff(&'static str),
    /// Many requests: what they got, and whether that is right.
    Mixed {
        summary: String,
        ok: bool,
    },
}

impl Answer {
    fn describe(&self) -> String {
        match self {
            Answer::Status(status) => format!("{status}"),
            Answer::CutOff(how) => format!("cut off ({how})"),
            Answer::Mixed { summary, .. } => summary.clone(),
        }
    }
}

impl Drill {
    async fn connect(&self) -> anyhow::Result<TcpStream> {
        Ok(TcpStream::connect(&self.address).await?)
    }

    /// Sends `head` and then `body` (as far as the server lets it), and
    /// reads the status line of what comes back.
    async fn raw(&self, head: &str, body: &[u8]) -> anyhow::Result<Answer> {
        let mut socket = self.connect().await?;
        socket.write_all(head.as_bytes()).await?;
        // The server may answer and close before the body is all sent.
        for chunk in body.chunks(64 * 1024) {
            if socket.write_all(chunk).await.is_err() {
                break;
            }
        }
        read_status(&mut socket, Duration::from_secs(REQUEST_SECONDS * 3)).await
    }

    async fn login(&self, email: &str, password: &str) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}/v1/auth/login", self.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().is_success(),
            "login {email}: {}",
            response.status()
        );
        Ok(response.json().await?)
    }

    async fn token(&self, email: &str) -> anyhow::Result<String> {
        let tokens = self.login(email, DEMO_PASSWORD).await?;
        tokens["access_token"]
            .as_str()
            .map(str::to_owned)
            .context("no access token")
    }

    async fn gzip_bomb_to_login(&self) -> anyhow::Result<Outcome> {
        let bomb = gzip_of_zeros(1 << 30)?;
        let head = format!(
            "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
            bomb.len()
        );
        let answer = self.raw(&head, &bomb).await?;
        Ok(judged("1 MB gzip bomb (1 GiB inflated) to login", answer))
    }

    async fn huge_json_to_answers(&self) -> anyhow::Result<Outcome> {
        let size = 100 << 20;
        let mut body = b"{\"answers\": [".to_vec();
        body.resize(size, b' ');
        let head = format!(
            "POST /v1/answers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             Content-Length: {size}\r\n\r\n"
        );
        Ok(judged(
            "100 MB JSON to /v1/answers",
            self.raw(&head, &body).await?,
        ))
    }

    async fn gzip_bombed_upload_to_anothers_project(&self) -> anyhow::Result<Outcome> {
        // Staff may not upload at all; the project is the demo's own.
        let staff = self.token("staff@demo.tessera.test").await?;
        let project = self.some_project(&staff).await?;
        let bomb = gzip_of_zeros(400 << 20)?;
        let head = format!(
            "POST /v1/projects/{project}/batches HTTP/1.1\r\nHost: x\r\n\
             Authorization: Bearer {staff}\r\nContent-Encoding: gzip\r\n\
             Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {}\r\n\r\n",
            bomb.len()
        );
        let answer = self.raw(&head, &bomb).await?;
        Ok(judged("gzip-bombed upload to another's project", answer))
    }

    async fn idle_connections(&self, count: usize) -> anyhow::Result<Outcome> {
        let mut held = Vec::with_capacity(count);
        for _ in 0..count {
            match self.connect().await {
                Ok(socket) => held.push(socket),
                Err(_) => break,
            }
        }
        let opened = held.len();
        // Held past the header timeout: the server must have let them go.
        tokio::time::sleep(Duration::from_secs(HEADER_SECONDS + 2)).await;
        let mut closed = 0;
        for socket in &mut held {
            let mut byte = [0u8; 1];
            if let Ok(Ok(0) | Err(_)) =
                tokio::time::timeout(Duration::from_millis(5), socket.read(&mut byte)).await
            {
                closed += 1;
            }
        }
        let summary = format!("{closed} of {opened} closed by the server");
        Ok(judged(
            "2,000 idle connections",
            Answer::Mixed {
                ok: opened > 0 && closed == opened,
                summary,
            },
        ))
    }

    async fn slow_headers(&self) -> anyhow::Result<Outcome> {
        let started = Instant::now();
        let mut socket = self.connect().await?;
        let line = b"GET /healthz HTTP/1.1\r\nX-Slow: ";
        let mut cut = false;
        for byte in line.iter().chain(std::iter::repeat(&b'a')).take(60) {
            if socket.write_all(&[*byte]).await.is_err() {
                cut = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            if started.elapsed() > Duration::from_secs(HEADER_SECONDS * 4) {
                break;
            }
        }
        if !cut {
            cut = matches!(
                read_status(&mut socket, Duration::from_secs(HEADER_SECONDS * 2)).await?,
                Answer::CutOff(_) | Answer::Status(408)
            );
        }
        Ok(Outcome {
            attack: "headers at 4 bytes/s",
            answer: if cut {
                format!("cut off after {} s", started.elapsed().as_secs())
            } else {
                "still open".to_owned()
            },
            passed: cut,
        })
    }

    async fn never_finished_body(&self) -> anyhow::Result<Outcome> {
        let declared_huge = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n\
                             Content-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n";
        let huge = self.raw(declared_huge, b"{").await?;
        let within_limit = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n\
                            Content-Type: application/json\r\nContent-Length: 512\r\n\r\n";
        let stalled = self.raw(within_limit, b"{\"email\":").await?;
        let ok = |answer: &Answer| match answer {
            Answer::Status(status) => (400..500).contains(status),
            _ => true,
        };
        let summary = format!(
            "2 GB declared: {}; 512 B stalled: {}",
            huge.describe(),
            stalled.describe()
        );
        Ok(judged(
            "a body that never arrives",
            Answer::Mixed {
                ok: ok(&huge) && ok(&stalled),
                summary,
            },
        ))
    }

    async fn parallel_registrations(&self, count: usize) -> anyhow::Result<Outcome> {
        let registrations = (0..count).map(|i| {
            let http = self.http.clone();
            let url = format!("{}/v1/auth/register", self.base);
            async move {
                let body = json!({
                    "email": format!("rush{i}@drill.nhs.uk"), "password": DEMO_PASSWORD,
                    "display_name": "Rush", "staff_group": "other"
                });
                http.post(url)
                    .json(&body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
            }
        });
        let statuses = futures_util::future::join_all(registrations).await;
        let created = statuses.iter().filter(|s| matches!(s, Ok(201))).count();
        Ok(judged(
            "64 parallel registrations",
            Answer::Mixed {
                ok: created == count,
                summary: format!("{created} of {count} created (201)"),
            },
        ))
    }

    async fn logins_from_one_address(&self, count: usize) -> anyhow::Result<Outcome> {
        let permits = Arc::new(tokio::sync::Semaphore::new(100));
        let logins = (0..count).map(|i| {
            let (permits, http) = (permits.clone(), self.http.clone());
            let url = format!("{}/v1/auth/login", self.base);
            async move {
                let _permit = permits.acquire().await.ok()?;
                let body = json!({"email": format!("rush{}@drill.nhs.uk", i % 64),
                                  "password": DEMO_PASSWORD});
                let response = http.post(url).json(&body).send().await.ok()?;
                Some(response.status().as_u16())
            }
        });
        let statuses = futures_util::future::join_all(logins).await;
        let ok = statuses.iter().filter(|s| **s == Some(200)).count();
        Ok(judged(
            "1,000 logins from one address",
            Answer::Mixed {
                ok: ok == count,
                summary: format!("{ok} of {count} signed in (200)"),
            },
        ))
    }

    async fn photo_bombs(&self, count: usize) -> anyhow::Result<Outcome> {
        let staff = self.token("staff@demo.tessera.test").await?;
        let (project, batch) = self.observation_batch(&staff).await?;
        let png = flat_png(8_000, 8_000)?;
        let sends = (0..count).map(|_| {
            let observation = json!({
                "client_id": uuid::Uuid::new_v4(), "batch_id": batch,
                "values": {"moment": "before patient contact", "performed": true}
            });
            let (head, body) = multipart_observation(&project, &staff, &observation, &png);
            async move { self.raw(&head, &body).await }
        });
        let answers = futures_util::future::join_all(sends).await;
        let mut statuses = Vec::new();
        let mut ok = true;
        for answer in answers {
            let answer = answer?;
            ok &= matches!(answer, Answer::Status(400..=499) | Answer::CutOff(_));
            statuses.push(answer.describe());
        }
        Ok(judged(
            "two 8000x8000 photo bombs at once",
            Answer::Mixed {
                ok,
                summary: format!("{} ({} KB each)", statuses.join(", "), png.len() / 1024),
            },
        ))
    }

    async fn some_project(&self, token: &str) -> anyhow::Result<String> {
        let projects: Value = self
            .http
            .get(format!("{}/v1/projects", self.base))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        projects["projects"][0]["id"]
            .as_str()
            .map(str::to_owned)
            .context("the demo has no project")
    }

    /// The demo's observation batch, found through a claimed session.
    async fn observation_batch(&self, token: &str) -> anyhow::Result<(String, String)> {
        let session: Value = self
            .http
            .post(format!("{}/v1/sessions", self.base))
            .bearer_auth(token)
            .json(&json!({"minutes": 30}))
            .send()
            .await?
            .json()
            .await?;
        let task = session["tasks"]
            .as_array()
            .and_then(|tasks| tasks.iter().find(|task| task["kind"] == "observation"))
            .context("no observation task in the demo session")?;
        let text = |field: &str| task[field].as_str().map(str::to_owned);
        Ok((
            text("project_id").context("project id")?,
            text("batch_id").context("batch id")?,
        ))
    }
}

/// Reads the status line of a response, or says how the connection ended.
async fn read_status(socket: &mut TcpStream, wait: Duration) -> anyhow::Result<Answer> {
    let mut buffer = vec![0u8; 1024];
    match tokio::time::timeout(wait, socket.read(&mut buffer)).await {
        Err(_) => Ok(Answer::CutOff("no answer, still open")),
        Ok(Err(_)) => Ok(Answer::CutOff("reset")),
        Ok(Ok(0)) => Ok(Answer::CutOff("closed")),
        Ok(Ok(read)) => {
            let text = String::from_utf8_lossy(&buffer[..read]);
            let status = text
                .split_whitespace()
                .nth(1)
                .and_then(|code| code.parse().ok())
                .unwrap_or(0);
            Ok(Answer::Status(status))
        }
    }
}

/// `size` zero bytes, gzipped.
fn gzip_of_zeros(size: usize) -> anyhow::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..size / block.len() {
        encoder.write_all(&block)?;
    }
    Ok(encoder.finish()?)
}

/// A flat grey PNG: a few hundred kilobytes that decode to `width` x
/// `height` pixels.
fn flat_png(width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let image = image::GrayImage::from_pixel(width, height, image::Luma([128]));
    let mut bytes = Vec::new();
    image::DynamicImage::ImageLuma8(image).write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )?;
    Ok(bytes)
}

fn multipart_observation(
    project: &str,
    token: &str,
    observation: &Value,
    photo: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "tessera-drill-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"observation\"\r\n\
         Content-Type: application/json\r\n\r\n{observation}\r\n--{boundary}\r\n\
         Content-Disposition: form-data; name=\"photo\"; filename=\"bomb.png\"\r\n\
         Content-Type: image/png\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(photo);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST /v1/projects/{project}/observations HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    (head, body)
}

/// Asks `/healthz` every 50 ms on a fresh connection and keeps the slowest.
struct Prober {
    stop: Arc<AtomicBool>,
    slowest_us: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Prober {
    fn start(address: String) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let slowest_us = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn({
            let (stop, slowest_us) = (stop.clone(), slowest_us.clone());
            async move {
                while !stop.load(Ordering::SeqCst) {
                    let started = Instant::now();
                    let answered = probe(&address).await;
                    let took = if answered {
                        started.elapsed()
                    } else {
                        Duration::from_secs(3600)
                    };
                    slowest_us.fetch_max(took.as_micros() as u64, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        });
        Self {
            stop,
            slowest_us,
            task,
        }
    }

    async fn stop(self) -> Duration {
        self.stop.store(true, Ordering::SeqCst);
        let _ = self.task.await;
        Duration::from_micros(self.slowest_us.load(Ordering::SeqCst))
    }
}

async fn probe(address: &str) -> bool {
    let attempt = async {
        let mut socket = TcpStream::connect(address).await.ok()?;
        socket
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .ok()?;
        let mut buffer = [0u8; 64];
        let read = socket.read(&mut buffer).await.ok()?;
        Some(buffer[..read].starts_with(b"HTTP/1.1 200"))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Some(true))
    )
}
