//! The certificate's content: the facts that are signed and printed.
//!
//! Numbers are integers on purpose (seconds, counts, numerator/denominator):
//! floats do not always survive a JSON round trip byte for byte, and the
//! signature is over the JSON bytes.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CertificateError;
use super::wording;
use crate::domain::regulator::Regulator;

/// Identifies the layout of [`CertificateContent`]; bump it when fields change
/// so verifiers know which rules the signed bytes follow.
pub const CERTIFICATE_FORMAT: &str = "tessera-contribution-certificate/1";

/// The kind of research micro-task a contributor did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Screening titles and abstracts for a literature review.
    LiteratureScreening,
    /// Coding free text or records into categories.
    DataCoding,
    /// Logging what is seen in observational material.
    ObservationLogging,
    /// Checking observations other staff logged, confirming or rejecting each.
    Verification,
}

impl TaskKind {
    /// The plain-language name shown to people, e.g. "literature screening".
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::LiteratureScreening => "literature screening",
            TaskKind::DataCoding => "data coding",
            TaskKind::ObservationLogging => "observation logging",
            TaskKind::Verification => "verification",
        }
    }
}

/// A professional register entry, e.g. body "NMC" and number "12A3456E".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// The regulator's short name ("NMC", "GMC", "HCPC", "GPhC", another
    /// register's, or "Registration no." when the number does not say).
    pub body: String,
    /// The registration number or PIN as the regulator prints it.
    pub number: String,
}

/// Who the certificate is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contributor {
    /// Full name as the contributor wants it on appraisal evidence.
    pub name: String,
    /// Professional registration, when the contributor gave one.
    pub registration: Option<Registration>,
    /// Employing organisation, when the contributor gave one.
    pub organisation: Option<String>,
    /// How the organisation is proven: "verified" (a confirmed address at
    /// one of its domains) or "self-declared". Absent on certificates
    /// issued before organisations were records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<String>,
    /// Staff group, e.g. "Nursing and midwifery".
    pub staff_group: String,
}

impl Contributor {
    /// The regulator whose guidance the certificate gives: the one its
    /// registration names, if it is one of the four.
    pub fn regulator(&self) -> Option<Regulator> {
        self.registration
            .as_ref()
            .and_then(|registration| Regulator::from_short_name(&registration.body))
    }
}

/// The inclusive date range the certificate covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
}

/// Time credited for one task kind in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityRow {
    /// The research project's public title.
    pub project_title: String,
    /// What kind of task was done.
    pub task_kind: TaskKind,
    /// Day of the first answer in this row.
    pub first_activity_on: NaiveDate,
    /// Day of the last answer in this row.
    pub last_activity_on: NaiveDate,
    /// Number of answers submitted.
    pub answers: u64,
    /// Credited time in seconds.
    pub credited_seconds: u64,
}

impl ActivityRow {
    /// Credited time in hours, for arithmetic (display uses [`format_duration`]).
    pub fn hours(&self) -> f64 {
        self.credited_seconds as f64 / 3600.0
    }
}

/// Sums over all activity rows, stored so JSON readers need not add them up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Answers across all rows.
    pub answers: u64,
    /// Credited seconds across all rows.
    pub credited_seconds: u64,
}

/// "matched out of total", e.g. answers agreeing with consensus out of answers compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// How many matched.
    pub matched: u64,
    /// How many were compared.
    pub total: u64,
}

impl Tally {
    /// The fraction matched, or `None` when nothing was compared.
    pub fn fraction(self) -> Option<f64> {
        (self.total > 0).then(|| self.matched as f64 / self.total as f64)
    }

    /// Whole percent, rounded down so the certificate never overstates quality.
    pub fn percent_floor(self) -> Option<u64> {
        (self.total > 0).then(|| self.matched.min(self.total) * 100 / self.total)
    }
}

/// How well the contributor's answers held up; `None` means too little data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualityIndicators {
    /// Answers that agreed with the final consensus, out of answers that reached one.
    pub consensus_agreement: Option<Tally>,
    /// Correct answers on gold-standard (known-answer) tasks, out of those answered.
    pub gold_accuracy: Option<Tally>,
}

