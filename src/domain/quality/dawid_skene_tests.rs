//! Behavioural tests of the batch model, kept apart from the model code so
//! both stay readable.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::confusion::worker_weight;
use super::dawid_skene::{FitOptions, Observation, fit, refit};
use super::error::ModelError;
use super::incremental::task_posterior;
use super::priors::{Priors, Strength};
use super::synthetic::{CrowdSpec, generate};

fn obs(task: u32, worker: u32, label: u16) -> Observation {
    Observation {
        task,
        worker,
        label: Some(label),
    }
}

fn fixed_priors() -> FitOptions {
    FitOptions {
        priors: Priors {
            class_pseudo_count: 1.0,
            newcomer_accuracy: Some(0.75),
            confusion_strength: Strength::Fixed(2.0),
            pooled: false,
        },
        ..FitOptions::default()
    }
}

#[test]
fn gold_only_estimates_are_weighted_counts_plus_pseudo_counts() {
    // Worker 9 answers five class-0 gold tasks, one wrongly; two class-1 gold
    // tasks have no answers. With two classes each gold answer counts twice
    // (see `e_step::gold_answer_weight`). Prior pseudo-counts per row: 1.5
    // right, 0.5 wrong.
    let answers = [
        obs(1, 9, 0),
        obs(2, 9, 0),
        obs(3, 9, 0),
        obs(4, 9, 0),
        obs(7, 9, 1),
    ];
    let gold = [(1, 0), (2, 0), (3, 0), (4, 0), (7, 0), (5, 1), (6, 1)];
    let model = fit(&answers, 2, &gold, &fixed_priors()).unwrap();
    let c = model.confusion(9).unwrap();
    assert!((c.prob(0, 0) - 9.5 / 12.0).abs() < 1e-12);
    assert!((c.prob(0, 1) - 2.5 / 12.0).abs() < 1e-12);
    assert!(
        (c.prob(1, 1) - 0.75).abs() < 1e-12,
        "no class-1 data: prior"
    );
    // Class prior counts every gold task once: (5 + 1) / (7 + 2), (2 + 1) / (7 + 2).
    assert!((model.class_prior()[0] - 6.0 / 9.0).abs() < 1e-12);
    assert_eq!(model.posterior(5), Some(&[0.0, 1.0][..]));
    // Incremental path: P(0 | answer 0) = p0 * c00 / (p0 * c00 + p1 * c10).
    let post = task_posterior(model.class_prior(), [(&c, Some(0))]).unwrap();
    let (p0, c00) = (6.0 / 9.0, 9.5 / 12.0);
    let expected = p0 * c00 / (p0 * c00 + (1.0 - p0) * 0.25);
    assert!((post[0] - expected).abs() < 1e-12);
}

#[test]
fn the_newcomer_is_the_typical_worker_not_the_most_prolific_one() {
    // One worker answers 2,000 tasks and always says 0; fifty careful
    // workers answer 40 tasks each, always right. Truth alternates 0 and 1,
    // and every task is gold so the counts are exact.
    let mut answers = Vec::new();
    let mut gold = Vec::new();
    for t in 0..2_000u32 {
        gold.push((t, (t % 2) as u16));
        answers.push(obs(t, 0, 0));
    }
    for w in 1..=50u32 {
        for i in 0..40u32 {
            let t = (w * 40 + i) % 2_000;
            answers.push(obs(t, w, (t % 2) as u16));
        }
    }
    let model = fit(&answers, 2, &gold, &FitOptions::default()).unwrap();
    let newcomer = model.newcomer_confusion();
    // Pooling answers would make a newcomer say 0 to a class-1 task most of
    // the time (2,000 of its 3,000 answers); the typical worker is right.
    assert!(
        newcomer.prob(1, 1) > 0.8,
        "newcomer P(1 | 1) = {}",
        newcomer.prob(1, 1)
    );
}

#[test]
fn unanimous_answers_settle_with_high_confidence() {
    let answers: Vec<Observation> = (0..20)
        .flat_map(|t| (0..3).map(move |w| obs(t, w, (t % 3) as u16)))
        .collect();
    let model = fit(&answers, 3, &[], &FitOptions::default()).unwrap();
    for t in 0..20 {
        assert_eq!(model.label(t), Some((t % 3) as u16));
        assert!(model.posterior(t).unwrap()[(t % 3) as usize] > 0.99);
    }
    assert!(model.converged());
}

#[test]
fn two_reliable_workers_outweigh_an_unreliable_one() {
    // Workers 0 and 1 always agree with the truth; worker 2 is right only on
    // even tasks. On the disputed task 100 the pair must win.
    let mut answers = Vec::new();
    for t in 0..60 {
        let truth = (t % 2) as u16;
        answers.push(obs(t, 0, truth));
        answers.push(obs(t, 1, truth));
        answers.push(obs(t, 2, if t % 4 < 2 { truth } else { 1 - truth }));
    }
    answers.extend([obs(100, 0, 1), obs(100, 1, 1), obs(100, 2, 0)]);
    let model = fit(&answers, 2, &[], &FitOptions::default()).unwrap();
    assert_eq!(model.label(100), Some(1));
    assert!(model.posterior(100).unwrap()[1] > 0.95);
    let (strong, weak) = (
        model.worker_weight(0).unwrap(),
        model.worker_weight(2).unwrap(),
    );
    assert!(strong > 0.6 && weak < 0.05, "strong {strong}, weak {weak}");
}

