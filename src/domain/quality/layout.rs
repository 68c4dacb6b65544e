//! Packs observations into dense, task-major arrays for the EM loop.
//!
//! Caller ids are arbitrary `u32`s (database keys), so they are mapped to
//! dense indices once here; the EM loop then runs over plain slices with no
//! hashing, which is what makes a million answers fit in well under a second
//! per iteration.

use std::collections::HashMap;

use super::dawid_skene::Observation;
use super::error::ModelError;

/// Task-major (CSR) view of the labelled answers.
pub(super) struct Layout {
    /// Caller task id for each dense task index.
    pub task_ids: Vec<u32>,
    /// Caller worker id for each dense worker index.
    pub worker_ids: Vec<u32>,
    /// Answers of task `t` are `offsets[t]..offsets[t + 1]`.
    pub offsets: Vec<usize>,
    /// Dense worker index of each labelled answer.
    pub workers: Vec<u32>,
    /// Label of each labelled answer.
    pub labels: Vec<u16>,
    /// "Unsure" answers per task.
    pub unsure: Vec<u32>,
    /// Gold label per task, if any.
    pub gold: Vec<Option<u16>>,
}

impl Layout {
    /// Number of tasks (answered or gold).
    pub fn tasks(&self) -> usize {
        self.task_ids.len()
    }

    /// Number of workers seen, including those who only answered "unsure".
    pub fn workers(&self) -> usize {
        self.worker_ids.len()
    }

    /// Dense worker indices and labels of task `t`'s labelled answers.
    pub fn answers(&self, t: usize) -> (&[u32], &[u16]) {
        let range = self.offsets[t]..self.offsets[t + 1];
        (&self.workers[range.clone()], &self.labels[range])
    }
}

fn dense(map: &mut HashMap<u32, u32>, ids: &mut Vec<u32>, id: u32) -> u32 {
    *map.entry(id).or_insert_with(|| {
        ids.push(id);
        (ids.len() - 1) as u32
    })
}

/// Validates labels and builds the layout. Tasks and workers keep their
/// first-appearance order, so results are deterministic for a given input.
pub(super) fn build(
    observations: &[Observation],
    classes: usize,
    gold: &[(u32, u16)],
) -> Result<Layout, ModelError> {
    let check = |label: u16| {
        if usize::from(label) < classes {
            Ok(label)
        } else {
            Err(ModelError::LabelOutOfRange { label, classes })
        }
    };
    let mut task_map = HashMap::with_capacity(observations.len() / 4 + 16);
    let mut worker_map = HashMap::new();
    let mut task_ids = Vec::new();
    let mut worker_ids = Vec::new();
    let mut dense_obs = Vec::with_capacity(observations.len());
    for obs in observations {
        let t = dense(&mut task_map, &mut task_ids, obs.task);
        let w = dense(&mut worker_map, &mut worker_ids, obs.worker);
        let label = obs.label.map(check).transpose()?;
        dense_obs.push((t, w, label));
    }
    let mut gold_labels: Vec<Option<u16>> = vec![None; task_ids.len()];
    for &(task, label) in gold {
        let label = check(label)?;
        let t = dense(&mut task_map, &mut task_ids, task) as usize;
        if t >= gold_labels.len() {
            gold_labels.resize(t + 1, None);
        }
        match gold_labels[t] {
            Some(existing) if existing != label => {
                return Err(ModelError::ConflictingGold { task });
            }
            _ => gold_labels[t] = Some(label),
        }
    }
    let tasks = task_ids.len();
    let mut offsets = vec![0usize; tasks + 1];
    let mut unsure = vec![0u32; tasks];
    for &(t, _, label) in &dense_obs {
        match label {
            Some(_) => offsets[t as usize + 1] += 1,
            None => unsure[t as usize] += 1,
        }
    }
    for t in 0..tasks {
        offsets[t + 1] += offsets[t];
    }
    let labelled = offsets[tasks];
    let mut cursor = offsets.clone();
    let mut workers = vec![0u32; labelled];
    let mut labels = vec![0u16; labelled];
    for &(t, w, label) in &dense_obs {
        if let Some(label) = label {
            let slot = &mut cursor[t as usize];
            workers[*slot] = w;
            labels[*slot] = label;
            *slot += 1;
        }
    }
    Ok(Layout {
        task_ids,
        worker_ids,
        offsets,
        workers,
        labels,
        unsure,
        gold: gold_labels,
    })
}
