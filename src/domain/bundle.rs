//! Splitting a session's time budget across the batches a contributor may
//! work on. Every store adapter walks its live batches in priority order and
//! asks [`BundlePlan`] how many tasks to lease from each, so bundles are the
//! same whichever backend holds the tasks.

use super::policy::BatchPolicy;

/// The budget still to fill while a bundle is being leased.
#[derive(Debug, Clone)]
pub struct BundlePlan {
    budget: f64,
    remaining: f64,
    total_priority: u32,
    batches: usize,
    leased: usize,
}

impl BundlePlan {
    /// A plan for `budget_seconds` across batches with these priorities, in
    /// the order they will be visited (highest priority first).
    pub fn new(budget_seconds: u32, priorities: impl IntoIterator<Item = u32>) -> Self {
        let (total_priority, batches) = priorities
            .into_iter()
            .fold((0u32, 0usize), |(sum, count), priority| {
                (sum.saturating_add(priority), count + 1)
            });
        Self {
            budget: f64::from(budget_seconds),
            remaining: f64::from(budget_seconds),
            total_priority,
            batches,
            leased: 0,
        }
    }

    /// How many tasks to ask of the batch at `position`; zero means skip it.
    /// Each batch gets a priority-weighted share of the budget, the last one
    /// whatever is left, and a bundle always asks for at least one task
    /// until it holds one.
    pub fn wanted(&self, position: usize, priority: u32, median_seconds: f64) -> usize {
        let estimate = median_seconds.max(1.0);
        let share = if position + 1 == self.batches {
            self.remaining
        } else {
            (self.budget * f64::from(priority) / f64::from(self.total_priority.max(1)))
                .min(self.remaining)
        };
        ((share / estimate).floor() as usize).max(usize::from(self.leased == 0))
    }

    /// Records that a batch gave `count` tasks; false once the budget is
    /// spent and no further batch should be visited. What a batch could not
    /// fill rolls over to the next.
    pub fn took(&mut self, count: usize, median_seconds: f64) -> bool {
        self.remaining -= count as f64 * median_seconds.max(1.0);
        self.leased += count;
        self.remaining >= 1.0
    }
}

/// How many of `wanted` tasks to draw from the batch's gold, given how many
/// gold tasks the contributor has answered there already.
pub fn gold_wanted(policy: &BatchPolicy, wanted: usize, gold_answered: u32) -> usize {
    (wanted as f64 * policy.gold_share(gold_answered)).round() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_shared_by_priority_and_the_rest_rolls_over() {
        let mut plan = BundlePlan::new(300, [3, 1]);
        assert_eq!(plan.wanted(0, 3, 30.0), 7);
        // The first batch only had two tasks: the last batch gets the rest.
        assert!(plan.took(2, 30.0));
        assert_eq!(plan.wanted(1, 1, 30.0), 8);
        assert!(!plan.took(8, 30.0));
    }

    #[test]
    fn an_empty_bundle_always_asks_for_one_task() {
        let plan = BundlePlan::new(10, [1, 1]);
        assert_eq!(plan.wanted(0, 1, 60.0), 1);
        let mut holding = BundlePlan::new(100, [1, 1]);
        assert!(holding.took(1, 60.0));
        assert_eq!(holding.wanted(0, 1, 60.0), 0);
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
}