/// What a regulator's CPD scheme makes of this activity, in modest words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CpdMapping {
    /// Regulator short name, e.g. "NMC".
    pub regulator: String,
    /// The scheme the text refers to, e.g. "Revalidation".
    pub scheme: String,
    /// Plain-language guidance for the contributor and appraiser.
    pub text: String,
}

/// The facts needed to build a certificate; the rest is derived by [`CertificateContent::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInput {
    /// Unique id, also used in the verification URL.
    pub certificate_id: Uuid,
    /// When the certificate was issued (sub-second precision is dropped).
    pub issued_at: DateTime<Utc>,
    /// Who it is for.
    pub contributor: Contributor,
    /// The period covered.
    pub period: Period,
    /// One row per project and task kind.
    pub activities: Vec<ActivityRow>,
    /// Quality indicators over the period.
    pub quality: QualityIndicators,
    /// Where anyone can check the certificate, encoded in the QR code too.
    pub verification_url: String,
}

/// Everything a certificate says. Field order is the canonical JSON order, so
/// reordering fields changes every signature: bump [`CERTIFICATE_FORMAT`] if you must.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateContent {
    /// Always [`CERTIFICATE_FORMAT`] for content built by this version.
    pub format: String,
    /// Unique id of this certificate.
    pub certificate_id: Uuid,
    /// Issue time, whole seconds, UTC.
    pub issued_at: DateTime<Utc>,
    /// Who it is for.
    pub contributor: Contributor,
    /// The period covered.
    pub period: Period,
    /// One row per project and task kind.
    pub activities: Vec<ActivityRow>,
    /// Sums over `activities`.
    pub totals: Totals,
    /// Quality indicators over the period.
    pub quality: QualityIndicators,
    /// What the work was, written for an appraiser who has never heard of Tessera.
    pub activity_description: String,
    /// How the holder's regulator's CPD scheme (NMC, GMC, HCPC or GPhC) can
    /// use the time, or general guidance for staff without one of them.
    /// Certificates issued before this rule carry the NMC, GMC and HCPC texts.
    pub cpd_mapping: Vec<CpdMapping>,
    /// Questions to help the contributor write a reflection.
    pub reflection_prompts: Vec<String>,
    /// Where anyone can check the certificate.
    pub verification_url: String,
}

impl CertificateContent {
    /// Builds the content, computing totals and the standard wording, after
    /// checking that names, dates and URL make sense.
    pub fn new(input: CertificateInput) -> Result<Self, CertificateError> {
        let totals = Totals {
            answers: input.activities.iter().map(|row| row.answers).sum(),
            credited_seconds: input.activities.iter().map(|r| r.credited_seconds).sum(),
        };
        let regulator = input.contributor.regulator();
        let content = CertificateContent {
            format: CERTIFICATE_FORMAT.to_owned(),
            certificate_id: input.certificate_id,
            issued_at: input.issued_at.trunc_subsecs(0),
            activity_description: wording::activity_description(
                &input.contributor,
                &input.period,
                &input.activities,
                &totals,
            ),
            cpd_mapping: wording::cpd_mapping(regulator, totals.credited_seconds),
            reflection_prompts: wording::reflection_prompts(regulator),
            contributor: input.contributor,
            period: input.period,
            activities: input.activities,
            totals,
            quality: input.quality,
            verification_url: input.verification_url,
        };
        content.validate()?;
        Ok(content)
    }

