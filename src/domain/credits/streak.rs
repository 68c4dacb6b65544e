//! Streaks of active days: a gentle nudge, never a penalty.

use chrono::{NaiveDate, TimeDelta};

/// Days on which a contributor answered at least one task.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Streak {
    /// Consecutive active days up to today, or up to yesterday while today
    /// is still young: a streak only breaks once a whole day passes idle.
    pub current_days: u32,
    /// The longest run of consecutive active days ever.
    pub longest_days: u32,
    /// Active days in total.
    pub active_days: u32,
    /// The most recent active day.
    pub last_active_on: Option<NaiveDate>,
}

/// Computes the streak from active days in any order (repeats are ignored).
pub fn streak(days: &[NaiveDate], today: NaiveDate) -> Streak {
    let mut days = days.to_vec();
    days.sort_unstable();
    days.dedup();
    let mut longest = 0u32;
    let mut run = 0u32;
    let mut previous: Option<NaiveDate> = None;
    for &day in &days {
        run = match previous {
            Some(before) if before.checked_add_signed(TimeDelta::days(1)) == Some(day) => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let yesterday = today.checked_sub_signed(TimeDelta::days(1));
    let current = match previous {
        Some(last) if last == today || Some(last) == yesterday => run,
        _ => 0,
    };
    Streak {
        current_days: current,
        longest_days: longest,
        active_days: u32::try_from(days.len()).unwrap_or(u32::MAX),
        last_active_on: previous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 3, day).unwrap()
    }

    #[test]
    fn a_run_ending_today_is_the_current_streak() {
        let days = [d(1), d(2), d(5), d(6), d(7), d(7)];
        let streak = streak(&days, d(7));
        assert_eq!(streak.current_days, 3);
        assert_eq!(streak.longest_days, 3);
        assert_eq!(streak.active_days, 5);
        assert_eq!(streak.last_active_on, Some(d(7)));
    }

    #[test]
    fn a_run_ending_yesterday_still_counts_until_today_ends() {
        assert_eq!(streak(&[d(3), d(4)], d(5)).current_days, 2);
    }

    #[test]
    fn a_whole_idle_day_breaks_the_streak_but_not_the_record() {
        let streak = streak(&[d(1), d(2), d(3), d(4)], d(6));
        assert_eq!(streak.current_days, 0);
        assert_eq!(streak.longest_days, 4);
    }

    #[test]
    fn no_activity_means_no_streak() {
        assert_eq!(streak(&[], d(6)), Streak::default());
    }
}
