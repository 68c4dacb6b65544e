//! What the certificate operations send and receive.

use chrono::{DateTime, NaiveDate, Utc};
use poem_openapi::Object;
use uuid::Uuid;

use crate::domain::certificate::{SignedCertificate, format_duration};
use crate::domain::credits::RecordCheck;
use crate::domain::credits::erased::ErasedCertificate;
use crate::store::StoredCertificate;

/// The signature algorithm of every certificate.
pub const ALGORITHM: &str = "Ed25519";

/// The period a certificate should cover, both days inclusive (UTC).
#[derive(Object)]
pub struct CertificateRequest {
    /// First day, e.g. `2025-04-01`.
    pub from: NaiveDate,
    /// Last day; today at the latest.
    pub to: NaiveDate,
}

/// Why a certificate is withdrawn.
#[derive(Object)]
pub struct RevokeRequest {
    /// Shown publicly by the verification page, so keep it factual, e.g.
    /// "Issued for the wrong dates; replaced by a new certificate".
    pub reason: String,
}

/// An issued certificate: its signed content and the signature vouching for it.
#[derive(Object)]
pub struct CertificateView {
    /// The certificate's id, printed on it and part of its verification URL.
    certificate_id: Uuid,
    /// When it was issued (UTC, whole seconds).
    issued_at: DateTime<Utc>,
    /// The signed content, format `tessera-contribution-certificate/1`:
    /// `contributor` (name, registration, organisation, staff group),
    /// `period`, `activities` (credited time by project and task kind, each
    /// dated), `totals`, `quality` (agreement with consensus, gold accuracy),
    /// `activity_description` (for an appraiser), `cpd_mapping` (the
    /// holder's regulator's CPD guidance: NMC, GMC, HCPC or GPhC, else a
    /// general form), `reflection_prompts` and `verification_url`. The signature covers
    /// this object as compact JSON with keys in the order sent (what
    /// JavaScript's `JSON.stringify(content)` produces).
    content: serde_json::Value,
    /// Which key signed it; `GET /v1/certificates/public-key` lists the keys.
    key_id: String,
    /// Always `Ed25519`.
    algorithm: String,
    /// The 64-byte signature, standard base64.
    signature: String,
    /// Where anyone can check the certificate; the PDF prints it with a QR code.
    verification_url: String,
    /// The PDF to file as CPD evidence; only you can download it.
    pdf_url: String,
}

impl CertificateView {
    pub fn new(signed: &SignedCertificate, public_url: &str) -> Self {
        let id = signed.content.certificate_id;
        Self {
            certificate_id: id,
            issued_at: signed.content.issued_at,
            content: serde_json::to_value(&signed.content).unwrap_or_default(),
            key_id: signed.key_id.clone(),
            algorithm: ALGORITHM.to_owned(),
            signature: signed.signature_b64.clone(),
            verification_url: signed.content.verification_url.clone(),
            pdf_url: format!("{public_url}/v1/certificates/{id}.pdf"),
        }
    }
}

/// What a verifier needs: whether to trust the certificate, and what it says.
#[derive(Object)]
pub struct VerificationView {
    /// The certificate checked.
    certificate_id: Uuid,
    /// True only when the certificate is genuine, unaltered and not revoked:
    /// the one answer an appraiser needs.
    valid: bool,
    /// Whether the signature matches the content under Tessera's key.
    signature_valid: bool,
    /// Why, as a stable code: `valid`, `bad_signature`, `altered`,
    /// `unknown_key`, `key_id_mismatch`, `malformed_signature` or `unserialisable`.
    signature_check: String,
    /// The verdict in one plain sentence.
    summary: String,
    /// Whether the certificate has been withdrawn.
    revoked: bool,
    /// When it was withdrawn.
    #[oai(skip_serializing_if_is_none)]
    revoked_at: Option<DateTime<Utc>>,
    /// The reason given when it was withdrawn.
    #[oai(skip_serializing_if_is_none)]
    revoke_reason: Option<String>,
    /// Which key signed it.
    #[oai(skip_serializing_if_is_none)]
    key_id: Option<String>,
    /// The signature, standard base64, for checking offline.
    #[oai(skip_serializing_if_is_none)]
    signature: Option<String>,
    /// The content as stored (see `CertificateView.content`); absent when
    /// the holder has erased their account (see `holder_erased`) or the
    /// stored certificate can no longer be read at all.
    #[oai(skip_serializing_if_is_none)]
    content: Option<serde_json::Value>,
    /// True when the holder has since erased their account: Tessera keeps
    /// no name, only the dates, hours, signature and `content_sha256`.
    holder_erased: bool,
    /// For an erased holder: SHA-256 (hex) of the signed content as compact
    /// JSON, so a copy of the certificate can be matched exactly offline.
    #[oai(skip_serializing_if_is_none)]
    content_sha256: Option<String>,
}