#[test]
fn gold_anchors_the_model_when_the_majority_is_consistently_wrong() {
    // Three workers always give the opposite answer, two are always right.
    let mut answers = Vec::new();
    for t in 0..40 {
        let truth = (t % 2) as u16;
        for w in 0..2 {
            answers.push(obs(t, w, truth));
        }
        for w in 2..5 {
            answers.push(obs(t, w, 1 - truth));
        }
    }
    let without = fit(&answers, 2, &[], &FitOptions::default()).unwrap();
    assert_eq!(without.label(7), Some(0), "majority wins without gold");
    let gold: Vec<(u32, u16)> = (0..4).map(|t| (t, (t % 2) as u16)).collect();
    let with = fit(&answers, 2, &gold, &FitOptions::default()).unwrap();
    for t in 4..40 {
        assert_eq!(with.label(t), Some((t % 2) as u16));
    }
    // The swappers are learnt as informative-but-inverted.
    assert!(with.confusion(3).unwrap().prob(0, 1) > 0.9);
}

#[test]
fn a_spammer_gets_near_uniform_rows_and_near_zero_weight() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut answers = Vec::new();
    for t in 0..3000u32 {
        let truth: u16 = rng.random_range(0..3);
        for w in 0..6u32 {
            let right = rng.random::<f64>() < 0.8;
            let label = if right {
                truth
            } else {
                (truth + rng.random_range(1..3)) % 3
            };
            answers.push(obs(t, w, label));
        }
        answers.push(obs(t, 99, rng.random_range(0..3)));
    }
    let model = fit(&answers, 3, &[], &FitOptions::default()).unwrap();
    let spammer = model.confusion(99).unwrap();
    for truth in 0..3 {
        for answered in 0..3 {
            let p = spammer.prob(truth, answered);
            assert!((p - 1.0 / 3.0).abs() < 0.05, "row {truth}: {p}");
        }
    }
    let weight = model.worker_weight(99).unwrap();
    assert_eq!(weight, worker_weight(&spammer, model.class_prior()));
    assert!(weight < 0.02, "spammer weight {weight}");
    assert!(model.worker_weight(0).unwrap() > 0.3);
}

#[test]
fn unsure_answers_are_counted_but_do_not_move_any_posterior() {
    let answers = vec![obs(1, 1, 0), obs(1, 2, 0), obs(1, 3, 1), obs(2, 1, 1)];
    let mut with_unsure = answers.clone();
    with_unsure.extend((4..8).map(|w| Observation {
        task: 1,
        worker: w,
        label: None,
    }));
    let plain = fit(&answers, 2, &[], &FitOptions::default()).unwrap();
    let unsure = fit(&with_unsure, 2, &[], &FitOptions::default()).unwrap();
    assert_eq!(plain.posterior(1), unsure.posterior(1));
    assert_eq!(unsure.unsure_answers(1), Some(4));
    assert_eq!(unsure.unsure_answers(2), Some(0));
}

#[test]
fn the_model_beats_majority_vote_on_a_hostile_synthetic_crowd() {
    let crowd = generate(&CrowdSpec {
        tasks: 3000,
        workers: 300,
        classes: 4,
        answers_per_task: 5,
        spammer_share: 0.2,
        seed: 11,
    });
    let model = fit(&crowd.observations, 4, &[], &FitOptions::default()).unwrap();
    let mut votes = vec![[0u32; 4]; crowd.truth.len()];
    for o in &crowd.observations {
        if let Some(label) = o.label {
            votes[o.task as usize][usize::from(label)] += 1;
        }
    }
    let (mut model_right, mut vote_right) = (0, 0);
    for (t, &truth) in crowd.truth.iter().enumerate() {
        model_right += usize::from(model.label(t as u32) == Some(truth));
        let best = (0..4).rev().max_by_key(|&c| votes[t][c]).unwrap_or(0);
        vote_right += usize::from(best == usize::from(truth));
    }
    let (model_acc, vote_acc) = (model_right as f64 / 3000.0, vote_right as f64 / 3000.0);
    assert!(
        model_acc > vote_acc + 0.03,
        "model {model_acc}, vote {vote_acc}"
    );
}

#[test]
fn a_warm_refit_agrees_with_a_cold_fit_in_fewer_iterations() {
    let crowd = generate(&CrowdSpec {
        tasks: 2000,
        workers: 100,
        classes: 3,
        answers_per_task: 5,
        spammer_share: 0.1,
        seed: 5,
    });
    let options = FitOptions::default();
    let earlier = &crowd.observations[..9000];
    let previous = fit(earlier, 3, &[], &options).unwrap();
    let cold = fit(&crowd.observations, 3, &[], &options).unwrap();
    let warm = refit(&crowd.observations, 3, &[], &options, &previous).unwrap();
    let differing = (0..2000)
        .filter(|&t| cold.label(t) != warm.label(t))
        .count();
    assert!(differing <= 2, "{differing} labels differ");
    assert!(
        warm.iterations() < cold.iterations(),
        "warm {} vs cold {}",
        warm.iterations(),
        cold.iterations()
    );
}

#[test]
fn bad_inputs_are_reported() {
    let options = FitOptions::default();
    assert_eq!(
        fit(&[obs(1, 1, 3)], 3, &[], &options).err(),
        Some(ModelError::LabelOutOfRange {
            label: 3,
            classes: 3
        })
    );
    assert_eq!(
        fit(&[obs(1, 1, 0)], 2, &[(1, 0), (1, 1)], &options).err(),
        Some(ModelError::ConflictingGold { task: 1 })
    );
    assert_eq!(
        fit(&[], 1, &[], &options).err(),
        Some(ModelError::TooFewClasses { classes: 1 })
    );
    assert!(
        fit(&[], 2, &[], &options).is_ok(),
        "an empty batch is valid"
    );
}
