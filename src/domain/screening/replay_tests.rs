use super::*;

/// A synthetic set: relevant records share one vocabulary, irrelevant ones
/// another, and every record has noise words both share. 10% relevant.
fn synthetic(n: usize, seed: u64) -> Vec<LabelledRecord> {
    let mut rng = SeededRng::new(seed);
    let topic = |words: &[&str], rng: &mut SeededRng| -> String {
        (0..6)
            .map(|_| words[rng.below(words.len())])
            .collect::<Vec<_>>()
            .join(" ")
    };
    let relevant = [
        "clonidine",
        "analgesia",
        "tonsillectomy",
        "paediatric",
        "opioid",
        "sparing",
    ];
    let irrelevant = [
        "hygiene",
        "audit",
        "ward",
        "compliance",
        "handwashing",
        "nursing",
        "alcohol",
    ];
    let noise = [
        "study", "patients", "results", "hospital", "outcome", "cohort", "review",
    ];
    (0..n)
        .map(|i| {
            let is_relevant = i % 10 == 3;
            let words = if is_relevant {
                &relevant[..]
            } else {
                &irrelevant[..]
            };
            LabelledRecord {
                text: RecordText {
                    title: topic(words, &mut rng),
                    abstract_text: format!(
                        "{} {}",
                        topic(&noise, &mut rng),
                        topic(&noise, &mut rng)
                    ),
                    keywords: String::new(),
                },
                relevant: is_relevant,
            }
        })
        .collect()
}

#[test]
fn a_replay_is_the_same_under_a_seed() {
    let records = synthetic(300, 1);
    let options = ReplayOptions {
        seed: 3,
        ..ReplayOptions::default()
    };
    let a = replay(&records, &options);
    let b = replay(&records, &options);
    assert_eq!(a, b);
    let other = ReplayOptions {
        order: OrderPolicy {
            seed: 4,
            ..OrderPolicy::default()
        },
        ..options
    };
    assert_ne!(a.found, replay(&records, &other).found);
}

#[test]
fn on_a_separable_set_the_order_finds_relevant_records_far_sooner_than_random() {
    let records = synthetic(600, 2);
    let report = replay(
        &records,
        &ReplayOptions {
            seed: 1,
            ..ReplayOptions::default()
        },
    );
    assert_eq!(report.found.len(), 600);
    assert_eq!(report.relevant, 60);
    // Random order needs about 95% of the records for 95% recall.
    let wss = report.wss(0.95).unwrap();
    assert!(wss > 0.5, "{wss}");
    // Screening every record takes fewer answers than the batch's minimum
    // of three on each: the clearly irrelevant tail settles on two.
    let all = *report.answers.last().unwrap();
    assert!(all < 3 * 600 * 9 / 10, "{all}");
}

#[test]
fn the_stopping_rule_stops_past_the_target_and_before_the_end() {
    let records = synthetic(1000, 5);
    let report = replay(
        &records,
        &ReplayOptions {
            seed: 2,
            ..ReplayOptions::default()
        },
    );
    let stop = report.stop.expect("the rule stops on a separable set");
    assert!(stop.recall >= 0.95, "{stop:?}");
    assert!(stop.screened < 1000, "{stop:?}");
    assert!(report.test_started.unwrap() < stop.screened);
}

#[test]
fn priors_count_as_screened_and_cost_no_answers() {
    let records = synthetic(200, 7);
    let options = ReplayOptions {
        priors: vec![3, 0],
        ..ReplayOptions::default()
    };
    let report = replay(&records, &options);
    assert_eq!(report.found[..2], [1, 1]);
    assert_eq!(report.answers[..2], [0, 0]);
    // Fixed redundancy: three answers on each record in upload order up to
    // the one that brings 95% of the 20 relevant (19, at index 183).
    assert_eq!(report.fixed_answers_to_target, 3 * 184);
}
