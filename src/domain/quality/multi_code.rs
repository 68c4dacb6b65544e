//! Multi-code answers ("tick every code that applies") as independent
//! binary questions.
//!
//! A coding task with `n` codes becomes `n` yes/no questions. Fit one
//! two-class model per code (class 1 = "applies"): each worker then gets a
//! separate sensitivity/specificity per code, which matters because people
//! are often reliable on common codes and careless on rare ones. Treating
//! the codes independently ignores correlations between codes; that is the
//! price of a model that stays small and fast.

use super::dawid_skene::Observation;
use super::error::ModelError;

/// Binary observations for one multi-code answer, one entry per code.
///
/// `selected: None` is an "unsure" answer and becomes unsure for every code.
/// Entry `c` of the result belongs to code `c`'s binary model, with the same
/// task and worker ids and label 1 if the code was ticked, 0 if not.
/// Duplicate codes in `selected` are harmless.
pub fn split_multi_code(
    task: u32,
    worker: u32,
    selected: Option<&[u16]>,
    codes: u16,
) -> Result<Vec<Observation>, ModelError> {
    let mut ticked = vec![false; usize::from(codes)];
    if let Some(selected) = selected {
        for &code in selected {
            let slot = ticked
                .get_mut(usize::from(code))
                .ok_or(ModelError::LabelOutOfRange {
                    label: code,
                    classes: usize::from(codes),
                })?;
            *slot = true;
        }
    }
    Ok(ticked
        .into_iter()
        .map(|on| Observation {
            task,
            worker,
            label: selected.map(|_| u16::from(on)),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticked_codes_become_ones_and_the_rest_zeros() {
        let per_code = split_multi_code(7, 3, Some(&[2, 0, 2]), 4).unwrap();
        let labels: Vec<Option<u16>> = per_code.iter().map(|o| o.label).collect();
        assert_eq!(labels, vec![Some(1), Some(0), Some(1), Some(0)]);
        assert!(per_code.iter().all(|o| o.task == 7 && o.worker == 3));
    }

    #[test]
    fn an_unsure_answer_is_unsure_for_every_code() {
        let per_code = split_multi_code(1, 1, None, 3).unwrap();
        assert!(per_code.iter().all(|o| o.label.is_none()));
        assert_eq!(per_code.len(), 3);
    }

    #[test]
    fn an_unknown_code_is_rejected() {
        assert_eq!(
            split_multi_code(1, 1, Some(&[5]), 3),
            Err(ModelError::LabelOutOfRange {
                label: 5,
                classes: 3
            })
        );
    }
}
