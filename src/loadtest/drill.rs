//! `tessera drill durability`: answers are sent by concurrent clients, the
//! server is killed with SIGKILL mid-load and restarted on the same data
//! directory, and every answer that was acknowledged with 2xx must be there
//! exactly once. Resending an acknowledged answer must return its original
//! outcome and store nothing new.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::Value;
use tessera::config::Settings;
use tessera::domain::policy::BatchPolicy;
use tessera::store;
use uuid::Uuid;

use super::client::{Answer, Api};
use super::seed::{self, BatchPlan, People};
use super::server::ServerProcess;
use super::staff::{MAX_ANSWERS_PER_REQUEST, decide};
use super::target::Scratch;

/// The drills.
#[derive(Debug, clap::Subcommand)]
pub enum Drill {
    /// Kill -9 the server under load, restart it, and check that every
    /// acknowledged answer is stored exactly once.
    Durability(DurabilityArgs),
    /// Attack a real server (bombs, floods, slow clients) and check that
    /// each is refused or cut off within the memory and health ceilings.
    Abuse(super::abuse::AbuseArgs),
}

/// Options of `tessera drill durability`.
#[derive(Debug, clap::Args)]
pub struct DurabilityArgs {
    /// Clients sending answers at once.
    #[arg(long, default_value_t = 40)]
    clients: usize,
    /// Tasks in the batch.
    #[arg(long, default_value_t = 5_000)]
    tasks: u64,
    /// Milliseconds of load before the kill.
    #[arg(long, default_value_t = 3_000)]
    kill_after_ms: u64,
    /// The server binary to run (default: this executable).
    #[arg(long)]
    server: Option<PathBuf>,
}

/// An answer the server acknowledged, with what it said about it.
struct Acked {
    client: usize,
    answer: Answer,
    outcome: Value,
}

/// Every bound of a drill, so it always ends by itself.
const MAX_ROUNDS_PER_CLIENT: usize = 100_000;
const CLIENT_LIMIT: Duration = Duration::from_secs(60);
const MAX_WAIT_FOR_FIRST_ACK: Duration = Duration::from_secs(10);

/// Runs the chosen drill; an error means it failed.
pub async fn run(drill: Drill) -> anyhow::Result<()> {
    match drill {
        Drill::Durability(args) => durability(args).await,
        Drill::Abuse(args) => super::abuse::abuse(args).await,
    }
}

/// Seeds, loads, kills, restarts and checks; prints the one-line verdict.
async fn durability(args: DurabilityArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        (1..=1000).contains(&args.clients),
        "--clients must be 1 to 1000"
    );
    anyhow::ensure!(
        args.kill_after_ms <= 30_000,
        "--kill-after-ms must be at most 30000"
    );
    let scratch = Scratch::new("drill")?;
    let people = People::new("drill", args.clients);
    let batch = seed_store(&scratch, &people, args.tasks).await?;
    let binary = match args.server {
        Some(path) => path,
        None => std::env::current_exe().context("finding this executable")?,
    };

    let server = ServerProcess::start(&binary, scratch.path()).await?;
    eprintln!("server {:?} at {}", server.id(), server.base);
    let api = Api::new(&server.base, args.clients)?;
    let tokens = super::login_all(&api, &people.staff).await?;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(client, token)| {
            let (api, token, acked, stop) =
                (api.clone(), token.clone(), acked.clone(), stop.clone());
            tokio::spawn(
                async move { send_until_stopped(client, &api, &token, &acked, &stop).await },
            )
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(args.kill_after_ms)).await;
    let waiting = Instant::now();
    while lock(&acked).is_empty() && waiting.elapsed() < MAX_WAIT_FOR_FIRST_ACK {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill_hard().await?;
    stop.store(true, Ordering::SeqCst);
    for client in clients {
        client.await?;
    }
    let acked = std::mem::take(&mut *lock(&acked));
    anyhow::ensure!(
        !acked.is_empty(),
        "no answer was acknowledged before the kill"
    );
    eprintln!(
        "killed the server with SIGKILL after {} acknowledged answers; restarting",
        acked.len()
    );

    let server = ServerProcess::start(&binary, scratch.path()).await?;
    let api = Api::new(&server.base, args.clients)?;
    let researcher = api
        .login(&people.researcher, seed::PASSWORD)
        .await
        .map_err(|f| anyhow::anyhow!("researcher login: {}", f.label()))?;
    let before = stored_answers(&api, &researcher, batch).await?;
    let export = Export::fetch(&api, &researcher, batch).await?;
    let changed = resend(&api, &tokens, &acked).await?;
    let after = stored_answers(&api, &researcher, batch).await?;

    // Two views of loss: tasks holding fewer answers than were acknowledged
    // on them, and answers the resend had to store anew.
    let lost = export.missing(&acked).max(after.saturating_sub(before));
    let duplicated = export.duplicates + export.total.saturating_sub(before);
    println!(
        "acknowledged {}, lost {lost}, duplicated {duplicated}",
        acked.len()
    );
    if changed > 0 {
        println!("{changed} resent answers came back with a different outcome");
    }
    anyhow::ensure!(
        lost == 0 && duplicated == 0 && changed == 0,
        "the durability drill failed"
    );
    Ok(())
}

