//! Filling a session's time budget from the batches a contributor may work
//! on. Every store adapter asks [`BundlePlan`] which batch to lease from
//! next and how many tasks, leases what it can, and reports back, so
//! bundles are the same whichever backend holds the tasks.
//!
//! The first round gives each batch a share of the budget weighted by its
//! priority. Whatever a round leaves unspent goes, in later rounds, to the
//! batches that gave everything they were asked for (they may hold more);
//! a batch that gave less than asked has nothing more for this person and
//! is not asked again. So a bundle fills its budget whenever enough open
//! work exists for the person, whatever the batch order.

use super::policy::BatchPolicy;

/// One batch as the planner sees it.
#[derive(Debug, Clone, Copy)]
struct Slot {
    priority: u32,
    estimate: f64,
    /// Gave fewer tasks than asked: nothing more for this person here.
    exhausted: bool,
}

/// A request to lease `count` tasks from the batch at `position`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ask {
    pub position: usize,
    pub count: usize,
}

/// The budget still to fill while a bundle is being leased.
#[derive(Debug, Clone)]
pub struct BundlePlan {
    budget: f64,
    remaining: f64,
    total_priority: u32,
    slots: Vec<Slot>,
    /// Next position to visit in the current round.
    cursor: usize,
    /// 0 for the priority-weighted first round, then top-up rounds.
    round: u32,
    leased: usize,
}

/// Top-up rounds after the first before the planner gives up; each round
/// either spends budget or marks a batch exhausted, so few are ever needed.
const MAX_ROUNDS: u32 = 8;

impl BundlePlan {
    /// A plan for `budget_seconds` across batches given as (priority,
    /// median seconds per task), in the order they will be visited.
    pub fn new(budget_seconds: u32, batches: impl IntoIterator<Item = (u32, f64)>) -> Self {
        let slots: Vec<Slot> = batches
            .into_iter()
            .map(|(priority, median)| Slot {
                priority,
                estimate: median.max(1.0),
                exhausted: false,
            })
            .collect();
        let total_priority = slots
            .iter()
            .fold(0u32, |sum, slot| sum.saturating_add(slot.priority));
        Self {
            budget: f64::from(budget_seconds),
            remaining: f64::from(budget_seconds),
            total_priority,
            slots,
            cursor: 0,
            round: 0,
            leased: 0,
        }
    }

    /// The next batch to lease from and how many tasks to ask of it, or
    /// `None` when the bundle is done. A bundle always asks for at least one
    /// task until it holds one, so a short budget still gets work.
    pub fn next_ask(&mut self) -> Option<Ask> {
        while self.round <= MAX_ROUNDS {
            if self.cursor == self.slots.len() {
                self.cursor = 0;
                self.round += 1;
                if !self.worth_another_round() {
                    return None;
                }
                continue;
            }
            let position = self.cursor;
            self.cursor += 1;
            let slot = self.slots[position];
            if slot.exhausted {
                continue;
            }
            let share = if self.round == 0 {
                self.budget * f64::from(slot.priority) / f64::from(self.total_priority.max(1))
            } else {
                self.remaining
            };
            let count = ((share.min(self.remaining) / slot.estimate).floor() as usize)
                .max(usize::from(self.leased == 0));
            if count > 0 {
                return Some(Ask { position, count });
            }
        }
        None
    }

    /// Records that the batch at `position`, asked for `asked` tasks, gave `got`.
    pub fn took(&mut self, position: usize, asked: usize, got: usize) {
        let Some(slot) = self.slots.get_mut(position) else {
            return;
        };
        slot.exhausted |= got < asked;
        self.remaining -= got as f64 * slot.estimate;
        self.leased += got;
    }

    /// Whether some batch still has work and a task of it fits what is left.
    fn worth_another_round(&self) -> bool {
        self.slots
            .iter()
            .any(|slot| !slot.exhausted && (self.leased == 0 || slot.estimate <= self.remaining))
    }
}

/// How many of `wanted` tasks to draw from the batch's gold, given how many
/// gold tasks the contributor has answered there already.
pub fn gold_wanted(policy: &BatchPolicy, wanted: usize, gold_answered: u32) -> usize {
    (wanted as f64 * policy.gold_share(gold_answered)).round() as usize
}

/// How one batch's share of a bundle is drawn: gold tasks first, then
/// regular tasks for the rest. Someone who may only practise
/// (`domain::practice`) draws gold only, so a batch without gold (or whose
/// gold they have all answered) gives them nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    /// Gold tasks to look for.
    pub gold: usize,
    wanted: usize,
    practice_only: bool,
}

impl Draw {
    pub fn new(
        policy: &BatchPolicy,
        wanted: usize,
        gold_answered: u32,
        practice_only: bool,
    ) -> Self {
        let gold = if practice_only {
            wanted
        } else {
            gold_wanted(policy, wanted, gold_answered)
        };
        Self {
            gold,
            wanted,
            practice_only,
        }
    }

