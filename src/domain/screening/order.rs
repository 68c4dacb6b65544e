//! Which open records to hand out next.
//!
//! Three phases, in this order:
//! 1. **Warm-up**: a seeded random order (never the file's order: exported
//!    files often list the included records first) until the batch has
//!    `warmup_includes` includes and `warmup_excludes` excludes settled.
//! 2. **Ranked**: the model's most likely relevant record first, except that
//!    each pick is, with probability `random_share`, the next record of the
//!    seeded random order instead. Those random picks keep the model
//!    learning from records unlike the ones it already knows, and they are
//!    a uniform sample of what is still unscreened, from which the stopping
//!    rule estimates the relevant records left.
//! 3. **Sampling**: once the stopping rule starts its test (see
//!    [`super::stopping`]), each pick comes from the random order with
//!    probability `sampling_share`, and from the model otherwise, so that
//!    the test's sample grows faster while the model keeps finding what it
//!    can.
//!
//! Every choice depends on the seed, the pick's number and the scores
//! alone, so the same batch, seed and labels give the same order.

use super::random::{SeededRng, coin};

/// The policy's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderPolicy {
    pub warmup_includes: usize,
    pub warmup_excludes: usize,
    pub random_share: f64,
    pub sampling_share: f64,
    pub seed: u64,
}

impl Default for OrderPolicy {
    fn default() -> Self {
        Self {
            warmup_includes: 1,
            warmup_excludes: 2,
            random_share: 0.1,
            sampling_share: 0.5,
            seed: 0,
        }
    }
}

/// The phase a batch is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Warmup,
    Ranked,
    Sampling,
}

/// Why a record was picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickKind {
    /// The next record of the seeded random order: part of the uniform
    /// sample.
    Random,
    /// The model's highest-scored open record.
    Ranked,
}

/// What the order looks at: which records are still open to hand out,
/// and the model's scores (higher is more likely relevant) once it has any.
#[derive(Debug, Clone, Copy)]
pub struct OrderState<'a> {
    pub open: &'a [bool],
    pub scores: Option<&'a [f64]>,
    pub phase: Phase,
    /// Picks made so far: each pick's random-share coin is its own.
    pub picks_made: u64,
}

impl OrderPolicy {
    /// The batch's random order: a permutation of `0..records` fixed by the
    /// seed.
    pub fn random_order(&self, records: usize) -> Vec<usize> {
        SeededRng::new(self.seed).permutation(records)
    }

    /// The phase for a batch with this many settled includes and excludes,
    /// once the stopping test has (`sampling`) or has not started.
    pub fn phase(&self, includes: usize, excludes: usize, sampling: bool) -> Phase {
        if sampling {
            Phase::Sampling
        } else if includes < self.warmup_includes.max(1) || excludes < self.warmup_excludes.max(1) {
            Phase::Warmup
        } else {
            Phase::Ranked
        }
    }

    /// Whether pick number `pick` is a random one in `phase`.
    pub fn is_random_pick(&self, phase: Phase, pick: u64) -> bool {
        let share = match phase {
            Phase::Warmup => 1.0,
            Phase::Ranked => self.random_share,
            Phase::Sampling => self.sampling_share,
        };
        coin(self.seed, pick) < share
    }

