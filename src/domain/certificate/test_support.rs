//! Shared fixtures for the certificate tests.

use chrono::{NaiveDate, TimeZone as _, Utc};
use ed25519_dalek::SigningKey;
use uuid::Uuid;

use super::{
    ActivityRow, CertificateContent, CertificateInput, Contributor, Period, QualityIndicators,
    Registration, SignedCertificate, Tally, TaskKind, key_id, sign,
};

/// A calendar date that is known to exist.
pub(super) fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap()
}

/// A fixed signing key, so signatures are reproducible.
pub(super) fn signing_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The verification URL used by every fixture.
pub(super) const VERIFY_URL: &str =
    "https://tessera.example.nhs.uk/verify/6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31";

/// Three realistic rows: 3 h 30 min + 2 h 15 min + 1 h 45 min = 7.50 hours.
pub(super) fn sample_rows() -> Vec<ActivityRow> {
    vec![
        ActivityRow {
            project_title: "Falls prevention after hip fracture: a systematic review of \
                            community-based exercise interventions"
                .to_owned(),
            task_kind: TaskKind::LiteratureScreening,
            first_activity_on: date(2025, 1, 6),
            last_activity_on: date(2025, 3, 14),
            answers: 212,
            credited_seconds: 12_600,
        },
        ActivityRow {
            project_title: "Patient experience of virtual wards".to_owned(),
            task_kind: TaskKind::DataCoding,
            first_activity_on: date(2025, 2, 3),
            last_activity_on: date(2025, 3, 27),
            answers: 87,
            credited_seconds: 8_100,
        },
        ActivityRow {
            project_title: "Hand hygiene moments on acute medical wards".to_owned(),
            task_kind: TaskKind::ObservationLogging,
            first_activity_on: date(2025, 1, 20),
            last_activity_on: date(2025, 2, 28),
            answers: 40,
            credited_seconds: 6_300,
        },
    ]
}

/// Input for a nurse's first-quarter certificate with `rows` as activity.
pub(super) fn sample_input(rows: Vec<ActivityRow>) -> CertificateInput {
    CertificateInput {
        certificate_id: Uuid::from_u128(0x6f1c2a9e_3b7d_4c1e_9a55_0d2f7e8b4c31),
        issued_at: Utc.with_ymd_and_hms(2025, 3, 31, 9, 30, 0).unwrap(),
        contributor: Contributor {
            name: "Aoife O'Sullivan-Ndlovu".to_owned(),
            registration: Some(Registration {
                body: "NMC".to_owned(),
                number: "12A3456E".to_owned(),
            }),
            organisation: Some("Leeds Teaching Hospitals NHS Trust".to_owned()),
            membership: Some("verified".to_owned()),
            staff_group: "Nursing and midwifery".to_owned(),
        },
        period: Period {
            from: date(2025, 1, 1),
            to: date(2025, 3, 31),
        },
        activities: rows,
        quality: QualityIndicators {
            consensus_agreement: Some(Tally {
                matched: 291,
                total: 327,
            }),
            gold_accuracy: Some(Tally {
                matched: 23,
                total: 25,
            }),
        },
        verification_url: VERIFY_URL.to_owned(),
    }
}

/// The standard sample content.
pub(super) fn sample_content() -> CertificateContent {
    CertificateContent::new(sample_input(sample_rows())).unwrap()
}

/// The standard sample content, signed with key seed 7 under its real key id.
pub(super) fn sample_signed() -> SignedCertificate {
    let key = signing_key(7);
    sign(&sample_content(), &key, &key_id(&key.verifying_key())).unwrap()
}