    /// Regular tasks to lease once `gold_found` gold tasks were found.
    pub fn regular(&self, gold_found: usize) -> usize {
        if self.practice_only {
            0
        } else {
            self.wanted.saturating_sub(gold_found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Runs a plan against batches holding `available` tasks each (what the
    /// person may take there); returns the seconds leased.
    fn fill(budget: u32, batches: &[(u32, f64, usize)]) -> f64 {
        let mut left: Vec<usize> = batches.iter().map(|b| b.2).collect();
        let mut plan = BundlePlan::new(budget, batches.iter().map(|b| (b.0, b.1)));
        let mut seconds = 0.0;
        let mut asks = 0;
        while let Some(ask) = plan.next_ask() {
            asks += 1;
            assert!(asks < 1000, "the planner does not terminate");
            let got = ask.count.min(left[ask.position]);
            left[ask.position] -= got;
            seconds += got as f64 * batches[ask.position].1.max(1.0);
            plan.took(ask.position, ask.count, got);
        }
        seconds
    }

    #[test]
    fn the_budget_is_shared_by_priority_first() {
        let mut plan = BundlePlan::new(300, [(3, 30.0), (1, 30.0)]);
        assert_eq!(
            plan.next_ask(),
            Some(Ask {
                position: 0,
                count: 7
            })
        );
        plan.took(0, 7, 7);
        assert_eq!(
            plan.next_ask(),
            Some(Ask {
                position: 1,
                count: 2
            })
        );
    }

    #[test]
    fn what_a_nearly_finished_last_batch_leaves_goes_back_to_the_others() {
        // Regression: the last batch had 3 tasks left, and the rest of the
        // budget used to be lost although the first batch had plenty.
        let seconds = fill(300, &[(1, 15.0, 1000), (1, 15.0, 3)]);
        assert!(seconds >= 285.0, "filled only {seconds} s of 300");
    }

    #[test]
    fn an_empty_bundle_always_asks_for_one_task() {
        let mut plan = BundlePlan::new(10, [(1, 60.0), (1, 60.0)]);
        assert_eq!(
            plan.next_ask(),
            Some(Ask {
                position: 0,
                count: 1
            })
        );
        plan.took(0, 1, 1);
        assert_eq!(plan.next_ask(), None);
    }

    #[test]
    fn no_work_means_an_empty_bundle() {
        assert_eq!(fill(300, &[(1, 20.0, 0), (5, 20.0, 0)]), 0.0);
        assert_eq!(BundlePlan::new(300, []).next_ask(), None);
    }

    #[test]
    fn newcomers_draw_more_gold() {
        let policy = BatchPolicy {
            gold_rate: 0.1,
            qualify_out_of: 5,
            ..BatchPolicy::default()
        };
        assert_eq!(gold_wanted(&policy, 10, 0), 2);
        assert_eq!(gold_wanted(&policy, 10, 5), 1);
    }

    #[test]
    fn practice_draws_gold_only() {
        let policy = BatchPolicy {
            gold_rate: 0.1,
            ..BatchPolicy::default()
        };
        let practice = Draw::new(&policy, 10, 0, true);
        assert_eq!((practice.gold, practice.regular(3)), (10, 0));
        let work = Draw::new(&policy, 10, 0, false);
        assert_eq!(work.gold, 2);
        assert_eq!(work.regular(1), 9, "regular tasks fill what gold could not");
        let no_gold = BatchPolicy {
            gold_rate: 0.0,
            ..BatchPolicy::default()
        };
        assert_eq!(Draw::new(&no_gold, 4, 0, false).gold, 0);
        assert_eq!(Draw::new(&no_gold, 4, 0, true).regular(0), 0);
    }

    proptest! {
        /// Whenever the open work the person may take is worth at least the
        /// budget, the bundle reaches 90% of it: for any priorities, any
        /// batches already finished (no work left) and task estimates up to
        /// a tenth of the smallest budget.
        #[test]
        fn a_bundle_reaches_nine_tenths_of_its_budget_when_work_allows(
            minutes in 5u32..=30,
            batches in proptest::collection::vec(
                (1u32..=100, 3.0f64..=30.0, prop_oneof![Just(0usize), 0usize..5, 0usize..500]),
                1..12,
            ),
        ) {
            let budget = minutes * 60;
            let open: f64 = batches.iter().map(|b| b.2 as f64 * b.1).sum();
            let seconds = fill(budget, &batches);
            prop_assert!(seconds <= f64::from(budget) + 30.0);
            if open >= f64::from(budget) {
                prop_assert!(
                    seconds >= 0.9 * f64::from(budget),
                    "filled {} of {} s with {} s open", seconds, budget, open
                );
            }
        }
    }
}
