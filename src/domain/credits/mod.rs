//! Credited time as a contributor sees it: totals and breakdowns over the
//! ledger, the streak of active days, agreement with consensus, and the
//! facts a certificate is built from. The store hands over one row per
//! project, task kind and day; everything else is computed here, without I/O.
//!
//! Days are UTC calendar days, the same for every contributor, so a
//! certificate's period means the same to its holder and to an appraiser.

mod agreement;
pub mod erased;
mod issue;
mod kind;
mod logging;
mod record;
mod streak;
mod summary;

pub use agreement::agrees_with_consensus;
pub use issue::{
    MAX_CERTIFICATE_DAYS, activity_rows, certificate_contributor, certificate_period,
    has_credited_time, no_overlap, staff_group_label, tally,
};
pub use kind::CreditKind;
pub use logging::{MAX_LOGGING_SECONDS, logging_credit, logging_estimate};
pub use record::{RecordCheck, check_record, record_text};
pub use streak::{Streak, streak};
pub use summary::{CreditSummary, CreditTotals, KindCredit, MonthCredit, ProjectCredit, summarise};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};
use uuid::Uuid;

use super::field_error::FieldError;

/// Milliseconds in a UTC day.
const DAY_MS: i64 = 86_400_000;

/// Credit earned by one contributor in one project, for one kind of
/// activity, on one day: the unit the store aggregates the ledger into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditDay {
    pub project_id: Uuid,
    pub project_title: String,
    pub kind: CreditKind,
    pub day: NaiveDate,
    /// Answers credited that day (for observation logging, observations logged).
    pub answers: u64,
    /// Seconds credited that day, marked answers included.
    pub seconds: u64,
    /// Answers that earned time but are marked: the contributor had not yet
    /// qualified on the batch's gold questions, or got a gold question wrong.
    pub marked_answers: u64,
    /// The part of `seconds` earned by marked answers.
    pub marked_seconds: u64,
}

/// Right and compared, e.g. answers agreeing with consensus out of answers
/// that reached one. Kept as two counts so nothing is lost to rounding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ratio {
    pub matched: u64,
    pub total: u64,
}

/// The quality counts behind a contributor's indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QualityCounts {
    /// Counted answers on settled tasks that agree with the consensus.
    pub consensus_agreement: Ratio,
    /// Gold (known-answer) questions answered correctly.
    pub gold_accuracy: Ratio,
}

/// An inclusive range of UTC days; either end may be open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl DateRange {
    /// A range whose start is not after its end.
    pub fn parse(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Self, FieldError> {
        match (from, to) {
            (Some(from), Some(to)) if from > to => {
                Err(FieldError::new("from", "must be on or before `to`"))
            }
            _ => Ok(Self { from, to }),
        }
    }

    /// The range as epoch milliseconds: start inclusive, end exclusive.
    pub fn millis(&self) -> (i64, i64) {
        let start = self.from.map_or(i64::MIN, day_start_ms);
        let end = self
            .to
            .and_then(|to| to.checked_add_signed(TimeDelta::days(1)))
            .map_or(i64::MAX, day_start_ms);
        (start, end)
    }
}

/// Midnight UTC at the start of `day`, in epoch milliseconds.
fn day_start_ms(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp_millis()
}

/// The UTC day an epoch-milliseconds instant falls on.
pub fn day_of_millis(millis: i64) -> NaiveDate {
    DateTime::<Utc>::from_timestamp_millis(millis.div_euclid(DAY_MS) * DAY_MS)
        .unwrap_or_default()
        .date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_range_covers_whole_utc_days_at_both_ends() {
        let range = DateRange::parse(Some(date(2025, 3, 1)), Some(date(2025, 3, 31))).unwrap();
        let (start, end) = range.millis();
        assert_eq!(start, 1_740_787_200_000);
        assert_eq!(end, 1_743_465_600_000);
        assert_eq!(day_of_millis(end - 1), date(2025, 3, 31));
        assert_eq!(day_of_millis(end), date(2025, 4, 1));
    }

    #[test]
    fn an_open_range_has_no_bounds() {
        assert_eq!(DateRange::default().millis(), (i64::MIN, i64::MAX));
    }

    #[test]
    fn a_range_that_ends_before_it_starts_names_from() {
        let err = DateRange::parse(Some(date(2025, 3, 2)), Some(date(2025, 3, 1))).unwrap_err();
        assert_eq!(err.field, "from");
    }

    #[test]
    fn instants_before_1970_fall_on_the_right_day() {
        assert_eq!(day_of_millis(-1), date(1969, 12, 31));
        assert_eq!(day_of_millis(0), date(1970, 1, 1));
    }
}
