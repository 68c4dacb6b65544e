//! Agreement statistics for a batch report.

use std::collections::HashMap;

use uuid::Uuid;

use super::quality::agreement::{fleiss_kappa, krippendorff_alpha_nominal};
use super::reestimate::VoteRow;

/// Fleiss' kappa and Krippendorff's alpha over the first question of every
/// task, using decisive (not "unsure") labels from counted answers.
pub fn agreement(rows: &[VoteRow], classes: usize) -> (Option<f64>, Option<f64>) {
    let mut by_task: HashMap<Uuid, Vec<(Uuid, u16)>> = HashMap::new();
    for row in rows.iter().filter(|row| row.counted) {
        if let Some(label) = row
            .votes
            .iter()
            .find(|v| v.question == 0)
            .and_then(|v| v.label)
        {
            by_task
                .entry(row.task)
                .or_default()
                .push((row.contributor, label));
        }
    }
    let counts: Vec<Vec<u32>> = by_task
        .values()
        .filter(|labels| labels.len() >= 2)
        .map(|labels| {
            let mut counts = vec![0u32; classes.max(2)];
            for (_, label) in labels {
                if let Some(slot) = counts.get_mut(usize::from(*label)) {
                    *slot += 1;
                }
            }
            counts
        })
        .collect();
    // Fleiss needs the same number of raters per task: use the most common
    // count and the tasks that have it.
    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for row in &counts {
        *sizes.entry(row.iter().sum()).or_default() += 1;
    }
    let common = sizes
        .into_iter()
        .max_by_key(|(size, n)| (*n, *size))
        .map(|(size, _)| size);
    let equal: Vec<&Vec<u32>> = counts
        .iter()
        .filter(|row| Some(row.iter().sum::<u32>()) == common)
        .collect();
    let kappa = fleiss_kappa(&equal.iter().map(|row| row.as_slice()).collect::<Vec<_>>());
    let units: Vec<Vec<Option<u32>>> = by_task
        .values()
        .map(|labels| {
            labels
                .iter()
                .map(|(_, label)| Some(u32::from(*label)))
                .collect()
        })
        .collect();
    (kappa, krippendorff_alpha_nominal(&units))
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
        let (kappa, alpha) = agreement(&rows, 2);
        assert!((kappa.unwrap() - 1.0).abs() < 1e-9);
        assert!((alpha.unwrap() - 1.0).abs() < 1e-9);
    }
}
