//! Chance-corrected agreement statistics for nominal labels.
//!
//! These are descriptive numbers for dashboards and sanity checks ("do our
//! volunteers agree at all on this project?"); they do not feed the consensus
//! model. Both return `None` when the statistic is mathematically undefined
//! rather than inventing a value such as 0 or 1, so a caller can show "n/a".

use std::collections::BTreeMap;

/// Fleiss' kappa for a table of per-subject category counts.
///
/// `rows[i][j]` is how many raters put subject `i` into category `j`. Fleiss'
/// statistic assumes every subject was rated by the same number of raters,
/// so `None` is returned when row totals differ (use
/// [`krippendorff_alpha_nominal`] for such data), when rows have different
/// lengths, when there are no subjects or fewer than two raters per subject,
/// and when every rating fell into a single category (expected agreement is 1,
/// so the ratio is 0/0).
pub fn fleiss_kappa<R: AsRef<[u32]>>(rows: &[R]) -> Option<f64> {
    let first = rows.first()?.as_ref();
    let categories = first.len();
    let raters: u64 = first.iter().map(|&c| u64::from(c)).sum();
    if categories == 0 || raters < 2 {
        return None;
    }
    let mut column_totals = vec![0u64; categories];
    let mut observed_sum = 0.0;
    let pairs = (raters * (raters - 1)) as f64;
    for row in rows {
        let row = row.as_ref();
        if row.len() != categories {
            return None;
        }
        let total: u64 = row.iter().map(|&c| u64::from(c)).sum();
        if total != raters {
            return None;
        }
        let mut agreeing_pairs = 0u64;
        for (column, &count) in column_totals.iter_mut().zip(row) {
            let count = u64::from(count);
            *column += count;
            agreeing_pairs += count * count.saturating_sub(1);
        }
        observed_sum += agreeing_pairs as f64 / pairs;
    }
    let subjects = rows.len() as f64;
    let all_ratings = subjects * raters as f64;
    let observed = observed_sum / subjects;
    let expected: f64 = column_totals
        .iter()
        .map(|&c| {
            let share = c as f64 / all_ratings;
            share * share
        })
        .sum();
    if (1.0 - expected).abs() < 1e-12 {
        return None;
    }
    Some((observed - expected) / (1.0 - expected))
}

