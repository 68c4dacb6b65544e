//! A certificate as an Open Badges 3.0 credential with a VC-JWT proof. With
//! `TESSERA_BADGE_OUT=DIR` the test also writes the JWT and the public keys
//! there, for the third-party check in `.ci/badge-check`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::credits::support::{app, issued};
use crate::helpers::{expect_problem, expect_status};

#[tokio::test]
async fn a_certificate_becomes_an_open_badge_signed_as_a_vc_jwt() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let path = format!("/v1/certificates/{id}/credential");
    let badge = expect_status(
        app.get(&path, Some(&staff.access_token)).await,
        StatusCode::OK,
    )
    .await;
    let credential = &badge["credential"];
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "OpenBadgeCredential"])
    );
    assert_eq!(credential["id"], format!("urn:uuid:{id}"));
    assert_eq!(
        credential["credentialSubject"]["identifier"][0]["identityHash"],
        certificate["content"]["contributor"]["name"]
    );
    assert_eq!(
        credential["evidence"][0]["id"],
        certificate["verification_url"]
    );

    // The proof: EdDSA under the key the public list names.
    let jwt = badge["jwt"].as_str().expect("jwt");
    let header = jsonwebtoken::decode_header(jwt).expect("header");
    let keys = expect_status(
        app.get("/v1/certificates/public-key", None).await,
        StatusCode::OK,
    )
    .await;
    let key = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| Some(k["key_id"].as_str().unwrap_or_default()) == header.kid.as_deref())
        .expect("the kid is a published key");
    let raw = BASE64.decode(key["public_key"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_required_spec_claims(&["iss", "nbf"]);
    validation.validate_exp = false;
    validation.validate_nbf = true;
    let claims: Value = jsonwebtoken::decode(jwt, &DecodingKey::from_ed_der(&raw), &validation)
        .expect("the signature holds")
        .claims;
    assert_eq!(claims["jti"], credential["id"]);
    assert_eq!(claims["credentialSubject"], credential["credentialSubject"]);

    if let Some(dir) = std::env::var_os("TESSERA_BADGE_OUT") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("credential.jwt"), jwt).unwrap();
        std::fs::write(dir.join("public-keys.json"), keys.to_string()).unwrap();
    }

    // Nobody else gets it; a revoked certificate has none.
    let other = app.person("other@nhs.net", &[]).await;
    expect_problem(
        app.get(&path, Some(&other.access_token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let revoke = app
        .post(
            &format!("/v1/certificates/{id}/revoke"),
            &json!({"reason": "Issued for the wrong dates"}),
            Some(&staff.access_token),
        )
        .await;
    expect_status(revoke, StatusCode::OK).await;
    expect_problem(
        app.get(&path, Some(&staff.access_token)).await,
        StatusCode::CONFLICT,
    )
    .await;
}
