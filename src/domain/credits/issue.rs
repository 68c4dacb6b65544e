//! The facts a certificate is built from, derived from an account and the
//! ledger. Wording, layout and signing live in `domain::certificate`.

use chrono::NaiveDate;
use uuid::Uuid;

use super::{CreditDay, Ratio};
use crate::domain::account::StaffGroup;
use crate::domain::certificate::{ActivityRow, Contributor, Period, Registration, Tally};
use crate::domain::field_error::FieldError;
use crate::domain::regulator::RegistrationNumber;

/// The longest period one certificate covers, in days: a three-year NMC
/// revalidation cycle, leap day included.
pub const MAX_CERTIFICATE_DAYS: i64 = 1096;

/// Checks a certificate's period: in order, finished days only (a day still
/// running could gain hours after signing, so `to` must be before today)
/// and at most three years.
pub fn certificate_period(
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> Result<Period, FieldError> {
    if from > to {
        return Err(FieldError::new("from", "must be on or before `to`"));
    }
    if to >= today {
        return Err(FieldError::new(
            "to",
            "must be before today; a certificate covers finished days only",
        ));
    }
    if (to - from).num_days() + 1 > MAX_CERTIFICATE_DAYS {
        return Err(FieldError::new(
            "from",
            format!("a certificate covers at most {MAX_CERTIFICATE_DAYS} days (three years)"),
        ));
    }
    Ok(Period { from, to })
}

/// Refuses a period that shares a day with one already certified (and not
/// revoked): the same hours must never stand on two valid certificates.
pub fn no_overlap(period: &Period, certified: &[Period]) -> Result<(), FieldError> {
    match certified
        .iter()
        .find(|earlier| earlier.from <= period.to && period.from <= earlier.to)
    {
        Some(earlier) => Err(FieldError::new(
            "from",
            format!(
                "overlaps your certificate for {} to {}; choose days it does not cover \
                 (or revoke it first)",
                earlier.from, earlier.to
            ),
        )),
        None => Ok(()),
    }
}

/// Refuses a period in which nothing was credited.
pub fn has_credited_time(days: &[CreditDay]) -> Result<(), FieldError> {
    if days.iter().map(|day| day.seconds).sum::<u64>() == 0 {
        return Err(FieldError::new(
            "from",
            "you have no credited time in this period",
        ));
    }
    Ok(())
}

/// A staff group the way people write it.
pub fn staff_group_label(group: StaffGroup) -> &'static str {
    match group {
        StaffGroup::NursingAndMidwifery => "Nursing and midwifery",
        StaffGroup::MedicalAndDental => "Medical and dental",
        StaffGroup::AlliedHealthProfessions => "Allied health professions",
        StaffGroup::HealthcareScience => "Healthcare science",
        StaffGroup::Pharmacy => "Pharmacy",
        StaffGroup::AdministrativeAndClerical => "Administrative and clerical",
        StaffGroup::EstatesAndAncillary => "Estates and ancillary",
        StaffGroup::Management => "Management",
        StaffGroup::Other => "Other",
    }
}

/// The register a stored number belongs to (`domain::regulator`): named in
/// the number, else told by its shape and the staff group, else a neutral
/// label.
fn registration(group: StaffGroup, raw: &str) -> Option<Registration> {
    let read = RegistrationNumber::recognise(raw, group)?;
    Some(Registration {
        body: read.register.label().to_owned(),
        number: read.number,
    })
}

/// Who a certificate is for, from what they gave at registration.
pub fn certificate_contributor(
    name: &str,
    group: StaffGroup,
    organisation: Option<&str>,
    registration_number: Option<&str>,
) -> Contributor {
    Contributor {
        name: name.trim().to_owned(),
        registration: registration_number.and_then(|number| registration(group, number)),
        organisation: organisation
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned),
        membership: None,
        staff_group: staff_group_label(group).to_owned(),
    }
}

/// One row per project and task kind, dated by its first and last active
/// day, earliest first.
pub fn activity_rows(days: &[CreditDay]) -> Vec<ActivityRow> {
    let mut rows: Vec<(Uuid, ActivityRow)> = Vec::new();
    for day in days {
        let kind = day.kind.certificate_kind();
        match rows
            .iter_mut()
            .find(|(project, row)| *project == day.project_id && row.task_kind == kind)
        {
            Some((_, row)) => {
                row.first_activity_on = row.first_activity_on.min(day.day);
                row.last_activity_on = row.last_activity_on.max(day.day);
                row.answers += day.answers;
                row.credited_seconds += day.seconds;
            }
            None => rows.push((
                day.project_id,
                ActivityRow {
                    project_title: day.project_title.clone(),
                    task_kind: kind,
                    first_activity_on: day.day,
                    last_activity_on: day.day,
                    answers: day.answers,
                    credited_seconds: day.seconds,
                },
            )),
        }
    }
    let mut rows: Vec<ActivityRow> = rows.into_iter().map(|(_, row)| row).collect();
    rows.sort_by(|a, b| {
        (a.first_activity_on, &a.project_title).cmp(&(b.first_activity_on, &b.project_title))
    });
    rows
}

