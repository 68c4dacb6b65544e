//! Tests of canonical bytes, signing and verification.

use ed25519_dalek::VerifyingKey;

use super::test_support::{sample_content, sample_signed, signing_key};
use super::{
    CertificateContent, CertificateError, SignedCertificate, VerifyReason, canonical_bytes,
    content_from_canonical_json, key_id, sign, verify, verify_bytes,
};

/// A key store holding only the fixture key (seed 7).
fn fixture_keys(id: &str) -> Option<VerifyingKey> {
    let key = signing_key(7).verifying_key();
    (id == key_id(&key)).then_some(key)
}

#[test]
fn a_freshly_signed_certificate_verifies() {
    let outcome = verify(&sample_signed(), fixture_keys);
    assert!(outcome.valid);
    assert_eq!(outcome.reason, VerifyReason::Valid);
}

#[test]
fn key_ids_are_sixteen_hex_characters_that_differ_between_keys() {
    let id = key_id(&signing_key(7).verifying_key());
    assert_eq!(id.len(), 16);
    assert!(
        id.chars()
            .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase())
    );
    assert_eq!(id, key_id(&signing_key(7).verifying_key()));
    assert_ne!(id, key_id(&signing_key(8).verifying_key()));
}

/// True if `json` has whitespace anywhere outside its string literals.
fn has_whitespace_outside_strings(json: &str) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    for ch in json.chars() {
        match (in_string, escaped, ch) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (_, false, '"') => in_string = !in_string,
            (false, _, ch) if ch.is_whitespace() => return true,
            _ => {}
        }
    }
    false
}

#[test]
fn canonical_bytes_are_compact_json_in_declaration_order() {
    let bytes = canonical_bytes(&sample_content()).unwrap();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(
        text.starts_with(r#"{"format":"tessera-contribution-certificate/1","certificate_id":"#)
    );
    assert!(text.ends_with(r#""verification_url":"https://tessera.example.nhs.uk/verify/6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31"}"#));
    assert!(text.contains(
        r#""contributor":{"name":"Aoife O'Sullivan-Ndlovu","registration":{"body":"NMC""#
    ));
    assert!(!has_whitespace_outside_strings(text));
    assert!(has_whitespace_outside_strings(
        &serde_json::to_string_pretty(&sample_content()).unwrap()
    ));
    assert_eq!(bytes, canonical_bytes(&sample_content()).unwrap());
}

#[test]
fn only_the_canonical_spelling_of_the_json_is_accepted_by_the_strict_parser() {
    let content = sample_content();
    let canonical = canonical_bytes(&content).unwrap();
    assert_eq!(content_from_canonical_json(&canonical).unwrap(), content);
    let pretty = serde_json::to_vec_pretty(&content).unwrap();
    let upper_uuid = String::from_utf8(canonical.clone())
        .unwrap()
        .replacen("6f1c2a9e", "6F1C2A9E", 1);
    for variant in [pretty, upper_uuid.into_bytes()] {
        // Same values, so lenient parsing agrees, but the bytes are not canonical.
        let lenient: CertificateContent = serde_json::from_slice(&variant).unwrap();
        assert_eq!(lenient, content);
        let error = content_from_canonical_json(&variant).unwrap_err();
        assert_eq!(
            error,
            CertificateError::InvalidContent("JSON is not in canonical form".into())
        );
    }
}

#[test]
fn flipping_any_single_bit_of_the_canonical_bytes_breaks_the_signature() {
    let signed = sample_signed();
    let key = signing_key(7).verifying_key();
    let original = canonical_bytes(&signed.content).unwrap();
    assert!(verify_bytes(&original, &signed.signature_b64, &key).valid);
    let mut reparsed = 0;
    for position in 0..original.len() {
        let mut tampered = original.clone();
        // One bit per position, rotating through all eight bit positions.
        tampered[position] ^= 1 << (position % 8);
        let raw = verify_bytes(&tampered, &signed.signature_b64, &key);
        assert!(
            !raw.valid,
            "raw bytes still verified after flipping byte {position}"
        );
        assert_eq!(raw.reason, VerifyReason::BadSignature);
        // Some flips still parse, e.g. a changed digit, or an upper-case UUID
        // hex digit that means the same value. Changed values must fail the
        // structured check; same-value spellings must fail the strict parser.
        if let Ok(content) = serde_json::from_slice::<CertificateContent>(&tampered) {
            reparsed += 1;
            if content == signed.content {
                assert!(
                    content_from_canonical_json(&tampered).is_err(),
                    "byte {position}"
                );
            } else {
                let forged = SignedCertificate {
                    content,
                    ..signed.clone()
                };
                assert!(
                    !verify(&forged, fixture_keys).valid,
                    "byte {position} verified"
                );
            }
        }
    }
    assert!(original.len() > 2_000, "canonical bytes unexpectedly short");
    assert!(
        reparsed > 100,
        "only {reparsed} flips re-parsed; the structured path is untested"
    );
}

#[test]
fn changing_a_field_after_signing_is_detected() {
    let mut signed = sample_signed();
    signed.content.activities[0].credited_seconds += 3_600;
    signed.content.totals.credited_seconds += 3_600;
    let outcome = verify(&signed, fixture_keys);
    assert_eq!(
        (outcome.valid, outcome.reason),
        (false, VerifyReason::BadSignature)
    );
}

#[test]
fn an_unknown_key_id_is_invalid() {
    let mut signed = sample_signed();
    signed.key_id = "0000000000000000".to_owned();
    let outcome = verify(&signed, fixture_keys);
    assert_eq!(
        (outcome.valid, outcome.reason),
        (false, VerifyReason::UnknownKey)
    );
}

#[test]
fn a_signature_from_another_key_is_invalid() {
    // Signed by key 8 but claiming to be key 7, whose public key the store holds.
    let impostor = signing_key(8);
    let genuine_id = key_id(&signing_key(7).verifying_key());
    let signed = sign(&sample_content(), &impostor, &genuine_id).unwrap();
    let outcome = verify(&signed, fixture_keys);
    assert_eq!(
        (outcome.valid, outcome.reason),
        (false, VerifyReason::BadSignature)
    );
}

#[test]
fn a_key_store_returning_a_key_under_the_wrong_id_is_invalid() {
    let signed = sample_signed();
    let outcome = verify(&signed, |_| Some(signing_key(8).verifying_key()));
    assert_eq!(
        (outcome.valid, outcome.reason),
        (false, VerifyReason::KeyIdMismatch)
    );
}

#[test]
fn a_malformed_signature_is_invalid() {
    let key = signing_key(7).verifying_key();
    let bytes = canonical_bytes(&sample_content()).unwrap();
    for bad in ["", "not base64!", "AAAA"] {
        let outcome = verify_bytes(&bytes, bad, &key);
        assert_eq!(
            (outcome.valid, outcome.reason),
            (false, VerifyReason::MalformedSignature)
        );
    }
}

#[test]
fn a_signed_certificate_still_verifies_after_a_pretty_printed_json_round_trip() {
    let signed = sample_signed();
    let pretty = serde_json::to_string_pretty(&signed).unwrap();
    assert!(pretty.contains("\n  \"key_id\""));
    let back: SignedCertificate = serde_json::from_str(&pretty).unwrap();
    assert!(verify(&back, fixture_keys).valid);
    assert_eq!(signed.signature_b64.len(), 88);
    let outcome_json = serde_json::to_string(&verify(&back, fixture_keys)).unwrap();
    assert_eq!(outcome_json, r#"{"valid":true,"reason":"valid"}"#);
}
