//! Totals and breakdowns of credited time by project, task kind and month.

use chrono::Datelike as _;
use uuid::Uuid;

use super::{CreditDay, CreditKind};

/// Answers and seconds, with the marked part of each shown separately.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditTotals {
    pub answers: u64,
    /// All credited seconds, marked answers included.
    pub seconds: u64,
    pub marked_answers: u64,
    pub marked_seconds: u64,
}

impl CreditTotals {
    fn add(&mut self, day: &CreditDay) {
        self.answers += day.answers;
        self.seconds += day.seconds;
        self.marked_answers += day.marked_answers;
        self.marked_seconds += day.marked_seconds;
    }
}

/// Credit in one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectCredit {
    pub project_id: Uuid,
    pub project_title: String,
    pub totals: CreditTotals,
}

/// Credit for one kind of activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindCredit {
    pub kind: CreditKind,
    pub totals: CreditTotals,
}

/// Credit in one calendar month, named `YYYY-MM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCredit {
    pub month: String,
    pub totals: CreditTotals,
}

/// Everything `GET /v1/me/credits` shows apart from streak and quality.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CreditSummary {
    pub totals: CreditTotals,
    /// Most credited time first; ties by title.
    pub by_project: Vec<ProjectCredit>,
    /// In the order the kinds are defined.
    pub by_kind: Vec<KindCredit>,
    /// Oldest month first; months without activity are left out.
    pub by_month: Vec<MonthCredit>,
}

/// Adds up the daily rows.
pub fn summarise(days: &[CreditDay]) -> CreditSummary {
    let mut summary = CreditSummary::default();
    let mut months: Vec<((i32, u32), CreditTotals)> = Vec::new();
    for day in days {
        summary.totals.add(day);
        match summary
            .by_project
            .iter_mut()
            .find(|p| p.project_id == day.project_id)
        {
            Some(project) => project.totals.add(day),
            None => {
                let mut totals = CreditTotals::default();
                totals.add(day);
                summary.by_project.push(ProjectCredit {
                    project_id: day.project_id,
                    project_title: day.project_title.clone(),
                    totals,
                });
            }
        }
        let month = (day.day.year(), day.day.month());
        match months.iter_mut().find(|(key, _)| *key == month) {
            Some((_, totals)) => totals.add(day),
            None => {
                let mut totals = CreditTotals::default();
                totals.add(day);
                months.push((month, totals));
            }
        }
    }
    summary.by_project.sort_by(|a, b| {
        b.totals
            .seconds
            .cmp(&a.totals.seconds)
            .then_with(|| a.project_title.cmp(&b.project_title))
    });
    summary.by_kind = CreditKind::ALL
        .iter()
        .filter_map(|&kind| {
            let mut totals = CreditTotals::default();
            days.iter()
                .filter(|day| day.kind == kind)
                .for_each(|day| totals.add(day));
            (totals.answers > 0).then_some(KindCredit { kind, totals })
        })
        .collect();
    months.sort_by_key(|(key, _)| *key);
    summary.by_month = months
        .into_iter()
        .map(|((year, month), totals)| MonthCredit {
            month: format!("{year:04}-{month:02}"),
            totals,
        })
        .collect();
    summary
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(
        project: u128,
        title: &str,
        kind: CreditKind,
        date: (i32, u32, u32),
        seconds: u64,
    ) -> CreditDay {
        CreditDay {
            project_id: Uuid::from_u128(project),
            project_title: title.to_owned(),
            kind,
            day: NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap(),
            answers: 2,
            seconds,
            marked_answers: u64::from(seconds == 7),
            marked_seconds: if seconds == 7 { 7 } else { 0 },
        }
    }

    #[test]
    fn totals_and_breakdowns_add_up_to_the_same_time() {
        let days = [
            day(1, "Falls", CreditKind::Screening, (2025, 1, 30), 100),
            day(2, "Wards", CreditKind::Coding, (2025, 2, 1), 50),
            day(1, "Falls", CreditKind::Screening, (2025, 2, 3), 7),
            day(1, "Falls", CreditKind::Coding, (2024, 12, 31), 20),
        ];
        let summary = summarise(&days);
        assert_eq!(
            summary.totals,
            CreditTotals {
                answers: 8,
                seconds: 177,
                marked_answers: 1,
                marked_seconds: 7
            }
        );
        let projects: Vec<(&str, u64)> = summary
            .by_project
            .iter()
            .map(|p| (p.project_title.as_str(), p.totals.seconds))
            .collect();
        assert_eq!(projects, [("Falls", 127), ("Wards", 50)]);
        let kinds: Vec<(CreditKind, u64)> = summary
            .by_kind
            .iter()
            .map(|k| (k.kind, k.totals.seconds))
            .collect();
        assert_eq!(
            kinds,
            [(CreditKind::Screening, 107), (CreditKind::Coding, 70)]
        );
        let months: Vec<(&str, u64)> = summary
            .by_month
            .iter()
            .map(|m| (m.month.as_str(), m.totals.seconds))
            .collect();
        assert_eq!(months, [("2024-12", 20), ("2025-01", 100), ("2025-02", 57)]);
    }

    #[test]
    fn no_activity_gives_empty_breakdowns() {
        assert_eq!(summarise(&[]), CreditSummary::default());
    }
}