/// A quality indicator, or `None` when nothing was compared.
pub fn tally(ratio: Ratio) -> Option<Tally> {
    (ratio.total > 0).then_some(Tally {
        matched: ratio.matched.min(ratio.total),
        total: ratio.total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::certificate::TaskKind;
    use crate::domain::credits::CreditKind;

    fn date(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, m, d).unwrap()
    }

    #[test]
    fn a_period_must_be_ordered_finished_and_at_most_three_years() {
        let today = date(6, 30);
        assert!(certificate_period(date(1, 1), date(6, 29), today).is_ok());
        assert_eq!(
            certificate_period(date(1, 1), date(6, 30), today)
                .unwrap_err()
                .field,
            "to",
            "today has not finished"
        );
        assert_eq!(
            certificate_period(date(2, 1), date(1, 1), today)
                .unwrap_err()
                .field,
            "from"
        );
        assert_eq!(
            certificate_period(date(1, 1), date(7, 1), today)
                .unwrap_err()
                .field,
            "to"
        );
        let cycle_start = NaiveDate::from_ymd_opt(2022, 4, 1).unwrap();
        let cycle_end = NaiveDate::from_ymd_opt(2025, 3, 31).unwrap();
        assert!(certificate_period(cycle_start, cycle_end, today).is_ok());
        let too_long = NaiveDate::from_ymd_opt(2022, 3, 31).unwrap();
        assert!(certificate_period(too_long, cycle_end, today).is_err());
    }

    #[test]
    fn periods_that_share_a_day_with_a_certified_one_are_refused() {
        let certified = [Period {
            from: date(3, 1),
            to: date(3, 31),
        }];
        let touching = Period {
            from: date(3, 31),
            to: date(4, 30),
        };
        assert!(no_overlap(&touching, &certified).is_err());
        let after = Period {
            from: date(4, 1),
            to: date(4, 30),
        };
        assert!(no_overlap(&after, &certified).is_ok());
        let around = Period {
            from: date(1, 1),
            to: date(6, 1),
        };
        assert!(no_overlap(&around, &certified).is_err());
    }

    #[test]
    fn the_register_comes_from_the_number_or_the_staff_group() {
        let nurse = certificate_contributor(
            " Ada ",
            StaffGroup::NursingAndMidwifery,
            Some("Leeds"),
            Some("12A3456B"),
        );
        assert_eq!(nurse.name, "Ada");
        assert_eq!(nurse.staff_group, "Nursing and midwifery");
        let registration = nurse.registration.unwrap();
        assert_eq!(
            (registration.body.as_str(), registration.number.as_str()),
            ("NMC", "12A3456B")
        );
        let dentist = certificate_contributor(
            "Bo",
            StaffGroup::MedicalAndDental,
            None,
            Some("gdc: 123456"),
        );
        let registration = dentist.registration.unwrap();
        assert_eq!(
            (registration.body.as_str(), registration.number.as_str()),
            ("GDC", "123456")
        );
        // Seven digits from a doctor or dentist can only be a GMC number
        // (GDC numbers are shorter); from a manager they could be anything.
        let doctor =
            certificate_contributor("Cy", StaffGroup::MedicalAndDental, None, Some("7654321"));
        assert_eq!(doctor.registration.unwrap().body, "GMC");
        let manager = certificate_contributor("Ed", StaffGroup::Management, None, Some("7654321"));
        assert_eq!(manager.registration.unwrap().body, "Registration no.");
        let porter =
            certificate_contributor("Di", StaffGroup::EstatesAndAncillary, Some("  "), Some(" "));
        assert_eq!((porter.registration, porter.organisation), (None, None));
    }

    #[test]
    fn rows_group_days_by_project_and_kind_with_their_dates() {
        let day = |project: u128, kind, d: u32, seconds| CreditDay {
            project_id: Uuid::from_u128(project),
            project_title: format!("Project {project}"),
            kind,
            day: date(3, d),
            answers: 1,
            seconds,
            marked_answers: 0,
            marked_seconds: 0,
        };
        let rows = activity_rows(&[
            day(2, CreditKind::Coding, 9, 40),
            day(1, CreditKind::Screening, 12, 30),
            day(1, CreditKind::Screening, 3, 20),
            day(1, CreditKind::Coding, 5, 10),
            day(1, CreditKind::Verification, 4, 60),
            day(1, CreditKind::ObservationLogging, 4, 31),
            day(1, CreditKind::ObservationLogging, 6, 51),
        ]);
        let summary: Vec<(&str, TaskKind, u32, u32, u64, u64)> = rows
            .iter()
            .map(|r| {
                use chrono::Datelike as _;
                (
                    r.project_title.as_str(),
                    r.task_kind,
                    r.first_activity_on.day(),
                    r.last_activity_on.day(),
                    r.answers,
                    r.credited_seconds,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("Project 1", TaskKind::LiteratureScreening, 3, 12, 2, 50),
                ("Project 1", TaskKind::Verification, 4, 4, 1, 60),
                ("Project 1", TaskKind::ObservationLogging, 4, 6, 2, 82),
                ("Project 1", TaskKind::DataCoding, 5, 5, 1, 10),
                ("Project 2", TaskKind::DataCoding, 9, 9, 1, 40),
            ]
        );
    }

    #[test]
    fn a_tally_needs_something_compared() {
        assert_eq!(
            tally(Ratio {
                matched: 0,
                total: 0
            }),
            None
        );
        assert_eq!(
            tally(Ratio {
                matched: 3,
                total: 4
            }),
            Some(Tally {
                matched: 3,
                total: 4
            })
        );
    }
}
