//! Agreement statistics for a batch report, per question, each saying
//! which tasks it covers.

use std::collections::HashMap;

use uuid::Uuid;

use super::quality::agreement::{fleiss_kappa, krippendorff_alpha_nominal};
use super::reestimate::VoteRow;

/// How much contributors agree on one question, and exactly what each
/// statistic covers.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionAgreement {
    /// Index of the question in the batch's questions.
    pub question: usize,
    /// Tasks with at least two decisive counted answers to the question.
    pub tasks: usize,
    /// Krippendorff's alpha (nominal) over all those tasks, whatever their
    /// number of answers.
    pub krippendorff_alpha: Option<f64>,
    /// Fleiss' kappa, which needs the same number of raters on every task:
    /// computed over the `fleiss_tasks` tasks that have `fleiss_raters`
    /// answers (the most common number), and only those.
    pub fleiss_kappa: Option<f64>,
    pub fleiss_tasks: usize,
    pub fleiss_raters: u32,
}

/// Agreement on every question (`classes[q]` labels for question `q`),
/// using decisive (not "unsure") labels from counted answers.
pub fn agreement_by_question(rows: &[VoteRow], classes: &[usize]) -> Vec<QuestionAgreement> {
    classes
        .iter()
        .enumerate()
        .map(|(question, &k)| agreement(rows, question, k))
        .collect()
}

/// Agreement on question `question`, which has `classes` labels.
pub fn agreement(rows: &[VoteRow], question: usize, classes: usize) -> QuestionAgreement {
    let mut by_task: HashMap<Uuid, Vec<u16>> = HashMap::new();
    for row in rows.iter().filter(|row| row.counted) {
        if let Some(label) = row
            .votes
            .iter()
            .find(|v| v.question == question)
            .and_then(|v| v.label)
        {
            by_task.entry(row.task).or_default().push(label);
        }
    }
    by_task.retain(|_, labels| labels.len() >= 2);
    let counts: Vec<Vec<u32>> = by_task
        .values()
        .map(|labels| {
            let mut counts = vec![0u32; classes.max(2)];
            for label in labels {
                if let Some(slot) = counts.get_mut(usize::from(*label)) {
                    *slot += 1;
                }
            }
            counts
        })
        .collect();
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for row in &counts {
        *sizes.entry(row.iter().sum()).or_default() += 1;
    }
    let (raters, covered) = sizes
        .into_iter()
        .max_by_key(|(size, n)| (*n, *size))
        .unwrap_or((0, 0));
    let equal: Vec<&[u32]> = counts
        .iter()
        .filter(|row| row.iter().sum::<u32>() == raters)
        .map(Vec::as_slice)
        .collect();
    let units: Vec<Vec<Option<u32>>> = by_task
        .values()
        .map(|labels| labels.iter().map(|&l| Some(u32::from(l))).collect())
        .collect();
    QuestionAgreement {
        question,
        tasks: by_task.len(),
        krippendorff_alpha: krippendorff_alpha_nominal(&units),
        fleiss_kappa: fleiss_kappa(&equal),
        fleiss_tasks: covered,
        fleiss_raters: raters,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::Vote;

    fn row(task: Uuid, contributor: Uuid, label: u16) -> VoteRow {
        VoteRow {
            task,
            contributor,
            votes: vec![Vote {
                question: 0,
                label: Some(label),
            }],
            counted: true,
            practice: false,
        }
    }

    #[test]
    fn perfect_agreement_scores_one() {
        let people: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
        let mut rows = Vec::new();
        for i in 0..6 {
            let task = Uuid::new_v4();
            for person in &people {
                rows.push(row(task, *person, (i % 2) as u16));
            }
        }
        let first = agreement(&rows, 0, 2);
        assert!((first.fleiss_kappa.unwrap() - 1.0).abs() < 1e-9);
        assert!((first.krippendorff_alpha.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(
            (first.tasks, first.fleiss_tasks, first.fleiss_raters),
            (6, 6, 3)
        );
    }

    #[test]
    fn every_question_is_reported_and_kappa_names_the_tasks_it_covers() {
        let people: Vec<Uuid> = (0..4).map(|_| Uuid::new_v4()).collect();
        let mut rows = Vec::new();
        // Four tasks with three answers and one with four; on question 1
        // everyone disagrees with the person before them.
        for (i, raters) in [3, 3, 3, 3, 4].into_iter().enumerate() {
            let task = Uuid::new_v4();
            for (p, person) in people.iter().take(raters).enumerate() {
                let mut vote = row(task, *person, (i % 2) as u16);
                vote.votes.push(Vote {
                    question: 1,
                    label: Some((p % 2) as u16),
                });
                rows.push(vote);
            }
        }
        let report = agreement_by_question(&rows, &[2, 2]);
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].tasks, 5);
        assert_eq!((report[0].fleiss_tasks, report[0].fleiss_raters), (4, 3));
        assert!((report[0].fleiss_kappa.unwrap() - 1.0).abs() < 1e-9);
        assert!(
            report[1].krippendorff_alpha.unwrap() < 0.0,
            "{:?}",
            report[1]
        );
    }
}
