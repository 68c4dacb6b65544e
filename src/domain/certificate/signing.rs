//! Ed25519 signatures over the canonical bytes of a certificate.
//!
//! # Canonical bytes
//! The canonical form is `serde_json::to_vec(&content)`:
//! - object keys appear in the struct's declaration order (serde derive is
//!   deterministic; no maps are used anywhere in the content),
//! - no whitespace at all,
//! - optional fields are always present, as `null` when absent,
//! - strings use serde_json's escaping (only `"`, `\` and control characters),
//! - numbers are unsigned integers, dates are ISO 8601 (`2025-03-01`) and the
//!   issue time is RFC 3339 in UTC with whole seconds (`2025-03-31T09:30:00Z`).
//!
//! A verifier that receives JSON parses it into [`CertificateContent`]
//! (rejecting unknown fields) and re-serialises it, so formatting of the
//! received JSON does not matter but every value does.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::CertificateError;
use super::content::CertificateContent;

/// Content plus the signature that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedCertificate {
    /// The signed facts.
    pub content: CertificateContent,
    /// Which key signed it; see [`key_id`].
    pub key_id: String,
    /// Standard base64 (with padding) of the 64-byte Ed25519 signature.
    pub signature_b64: String,
}

/// Why a certificate did or did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerifyReason {
    /// The signature matches the content and a known key.
    Valid,
    /// No public key is known under the certificate's key id.
    UnknownKey,
    /// The key found under the id does not hash to that id (a key-store mix-up).
    KeyIdMismatch,
    /// The signature is not base64 of 64 bytes.
    MalformedSignature,
    /// The content could not be serialised to canonical bytes.
    Unserialisable,
    /// The signature does not match: the content was changed or another key signed it.
    BadSignature,
    /// Signed with a key reported compromised, on or after the date it was
    /// (see `compromise`).
    CompromisedKey,
}

impl fmt::Display for VerifyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerifyReason::Valid => "the signature is valid",
            VerifyReason::UnknownKey => "the signing key is not known",
            VerifyReason::KeyIdMismatch => "the key id does not match the key",
            VerifyReason::MalformedSignature => "the signature is malformed",
            VerifyReason::Unserialisable => "the content could not be serialised",
            VerifyReason::BadSignature => "the signature does not match the content",
            VerifyReason::CompromisedKey => {
                "it was signed after its signing key was reported compromised"
            }
        })
    }
}

/// The result of [`verify`]: `valid` is true only when `reason` is [`VerifyReason::Valid`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOutcome {
    /// Whether the certificate can be trusted.
    pub valid: bool,
    /// Why, for logs and for the verification page.
    pub reason: VerifyReason,
}

impl From<VerifyReason> for VerifyOutcome {
    fn from(reason: VerifyReason) -> Self {
        VerifyOutcome {
            valid: reason == VerifyReason::Valid,
            reason,
        }
    }
}

/// The exact bytes that are signed; see the module docs for the rules.
pub fn canonical_bytes(content: &CertificateContent) -> Result<Vec<u8>, CertificateError> {
    serde_json::to_vec(content).map_err(|err| CertificateError::Serialise(err.to_string()))
}

/// A short, stable name for a public key: the first 16 hex characters of the
/// SHA-256 of its 32 bytes, so ids can be recomputed from the key alone.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    digest[..8]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Signs the content's canonical bytes, labelling the signature with `key_id`
/// (normally [`key_id`] of the signing key's public half).
pub fn sign(
    content: &CertificateContent,
    key: &SigningKey,
    key_id: &str,
) -> Result<SignedCertificate, CertificateError> {
    let signature = key.sign(&canonical_bytes(content)?);
    Ok(SignedCertificate {
        content: content.clone(),
        key_id: key_id.to_owned(),
        signature_b64: BASE64.encode(signature.to_bytes()),
    })
}

/// Checks raw canonical bytes against a base64 signature and one key.
pub fn verify_bytes(canonical: &[u8], signature_b64: &str, key: &VerifyingKey) -> VerifyOutcome {
    let Some(signature) = decode_signature(signature_b64) else {
        return VerifyReason::MalformedSignature.into();
    };
    // verify_strict also rejects small-order keys and non-canonical signature
    // encodings, so one content cannot carry two different valid signatures.
    match key.verify_strict(canonical, &signature) {
        Ok(()) => VerifyReason::Valid.into(),
        Err(_) => VerifyReason::BadSignature.into(),
    }
}

/// Verifies a signed certificate, finding its public key with `lookup` (key id to key).
pub fn verify<F>(signed: &SignedCertificate, lookup: F) -> VerifyOutcome
where
    F: Fn(&str) -> Option<VerifyingKey>,
{
    let Some(key) = lookup(&signed.key_id) else {
        return VerifyReason::UnknownKey.into();
    };
    if key_id(&key) != signed.key_id {
        return VerifyReason::KeyIdMismatch.into();
    }
    match canonical_bytes(&signed.content) {
        Ok(bytes) => verify_bytes(&bytes, &signed.signature_b64, &key),
        Err(_) => VerifyReason::Unserialisable.into(),
    }
}

/// Base64 to a signature, or `None` if it is not exactly 64 bytes.
fn decode_signature(signature_b64: &str) -> Option<Signature> {
    let bytes = BASE64.decode(signature_b64).ok()?;
    let bytes: [u8; 64] = bytes.try_into().ok()?;
    Some(Signature::from_bytes(&bytes))
}

/// Parses content from JSON that must already be in canonical form.
///
/// Plain `serde_json` parsing accepts harmless variants (upper-case UUID
/// hex, `t`/`z` in timestamps, whitespace) that re-serialise to the same
/// canonical bytes. Use this where the received bytes themselves are stored or
/// signed, so each certificate has exactly one accepted spelling.
pub fn content_from_canonical_json(bytes: &[u8]) -> Result<CertificateContent, CertificateError> {
    let content: CertificateContent = serde_json::from_slice(bytes)
        .map_err(|err| CertificateError::InvalidContent(format!("not certificate JSON: {err}")))?;
    if canonical_bytes(&content)? != bytes {
        return Err(CertificateError::InvalidContent(
            "JSON is not in canonical form".to_owned(),
        ));
    }
    Ok(content)
}
