//! A certificate as an Open Badges 3.0 `OpenBadgeCredential` (on the W3C
//! Verifiable Credentials 2.0 data model), so it imports into portfolios and
//! wallets. It is built from the signed certificate content only, so it
//! says exactly what the certificate says.
//!
//! The proof is a VC-JWT (Open Badges 3.0 §8.2): the credential's members
//! are the JWT payload, with `iss` (the issuer's id), `jti` (the
//! credential's id), `sub` left out (the subject has no id) and `nbf` (when
//! it became valid); the header names the signing key by `kid`, whose
//! public half `GET /v1/certificates/public-key` lists.

use serde_json::{Value, json};

use super::content::{CertificateContent, format_duration};
use super::status_list::{revocation_list_url, status_entry};

/// The two contexts every Open Badges 3.0 credential starts with.
pub const CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// The credential for a certificate. `issuer_url` is the service's public
/// address (the issuer's id); `status_index` is the certificate's place in
/// the revocation list (`credentialStatus`), when it has one.
pub fn open_badge(
    content: &CertificateContent,
    issuer_url: &str,
    status_index: Option<u64>,
) -> Value {
    let issuer = issuer_url.trim_end_matches('/');
    let hours = content.totals.credited_seconds as f64 / 3600.0;
    let kinds: Vec<&str> = {
        let mut kinds: Vec<&str> = content
            .activities
            .iter()
            .map(|a| a.task_kind.label())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    };
    let mut narrative = format!(
        "{} answers with {} of credited time between {} and {}.",
        content.totals.answers,
        format_duration(content.totals.credited_seconds),
        content.period.from,
        content.period.to,
    );
    for mapping in &content.cpd_mapping {
        narrative.push_str(&format!(
            "\n\n{} ({}): {}",
            mapping.regulator, mapping.scheme, mapping.text
        ));
    }
    let mut identifier = vec![json!({
        "type": "IdentityObject",
        "identityType": "name",
        "hashed": false,
        "identityHash": content.contributor.name,
    })];
    if let Some(registration) = &content.contributor.registration {
        identifier.push(json!({
            "type": "IdentityObject",
            "identityType": "identifier",
            "hashed": false,
            "identityHash": format!("{} {}", registration.body, registration.number),
        }));
    }
    let mut credential = json!({
        "@context": CONTEXTS,
        "id": format!("urn:uuid:{}", content.certificate_id),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Tessera contribution certificate",
        "description": content.activity_description,
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Tessera",
            "url": issuer,
        },
        "validFrom": content.issued_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifier,
            "activityStartDate": format!("{}T00:00:00Z", content.period.from),
            "activityEndDate": format!("{}T23:59:59Z", content.period.to),
            "creditsEarned": (hours * 100.0).round() / 100.0,
            "narrative": narrative,
            "achievement": {
                "id": format!("{issuer}/achievements/research-contribution"),
                "type": ["Achievement"],
                "achievementType": "ext:ResearchContribution",
                "name": "Contribution to NHS health research",
                "description": "Micro-tasks for real studies (literature screening, data coding, observation logging), each answered independently by several staff and combined into a consensus.",
                "criteria": {
                    "narrative": "Awarded for credited time on tasks handed out by Tessera and accepted as answers; credited time is the time recorded for completed tasks.",
                },
                "tag": kinds,
            },
        },
        "evidence": [{
            "id": content.verification_url,
            "type": ["Evidence"],
            "name": "Verification",
            "narrative": "Anyone can check this certificate at this address.",
        }],
    });
    if let (Some(index), Some(map)) = (status_index, credential.as_object_mut()) {
        let list = revocation_list_url(issuer);
        map.insert("credentialStatus".into(), status_entry(&list, index));
    }
    credential
}

/// Where the certificate's credential is served, beside its verification
/// address (`…/{id}/verify` becomes `…/{id}/credential`); `None` for an
/// address of another shape.
pub fn credential_url(verification_url: &str) -> Option<String> {
    verification_url
        .strip_suffix("/verify")
        .map(|base| format!("{base}/credential"))
}

/// The VC-JWT claims: the credential itself, plus the registered claims
/// the proof format asks for.
pub fn jwt_claims(credential: &Value, content: &CertificateContent) -> Value {
    let mut claims = credential.clone();
    if let Some(map) = claims.as_object_mut() {
        map.insert("iss".into(), credential["issuer"]["id"].clone());
        map.insert("jti".into(), credential["id"].clone());
        map.insert("nbf".into(), json!(content.issued_at.timestamp()));
    }
    claims
}

#[cfg(test)]
mod tests {
    use super::super::test_support::sample_content;
    use super::*;

    #[test]
    fn the_credential_says_what_the_certificate_says() {
        let content = sample_content();
        let badge = open_badge(&content, "https://tessera.example.org/", Some(7));
        assert_eq!(badge["@context"][1], CONTEXTS[1]);
        assert_eq!(badge["id"], format!("urn:uuid:{}", content.certificate_id));
        assert_eq!(badge["issuer"]["id"], "https://tessera.example.org");
        let subject = &badge["credentialSubject"];
        assert_eq!(
            subject["identifier"][0]["identityHash"],
            content.contributor.name.as_str()
        );
        let hours = content.totals.credited_seconds as f64 / 3600.0;
        assert!((subject["creditsEarned"].as_f64().unwrap() - hours).abs() < 0.01);
        assert_eq!(
            badge["evidence"][0]["id"],
            content.verification_url.as_str()
        );
        let status = &badge["credentialStatus"];
        assert_eq!(status["type"], "BitstringStatusListEntry");
        assert_eq!(status["statusPurpose"], "revocation");
        assert_eq!(status["statusListIndex"], "7");
        assert_eq!(
            status["statusListCredential"],
            "https://tessera.example.org/v1/status-lists/revocation"
        );
        let without = open_badge(&content, "https://tessera.example.org/", None);
        assert!(without.get("credentialStatus").is_none());
        let claims = jwt_claims(&badge, &content);
        assert_eq!(claims["iss"], "https://tessera.example.org");
        assert_eq!(claims["jti"], badge["id"]);
        assert_eq!(claims["nbf"], content.issued_at.timestamp());
    }

    #[test]
    fn the_credential_is_served_beside_the_verification_address() {
        assert_eq!(
            credential_url("https://t.example/v1/certificates/ab/verify").as_deref(),
            Some("https://t.example/v1/certificates/ab/credential")
        );
        assert_eq!(credential_url("https://t.example/elsewhere"), None);
    }
}
