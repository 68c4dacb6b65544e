//! Seeded synthetic crowds with known truth, for tests and benchmarks.
//!
//! The crowd is deliberately unfriendly: skewed class frequencies, a
//! heavy-tailed workload (a few workers answer a lot, most answer little),
//! systematic confusions between neighbouring classes, random clickers and
//! workers biased towards one answer. Real projects look like this, and a
//! model that only shines on uniform, well-behaved crowds is no use.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::dawid_skene::Observation;

/// What kind of worker a synthetic worker is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WorkerKind {
    /// Right with the given probability; mistakes lean to the next class.
    Reliable(f64),
    /// Answers uniformly at random whatever the truth.
    Spammer,
    /// Answers class 0 half of the time, otherwise like `Reliable(0.7)`.
    Biased,
}

/// Shape of a synthetic crowd.
#[derive(Debug, Clone, PartialEq)]
pub struct CrowdSpec {
    /// Number of tasks; task ids are `0..tasks`.
    pub tasks: u32,
    /// Number of workers; worker ids are `0..workers`.
    pub workers: u32,
    /// Number of classes.
    pub classes: u16,
    /// Answers collected per task (from distinct workers where possible).
    pub answers_per_task: u32,
    /// Share of workers who are random clickers.
    pub spammer_share: f64,
    /// RNG seed: the same spec always yields the same crowd.
    pub seed: u64,
}

/// A generated crowd and its ground truth.
#[derive(Debug, Clone)]
pub struct Crowd {
    /// All answers, task by task.
    pub observations: Vec<Observation>,
    /// True class of each task, indexed by task id.
    pub truth: Vec<u16>,
    /// Kind of each worker, indexed by worker id.
    pub kinds: Vec<WorkerKind>,
}

/// Generates a crowd following `spec` (at least two classes are used).
pub fn generate(spec: &CrowdSpec) -> Crowd {
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let k = spec.classes.max(2);
    let kinds: Vec<WorkerKind> = (0..spec.workers)
        .map(|_| {
            let roll: f64 = rng.random();
            if roll < spec.spammer_share {
                WorkerKind::Spammer
            } else if roll < spec.spammer_share + 0.1 {
                WorkerKind::Biased
            } else if roll < spec.spammer_share + 0.35 {
                WorkerKind::Reliable(rng.random_range(0.45..0.65))
            } else {
                WorkerKind::Reliable(rng.random_range(0.7..0.95))
            }
        })
        .collect();
    // Heavy-tailed workload: worker i is picked with weight 1 / (i + 1)^0.8.
    let mut cumulative = Vec::with_capacity(kinds.len());
    let mut total = 0.0;
    for i in 0..kinds.len() {
        total += 1.0 / (i as f64 + 1.0).powf(0.8);
        cumulative.push(total);
    }
    // Skewed class frequencies: class c has weight 1 / (c + 1).
    let class_weights: Vec<f64> = (0..k).map(|c| 1.0 / (f64::from(c) + 1.0)).collect();
    let class_total: f64 = class_weights.iter().sum();
    let mut truth = Vec::with_capacity(spec.tasks as usize);
    let mut observations = Vec::with_capacity((spec.tasks * spec.answers_per_task) as usize);
    let mut chosen: Vec<usize> = Vec::new();
    for task in 0..spec.tasks {
        let mut roll = rng.random::<f64>() * class_total;
        let mut true_class = k - 1;
        for (c, w) in class_weights.iter().enumerate() {
            if roll < *w {
                true_class = c as u16;
                break;
            }
            roll -= w;
        }
        truth.push(true_class);
        chosen.clear();
        // A crowd without workers still gets its truth, just no answers.
        let answers = if kinds.is_empty() {
            0
        } else {
            spec.answers_per_task
        };
        for _ in 0..answers {
            let mut worker = 0;
            for _attempt in 0..8 {
                let x = rng.random::<f64>() * total;
                worker = cumulative.partition_point(|&c| c < x).min(kinds.len() - 1);
                if !chosen.contains(&worker) {
                    break;
                }
            }
            chosen.push(worker);
            let label = answer(&mut rng, kinds[worker], true_class, k);
            observations.push(Observation {
                task,
                worker: worker as u32,
                label: Some(label),
            });
        }
    }
    Crowd {
        observations,
        truth,
        kinds,
    }
}

fn answer(rng: &mut StdRng, kind: WorkerKind, truth: u16, k: u16) -> u16 {
    match kind {
        WorkerKind::Spammer => rng.random_range(0..k),
        WorkerKind::Biased if rng.random::<f64>() < 0.5 => 0,
        WorkerKind::Biased => reliable(rng, 0.7, truth, k),
        WorkerKind::Reliable(accuracy) => reliable(rng, accuracy, truth, k),
    }
}

fn reliable(rng: &mut StdRng, accuracy: f64, truth: u16, k: u16) -> u16 {
    if rng.random::<f64>() < accuracy {
        truth
    } else if rng.random::<f64>() < 0.5 {
        (truth + 1) % k
    } else {
        (truth + rng.random_range(1..k)) % k
    }
}