/// Krippendorff's alpha for nominal data.
///
/// `units[u]` holds one entry per coder for unit `u`; `None` marks a missing
/// value. Units may have any number of coders. Only pairable values count:
/// a unit with fewer than two values carries no information about agreement
/// and is skipped, as in Krippendorff (2011). Returns `None` when fewer than
/// two pairable values exist or all pairable values are identical (expected
/// disagreement is zero).
pub fn krippendorff_alpha_nominal<R: AsRef<[Option<u32>]>>(units: &[R]) -> Option<f64> {
    // Distinct values are few, so a sorted map keeps the matrix small without
    // asking callers to pre-index their categories.
    let mut index: BTreeMap<u32, usize> = BTreeMap::new();
    for unit in units {
        let values = unit.as_ref();
        if values.iter().flatten().count() >= 2 {
            for &v in values.iter().flatten() {
                let next = index.len();
                index.entry(v).or_insert(next);
            }
        }
    }
    let v = index.len();
    if v == 0 {
        return None;
    }
    // Only the diagonal of the coincidence matrix and its marginals are
    // needed for the nominal metric, because every off-diagonal cell has
    // distance 1.
    let mut diagonal = vec![0.0; v];
    let mut marginals = vec![0.0; v];
    let mut counts = vec![0u32; v];
    for unit in units {
        let values = unit.as_ref();
        let m = values.iter().flatten().count();
        if m < 2 {
            continue;
        }
        counts.iter_mut().for_each(|c| *c = 0);
        for value in values.iter().flatten() {
            if let Some(&i) = index.get(value) {
                counts[i] += 1;
            }
        }
        let weight = 1.0 / (m as f64 - 1.0);
        for (i, &c) in counts.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = f64::from(c);
            diagonal[i] += c * (c - 1.0) * weight;
            marginals[i] += c;
        }
    }
    let n: f64 = marginals.iter().sum();
    let sum_sq: f64 = marginals.iter().map(|m| m * m).sum();
    let expected_disagreement = n * n - sum_sq;
    if n < 2.0 || expected_disagreement <= 0.0 {
        return None;
    }
    let observed_disagreement = n - diagonal.iter().sum::<f64>();
    Some(1.0 - (n - 1.0) * observed_disagreement / expected_disagreement)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, counts for
    /// depression, personality disorder, schizophrenia, neurosis, other.
    const FLEISS_1971: [[u32; 5]; 30] = [
        [0, 0, 0, 6, 0],
        [0, 3, 0, 0, 3],
        [0, 1, 4, 0, 1],
        [0, 0, 0, 0, 6],
        [0, 3, 0, 3, 0],
        [2, 0, 4, 0, 0],
        [0, 0, 4, 0, 2],
        [2, 0, 3, 1, 0],
        [2, 0, 0, 4, 0],
        [0, 0, 0, 0, 6],
        [1, 0, 0, 5, 0],
        [1, 1, 0, 4, 0],
        [0, 3, 3, 0, 0],
        [1, 0, 0, 5, 0],
        [0, 2, 0, 3, 1],
        [0, 0, 5, 0, 1],
        [3, 0, 0, 1, 2],
        [5, 1, 0, 0, 0],
        [0, 2, 0, 4, 0],
        [1, 0, 2, 0, 3],
        [0, 0, 0, 0, 6],
        [0, 1, 0, 5, 0],
        [0, 2, 0, 1, 3],
        [2, 0, 0, 4, 0],
        [1, 0, 0, 4, 1],
        [0, 5, 0, 1, 0],
        [4, 0, 0, 0, 2],
        [0, 2, 0, 4, 0],
        [1, 0, 5, 0, 0],
        [0, 0, 0, 0, 6],
    ];

    #[test]
    fn fleiss_kappa_reproduces_the_1971_psychiatric_diagnoses_example() {
        let kappa = fleiss_kappa(&FLEISS_1971).unwrap();
        assert!((kappa - 0.430).abs() < 5e-4, "kappa = {kappa}");
    }

    #[test]
    fn fleiss_kappa_is_one_for_perfect_agreement_and_none_for_a_single_category() {
        assert_eq!(fleiss_kappa(&[[3, 0], [0, 3]]), Some(1.0));
        assert_eq!(fleiss_kappa(&[[3, 0], [3, 0]]), None);
    }

    #[test]
    fn fleiss_kappa_refuses_unequal_numbers_of_raters() {
        assert_eq!(fleiss_kappa(&[[3, 0], [1, 1]]), None);
        assert_eq!(fleiss_kappa::<[u32; 2]>(&[]), None);
        assert_eq!(fleiss_kappa(&[[1, 0], [0, 1]]), None);
    }

    /// Krippendorff (2011), section C: four observers, twelve units, values
    /// 1-5, `None` where an observer did not code the unit.
    fn krippendorff_2011_units() -> Vec<[Option<u32>; 4]> {
        let a = [1, 2, 3, 3, 2, 1, 4, 1, 2, 0, 0, 0];
        let b = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, 0, 3];
        let c = [0, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 0];
        let d = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, 0];
        let value = |x: u32| (x != 0).then_some(x);
        (0..12)
            .map(|u| [value(a[u]), value(b[u]), value(c[u]), value(d[u])])
            .collect()
    }

    #[test]
    fn krippendorff_alpha_reproduces_the_2011_reliability_data_example() {
        let alpha = krippendorff_alpha_nominal(&krippendorff_2011_units()).unwrap();
        assert!((alpha - 0.743).abs() < 5e-4, "alpha = {alpha}");
    }

    #[test]
    fn krippendorff_alpha_ignores_units_with_a_single_value() {
        let mut units = krippendorff_2011_units();
        units.push([Some(9), None, None, None]);
        let alpha = krippendorff_alpha_nominal(&units).unwrap();
        assert!((alpha - 0.743).abs() < 5e-4);
    }

    #[test]
    fn krippendorff_alpha_is_undefined_without_variation_or_pairs() {
        assert_eq!(krippendorff_alpha_nominal(&[[Some(1), Some(1)]]), None);
        assert_eq!(krippendorff_alpha_nominal(&[[Some(1), None]]), None);
        let perfect = [[Some(1), Some(1)], [Some(2), Some(2)]];
        assert_eq!(krippendorff_alpha_nominal(&perfect), Some(1.0));
    }
}
