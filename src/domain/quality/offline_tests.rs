//! Tests of the offline CSV tool, run on in-memory files.

use super::*;

fn dataset(answers: &str, truth: Option<&str>) -> Result<Dataset, OfflineError> {
    Dataset::from_readers(
        ("answers.csv".to_owned(), answers.as_bytes()),
        truth.map(|t| ("truth.csv".to_owned(), t.as_bytes())),
    )
}

const ANSWERS: &str = "\
task,worker,label
img-1,alice,cat
img-1,bob,cat
img-1,carol,dog
img-2,alice,dog
img-2,bob,dog
img-2,carol,
img-3,alice,cat
img-3,carol,cat
img-4,bob,dog
img-4,carol,dog
";

const TRUTH: &str = "task,label\nimg-1,cat\nimg-2,dog\nimg-3,cat\nimg-4,cat\nimg-9,dog\n";

#[test]
fn string_ids_are_interned_and_an_empty_label_means_unsure() {
    let data = dataset(ANSWERS, Some(TRUTH)).unwrap();
    assert_eq!(data.classes, vec!["cat", "dog"]);
    assert_eq!(
        data.tasks.names()[..4],
        ["img-1", "img-2", "img-3", "img-4"]
    );
    assert_eq!(data.workers.names(), ["alice", "bob", "carol"]);
    assert_eq!(data.answers.len(), 10);
    assert_eq!(data.answers[5].label, None);
    assert_eq!(data.truth.len(), 5);
}

#[test]
fn columns_are_found_by_name_in_any_order() {
    let data = dataset("label,worker,task\nb,w1,t1\na,w2,t1\n", None).unwrap();
    assert_eq!(data.classes, vec!["a", "b"]);
    assert_eq!(data.answers[0].label, Some(1));
    assert_eq!(data.tasks.names(), ["t1"]);
}

#[test]
fn a_missing_column_is_named() {
    let err = dataset("task,user,label\nt,w,a\n", None).unwrap_err();
    assert!(matches!(
        err,
        OfflineError::MissingColumn {
            column: "worker",
            ..
        }
    ));
}

#[test]
fn a_ragged_row_is_reported_with_its_line_number() {
    let err = dataset("task,worker,label\nt1,w1,a\nt2,w2\n", None).unwrap_err();
    assert!(
        matches!(err, OfflineError::Csv { line: Some(3), .. }),
        "{err}"
    );
    assert!(err.to_string().starts_with("answers.csv:3:"));
}

#[test]
fn an_empty_id_is_reported_with_its_line_number() {
    let err = dataset("task,worker,label\nt1,w1,a\nt2,,a\n", None).unwrap_err();
    assert_eq!(err.to_string(), "answers.csv:3: empty 'worker'");
    let err = dataset(ANSWERS, Some("task,label\nimg-1,\n")).unwrap_err();
    assert_eq!(err.to_string(), "truth.csv:2: empty 'label'");
}

#[test]
fn majority_vote_ties_go_to_the_more_common_class() {
    let answers: Vec<Observation> = [(0, 0, Some(0)), (0, 1, Some(1)), (1, 0, Some(1))]
        .into_iter()
        .chain([(1, 1, Some(1)), (2, 0, Some(0)), (3, 0, None)])
        .map(Observation::from)
        .collect();
    let vote = majority_vote(&answers, 4, 2);
    assert_eq!(vote, vec![Some(1), Some(1), Some(0), None]);
}

#[test]
fn the_report_scores_only_answered_truth_and_excludes_gold() {
    let data = dataset(ANSWERS, Some(TRUTH)).unwrap();
    let report = aggregate(&data, &AggregateOptions::default()).unwrap();
    assert_eq!((report.tasks, report.workers, report.answers), (4, 3, 10));
    assert_eq!(report.truth_without_answers, 1);
    // Coincidences: 9 pairable values, 7 matching, marginals 4 cats, 5 dogs:
    // alpha = 1 - 8 * 2 / (81 - 16 - 25). Kappa needs equal raters per task.
    let alpha = report.agreement.0.unwrap();
    assert!((alpha - 0.6).abs() < 1e-12, "alpha {alpha}");
    assert_eq!(report.agreement.1, None);
    // img-4 is labelled dog by both its workers but is truly a cat.
    assert_eq!((report.majority.correct, report.majority.scored), (3, 4));
    assert_eq!((report.model.correct, report.model.scored), (3, 4));
    // Cats: 2 of 3 found; dogs: 1 of 1.
    assert_eq!(report.model.per_class, vec![(2, 3), (1, 1)]);
    assert!((report.model.balanced_accuracy().unwrap() - 5.0 / 6.0).abs() < 1e-12);
    let text = report.to_string();
    assert!(
        text.contains("majority vote accuracy: 0.750 (3/4), balanced 0.833"),
        "{text}"
    );
    assert_eq!(report.consensus.len(), 4);
    assert_eq!(report.consensus[3].label, "dog");
    let mut csv = Vec::new();
    write_consensus(&report, &mut csv).unwrap();
    assert!(
        String::from_utf8(csv)
            .unwrap()
            .starts_with("task,label,confidence\nimg-1,cat,0.")
    );

    let with_gold = AggregateOptions {
        gold_fraction: 0.5,
        ..AggregateOptions::default()
    };
    let report = aggregate(&data, &with_gold).unwrap();
    assert_eq!((report.gold_tasks, report.model.scored), (2, 2));
}

#[test]
fn an_out_of_range_gold_fraction_is_rejected() {
    let data = dataset(ANSWERS, Some(TRUTH)).unwrap();
    let options = AggregateOptions {
        gold_fraction: 1.5,
        ..AggregateOptions::default()
    };
    assert!(matches!(
        aggregate(&data, &options),
        Err(OfflineError::InvalidOption(_))
    ));
}

#[test]
fn adaptive_stopping_uses_fewer_answers_than_the_baseline() {
    use super::super::synthetic::{CrowdSpec, generate};
    let crowd = generate(&CrowdSpec {
        tasks: 400,
        workers: 40,
        classes: 2,
        answers_per_task: 7,
        spammer_share: 0.1,
        seed: 3,
    });
    let truth: HashMap<u32, u16> = (0..).zip(crowd.truth.iter().copied()).collect();
    let curve = replay_curve(
        &crowd.observations,
        2,
        &[],
        &truth,
        &FitOptions::default(),
        &ReplayOptions::default(),
    )
    .unwrap();
    let baseline = &curve.rows[0];
    assert_eq!(baseline.tasks, 400);
    assert!((baseline.mean_answers() - 7.0).abs() < 1e-12);
    let strict = &curve.rows[4];
    assert_eq!(strict.target, Some(0.99));
    assert!(strict.mean_answers() < baseline.mean_answers());
    let loose = &curve.rows[1];
    assert!(loose.mean_answers() < strict.mean_answers());
    assert_eq!(loose.settled + loose.escalated + loose.exhausted, 400);
    assert!(curve.to_string().contains("answers/task"));
}
