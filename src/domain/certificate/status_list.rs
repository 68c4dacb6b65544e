//! Revocation of credentials through a W3C Bitstring Status List (v1.0).
//!
//! Each credential names a place (`statusListIndex`) in one list the
//! server publishes, itself a credential. The bit at that place is 1 when
//! the certificate is revoked. The list is rebuilt from the store on each
//! request, so revoking a certificate flips its bit at once.
//!
//! Per the specification the bitstring is at least 16 KiB (131,072 places)
//! so that a single list read does not tell which credential is checked;
//! bit 0 is the most significant bit of the first byte; `encodedList` is
//! the bitstring GZIP-compressed, then base64url without padding, with the
//! Multibase prefix `u`.

use std::io::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

use super::badge::CONTEXTS;

/// The smallest list the specification allows, in places (16 KiB of bits).
pub const MIN_PLACES: u64 = 131_072;

/// The path the revocation list is published at, below the public address.
pub const REVOCATION_LIST_PATH: &str = "/v1/status-lists/revocation";

/// The address of the revocation list for a service at `issuer_url`.
pub fn revocation_list_url(issuer_url: &str) -> String {
    format!("{}{REVOCATION_LIST_PATH}", issuer_url.trim_end_matches('/'))
}

/// The `credentialStatus` of the credential at place `index` of the list at `list_url`.
pub fn status_entry(list_url: &str, index: u64) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        // The specification writes the index as a string of digits.
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// The bitstring with the places in `revoked` set, at least [`MIN_PLACES`]
/// long and grown in steps of that size to cover the highest place.
pub fn bitstring(revoked: &[u64]) -> Vec<u8> {
    let highest = revoked.iter().copied().max().unwrap_or(0);
    let places = (highest / MIN_PLACES + 1) * MIN_PLACES;
    let mut bits = vec![0u8; usize::try_from(places / 8).unwrap_or(usize::MAX)];
    for &place in revoked {
        if let Some(byte) = usize::try_from(place / 8)
            .ok()
            .and_then(|i| bits.get_mut(i))
        {
            *byte |= 0x80 >> (place % 8);
        }
    }
    bits
}

/// The bitstring as `encodedList`: GZIP, base64url without padding, `u` prefix.
pub fn encode(bits: &[u8]) -> String {
    let mut gzip = GzEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let compressed = gzip
        .write_all(bits)
        .and_then(|()| gzip.finish())
        .unwrap_or_default();
    format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// The status list credential (VC Data Model 2.0) for the service at
/// `issuer_url`, with the places in `revoked` set, valid from `now`.
pub fn revocation_list(issuer_url: &str, revoked: &[u64], now: DateTime<Utc>) -> Value {
    let issuer = issuer_url.trim_end_matches('/');
    let list_url = revocation_list_url(issuer);
    json!({
        "@context": [CONTEXTS[0]],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": now.to_rfc3339_opts(SecondsFormat::Secs, true),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode(&bitstring(revoked)),
        },
    })
}

/// The VC-JWT claims of the list: the credential with `iss`, `jti`, `nbf`
/// and `iat` (now).
pub fn revocation_list_claims(list: &Value, now: DateTime<Utc>) -> Value {
    let mut claims = list.clone();
    if let Some(map) = claims.as_object_mut() {
        map.insert("iss".into(), list["issuer"].clone());
        map.insert("jti".into(), list["id"].clone());
        map.insert("nbf".into(), json!(now.timestamp()));
        map.insert("iat".into(), json!(now.timestamp()));
    }
    claims
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use chrono::TimeZone as _;
    use flate2::read::GzDecoder;

    use super::*;

    /// Reads a place back the way a verifier does: decode, gunzip, test the bit.
    fn is_set(encoded: &str, place: u64) -> bool {
        let compressed = URL_SAFE_NO_PAD
            .decode(encoded.strip_prefix('u').unwrap())
            .unwrap();
        let mut bits = Vec::new();
        GzDecoder::new(&compressed[..])
            .read_to_end(&mut bits)
            .unwrap();
        assert!(bits.len() as u64 * 8 >= MIN_PLACES);
        bits[(place / 8) as usize] & (0x80 >> (place % 8)) != 0
    }

    #[test]
    fn only_revoked_places_are_set_with_bit_zero_leftmost() {
        let bits = bitstring(&[0, 9, 131_071]);
        assert_eq!(bits.len(), 16_384);
        assert_eq!(bits[0], 0b1000_0000);
        assert_eq!(bits[1], 0b0100_0000);
        assert_eq!(bits[16_383], 0b0000_0001);
        assert_eq!(bits.iter().map(|b| b.count_ones()).sum::<u32>(), 3);
        let encoded = encode(&bits);
        assert!(encoded.starts_with('u'));
        assert!(is_set(&encoded, 9) && !is_set(&encoded, 8) && !is_set(&encoded, 10));
    }

    #[test]
    fn the_list_grows_past_its_minimum_in_whole_steps() {
        assert_eq!(bitstring(&[]).len() as u64 * 8, MIN_PLACES);
        assert_eq!(bitstring(&[MIN_PLACES]).len() as u64 * 8, 2 * MIN_PLACES);
        assert!(is_set(
            &encode(&bitstring(&[MIN_PLACES + 5])),
            MIN_PLACES + 5
        ));
    }

    #[test]
    fn the_list_credential_and_an_entry_point_at_each_other() {
        let now = Utc.with_ymd_and_hms(2025, 4, 1, 12, 0, 0).unwrap();
        let list = revocation_list("https://tessera.example/", &[3], now);
        let url = "https://tessera.example/v1/status-lists/revocation";
        assert_eq!(list["id"], url);
        assert_eq!(list["type"][1], "BitstringStatusListCredential");
        assert_eq!(list["credentialSubject"]["statusPurpose"], "revocation");
        let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
        assert!(is_set(encoded, 3) && !is_set(encoded, 4));
        let entry = status_entry(url, 3);
        assert_eq!(entry["statusListCredential"], list["id"]);
        assert_eq!(entry["statusListIndex"], "3");
        assert_eq!(entry["type"], "BitstringStatusListEntry");
        let claims = revocation_list_claims(&list, now);
        assert_eq!(claims["iss"], "https://tessera.example");
        assert_eq!(claims["jti"], url);
        assert_eq!(claims["nbf"], now.timestamp());
    }
}
