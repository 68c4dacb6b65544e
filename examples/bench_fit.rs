//! Times a batch fit on a synthetic crowd (default: one million answers).
//!
//! ```text
//! cargo run --release --example bench_fit -- [answers=1000000] [classes=4] [workers=5000] [tolerance=1e-6]
//! ```
//!
//! Also prints accuracy against the synthetic truth, next to majority vote,
//! so a speed optimisation that quietly breaks the model shows up here, and
//! the time of a warm-started refit after 10% more answers arrive.

use std::process::ExitCode;
use std::time::Instant;

use tessera::domain::quality::offline::majority_vote;
use tessera::domain::quality::synthetic::{CrowdSpec, generate};
use tessera::domain::quality::{FitOptions, fit, refit};

fn arg(position: usize, default: u32) -> Result<u32, String> {
    std::env::args().nth(position).map_or(Ok(default), |v| {
        v.parse().map_err(|e| format!("argument {position}: {e}"))
    })
}

fn run() -> Result<(), String> {
    let answers = arg(1, 1_000_000)?;
    let classes = u16::try_from(arg(2, 4)?).map_err(|e| e.to_string())?;
    let workers = arg(3, 5_000)?;
    let per_task = 10;
    let spec = CrowdSpec {
        tasks: answers / per_task,
        workers,
        classes,
        answers_per_task: per_task,
        spammer_share: 0.15,
        seed: 2024,
    };
    let start = Instant::now();
    let crowd = generate(&spec);
    println!(
        "generated {} answers, {} tasks, {} workers, {} classes in {:.2} s",
        crowd.observations.len(),
        spec.tasks,
        spec.workers,
        classes,
        start.elapsed().as_secs_f64()
    );
    let k = usize::from(classes);
    let start = Instant::now();
    let mut options = FitOptions::default();
    if let Some(tolerance) = std::env::args().nth(4) {
        options.tolerance = tolerance.parse().map_err(|e| format!("tolerance: {e}"))?;
    }
    let model = fit(&crowd.observations, k, &[], &options).map_err(|e| e.to_string())?;
    let elapsed = start.elapsed().as_secs_f64();
    let vote = majority_vote(&crowd.observations, crowd.truth.len(), k);
    let (mut model_right, mut vote_right) = (0usize, 0usize);
    for (t, &truth) in crowd.truth.iter().enumerate() {
        model_right += usize::from(model.label(t as u32) == Some(truth));
        vote_right += usize::from(vote[t] == Some(truth));
    }
    let n = crowd.truth.len() as f64;
    println!(
        "fit: {elapsed:.3} s, {} EM iterations ({:.1} ms each), converged: {}",
        model.iterations(),
        1000.0 * elapsed / f64::from(model.iterations().max(1)),
        model.converged()
    );
    println!(
        "accuracy: model {:.4}, majority vote {:.4}",
        model_right as f64 / n,
        vote_right as f64 / n
    );
    // The production pattern: refit after 10% more answers arrived, warm
    // started from the previous model.
    let earlier = &crowd.observations[..crowd.observations.len() * 9 / 10];
    let previous = fit(earlier, k, &[], &options).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let warm =
        refit(&crowd.observations, k, &[], &options, &previous).map_err(|e| e.to_string())?;
    println!(
        "warm refit after 10% new answers: {:.3} s, {} EM iterations, converged: {}",
        start.elapsed().as_secs_f64(),
        warm.iterations(),
        warm.converged()
    );
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
