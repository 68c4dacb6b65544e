//! Tests of certificate content: totals, formatting, JSON shape and validation.

use super::test_support::{date, sample_content, sample_input, sample_rows};
use super::{
    CertificateContent, CertificateError, Registration, Tally, TaskKind, format_duration,
    format_duration_short, format_hours,
};

#[test]
fn totals_are_the_sums_of_the_activity_rows() {
    let content = sample_content();
    assert_eq!(content.totals.answers, 212 + 87 + 40);
    assert_eq!(content.totals.credited_seconds, 27_000);
    assert_eq!(content.total_hours(), 7.5);
    assert_eq!(content.project_count(), 3);
    assert_eq!(content.activities[1].hours(), 2.25);
}

#[test]
fn hours_are_shown_with_two_decimals_and_rounded_down() {
    assert_eq!(format_hours(0), "0.00");
    assert_eq!(format_hours(5_399), "1.49");
    assert_eq!(format_hours(5_400), "1.50");
    assert_eq!(format_hours(27_000), "7.50");
    assert_eq!(format_hours(360_035), "100.00");
}

#[test]
fn percentages_are_rounded_down_and_absent_without_data() {
    let tally = Tally {
        matched: 291,
        total: 327,
    };
    assert_eq!(tally.percent_floor(), Some(88));
    assert!((tally.fraction().unwrap() - 0.889_908).abs() < 1e-6);
    assert_eq!(
        Tally {
            matched: 0,
            total: 0
        }
        .fraction(),
        None
    );
    assert_eq!(
        Tally {
            matched: 0,
            total: 0
        }
        .percent_floor(),
        None
    );
}

