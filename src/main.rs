mod loadtest;

/// mimalloc instead of glibc's allocator: measured with 64 registrations,
/// glibc kept about 19 MiB (one argon2 buffer) per password hashed, even
/// with hashing on two fixed threads, and the server grew past 400 MiB.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use tessera::config::Settings;
use tessera::domain::quality::offline::{AggregateOptions, aggregate_files, write_consensus};
use tessera::domain::quality::replay::ReplayOptions;
use tessera::startup::Application;

/// Tessera: five-minute research micro-tasks for NHS staff.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Settings come from TESSERA_* variables.
    Serve {
        /// Seed an empty store with a demo organisation, projects and accounts.
        #[arg(long)]
        demo: bool,
    },
    /// Grant or revoke a role on the configured store, before or while the
    /// server runs: `tessera admin grant --email it.lead@trust.nhs.uk --role admin`.
    Admin {
        #[command(subcommand)]
        command: tessera::admin_cli::AdminCommand,
    },
    /// Manage the certificate signing keys: `tessera certificate-key rotate`,
    /// `tessera certificate-key compromised`.
    CertificateKey {
        #[command(subcommand)]
        command: CertificateKeyCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Exit 0 when the local server answers /healthz (for container health checks).
    Healthcheck,
    /// Run the consensus engine offline on a task,worker,label CSV and,
    /// with --truth, print its accuracy against majority vote.
    Aggregate {
        /// CSV with a header and columns task,worker,label.
        #[arg(long)]
        answers: PathBuf,
        /// CSV with a header and columns task,label.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Write task,label,confidence to this file.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Share of the truth revealed to the model as gold tasks (0 to 1).
        #[arg(long, default_value_t = 0.0)]
        gold_fraction: f64,
        /// Seed for choosing gold tasks and replay folds.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Skip the adaptive-stopping replay curve.
        #[arg(long)]
        no_replay: bool,
    },
    /// Replay a labelled set offline with simulated contributors:
    /// `tessera simulate screening --input set.csv --accuracy 0.9`.
    Simulate {
        #[command(subcommand)]
        command: tessera::simulate_cli::SimulateCommand,
    },
    /// Benchmark the five-minute loop over HTTP with simulated staff.
    Loadtest(loadtest::LoadtestArgs),
    /// Reliability drills against a real server process.
    Drill {
        #[command(subcommand)]
        drill: loadtest::Drill,
    },
}

#[derive(Subcommand)]
enum CertificateKeyCommand {
    /// Retire the current key (certificates it signed still verify) and
    /// make a new one for new certificates; restart the server to use it.
    Rotate,
    /// Mark a retired key as compromised from a date: certificates it
    /// signed from then on are no longer genuine, and one handed over
    /// without its id is believed only when Tessera's record vouches for
    /// it. Rotate first if it is the current key; restart the server after.
    Compromised {
        /// The key's id, as `GET /v1/certificates/public-key` lists it.
        #[arg(long)]
        key_id: String,
        /// From when it may have been in someone else's hands (RFC 3339,
        /// e.g. 2026-11-01T00:00:00Z, or a date, read as its midnight UTC).
        #[arg(long, value_parser = parse_instant)]
        since: chrono::DateTime<chrono::Utc>,
        /// What happened, for the key list.
        #[arg(long)]
        reason: String,
    },
}

fn parse_instant(raw: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|at| at.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .map(|day| day.and_time(chrono::NaiveTime::MIN).and_utc())
        })
        .map_err(|_| format!("{raw:?} is not a date such as 2026-11-01 or 2026-11-01T09:30:00Z"))
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(demo).await,
        Command::Admin { command } => admin(command).await,
        Command::CertificateKey {
            command: CertificateKeyCommand::Rotate,
        } => rotate_certificate_key(),
        Command::CertificateKey {
            command:
                CertificateKeyCommand::Compromised {
                    key_id,
                    since,
                    reason,
                },
        } => mark_key_compromised(&key_id, since, reason),
        Command::Openapi => {
            print!("{}", tessera::api::spec_json());
            Ok(())
        }
        Command::Healthcheck => healthcheck().await,
        Command::Aggregate {
            answers,
            truth,
            output,
            gold_fraction,
            seed,
            no_replay,
        } => {
            let replay = (!no_replay).then(|| ReplayOptions {
                seed,
                ..ReplayOptions::default()
            });
            let options = AggregateOptions {
                gold_fraction,
                seed,
                replay,
                ..AggregateOptions::default()
            };
            aggregate(&answers, truth.as_deref(), output.as_deref(), &options)
        }
        Command::Simulate { command } => {
            tessera::simulate_cli::run(command).map(|report| print!("{report}"))
        }
        Command::Loadtest(args) => loadtest::run(args).await,
        Command::Drill { drill } => loadtest::drill(drill).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("tessera: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(demo: bool) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    tessera::telemetry::init(settings.log_json);
    tracing::info!(?settings, "starting");
    let app = Application::build(settings).await?;
    if demo {
        tessera::demo::seed(app.store()).await?;
    }
    println!("Tessera is listening on http://{}", app.address());
    println!("API docs: http://{}/docs", app.address());
    app.run_until_stopped().await
}

async fn admin(command: tessera::admin_cli::AdminCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    println!("{}", tessera::admin_cli::run(command, &settings).await?);
    Ok(())
}

fn rotate_certificate_key() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let (old, new) =
        tessera::security::certificate_keys::rotate(&settings.certificate_key_paths())?;
    println!(
        "Retired certificate key {old}: certificates it signed still verify. \
         New certificates will be signed with {new} once the server restarts."
    );
    Ok(())
}

fn mark_key_compromised(
    key_id: &str,
    since: chrono::DateTime<chrono::Utc>,
    reason: String,
) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let compromise = tessera::domain::certificate::compromise::Compromise { since, reason };
    tessera::security::certificate_keys::mark_compromised(
        &settings.certificate_key_paths(),
        key_id,
        &compromise,
    )?;
    println!(
        "Certificate key {key_id} is marked compromised since {since}. Restart the server: \
         certificates it signed from then on will no longer verify."
    );
    Ok(())
}

async fn healthcheck() -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let settings = Settings::from_env()?;
    let mut addr = settings.bind;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await?;
    anyhow::ensure!(
        reply.starts_with("HTTP/1.0 200") || reply.starts_with("HTTP/1.1 200"),
        "unhealthy"
    );
    Ok(())
}

fn aggregate(
    answers: &Path,
    truth: Option<&Path>,
    output: Option<&Path>,
    options: &AggregateOptions,
) -> anyhow::Result<()> {
    let report = aggregate_files(answers, truth, options)?;
    print!("{report}");
    if let Some(path) = output {
        let file = std::fs::File::create(path)?;
        write_consensus(&report, file)?;
    }
    Ok(())
}
