//! When to stop asking: adaptive stopping for tasks, and the gold-standard
//! gate that decides whose answers count at all.

/// What to do with a task after its latest answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// Confident enough: record `label` and stop serving the task.
    Settled {
        /// The winning class.
        label: u16,
        /// Its posterior probability.
        confidence: f64,
    },
    /// The answer budget is spent without reaching the target: hand the task
    /// to an expert rather than spending more volunteer time on it.
    Escalate,
    /// Keep serving the task.
    Open,
}

/// Decides a task's fate from its posterior and how many counted answers it
/// has (answers from qualified workers, "unsure" included, see
/// [`super::incremental::TaskPosterior::counted_answers`]).
///
/// Settles when the top class has at least `target_confidence` and at least
/// `min_answers` answers are in; otherwise escalates once `max_answers` are
/// in; otherwise stays open. Settling is checked first so a task that reaches
/// the target on its last allowed answer is settled, not escalated. Ties for
/// the top class go to the lower class index, so the result is reproducible.
pub fn decide(
    posterior: &[f64],
    n_counted_answers: u32,
    min_answers: u32,
    max_answers: u32,
    target_confidence: f64,
) -> Decision {
    if let Some((label, confidence)) = top_class(posterior)
        && n_counted_answers >= min_answers
        && confidence >= target_confidence
    {
        return Decision::Settled { label, confidence };
    }
    if n_counted_answers >= max_answers {
        Decision::Escalate
    } else {
        Decision::Open
    }
}

/// The most probable class and its probability (`None` for an empty or
/// non-finite posterior, or more classes than `u16` can name).
pub fn top_class(posterior: &[f64]) -> Option<(u16, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &p) in posterior.iter().enumerate() {
        if !p.is_finite() {
            return None;
        }
        if best.is_none_or(|(_, b)| p > b) {
            best = Some((i, p));
        }
    }
    let (i, p) = best?;
    Some((u16::try_from(i).ok()?, p))
}

/// A gold-standard entry test such as "4 correct out of the first 5".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QualificationRule {
    /// Gold answers that must be correct, e.g. 4.
    pub required_correct: u32,
    /// Gold answers the worker is assessed on, e.g. 5.
    pub out_of: u32,
}

/// A worker's standing with respect to a [`QualificationRule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualification {
    /// Not enough gold answered yet, but still able to pass.
    Pending {
        /// Further gold answers needed before a verdict.
        gold_remaining: u32,
    },
    /// The worker's answers count towards consensus.
    Qualified,
    /// The worker's answers are stored but ignored by the consensus.
    Unqualified,
}

impl Qualification {
    /// Whether this worker's answers should count towards consensus; only a
    /// proven worker's do, so a pending newcomer cannot swing a task.
    pub fn counts_towards_consensus(self) -> bool {
        self == Self::Qualified
    }
}

/// Applies `rule` to a worker's gold record (`correct` of `total`).
///
/// The verdict is a pure function of the current tally, recomputed as gold
/// accumulates: below `out_of` answers the worker is `Pending` unless they
/// have already made more mistakes than the rule allows (then `Unqualified`,
/// so we stop spending gold on them); from `out_of` on they must keep the
/// rule's accuracy, e.g. 80% for "4 of 5", so a qualified worker who later
/// deteriorates loses the status. A rule requiring nothing qualifies everyone.
pub fn qualification(correct: u32, total: u32, rule: QualificationRule) -> Qualification {
    let correct = correct.min(total);
    let required = rule.required_correct.min(rule.out_of);
    if required == 0 {
        return Qualification::Qualified;
    }
    let mistakes = total - correct;
    if total < rule.out_of {
        return if mistakes > rule.out_of - required {
            Qualification::Unqualified
        } else {
            Qualification::Pending {
                gold_remaining: rule.out_of - total,
            }
        };
    }
    if u64::from(correct) * u64::from(rule.out_of) >= u64::from(required) * u64::from(total) {
        Qualification::Qualified
    } else {
        Qualification::Unqualified
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confident_task_with_enough_answers_settles() {
        let d = decide(&[0.05, 0.95], 3, 3, 10, 0.9);
        assert_eq!(
            d,
            Decision::Settled {
                label: 1,
                confidence: 0.95
            }
        );
    }

    #[test]
    fn a_confident_task_below_the_minimum_stays_open() {
        assert_eq!(decide(&[0.05, 0.95], 2, 3, 10, 0.9), Decision::Open);
    }

    #[test]
    fn an_unconvinced_task_escalates_at_the_budget_but_settles_if_it_gets_there() {
        assert_eq!(decide(&[0.4, 0.6], 10, 3, 10, 0.9), Decision::Escalate);
        assert_eq!(decide(&[0.4, 0.6], 9, 3, 10, 0.9), Decision::Open);
        assert!(matches!(
            decide(&[0.02, 0.98], 10, 3, 10, 0.9),
            Decision::Settled { label: 1, .. }
        ));
    }

    #[test]
    fn ties_go_to_the_lower_class_and_garbage_never_settles() {
        assert_eq!(top_class(&[0.5, 0.5]), Some((0, 0.5)));
        assert_eq!(decide(&[], 5, 1, 10, 0.5), Decision::Open);
        assert_eq!(decide(&[f64::NAN, 1.0], 10, 1, 10, 0.5), Decision::Escalate);
    }

    #[test]
    fn four_of_five_qualifies_and_three_of_five_does_not() {
        let rule = QualificationRule {
            required_correct: 4,
            out_of: 5,
        };
        assert_eq!(qualification(4, 5, rule), Qualification::Qualified);
        assert_eq!(qualification(3, 5, rule), Qualification::Unqualified);
        assert!(qualification(5, 5, rule).counts_towards_consensus());
    }

    #[test]
    fn a_worker_is_pending_until_the_rule_can_be_judged() {
        let rule = QualificationRule {
            required_correct: 4,
            out_of: 5,
        };
        assert_eq!(
            qualification(2, 3, rule),
            Qualification::Pending { gold_remaining: 2 }
        );
        assert!(!qualification(3, 3, rule).counts_towards_consensus());
        assert_eq!(qualification(1, 3, rule), Qualification::Unqualified);
    }

    #[test]
    fn later_gold_keeps_the_rules_accuracy() {
        let rule = QualificationRule {
            required_correct: 4,
            out_of: 5,
        };
        assert_eq!(qualification(8, 10, rule), Qualification::Qualified);
        assert_eq!(qualification(7, 10, rule), Qualification::Unqualified);
    }
}
