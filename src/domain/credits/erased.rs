//! What stays of a certificate when its holder erases their account: enough
//! for an appraiser holding the certificate to learn that Tessera issued it,
//! and nothing that names the person. The name, registration and
//! organisation go; the dates, hours, signature and a digest of the signed
//! content stay, so a copy of the certificate can still be matched exactly.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::record::RecordCheck;
use crate::domain::certificate::canonical_bytes;

/// A certificate whose holder has erased their account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErasedCertificate {
    pub certificate_id: Uuid,
    pub issued_at: DateTime<Utc>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub credited_seconds: u64,
    pub answers: u64,
    pub key_id: String,
    pub signature_b64: String,
    /// SHA-256 (hex) of the signed content's canonical bytes: a copy of the
    /// certificate is this one exactly when its content hashes to this.
    pub content_sha256: String,
    /// Whether the stored certificate verified when the account was erased.
    pub genuine: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub erased_at: DateTime<Utc>,
}

/// The trace a stored certificate leaves, or `None` for a record that can
/// no longer be read (nothing trustworthy would remain of it).
pub fn erased(
    check: &RecordCheck,
    revoked_at: Option<DateTime<Utc>>,
    revoke_reason: Option<String>,
    erased_at: DateTime<Utc>,
) -> Option<ErasedCertificate> {
    let signed = check.signed()?;
    let content = &signed.content;
    let digest = Sha256::digest(canonical_bytes(content).ok()?);
    Some(ErasedCertificate {
        certificate_id: content.certificate_id,
        issued_at: content.issued_at,
        period_from: content.period.from,
        period_to: content.period.to,
        credited_seconds: content.totals.credited_seconds,
        answers: content.totals.answers,
        key_id: signed.key_id.clone(),
        signature_b64: signed.signature_b64.clone(),
        content_sha256: hex::encode(digest),
        genuine: check.is_valid(),
        revoked_at,
        revoke_reason,
        erased_at,
    })
}
