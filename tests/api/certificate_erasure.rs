//! A certificate outlives its holder's account: after `DELETE /v1/me` the
//! verification URL still says it is genuine, with the dates and hours, but
//! no name, and a digest that matches the certificate the appraiser holds.

use reqwest::StatusCode;
use sha2::{Digest, Sha256};
use tessera::domain::certificate::{CertificateContent, canonical_bytes};

use crate::credits::support::{app, issued};
use crate::helpers::expect_status;

#[tokio::test]
async fn verify_after_the_holder_erases_their_account_still_reports_genuine_without_the_name() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");

    let erased = app
        .client
        .delete(app.url("/v1/me"))
        .bearer_auth(&staff.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);

    let verdict = expect_status(
        app.get(&format!("/v1/certificates/{id}/verify"), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["holder_erased"], true);
    assert_eq!(verdict["key_id"], certificate["key_id"]);
    assert_eq!(verdict["signature"], certificate["signature"]);
    let summary = verdict["summary"].as_str().expect("summary");
    assert!(
        summary.starts_with("Genuine: issued by Tessera on"),
        "{summary}"
    );
    assert!(summary.contains("6 minutes of credited time"), "{summary}");
    assert!(
        !verdict.to_string().contains("Ada Nurse"),
        "the name is gone: {verdict}"
    );
    assert!(verdict.get("content").is_none());

    // The appraiser's copy matches the digest kept.
    let content: CertificateContent =
        serde_json::from_value(certificate["content"].clone()).expect("content");
    let digest = hex::encode(Sha256::digest(canonical_bytes(&content).expect("bytes")));
    assert_eq!(verdict["content_sha256"], digest.as_str());

    // A certificate that never existed is still a 404.
    let unknown = uuid::Uuid::new_v4();
    let missing = app
        .get(&format!("/v1/certificates/{unknown}/verify"), None)
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