    /// The next `count` records to hand out, in order, with why each was
    /// picked. `random_order` is [`Self::random_order`]'s permutation.
    pub fn next(
        &self,
        state: &OrderState<'_>,
        random_order: &[usize],
        count: usize,
    ) -> Vec<(usize, PickKind)> {
        let mut taken = vec![false; state.open.len()];
        let mut random = random_order
            .iter()
            .copied()
            .filter(|&r| state.open.get(r).copied().unwrap_or(false));
        let mut ranked: Vec<usize> = match (state.phase, state.scores) {
            (Phase::Ranked | Phase::Sampling, Some(scores)) => {
                let mut open: Vec<usize> =
                    (0..state.open.len()).filter(|&r| state.open[r]).collect();
                // Sorted so that popping gives the highest score first, ties
                // to the lower index, whatever the sort's details.
                open.sort_by(|&a, &b| {
                    let (sa, sb) = (scores.get(a).copied(), scores.get(b).copied());
                    sb.partial_cmp(&sa)
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(a.cmp(&b))
                });
                open.reverse();
                open
            }
            _ => Vec::new(),
        };
        let mut out = Vec::with_capacity(count);
        for i in 0..count as u64 {
            let pick = state.picks_made + i;
            let want_random = state.scores.is_none() || self.is_random_pick(state.phase, pick);
            let next = if want_random {
                random
                    .by_ref()
                    .find(|&r| !taken[r])
                    .map(|r| (r, PickKind::Random))
            } else {
                std::iter::from_fn(|| ranked.pop())
                    .find(|&r| !taken[r])
                    .map(|r| (r, PickKind::Ranked))
            };
            let Some((record, kind)) = next else { break };
            taken[record] = true;
            out.push((record, kind));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(seed: u64) -> OrderPolicy {
        OrderPolicy {
            seed,
            ..OrderPolicy::default()
        }
    }

    #[test]
    fn the_order_is_the_same_under_a_seed_and_never_the_file_order() {
        let open = vec![true; 200];
        let scores: Vec<f64> = (0..200).map(|i| f64::from(i % 17)).collect();
        for phase in [Phase::Warmup, Phase::Ranked, Phase::Sampling] {
            // Every phase has random picks, whose order the seed sets.
            let state = OrderState {
                open: &open,
                scores: Some(&scores),
                phase,
                picks_made: 0,
            };
            let run = |seed| {
                let p = policy(seed);
                p.next(&state, &p.random_order(200), 50)
            };
            assert_eq!(run(5), run(5));
            assert_ne!(run(5), run(6));
        }
        let p = policy(5);
        let state = OrderState {
            open: &open,
            scores: None,
            phase: Phase::Warmup,
            picks_made: 0,
        };
        let first: Vec<usize> = p
            .next(&state, &p.random_order(200), 10)
            .iter()
            .map(|x| x.0)
            .collect();
        assert_ne!(first, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn ranked_picks_take_the_highest_scores_and_the_random_share_is_honoured() {
        let n = 20_000;
        let open = vec![true; n];
        let scores: Vec<f64> = (0..n).map(|i| i as f64).collect();
        let p = OrderPolicy {
            random_share: 0.1,
            ..policy(11)
        };
        let state = OrderState {
            open: &open,
            scores: Some(&scores),
            phase: Phase::Ranked,
            picks_made: 0,
        };
        let picks = p.next(&state, &p.random_order(n), 10_000);
        let random = picks.iter().filter(|(_, k)| *k == PickKind::Random).count();
        let share = random as f64 / picks.len() as f64;
        // Binomial(10 000, 0.1): sd 0.003, so this fails on a wrong share.
        assert!((share - 0.1).abs() < 0.012, "{share}");
        let ranked: Vec<usize> = picks
            .iter()
            .filter(|(_, k)| *k == PickKind::Ranked)
            .map(|x| x.0)
            .collect();
        assert!(ranked.windows(2).all(|w| w[0] > w[1]));
        assert_eq!(ranked[0], n - 1);
    }

    #[test]
    fn closed_records_are_never_picked_and_each_pick_is_distinct() {
        let open: Vec<bool> = (0..100).map(|i| i % 3 != 0).collect();
        let scores: Vec<f64> = (0..100).map(|i| -(i as f64)).collect();
        let p = OrderPolicy {
            random_share: 0.5,
            ..policy(2)
        };
        let state = OrderState {
            open: &open,
            scores: Some(&scores),
            phase: Phase::Ranked,
            picks_made: 7,
        };
        let picks = p.next(&state, &p.random_order(100), 1000);
        assert_eq!(picks.len(), open.iter().filter(|&&o| o).count());
        let mut seen: Vec<usize> = picks.iter().map(|x| x.0).collect();
        assert!(seen.iter().all(|&r| open[r]));
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), picks.len());
    }

    #[test]
    fn the_warm_up_lasts_until_both_classes_are_there() {
        let p = OrderPolicy::default();
        assert_eq!(p.phase(0, 10, false), Phase::Warmup);
        assert_eq!(p.phase(1, 1, false), Phase::Warmup);
        assert_eq!(p.phase(1, 2, false), Phase::Ranked);
        assert_eq!(p.phase(1, 2, true), Phase::Sampling);
    }
}
