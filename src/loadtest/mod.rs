//! `tessera loadtest` and `tessera drill`: the benchmark and the drills that
//! measure the non-functional targets in DESIGN.md over real HTTP. Load only
//! ever goes to this machine's loopback interface.

mod abuse;
mod ceiling;
mod client;
mod drill;
mod report;
mod rss;
mod seed;
mod server;
mod staff;
mod stats;
mod target;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::{StreamExt, TryStreamExt};
use tessera::domain::policy::BatchPolicy;

use self::client::Api;
use self::report::{Summary, load_average};
use self::seed::{BatchPlan, People};
use self::staff::Routine;
use self::stats::{Percentiles, Tally};
use self::target::Target;

pub use self::drill::{Drill, run as drill};

/// Options of `tessera loadtest`.
#[derive(Debug, clap::Args)]
pub struct LoadtestArgs {
    /// Screening tasks to seed, streamed into the store as one batch.
    #[arg(long, default_value_t = 10_000)]
    tasks: u64,
    /// Gold tasks among them: a fixed set, as researchers write them.
    #[arg(long, default_value_t = 100)]
    gold: u64,
    /// Simulated staff working at once.
    #[arg(long, default_value_t = 1_000)]
    staff: usize,
    /// Seconds the loop runs.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Minutes asked for per session.
    #[arg(long, default_value_t = 5)]
    minutes: u32,
    /// Mean milliseconds each person spends between claim and submit; 0 measures throughput.
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// The batch's minimum answers per task.
    #[arg(long, default_value_t = 3)]
    min_answers: u32,
    /// The batch's maximum answers per task.
    #[arg(long, default_value_t = 7)]
    max_answers: u32,
    /// Seconds of the `/healthz` ceiling measurement; 0 skips it.
    #[arg(long, default_value_t = 5)]
    ceiling_seconds: u64,
    /// Load a server already running at this loopback URL instead of one in this process.
    #[arg(long, requires = "data_dir")]
    url: Option<String>,
    /// With --url: the server's data directory, to seed through its store.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// With --url: the server's process id, to report its peak RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Also write the summary as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// Most sessions one simulated person may claim in a run.
const MAX_SESSIONS_PER_PERSON: u64 = 1_000_000;
/// Logins run a few at a time: each checks a password hash.
const LOGIN_CONCURRENCY: usize = 8;

impl LoadtestArgs {
    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            (1..=10_000).contains(&self.staff),
            "--staff must be 1 to 10000"
        );
        anyhow::ensure!(
            (1..=600).contains(&self.seconds),
            "--seconds must be 1 to 600"
        );
        anyhow::ensure!(
            self.ceiling_seconds <= 60,
            "--ceiling-seconds must be at most 60"
        );
        anyhow::ensure!(
            (1..=10_000_000).contains(&self.tasks),
            "--tasks must be 1 to 10000000"
        );
        anyhow::ensure!(self.gold < self.tasks, "--gold must be below --tasks");
        anyhow::ensure!(
            self.think_ms <= 600_000,
            "--think-ms must be at most 600000"
        );
        Ok(())
    }

    fn policy(&self) -> anyhow::Result<BatchPolicy> {
        BatchPolicy {
            min_answers: self.min_answers,
            max_answers: self.max_answers,
            ..BatchPolicy::default()
        }
        .validate()
        .map_err(|errors| {
            let listed: Vec<String> = errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            anyhow::anyhow!("batch policy: {}", listed.join("; "))
        })
    }
}

