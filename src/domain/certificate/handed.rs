//! A credential someone was handed (the JSON file a holder downloads, or
//! just its VC-JWT), checked without the server's record of it: what its
//! verified claims say, and whether they stand.

use serde_json::Value;
use uuid::Uuid;

/// What a credential whose signature holds says about itself.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HandedCredential {
    pub certificate_id: Option<Uuid>,
    pub issuer: Option<String>,
    pub holder: Option<String>,
    pub activity_from: Option<String>,
    pub activity_to: Option<String>,
    pub credits_earned: Option<f64>,
    pub valid_from: Option<String>,
    /// Its place in the revocation list, when it has one.
    pub status_index: Option<u64>,
    pub verification_url: Option<String>,
}

impl HandedCredential {
    /// Reads the claims of a VC-JWT as [`super::badge::jwt_claims`] writes them.
    pub fn read(claims: &Value) -> Self {
        let text = |value: &Value| value.as_str().map(str::to_owned);
        let subject = &claims["credentialSubject"];
        let holder = subject["identifier"]
            .as_array()
            .and_then(|ids| ids.iter().find(|id| id["identityType"] == "name"))
            .and_then(|id| text(&id["identityHash"]));
        let day = |value: &Value| text(value).map(|at| at.chars().take(10).collect());
        Self {
            certificate_id: claims["jti"]
                .as_str()
                .and_then(|id| id.strip_prefix("urn:uuid:"))
                .and_then(|id| Uuid::parse_str(id).ok()),
            issuer: text(&claims["iss"]),
            holder,
            activity_from: day(&subject["activityStartDate"]),
            activity_to: day(&subject["activityEndDate"]),
            credits_earned: subject["creditsEarned"].as_f64(),
            valid_from: text(&claims["validFrom"]),
            status_index: claims["credentialStatus"]["statusListIndex"]
                .as_str()
                .and_then(|index| index.parse().ok()),
            verification_url: text(&claims["evidence"][0]["id"]),
        }
    }
}

/// The verdict on a handed credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Genuine,
    /// Signed by Tessera, then withdrawn.
    Revoked,
    /// Signed by a key of this server but naming another issuer.
    OtherIssuer,
}

/// Genuine only when it names this server as issuer and its place in the
/// revocation list is not set.
pub fn verdict(credential: &HandedCredential, issuer: &str, revoked: &[u64]) -> Verdict {
    if credential.issuer.as_deref() != Some(issuer.trim_end_matches('/')) {
        return Verdict::OtherIssuer;
    }
    match credential.status_index {
        Some(index) if revoked.contains(&index) => Verdict::Revoked,
        _ => Verdict::Genuine,
    }
}

#[cfg(test)]
mod tests {
    use super::super::badge::{jwt_claims, open_badge};
    use super::super::test_support::sample_content;
    use super::*;

    #[test]
    fn the_claims_say_what_the_certificate_says() {
        let content = sample_content();
        let badge = open_badge(&content, "https://tessera.example.org", Some(7));
        let read = HandedCredential::read(&jwt_claims(&badge, &content));
        assert_eq!(read.certificate_id, Some(content.certificate_id));
        assert_eq!(
            read.holder.as_deref(),
            Some(content.contributor.name.as_str())
        );
        assert_eq!(read.activity_from, Some(content.period.from.to_string()));
        assert_eq!(read.activity_to, Some(content.period.to.to_string()));
        assert_eq!(read.status_index, Some(7));
        assert_eq!(read.issuer.as_deref(), Some("https://tessera.example.org"));
    }

    #[test]
    fn a_revoked_place_or_another_issuer_is_not_genuine() {
        let content = sample_content();
        let badge = open_badge(&content, "https://tessera.example.org", Some(7));
        let read = HandedCredential::read(&jwt_claims(&badge, &content));
        let here = "https://tessera.example.org/";
        assert_eq!(verdict(&read, here, &[1, 8]), Verdict::Genuine);
        assert_eq!(verdict(&read, here, &[7]), Verdict::Revoked);
        assert_eq!(
            verdict(&read, "https://other.example.org", &[]),
            Verdict::OtherIssuer
        );
    }
}
