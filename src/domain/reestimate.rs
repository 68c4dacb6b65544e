//! The periodic, off-the-hot-path re-estimation of a whole batch: fit a
//! Dawid–Skene model per question (EM to convergence, anchored by gold),
//! then re-derive every open task's verdict with the new contributor models.

use std::collections::HashMap;

use uuid::Uuid;

use super::consensus::{Verdict, WorkerModel, evaluate, newcomer_matrix};
use super::kinds::{Question, Vote};
use super::policy::BatchPolicy;
use super::quality::{FitOptions, Observation, fit};

/// One stored answer of a batch.
#[derive(Debug, Clone)]
pub struct VoteRow {
    pub task: Uuid,
    pub contributor: Uuid,
    pub votes: Vec<Vote>,
    /// Whether it counts towards consensus (qualified, not extra, not gold).
    pub counted: bool,
    /// Given while the contributor could only practise
    /// (`domain::practice`): it trains no model.
    pub practice: bool,
}

/// Everything re-estimation reads: answers and the gold tasks' known votes.
#[derive(Debug, Clone, Default)]
pub struct BatchVotes {
    pub rows: Vec<VoteRow>,
    pub gold: HashMap<Uuid, Vec<Vote>>,
}

/// What re-estimation produced, ready to store.
pub struct Reestimate {
    pub models: Vec<(Uuid, WorkerModel)>,
    /// New verdicts for tasks with counted answers (gold tasks excluded).
    pub verdicts: Vec<(Uuid, Verdict)>,
}

/// Fits the batch and re-evaluates its tasks.
pub fn reestimate(questions: &[Question], policy: &BatchPolicy, data: &BatchVotes) -> Reestimate {
    // Practice answers train nothing: their contributors get no model from them.
    let rows: Vec<&VoteRow> = data.rows.iter().filter(|row| !row.practice).collect();
    let mut task_index: HashMap<Uuid, u32> = HashMap::new();
    let mut worker_index: HashMap<Uuid, u32> = HashMap::new();
    for row in &rows {
        let next = task_index.len() as u32;
        task_index.entry(row.task).or_insert(next);
        let next = worker_index.len() as u32;
        worker_index.entry(row.contributor).or_insert(next);
    }
    let mut models: HashMap<Uuid, WorkerModel> = HashMap::new();
    for (q, question) in questions.iter().enumerate() {
        let classes = question.labels.len().max(2);
        // Gold answers train the matrices even though they never count
        // towards a task's consensus.
        let observations: Vec<Observation> = rows
            .iter()
            .filter(|row| row.counted || data.gold.contains_key(&row.task))
            .flat_map(|row| {
                let task = task_index[&row.task];
                let worker = worker_index[&row.contributor];
                row.votes
                    .iter()
                    .filter(move |vote| vote.question == q)
                    .map(move |vote| Observation {
                        task,
                        worker,
                        label: vote.label,
                    })
            })
            .collect();
        let gold: Vec<(u32, u16)> = data
            .gold
            .iter()
            .filter_map(|(task, votes)| {
                let label = votes.iter().find(|vote| vote.question == q)?.label?;
                Some((*task_index.get(task)?, label))
            })
            .collect();
        let fitted = fit(&observations, classes, &gold, &FitOptions::default()).ok();
        for (contributor, worker) in &worker_index {
            let matrix = fitted
                .as_ref()
                .map(|model| model.confusion_or_newcomer(*worker))
                .unwrap_or_else(|| newcomer_matrix(classes));
            models.entry(*contributor).or_default().push(matrix);
        }
    }
    let mut per_task: HashMap<Uuid, Vec<&VoteRow>> = HashMap::new();
    for row in rows
        .iter()
        .copied()
        .filter(|row| row.counted && !data.gold.contains_key(&row.task))
    {
        per_task.entry(row.task).or_default().push(row);
    }
    let verdicts = per_task
        .into_iter()
        .map(|(task, rows)| {
            let answers: Vec<(&[Vote], Option<&WorkerModel>)> = rows
                .iter()
                .map(|row| (row.votes.as_slice(), models.get(&row.contributor)))
                .collect();
            (task, evaluate(questions, policy, &answers))
        })
        .collect();
    Reestimate {
        models: models.into_iter().collect(),
        verdicts,
    }
}

/// A contributor's estimated accuracy on a question: the chance they give
/// the right label, averaged over classes.
pub fn estimated_accuracy(model: &WorkerModel) -> Option<f64> {
    let matrix = model.first()?;
    let classes = matrix.classes();
    Some((0..classes).map(|k| matrix.prob(k, k)).sum::<f64>() / classes as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::consensus::TaskState;

    fn vote(label: u16) -> Vec<Vote> {
        vec![Vote {
            question: 0,
            label: Some(label),
        }]
    }

    #[test]
    fn a_contributor_who_contradicts_gold_loses_weight() {
        let questions = vec![Question::new(
            "decision",
            "Include?",
            &["include", "exclude"],
        )];
        let policy = BatchPolicy {
            min_answers: 2,
            max_answers: 5,
            target_confidence: 0.9,
            ..BatchPolicy::default()
        };
        let (good, bad) = (Uuid::new_v4(), Uuid::new_v4());
        let mut data = BatchVotes::default();
        for i in 0..20 {
            let task = Uuid::new_v4();
            let truth = (i % 2) as u16;
            data.gold.insert(task, vote(truth));
            data.rows.push(VoteRow {
                task,
                contributor: good,
                votes: vote(truth),
                counted: false,
                practice: false,
            });
            data.rows.push(VoteRow {
                task,
                contributor: bad,
                votes: vote(1 - truth),
                counted: false,
                practice: false,
            });
        }
        let open = Uuid::new_v4();
        data.rows.push(VoteRow {
            task: open,
            contributor: good,
            votes: vote(0),
            counted: true,
            practice: false,
        });
        data.rows.push(VoteRow {
            task: open,
            contributor: bad,
            votes: vote(1),
            counted: true,
            practice: false,
        });
        let result = reestimate(&questions, &policy, &data);
        let models: HashMap<Uuid, WorkerModel> = result.models.into_iter().collect();
        assert!(estimated_accuracy(&models[&good]).unwrap() > 0.8);
        assert!(estimated_accuracy(&models[&bad]).unwrap() < 0.2);
        let (_, verdict) = &result.verdicts[0];
        // The reliable contributor's "include" wins despite the tie in votes.
        assert_eq!(verdict.consensus[0].label, "include");
        assert_eq!(verdict.state, TaskState::Settled);
    }

    #[test]
    fn practice_answers_train_no_model() {
        let questions = vec![Question::new(
            "decision",
            "Include?",
            &["include", "exclude"],
        )];
        let (member, practising) = (Uuid::new_v4(), Uuid::new_v4());
        let mut data = BatchVotes::default();
        for i in 0..6 {
            let task = Uuid::new_v4();
            data.gold.insert(task, vote((i % 2) as u16));
            for (contributor, practice) in [(member, false), (practising, true)] {
                data.rows.push(VoteRow {
                    task,
                    contributor,
                    votes: vote((i % 2) as u16),
                    counted: false,
                    practice,
                });
            }
        }
        let result = reestimate(&questions, &BatchPolicy::default(), &data);
        let modelled: Vec<Uuid> = result.models.iter().map(|(who, _)| *who).collect();
        assert_eq!(modelled, vec![member]);
    }
}