/// Seeds the data directory before any server runs, then closes the store.
async fn seed_store(scratch: &Scratch, people: &People, tasks: u64) -> anyhow::Result<Uuid> {
    let settings = Settings::for_tests(scratch.path().to_path_buf());
    let store = store::open(&settings).await?;
    let researcher = seed::accounts(store.as_ref(), people).await?;
    let plan = BatchPlan {
        tasks,
        gold: tasks.min(20),
        policy: BatchPolicy::default(),
    };
    seed::screening_batch(store.as_ref(), researcher, plan).await
}

/// One client: claim, answer, send; remember what was acknowledged. Ends
/// when told to, when the server is gone, or at its own limits.
async fn send_until_stopped(
    client: usize,
    api: &Api,
    token: &str,
    acked: &Mutex<Vec<Acked>>,
    stop: &AtomicBool,
) {
    let started = Instant::now();
    for _ in 0..MAX_ROUNDS_PER_CLIENT {
        if stop.load(Ordering::SeqCst) || started.elapsed() > CLIENT_LIMIT {
            return;
        }
        let Ok(tasks) = api.claim(token, 5).await else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let answers: Vec<Answer> = tasks
            .iter()
            .map(|task| Answer::screening(*task, decide(*task)))
            .collect();
        for chunk in answers.chunks(MAX_ANSWERS_PER_REQUEST) {
            // Only a 2xx counts; a request cut off by the kill is unknown.
            if let Ok(results) = api.submit(token, chunk).await {
                let mut acked = lock(acked);
                for (answer, outcome) in chunk.iter().zip(results) {
                    acked.push(Acked {
                        client,
                        answer: answer.clone(),
                        outcome,
                    });
                }
            }
        }
    }
}

/// Resends every acknowledged answer as its client would retry it; returns
/// how many came back different from the first time.
async fn resend(api: &Api, tokens: &[String], acked: &[Acked]) -> anyhow::Result<usize> {
    let mut by_client: HashMap<usize, Vec<&Acked>> = HashMap::new();
    for item in acked {
        by_client.entry(item.client).or_default().push(item);
    }
    let mut changed = 0;
    for (client, items) in by_client {
        for chunk in items.chunks(MAX_ANSWERS_PER_REQUEST) {
            let answers: Vec<Answer> = chunk.iter().map(|item| item.answer.clone()).collect();
            let results = api
                .submit(&tokens[client], &answers)
                .await
                .map_err(|f| anyhow::anyhow!("resending answers: {}", f.label()))?;
            changed += chunk
                .iter()
                .zip(&results)
                .filter(|(item, result)| item.outcome != **result)
                .count();
            changed += chunk.len().saturating_sub(results.len());
        }
    }
    Ok(changed)
}

/// The batch's answer count, as the researcher's progress view shows it.
async fn stored_answers(api: &Api, token: &str, batch: Uuid) -> anyhow::Result<u64> {
    let view = api
        .get_json(&format!("/v1/batches/{batch}"), token)
        .await
        .map_err(|f| anyhow::anyhow!("reading the batch: {}", f.label()))?;
    view["answers"]
        .as_u64()
        .context("the batch view has no answer count")
}

/// What the results export says about every task's answers.
struct Export {
    /// Answers per task id.
    per_task: HashMap<String, usize>,
    total: u64,
    /// Answers beyond the first from the same contributor on the same task.
    duplicates: u64,
}

impl Export {
    async fn fetch(api: &Api, token: &str, batch: Uuid) -> anyhow::Result<Self> {
        let rows = api
            .get_json(&format!("/v1/batches/{batch}/results?format=json"), token)
            .await
            .map_err(|f| anyhow::anyhow!("reading the results export: {}", f.label()))?;
        let rows = rows.as_array().context("the export is not a JSON array")?;
        let mut export = Export {
            per_task: HashMap::new(),
            total: 0,
            duplicates: 0,
        };
        for row in rows {
            let answers = row["answers"].as_array().context("a row has no answers")?;
            let people: HashSet<&str> = answers
                .iter()
                .filter_map(|answer| answer["contributor"].as_str())
                .collect();
            export.duplicates += (answers.len() - people.len()) as u64;
            export.total += answers.len() as u64;
            let task = row["task_id"].as_str().unwrap_or_default().to_owned();
            export.per_task.insert(task, answers.len());
        }
        Ok(export)
    }

    /// Acknowledged answers that the export cannot account for: a task
    /// with fewer answers than were acknowledged on it.
    fn missing(&self, acked: &[Acked]) -> u64 {
        let mut wanted: HashMap<String, usize> = HashMap::new();
        for item in acked {
            *wanted.entry(item.answer.task_id.to_string()).or_default() += 1;
        }
        wanted
            .iter()
            .map(|(task, count)| {
                count.saturating_sub(self.per_task.get(task).copied().unwrap_or(0)) as u64
            })
            .sum()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
