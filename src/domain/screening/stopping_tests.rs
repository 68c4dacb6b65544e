use super::super::random::SeededRng;
use super::*;

#[test]
fn the_hypergeometric_tail_matches_counting_by_hand() {
    // 10 items, 3 marked, 4 drawn: P(none marked) = C(7,4) / C(10,4) = 1/6.
    assert!((hypergeometric_cdf(0, 10, 3, 4) - 1.0 / 6.0).abs() < 1e-12);
    // P(X <= 1) = (35 + 3 * 35) / 210 = 2/3.
    assert!((hypergeometric_cdf(1, 10, 3, 4) - 2.0 / 3.0).abs() < 1e-12);
    assert!((hypergeometric_cdf(3, 10, 3, 4) - 1.0).abs() < 1e-12);
    // Large pools go through Stirling's series: P(none of 3 in 500 of
    // 1000) = (500·499·498) / (1000·999·998).
    let exact = (500.0 * 499.0 * 498.0) / (1000.0 * 999.0 * 998.0);
    assert!((hypergeometric_cdf(0, 1000, 3, 500) - exact).abs() < 1e-9);
    // Drawing everything leaves no doubt.
    assert!(hypergeometric_cdf(2, 10, 3, 10) < 1e-12);
}

/// Samples a pool that hides `hidden` relevant records at random, testing
/// after every draw as the rule does; returns the recall reached when the
/// test first passes (1.0 if it never does before the pool runs out).
fn sampled_recall(
    rule: &StoppingRule,
    rng: &mut SeededRng,
    pool: usize,
    hidden: usize,
    found_before: usize,
) -> (f64, usize) {
    let order = rng.permutation(pool);
    let relevant = found_before + hidden;
    let mut found = 0;
    for (drawn, &record) in order.iter().enumerate() {
        found += usize::from(record < hidden);
        let sample = Sample {
            pool,
            found_before,
            seen: found_before + found,
            drawn: drawn + 1,
            found,
        };
        if rule.test(&sample).passes {
            return ((found_before + found) as f64 / relevant as f64, drawn + 1);
        }
    }
    (1.0, pool)
}

#[test]
fn the_test_stops_short_of_the_target_no_more_often_than_its_confidence_allows() {
    let rule = StoppingRule::default();
    let mut rng = SeededRng::new(2026);
    // Recall just below 95% (56 of 60 found: 93.3%, and 94.9% once two more
    // turn up in the sample): the hardest case for the test.
    let cases = [(1500, 4, 56), (600, 3, 57), (300, 6, 114)];
    for (pool, hidden, found_before) in cases {
        let trials = 2000;
        let short = (0..trials)
            .filter(|_| {
                let (recall, _) = sampled_recall(&rule, &mut rng, pool, hidden, found_before);
                recall < rule.target_recall
            })
            .count();
        let rate = short as f64 / trials as f64;
        // At 5% the binomial sd over 2000 trials is 0.5%: a broken test
        // (say, a wrong K or the upper tail) lands far above this.
        assert!(rate <= 0.05 + 0.015, "pool {pool}, hidden {hidden}: {rate}");
    }
}

#[test]
fn with_recall_well_past_the_target_the_test_stops_long_before_the_pool_ends() {
    let rule = StoppingRule::default();
    let mut rng = SeededRng::new(9);
    // 100 found, nothing hidden, 1000 unscreened.
    let (recall, drawn) = sampled_recall(&rule, &mut rng, 1000, 0, 100);
    assert_eq!(recall, 1.0);
    assert!(drawn < 500, "{drawn}");
}

#[test]
fn a_pool_too_small_to_hide_a_shortfall_passes_at_once() {
    let rule = StoppingRule::default();
    let test = rule.test(&Sample {
        pool: 3,
        found_before: 100,
        seen: 100,
        drawn: 0,
        found: 0,
    });
    assert!(test.relevant_if_short > 3);
    assert!(test.passes);
}

#[test]
fn ranked_picks_run_dry_after_a_window_with_at_most_one_include() {
    let rule = StoppingRule {
        dry_window: 4,
        dry_share: 0.0,
        ..StoppingRule::default()
    };
    assert!(!rule.ranked_ran_dry(100, &[false, false, false]));
    assert!(rule.ranked_ran_dry(100, &[true, true, false, true, false, false]));
    assert!(!rule.ranked_ran_dry(100, &[true, true, false, false]));
    assert_eq!(StoppingRule::default().window(2000), 100);
}

#[test]
fn the_estimate_of_relevant_records_left_is_unbiased() {
    // 1000 records, 50 relevant. Each step either picks at random (a draw)
    // or, like a good model, picks a relevant record while any is left.
    let mut rng = SeededRng::new(4);
    let trials = 3000;
    let mut error_sum = 0.0;
    for _ in 0..trials {
        let mut open: Vec<bool> = vec![true; 1000];
        let mut draws = Vec::new();
        let mut found = 0;
        for step in 0..300 {
            let unscreened: Vec<usize> = (0..1000).filter(|&r| open[r]).collect();
            let pick = if step % 10 == 0 {
                let r = unscreened[rng.below(unscreened.len())];
                draws.push(RandomDraw {
                    pool: unscreened.len(),
                    found_before: found,
                    include: r < 50,
                });
                r
            } else {
                // The "model" finds a relevant record one time in twenty.
                let relevant: Vec<usize> = unscreened.iter().copied().filter(|&r| r < 50).collect();
                if !relevant.is_empty() && rng.next_f64() < 0.05 {
                    relevant[0]
                } else {
                    *unscreened
                        .iter()
                        .rev()
                        .find(|&&r| r >= 50)
                        .unwrap_or(&unscreened[0])
                }
            };
            open[pick] = false;
            found += usize::from(pick < 50);
        }
        let truth = (50 - found) as f64;
        let estimate = estimate_remaining(&draws, found, usize::MAX).unwrap();
        error_sum += estimate - truth;
    }
    // One trial's estimate has an sd near 40, so the mean of 3000 has one
    // near 0.75; leaving out the includes found since a draw would bias it
    // by about 7.
    let mean_error = error_sum / trials as f64;
    assert!(mean_error.abs() < 2.5, "{mean_error}");
}

#[test]
fn the_sample_is_the_screened_stretch_of_the_random_order_within_the_pool() {
    // Records 0 and 1 were screened before the test; 2..6 form the pool.
    let mut decisions = vec![Some(true), Some(false), None, None, None, None];
    let mut cursor = SampleCursor::start(&decisions);
    assert_eq!((cursor.sample.pool, cursor.sample.found_before), (4, 1));
    let random_order = [4, 0, 2, 5, 1, 3];
    // The model screens 5 (an include): not in the sample yet, since 4
    // comes first in the random order and is unscreened.
    decisions[5] = Some(true);
    cursor.advance(&random_order, &decisions);
    assert_eq!((cursor.sample.drawn, cursor.sample.seen), (0, 2));
    // A random pick screens 4; the stretch skips 0 (not in the pool) and
    // stops at 2, unscreened.
    decisions[4] = Some(false);
    cursor.advance(&random_order, &decisions);
    assert_eq!((cursor.sample.drawn, cursor.sample.found), (1, 0));
    decisions[2] = Some(false);
    cursor.advance(&random_order, &decisions);
    // 2, then 5 (screened by the model) joins for free, then 3 stops it.
    assert_eq!((cursor.sample.drawn, cursor.sample.found), (3, 1));
}