    /// Checks the rules a certificate must keep, including totals matching the
    /// rows, so a hand-edited or stale JSON cannot print inconsistent numbers.
    pub fn validate(&self) -> Result<(), CertificateError> {
        let fail = |why: String| Err(CertificateError::InvalidContent(why));
        if self.format != CERTIFICATE_FORMAT {
            return fail(format!("unknown format {:?}", self.format));
        }
        if self.contributor.name.trim().is_empty() {
            return fail("contributor name is empty".to_owned());
        }
        if self.period.from > self.period.to {
            return fail("period starts after it ends".to_owned());
        }
        for row in &self.activities {
            let inside = |d: NaiveDate| d >= self.period.from && d <= self.period.to;
            if row.first_activity_on > row.last_activity_on
                || !inside(row.first_activity_on)
                || !inside(row.last_activity_on)
            {
                return fail(format!(
                    "dates of {:?} fall outside the period",
                    row.project_title
                ));
            }
        }
        let answers: u64 = self.activities.iter().map(|row| row.answers).sum();
        let seconds: u64 = self.activities.iter().map(|row| row.credited_seconds).sum();
        if self.totals
            != (Totals {
                answers,
                credited_seconds: seconds,
            })
        {
            return fail("totals do not match the activity rows".to_owned());
        }
        for tally in [self.quality.consensus_agreement, self.quality.gold_accuracy] {
            if tally.is_some_and(|t| t.matched > t.total) {
                return fail("a quality tally matches more than it compared".to_owned());
            }
        }
        if !verifiable_address(&self.verification_url) {
            return fail(
                "verification URL must use https (or be a local trial address)".to_owned(),
            );
        }
        Ok(())
    }

    /// Total credited time in hours, for arithmetic (display uses [`format_duration`]).
    pub fn total_hours(&self) -> f64 {
        self.totals.credited_seconds as f64 / 3600.0
    }

    /// Number of distinct projects contributed to.
    pub fn project_count(&self) -> usize {
        let mut titles: Vec<&str> = self.activities.iter().map(|r| &*r.project_title).collect();
        titles.sort_unstable();
        titles.dedup();
        titles.len()
    }
}

/// Seconds as hours with two decimals, rounded down so credit is never
/// overstated: 5_399 s is "1.49", 5_400 s is "1.50". Kept for the credits
/// API's `credited_hours`; certificates speak in hours and minutes
/// ([`format_duration`]).
pub fn format_hours(seconds: u64) -> String {
    let hundredths = seconds / 36;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// Whole hours and whole minutes, rounded down so time is never overstated.
fn hours_minutes(seconds: u64) -> (u64, u64) {
    (seconds / 3600, seconds % 3600 / 60)
}

/// Credited time in words, rounded down to the minute: "7 hours 30
/// minutes", "1 hour", "45 minutes". Time under a minute is "less than a
/// minute" and none at all is "no time", so a row never reads as zero
/// hours when something was done, nor as something when nothing was.
pub fn format_duration(seconds: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match hours_minutes(seconds) {
        _ if seconds == 0 => "no time".to_owned(),
        (0, 0) => "less than a minute".to_owned(),
        (0, minutes) => plural(minutes, "minute"),
        (hours, 0) => plural(hours, "hour"),
        (hours, minutes) => format!("{} {}", plural(hours, "hour"), plural(minutes, "minute")),
    }
}

/// The same time for table cells and figures: "7 h 30 min", "1 h",
/// "45 min", "< 1 min" and "0 min".
pub fn format_duration_short(seconds: u64) -> String {
    match hours_minutes(seconds) {
        _ if seconds == 0 => "0 min".to_owned(),
        (0, 0) => "< 1 min".to_owned(),
        (0, minutes) => format!("{minutes} min"),
        (hours, 0) => format!("{hours} h"),
        (hours, minutes) => format!("{hours} h {minutes} min"),
    }
}

/// Whether verification links may point at `url`: any https address, or a
/// plain-http loopback address so a local trial (`serve --demo`) can issue
/// certificates. Anything a real appraiser would visit must be https.
pub fn verifiable_address(url: &str) -> bool {
    url.starts_with("https://")
        || ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|local| {
                url.strip_prefix(local)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            })
}

#[cfg(test)]
mod address_tests {
    use super::verifiable_address;

    #[test]
    fn only_https_or_loopback_addresses_can_verify() {
        assert!(verifiable_address(
            "https://tessera.example.org/v1/certificates/x/verify"
        ));
        assert!(verifiable_address(
            "http://127.0.0.1:8080/v1/certificates/x/verify"
        ));
        assert!(verifiable_address("http://localhost/v1"));
        assert!(!verifiable_address("http://tessera.example.org/v1"));
        assert!(!verifiable_address("http://localhost.evil.example/v1"));
    }
}