#[test]
fn json_uses_snake_case_names_and_round_trips_exactly() {
    let content = sample_content();
    let json = serde_json::to_string(&content).unwrap();
    assert!(json.starts_with(r#"{"format":"tessera-contribution-certificate/1","#));
    assert!(json.contains(r#""certificate_id":"6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31""#));
    assert!(json.contains(r#""issued_at":"2025-03-31T09:30:00Z""#));
    assert!(json.contains(r#""task_kind":"literature_screening""#));
    assert!(json.contains(r#""first_activity_on":"2025-01-06""#));
    assert!(json.contains(r#""consensus_agreement":{"matched":291,"total":327}"#));
    let back: CertificateContent = serde_json::from_str(&json).unwrap();
    assert_eq!(back, content);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}

#[test]
fn unknown_json_fields_are_rejected_so_nothing_unsigned_can_ride_along() {
    let json = serde_json::to_string(&sample_content()).unwrap();
    let smuggled = json.replacen('{', r#"{"approved_by":"GMC","#, 1);
    assert!(serde_json::from_str::<CertificateContent>(&smuggled).is_err());
}

#[test]
fn the_wording_names_the_contributor_and_the_time_in_hours_and_minutes() {
    let content = sample_content();
    let description = &content.activity_description;
    assert!(description.contains("Aoife O'Sullivan-Ndlovu contributed to 3 health research"));
    assert!(
        description.contains("339 answers with 7 hours 30 minutes of credited time"),
        "{description}"
    );
    assert!(description.contains("literature screening (reading study titles"));
    assert!(description.contains("and observation logging (recording"));
    assert_eq!(content.reflection_prompts.len(), 4);
}

/// The sample certificate for a holder registered as `registration`.
fn content_for(registration: Option<(&str, &str)>) -> CertificateContent {
    let mut input = sample_input(sample_rows());
    input.contributor.registration = registration.map(|(body, number)| Registration {
        body: body.to_owned(),
        number: number.to_owned(),
    });
    CertificateContent::new(input).unwrap()
}

#[test]
fn only_the_holders_regulator_gives_guidance() {
    let cases = [
        (
            Some(("NMC", "12A3456E")),
            "NMC",
            "not participatory learning",
            "the NMC Code",
        ),
        (
            Some(("GMC", "1234567")),
            "GMC",
            "up to 7 CPD credits",
            "Good medical practice",
        ),
        (
            Some(("HCPC", "PA12345")),
            "HCPC",
            "benefited service users",
            "HCPC standards",
        ),
        (
            Some(("GPhC", "2012345")),
            "GPhC",
            "planned learning",
            "GPhC standards",
        ),
        (
            Some(("GDC", "12345")),
            "General",
            "personal development review",
            "Skills Framework",
        ),
        (
            None,
            "General",
            "Knowledge and Skills Framework",
            "job description",
        ),
    ];
    for (registration, regulator, phrase, standards) in cases {
        let content = content_for(registration);
        let regulators: Vec<&str> = content.cpd_mapping.iter().map(|m| &*m.regulator).collect();
        assert_eq!(regulators, [regulator], "{registration:?}");
        let text = &content.cpd_mapping[0].text;
        assert!(text.contains(phrase), "{regulator}: {text}");
        assert!(text.contains("7 hours 30 minutes"), "{regulator}: {text}");
        assert!(!text.contains("7.50"), "{regulator}: {text}");
        let last = content.reflection_prompts.last().unwrap();
        assert!(last.contains(standards), "{regulator}: {last}");
    }
}

#[test]
fn time_reads_in_hours_and_minutes_rounded_down_and_never_as_zero_hours() {
    let cases = [
        (0, "no time", "0 min"),
        (59, "less than a minute", "< 1 min"),
        (60, "1 minute", "1 min"),
        (2_699, "44 minutes", "44 min"),
        (3_600, "1 hour", "1 h"),
        (3_660, "1 hour 1 minute", "1 h 1 min"),
        (27_000, "7 hours 30 minutes", "7 h 30 min"),
        (360_035, "100 hours", "100 h"),
    ];
    for (seconds, long, short) in cases {
        assert_eq!(format_duration(seconds), long, "{seconds}");
        assert_eq!(format_duration_short(seconds), short, "{seconds}");
    }
}

#[test]
fn issue_time_is_truncated_to_whole_seconds() {
    let mut input = sample_input(sample_rows());
    input.issued_at += chrono::Duration::milliseconds(750);
    let content = CertificateContent::new(input).unwrap();
    assert_eq!(content.issued_at.to_rfc3339(), "2025-03-31T09:30:00+00:00");
}

#[test]
fn inconsistent_content_is_refused_with_a_reason() {
    let invalid = |why: &str| Some(CertificateError::InvalidContent(why.to_owned()));

    let mut content = sample_content();
    content.totals.credited_seconds += 60;
    assert_eq!(
        content.validate().err(),
        invalid("totals do not match the activity rows")
    );

    let mut input = sample_input(sample_rows());
    input.activities[0].last_activity_on = date(2025, 4, 2);
    let outside = invalid(
        r#"dates of "Falls prevention after hip fracture: a systematic review of community-based exercise interventions" fall outside the period"#,
    );
    assert_eq!(CertificateContent::new(input).err(), outside);

    let mut input = sample_input(sample_rows());
    input.period.from = date(2025, 4, 1);
    assert_eq!(
        CertificateContent::new(input).err(),
        invalid("period starts after it ends")
    );

    let mut input = sample_input(sample_rows());
    input.verification_url = "http://tessera.example/verify/1".to_owned();
    assert_eq!(
        CertificateContent::new(input).err(),
        invalid("verification URL must use https (or be a local trial address)")
    );

    let mut input = sample_input(sample_rows());
    input.quality.gold_accuracy = Some(Tally {
        matched: 26,
        total: 25,
    });
    let tally = invalid("a quality tally matches more than it compared");
    assert_eq!(CertificateContent::new(input).err(), tally);

    let mut input = sample_input(sample_rows());
    input.contributor.name = "  ".to_owned();
    assert_eq!(
        CertificateContent::new(input).err(),
        invalid("contributor name is empty")
    );
}

#[test]
fn a_certificate_with_no_activity_still_builds_with_zero_totals() {
    let content = CertificateContent::new(sample_input(Vec::new())).unwrap();
    assert_eq!(content.totals.credited_seconds, 0);
    assert_eq!(content.project_count(), 0);
    assert!(
        content
            .activity_description
            .contains("no tasks were credited in this period")
    );
    assert_eq!(TaskKind::DataCoding.label(), "data coding");
}

#[test]
fn verifying_observations_is_described_as_verification_not_logging() {
    let mut rows = sample_rows();
    rows[2].task_kind = TaskKind::Verification;
    let content = CertificateContent::new(sample_input(rows)).unwrap();
    let description = &content.activity_description;
    assert!(
        description.contains("and verification (checking observations logged by other staff"),
        "{description}"
    );
    assert!(
        !description.contains("observation logging"),
        "{description}"
    );
    assert_eq!(TaskKind::Verification.label(), "verification");
    let json = serde_json::to_value(&content.activities[2]).unwrap();
    assert_eq!(json["task_kind"], "verification");
}
