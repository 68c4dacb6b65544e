//! Issued certificates as stored: the signed certificate as compact JSON,
//! written once. Reading one back checks the stored bytes as well as the
//! signature, so a record edited in the database never verifies, even where
//! the edit would survive a parse (an upper-cased UUID, say).

use ed25519_dalek::VerifyingKey;

use crate::domain::certificate::{CertificateError, SignedCertificate, VerifyOutcome, verify};

/// The exact text stored for an issued certificate.
pub fn record_text(signed: &SignedCertificate) -> Result<String, CertificateError> {
    serde_json::to_string(signed).map_err(|err| CertificateError::Serialise(err.to_string()))
}

/// What a stored record turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordCheck {
    /// The record is byte for byte what Tessera writes; `outcome` says
    /// whether its signature holds under a known key.
    Checked {
        signed: SignedCertificate,
        outcome: VerifyOutcome,
    },
    /// The record is not what Tessera wrote: it does not parse, or parses
    /// to something Tessera would have written differently.
    Altered { signed: Option<SignedCertificate> },
}

impl RecordCheck {
    /// Whether the record can be trusted.
    pub fn is_valid(&self) -> bool {
        matches!(self, RecordCheck::Checked { outcome, .. } if outcome.valid)
    }

    /// A stable code for why: `valid`, `altered`, `bad_signature`,
    /// `unknown_key`, `key_id_mismatch`, `malformed_signature` or `unserialisable`.
    pub fn reason_code(&self) -> String {
        match self {
            RecordCheck::Checked { outcome, .. } => serde_json::to_value(outcome.reason)
                .ok()
                .and_then(|code| code.as_str().map(str::to_owned))
                .unwrap_or_else(|| "bad_signature".to_owned()),
            RecordCheck::Altered { .. } => "altered".to_owned(),
        }
    }

    /// The same reason in plain words.
    pub fn explanation(&self) -> String {
        match self {
            RecordCheck::Checked { outcome, .. } => outcome.reason.to_string(),
            RecordCheck::Altered { .. } => {
                "the stored certificate was changed after it was issued".to_owned()
            }
        }
    }

    /// The certificate as read, when the record parses at all.
    pub fn signed(&self) -> Option<&SignedCertificate> {
        match self {
            RecordCheck::Checked { signed, .. } => Some(signed),
            RecordCheck::Altered { signed } => signed.as_ref(),
        }
    }
}

/// Checks a stored record, finding public keys with `lookup` (key id to key).
pub fn check_record<F>(stored: &[u8], lookup: F) -> RecordCheck
where
    F: Fn(&str) -> Option<VerifyingKey>,
{
    let Ok(signed) = serde_json::from_slice::<SignedCertificate>(stored) else {
        return RecordCheck::Altered { signed: None };
    };
    let rewritten = record_text(&signed).ok();
    if rewritten.as_deref().map(str::as_bytes) != Some(stored) {
        return RecordCheck::Altered {
            signed: Some(signed),
        };
    }
    let outcome = verify(&signed, lookup);
    RecordCheck::Checked { signed, outcome }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone as _, Utc};
    use ed25519_dalek::SigningKey;
    use uuid::Uuid;

    use super::*;
    use crate::domain::certificate::{
        ActivityRow, CertificateContent, CertificateInput, Contributor, Period, QualityIndicators,
        TaskKind, key_id, sign,
    };

    fn signed(key: &SigningKey) -> SignedCertificate {
        let day = NaiveDate::from_ymd_opt(2025, 2, 14).unwrap();
        let content = CertificateContent::new(CertificateInput {
            certificate_id: Uuid::from_u128(42),
            issued_at: Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap(),
            contributor: Contributor {
                name: "Zoë Ward".to_owned(),
                registration: None,
                organisation: Some("North Trust".to_owned()),
                membership: None,
                staff_group: "Pharmacy".to_owned(),
            },
            period: Period { from: day, to: day },
            activities: vec![ActivityRow {
                project_title: "Falls".to_owned(),
                task_kind: TaskKind::LiteratureScreening,
                first_activity_on: day,
                last_activity_on: day,
                answers: 3,
                credited_seconds: 95,
            }],
            quality: QualityIndicators {
                consensus_agreement: None,
                gold_accuracy: None,
            },
            verification_url: "https://tessera.test/v1/certificates/42/verify".to_owned(),
        })
        .unwrap();
        sign(&content, key, &key_id(&key.verifying_key())).unwrap()
    }

    #[test]
    fn a_record_as_written_verifies() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let text = record_text(&signed(&key)).unwrap();
        let check = check_record(text.as_bytes(), |_| Some(key.verifying_key()));
        assert!(check.is_valid(), "{check:?}");
        assert_eq!(check.reason_code(), "valid");
        assert_eq!(check.signed().unwrap().content.contributor.name, "Zoë Ward");
    }

    #[test]
    fn changing_any_byte_of_a_record_makes_it_invalid() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let text = record_text(&signed(&key)).unwrap().into_bytes();
        for index in 0..text.len() {
            let mut altered = text.clone();
            altered[index] ^= 0x01;
            let check = check_record(&altered, |_| Some(key.verifying_key()));
            assert!(!check.is_valid(), "byte {index} changed and still valid");
        }
    }

    #[test]
    fn a_respelled_uuid_is_caught_although_it_parses_the_same() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let text = record_text(&signed(&key)).unwrap();
        let respelled = text.replacen(
            "00000000-0000-0000-0000-00000000002a",
            "00000000-0000-0000-0000-00000000002A",
            1,
        );
        assert_ne!(respelled, text);
        let check = check_record(respelled.as_bytes(), |_| Some(key.verifying_key()));
        assert_eq!(check.reason_code(), "altered");
    }

    #[test]
    fn another_key_is_a_bad_signature() {
        let key = SigningKey::from_bytes(&[3; 32]);
        let other = SigningKey::from_bytes(&[4; 32]);
        let text = record_text(&signed(&key)).unwrap();
        let check = check_record(text.as_bytes(), |_| Some(other.verifying_key()));
        assert_eq!(check.reason_code(), "key_id_mismatch");
        let check = check_record(text.as_bytes(), |_| None);
        assert_eq!(check.reason_code(), "unknown_key");
    }
}