/// Runs `tessera loadtest` and prints the summary.
pub async fn run(args: LoadtestArgs) -> anyhow::Result<()> {
    args.check()?;
    let policy = args.policy()?;
    let load_before = load_average();
    let target = match (&args.url, &args.data_dir) {
        (Some(url), Some(dir)) => Target::running(url, dir, args.server_pid).await?,
        _ => Target::in_process().await?,
    };
    let run_tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let people = People::new(&run_tag, args.staff);

    let seeding = Instant::now();
    eprintln!(
        "seeding {} tasks and {} accounts...",
        args.tasks, args.staff
    );
    let researcher = seed::accounts(target.store.as_ref(), &people).await?;
    let plan = BatchPlan {
        tasks: args.tasks,
        gold: args.gold,
        policy,
    };
    seed::screening_batch(target.store.as_ref(), researcher, plan).await?;
    let seed_seconds = seeding.elapsed().as_secs_f64();

    let api = Api::new(&target.base, args.staff)?;
    let logging_in = Instant::now();
    eprintln!("logging in {} staff...", args.staff);
    let tokens = login_all(&api, &people.staff).await?;
    let login_seconds = logging_in.elapsed().as_secs_f64();
    let setup_peak = target.process.and_then(|p| p.peak_rss_kib());
    let reset = target.process.is_some_and(|p| p.reset_peak());

    eprintln!(
        "running {} staff for {} s against {}...",
        args.staff, args.seconds, target.base
    );
    let started = Instant::now();
    let routine = Routine {
        minutes: args.minutes,
        deadline: started + Duration::from_secs(args.seconds),
        think: Duration::from_millis(args.think_ms),
        max_sessions: MAX_SESSIONS_PER_PERSON,
    };
    let workers: Vec<_> = tokens
        .into_iter()
        .map(|token| tokio::spawn(staff::work(api.clone(), token, routine.clone())))
        .collect();
    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.await?);
    }
    let loop_seconds = started.elapsed().as_secs_f64();

    let ceiling = if args.ceiling_seconds > 0 {
        eprintln!("measuring the /healthz ceiling...");
        Some(ceiling::measure(&api, args.staff, Duration::from_secs(args.ceiling_seconds)).await)
    } else {
        None
    };
    let load_peak = target.process.and_then(|p| p.peak_rss_kib());
    // Without a reset the high-water mark still includes set-up.
    let load_peak = if reset { load_peak } else { None };
    let (peak_rss_setup_mib, peak_rss_load_mib) = Summary::memory(setup_peak, load_peak);

    let per_second = |count: u64| count as f64 / loop_seconds.max(f64::EPSILON);
    let requests = tally.sessions + tally.submit_micros.len() as u64;
    let requests_per_second = per_second(requests);
    let summary = Summary {
        target: if args.url.is_some() {
            target.base.clone()
        } else {
            format!("{} (in-process)", target.base)
        },
        tasks: args.tasks,
        staff: args.staff,
        minutes: args.minutes,
        think_ms: args.think_ms,
        load_average_before: load_before,
        load_average_after: load_average(),
        seed_seconds,
        login_seconds,
        loop_seconds,
        sessions: tally.sessions,
        empty_sessions: tally.empty_sessions,
        tasks_per_session: tally.tasks_leased as f64 / (tally.sessions.max(1)) as f64,
        answers_stored: tally.answers_stored,
        claims_per_second: per_second(tally.sessions),
        answers_per_second: per_second(tally.answers_stored),
        requests_per_second,
        claim: Percentiles::of(&mut tally.claim_micros),
        submit: Percentiles::of(&mut tally.submit_micros),
        errors: tally.errors,
        ratio_to_healthz: ceiling.map(|c| requests_per_second / c.per_second.max(f64::EPSILON)),
        healthz: ceiling,
        peak_rss_setup_mib,
        peak_rss_load_mib,
    };
    print!("{summary}");
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&summary)?)?;
    }
    Ok(())
}

/// Logs everyone in, a few at a time; returns the access tokens in order.
async fn login_all(api: &Api, emails: &[String]) -> anyhow::Result<Vec<String>> {
    futures_util::stream::iter(emails.iter().cloned())
        .map(|email| {
            let api = api.clone();
            async move {
                api.login(&email, seed::PASSWORD)
                    .await
                    .map_err(|failure| anyhow::anyhow!("login of {email}: {}", failure.label()))
            }
        })
        .buffered(LOGIN_CONCURRENCY)
        .try_collect()
        .await
}