fn summary(check: &RecordCheck, record: &StoredCertificate) -> String {
    if let Some(at) = record.revoked_at {
        return format!(
            "Revoked on {}: {}. Do not rely on this certificate.",
            at.format("%-d %B %Y"),
            record.revoke_reason.as_deref().unwrap_or("no reason given")
        );
    }
    match check.signed() {
        Some(signed) if check.is_valid() => {
            let content = &signed.content;
            format!(
                "Genuine: issued by Tessera on {} to {} for {} of credited time between {} and {}.",
                content.issued_at.format("%-d %B %Y"),
                content.contributor.name,
                format_duration(content.totals.credited_seconds),
                content.period.from.format("%-d %B %Y"),
                content.period.to.format("%-d %B %Y"),
            )
        }
        _ => format!(
            "Not genuine: {}. Do not rely on this certificate.",
            check.explanation()
        ),
    }
}

impl VerificationView {
    pub fn new(record: &StoredCertificate, check: &RecordCheck) -> Self {
        let signed = check.signed();
        Self {
            certificate_id: record.id,
            valid: check.is_valid() && record.revoked_at.is_none(),
            signature_valid: check.is_valid(),
            signature_check: check.reason_code(),
            summary: summary(check, record),
            revoked: record.revoked_at.is_some(),
            revoked_at: record.revoked_at,
            revoke_reason: record.revoke_reason.clone(),
            key_id: signed.map(|s| s.key_id.clone()),
            signature: signed.map(|s| s.signature_b64.clone()),
            content: signed.and_then(|s| serde_json::to_value(&s.content).ok()),
            holder_erased: false,
            content_sha256: None,
        }
    }

    /// The verdict on a certificate whose holder erased their account.
    pub fn erased(trace: &ErasedCertificate) -> Self {
        let day = |date: NaiveDate| date.format("%-d %B %Y").to_string();
        let summary = match (trace.revoked_at, trace.genuine) {
            (Some(at), _) => format!(
                "Revoked on {}: {}. Do not rely on this certificate.",
                at.format("%-d %B %Y"),
                trace.revoke_reason.as_deref().unwrap_or("no reason given")
            ),
            (None, true) => format!(
                "Genuine: issued by Tessera on {} for {} of credited time between {} and {}. \
                 The holder has since deleted their Tessera account, so their name is no \
                 longer held: check that the certificate you were shown gives these dates \
                 and hours.",
                trace.issued_at.format("%-d %B %Y"),
                format_duration(trace.credited_seconds),
                day(trace.period_from),
                day(trace.period_to),
            ),
            (None, false) => "Not genuine: this certificate did not verify when its holder's \
                 account was erased. Do not rely on it."
                .to_owned(),
        };
        Self {
            certificate_id: trace.certificate_id,
            valid: trace.genuine && trace.revoked_at.is_none(),
            signature_valid: trace.genuine,
            signature_check: if trace.genuine { "valid" } else { "altered" }.to_owned(),
            summary,
            revoked: trace.revoked_at.is_some(),
            revoked_at: trace.revoked_at,
            revoke_reason: trace.revoke_reason.clone(),
            key_id: Some(trace.key_id.clone()),
            signature: Some(trace.signature_b64.clone()),
            content: None,
            holder_erased: true,
            content_sha256: Some(trace.content_sha256.clone()),
        }
    }
}

/// One public key that certificates are signed with.
#[derive(Object)]
pub struct PublicKeyView {
    /// The id certificates carry in `key_id`: the first 16 hex characters of
    /// the SHA-256 of the raw key.
    pub key_id: String,
    /// Always `Ed25519`.
    pub algorithm: String,
    /// The 32-byte raw public key, standard base64.
    pub public_key: String,
    /// True for the key that signs new certificates; retired keys are
    /// listed because certificates they signed remain genuine.
    pub current: bool,
    /// When the key was reported compromised: a signature by it proves
    /// nothing on its own from then on (check such a certificate by its id).
    #[oai(skip_serializing_if_is_none)]
    pub compromised_since: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub compromise_reason: Option<String>,
}

/// The keys to verify certificates offline with.
#[derive(Object)]
pub struct PublicKeysView {
    /// Every key certificates may be signed with, current key first.
    pub keys: Vec<PublicKeyView>,
}
