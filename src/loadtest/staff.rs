//! One simulated member of staff: claim a session, answer every task in it,
//! send the answers, repeat until the time is up. Bounded by a deadline and
//! by a session count, so a run always ends by itself.

use std::time::{Duration, Instant};

use uuid::Uuid;

use super::client::{Answer, Api};
use super::seed::truth;
use super::stats::Tally;

/// The API accepts at most this many answers per request.
pub const MAX_ANSWERS_PER_REQUEST: usize = 200;

/// Pause after a failed request, so an erroring server is not hammered.
const BACKOFF: Duration = Duration::from_millis(50);
/// Pause after an empty bundle: nothing is free right now.
const IDLE: Duration = Duration::from_millis(100);
/// Share of answers that agree with the synthetic truth.
const ACCURACY: f64 = 0.9;

/// What every simulated person does.
#[derive(Debug, Clone)]
pub struct Routine {
    pub minutes: u32,
    /// Stop starting sessions after this instant.
    pub deadline: Instant,
    /// Mean time spent "working" between claim and submit; zero for
    /// throughput runs.
    pub think: Duration,
    /// Hard cap on sessions per person.
    pub max_sessions: u64,
}

/// Runs the loop for one person and returns what they saw.
pub async fn work(api: Api, token: String, routine: Routine) -> Tally {
    let mut tally = Tally::default();
    if !routine.think.is_zero() {
        // Arrive spread over one think time, as staff starting their breaks
        // would, rather than all claiming in the same millisecond.
        tokio::time::sleep(routine.think.mul_f64(rand::random::<f64>())).await;
    }
    for _ in 0..routine.max_sessions {
        if Instant::now() >= routine.deadline {
            break;
        }
        let started = Instant::now();
        let tasks = match api.claim(&token, routine.minutes).await {
            Ok(tasks) => {
                tally.claim_ok(started.elapsed(), tasks.len());
                tasks
            }
            Err(failure) => {
                tally.failed("sessions", &failure.label());
                tokio::time::sleep(BACKOFF).await;
                continue;
            }
        };
        if tasks.is_empty() {
            tokio::time::sleep(IDLE).await;
            continue;
        }
        if !routine.think.is_zero() {
            tokio::time::sleep(jittered(routine.think)).await;
        }
        let answers: Vec<Answer> = tasks
            .iter()
            .map(|task| Answer::screening(*task, decide(*task)))
            .collect();
        for chunk in answers.chunks(MAX_ANSWERS_PER_REQUEST) {
            let started = Instant::now();
            match api.submit(&token, chunk).await {
                Ok(results) => tally.submit_ok(started.elapsed(), results.len()),
                Err(failure) => {
                    tally.failed("answers", &failure.label());
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    }
    tally
}

/// Mostly right, sometimes wrong, like real screeners.
pub fn decide(task: Uuid) -> &'static str {
    let right = truth(task);
    if rand::random::<f64>() < ACCURACY {
        right
    } else if right == "include" {
        "exclude"
    } else {
        "include"
    }
}

/// Between half and one and a half times `mean`, so a thousand people do
/// not move in lock step.
fn jittered(mean: Duration) -> Duration {
    mean.mul_f64(0.5 + rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_mostly_agree_with_the_truth() {
        let task = Uuid::new_v4();
        let agreeing = (0..2000).filter(|_| decide(task) == truth(task)).count();
        assert!((1700..=1950).contains(&agreeing), "{agreeing}");
    }

    #[test]
    fn think_time_is_jittered_around_the_mean() {
        for _ in 0..100 {
            let think = jittered(Duration::from_millis(1000));
            assert!(think >= Duration::from_millis(500) && think <= Duration::from_millis(1500));
        }
    }
}
