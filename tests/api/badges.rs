//! A certificate as an Open Badges 3.0 credential with a VC-JWT proof, and
//! its revocation through the published Bitstring Status List. With
//! `TESSERA_BADGE_OUT=DIR` the first test also writes the JWT, the public
//! keys and the status list before and after revocation there, for the
//! third-party check in `.ci/badge-check`.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
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
    let badge = credential_of(&app, &staff.access_token, id).await;
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

    let out = std::env::var_os("TESSERA_BADGE_OUT").map(std::path::PathBuf::from);
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("credential.jwt"), jwt).unwrap();
        std::fs::write(dir.join("public-keys.json"), keys.to_string()).unwrap();
        let list = status_list_jwt(&app).await;
        std::fs::write(dir.join("status-list-before.jwt"), list).unwrap();
    }

    // Anyone with the id gets the same credential (as the verify page
    // shows the same facts); an unknown id is a 404; a revoked certificate
    // has none.
    let other = app.person("other@nhs.net", &[]).await;
    let theirs = expect_status(
        app.get(&path, Some(&other.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["credential"], badge["credential"]);
    expect_problem(
        app.get(
            &format!("/v1/certificates/{}/credential", uuid::Uuid::new_v4()),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    revoke(&app, &staff.access_token, id).await;
    expect_problem(
        app.get(&path, Some(&staff.access_token)).await,
        StatusCode::CONFLICT,
    )
    .await;
    if let Some(dir) = &out {
        let list = status_list_jwt(&app).await;
        std::fs::write(dir.join("status-list-after.jwt"), list).unwrap();
    }
}

/// The published revocation list, fetched without an account, as its VC-JWT.
async fn status_list_jwt(app: &crate::helpers::TestApp) -> String {
    let response = app.get("/v1/status-lists/revocation", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let media_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(media_type, "application/vc+jwt");
    response.text().await.expect("body")
}

/// The list's claims, after checking its EdDSA proof under the published key.
async fn status_list(app: &crate::helpers::TestApp) -> Value {
    let jwt = status_list_jwt(app).await;
    let kid = jsonwebtoken::decode_header(&jwt).unwrap().kid.unwrap();
    let keys = expect_status(
        app.get("/v1/certificates/public-key", None).await,
        StatusCode::OK,
    )
    .await;
    let key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == kid.as_str())
        .expect("the list is signed with a published key");
    let raw = BASE64.decode(key["public_key"].as_str().unwrap()).unwrap();
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_required_spec_claims(&["iss", "nbf"]);
    validation.validate_exp = false;
    jsonwebtoken::decode(&jwt, &DecodingKey::from_ed_der(&raw), &validation)
        .expect("the list's signature holds")
        .claims
}

/// Whether the list marks `place` (bit 0 leftmost in the GZIP bitstring).
fn marked(list: &Value, place: u64) -> bool {
    let encoded = list["credentialSubject"]["encodedList"].as_str().unwrap();
    let compressed = URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').expect("multibase base64url"))
        .unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut bits)
        .unwrap();
    assert!(bits.len() >= 16 * 1024, "at least 16 KiB of places");
    bits[(place / 8) as usize] & (0x80 >> (place % 8)) != 0
}

/// The certificate's credential (`{credential, jwt}`), fetched by `token`'s holder.
pub async fn credential_of(app: &crate::helpers::TestApp, token: &str, id: &str) -> Value {
    let path = format!("/v1/certificates/{id}/credential");
    expect_status(app.get(&path, Some(token)).await, StatusCode::OK).await
}

/// Withdraws the certificate as its owner.
async fn revoke(app: &crate::helpers::TestApp, token: &str, id: &str) {
    let path = format!("/v1/certificates/{id}/revoke");
    let body = json!({"reason": "Issued for the wrong dates"});
    expect_status(app.post(&path, &body, Some(token)).await, StatusCode::OK).await;
}

/// The credential's place in the list, from its `credentialStatus`.
async fn place(app: &crate::helpers::TestApp, token: &str, id: &str) -> u64 {
    let badge = credential_of(app, token, id).await;
    let status = &badge["credential"]["credentialStatus"];
    assert_eq!(status["type"], "BitstringStatusListEntry");
    assert_eq!(status["statusPurpose"], "revocation");
    assert_eq!(
        status["statusListCredential"],
        "https://tessera.test/v1/status-lists/revocation"
    );
    status["statusListIndex"]
        .as_str()
        .expect("the index is a string of digits")
        .parse()
        .unwrap()
}

#[tokio::test]
async fn revoking_a_certificate_flips_its_bit_in_the_published_status_list() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let index = place(&app, &staff.access_token, id).await;
    // Asking again gives the same place.
    assert_eq!(place(&app, &staff.access_token, id).await, index);

    let list = status_list(&app).await;
    assert_eq!(list["type"][1], "BitstringStatusListCredential");
    assert_eq!(
        list["id"],
        "https://tessera.test/v1/status-lists/revocation"
    );
    assert!(!marked(&list, index), "not revoked yet");

    revoke(&app, &staff.access_token, id).await;
    let list = status_list(&app).await;
    assert!(marked(&list, index), "revoked");
    assert_eq!(
        (0..64).filter(|&place| marked(&list, place)).count(),
        1,
        "only its own bit"
    );
}

async fn check_handed(app: &crate::helpers::TestApp, jwt: &str) -> Value {
    expect_status(
        app.post("/v1/credentials/verification", &json!({ "jwt": jwt }), None)
            .await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn a_handed_credential_is_checked_without_its_id_altered_or_revoked() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let path = format!("/v1/certificates/{id}/credential");
    let badge = credential_of(&app, &staff.access_token, id).await;
    let jwt = badge["jwt"].as_str().expect("jwt");
    // Public like its verification page: an appraiser with the id gets it.
    let fetched = expect_status(app.get(&path, None).await, StatusCode::OK).await;
    assert_eq!(fetched["credential"], badge["credential"]);

    let genuine = check_handed(&app, jwt).await;
    assert_eq!(genuine["valid"], true, "{genuine}");
    assert_eq!(genuine["certificate_id"], id);
    assert_eq!(
        genuine["holder"],
        certificate["content"]["contributor"]["name"]
    );
    assert_eq!(
        genuine["activity_from"],
        certificate["content"]["period"]["from"]
    );

    // The same claims with more hours, under the original signature.
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("payload")).expect("json");
    claims["credentialSubject"]["creditsEarned"] = json!(400.0);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).expect("json"));
    let altered = check_handed(&app, &[parts[0], &payload, parts[2]].join(".")).await;
    assert_eq!(altered["valid"], false);
    assert!(
        altered.get("holder").is_none(),
        "an altered credential's claims are not shown"
    );
    assert!(
        altered["summary"]
            .as_str()
            .expect("summary")
            .contains("changed"),
        "{altered}"
    );

    expect_problem(
        app.post(
            "/v1/credentials/verification",
            &json!({"jwt": "not a credential"}),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    revoke(&app, &staff.access_token, id).await;
    let withdrawn = check_handed(&app, jwt).await;
    assert_eq!(withdrawn["valid"], false);
    assert_eq!(withdrawn["revoked"], true, "{withdrawn}");
    expect_problem(app.get(&path, None).await, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn the_pdf_carries_its_credential_so_a_handed_pdf_can_be_checked() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let pdf = crate::certificates::pdf_of(&app, &staff.access_token, id).await;
    // The attachment is stored uncompressed: its JSON is in the bytes.
    let text = String::from_utf8_lossy(&pdf);
    let start = text
        .find("{\n  \"credential\"")
        .expect("the credential is attached");
    let end = start + text[start..].find("\n}").expect("the JSON ends") + 2;
    let attached: Value = serde_json::from_str(&text[start..end]).expect("JSON");
    assert_eq!(attached["credential"]["id"], format!("urn:uuid:{id}"));
    let checked = check_handed(&app, attached["jwt"].as_str().expect("jwt")).await;
    assert_eq!(checked["valid"], true, "{checked}");
    assert_eq!(checked["certificate_id"], id);
}
