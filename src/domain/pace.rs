//! Learning how long a batch's tasks take, and how much time an answer earns.

/// One step of an online median estimate: move towards the observation by a
/// step proportional to the current estimate. It converges on the median of
/// recent answer times, shrugs off outliers (a phone left on a table moves it
/// no more than a quick answer does) and needs a single number of state.
pub fn update_median(median: f64, observed_seconds: f64) -> f64 {
    let step = (median * 0.05).max(0.25);
    let next = if observed_seconds > median {
        median + step
    } else if observed_seconds < median {
        median - step
    } else {
        median
    };
    next.clamp(1.0, 3600.0)
}

/// Seconds credited for one answer.
///
/// `window` is what the server measured: from the lease (or the end of the
/// contributor's previous credited answer in the same session, whichever is
/// later) to the moment the answer arrived. A phone that worked offline sends
/// `reported` seconds per task, which is trusted only within that window.
/// Anything above `cap` (three times the batch median, or the per-task
/// ceiling) is treated as idle time and not credited.
pub fn credited_seconds(window: f64, reported: Option<f64>, median: f64, cap: f64) -> u32 {
    let window = window.max(0.0);
    let spent = match reported {
        Some(reported) if reported.is_finite() && reported >= 0.0 => reported.min(window),
        _ => window.min(median),
    };
    spent.min(cap).round() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_estimate_converges_despite_outliers() {
        let mut median = 30.0;
        for i in 0..2000 {
            let observed = if i % 10 == 0 { 600.0 } else { 12.0 };
            median = update_median(median, observed);
        }
        assert!((median - 12.0).abs() < 2.0, "{median}");
    }

    #[test]
    fn credit_is_capped_at_three_medians() {
        assert_eq!(credited_seconds(500.0, Some(400.0), 20.0, 60.0), 60);
    }

    #[test]
    fn idle_time_beyond_the_report_is_excluded() {
        // The answer arrived 10 minutes after the lease, but the phone says
        // the task took 25 seconds: the rest was a break, not work.
        assert_eq!(credited_seconds(600.0, Some(25.0), 20.0, 60.0), 25);
    }

    #[test]
    fn a_report_longer_than_the_measured_window_is_clipped() {
        assert_eq!(credited_seconds(8.0, Some(40.0), 20.0, 60.0), 8);
    }

    #[test]
    fn without_a_report_the_median_is_credited_within_the_window() {
        assert_eq!(credited_seconds(300.0, None, 20.0, 60.0), 20);
        assert_eq!(credited_seconds(5.0, None, 20.0, 60.0), 5);
    }
}
