//! Certificates through the API: issuing, the PDF, public verification
//! (online and offline), tampering, revocation and who may see what.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{TimeDelta, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;
use tessera::domain::certificate::{CertificateContent, canonical_bytes};

use crate::credits::support::{app, database, issued};
use crate::helpers::{TestApp, expect_problem, expect_status};

async fn verify(app: &TestApp, id: &str) -> Value {
    let path = format!("/v1/certificates/{id}/verify");
    expect_status(app.get(&path, None).await, StatusCode::OK).await
}

/// pdf-extract joins wrapped lines without a space, so long text is
/// compared with all whitespace removed.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

#[tokio::test]
async fn an_issued_certificate_holds_the_signed_facts() {
    let app = app().await;
    let (_, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    assert_eq!(
        certificate["verification_url"],
        format!("https://tessera.test/v1/certificates/{id}/verify")
    );
    assert_eq!(
        certificate["pdf_url"],
        format!("https://tessera.test/v1/certificates/{id}.pdf")
    );
    let content = &certificate["content"];
    assert_eq!(content["contributor"]["name"], "Ada Nurse");
    assert_eq!(
        content["contributor"]["registration"],
        json!({"body": "NMC", "number": "12A3456B"})
    );
    assert_eq!(content["contributor"]["organisation"], "Test Trust");
    assert_eq!(
        content["totals"],
        json!({"answers": 3, "credited_seconds": 360})
    );
    assert_eq!(
        content["activities"][0]["task_kind"],
        "literature_screening"
    );
    assert_eq!(certificate["algorithm"], "Ed25519");
}

/// The certificate's PDF, downloaded by its owner.
pub async fn pdf_of(app: &TestApp, token: &str, id: &str) -> Vec<u8> {
    let response = app
        .get(&format!("/v1/certificates/{id}.pdf"), Some(token))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let pdf = response.bytes().await.expect("pdf").to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    pdf
}

#[tokio::test]
async fn the_pdf_shows_the_name_the_hours_and_the_verification_url() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let pdf = pdf_of(&app, &staff.access_token, id).await;
    // CI renders this file with poppler to prove a standard viewer opens it.
    if let Some(out) = std::env::var_os("TESSERA_CERT_PDF_OUT") {
        std::fs::write(out, &pdf).expect("PDF written");
    }
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("text");
    assert!(text.contains("Ada Nurse"), "{text}");
    // Time in hours and minutes, never as decimal hours ("0.10").
    assert!(text.contains("6 min"), "{text}");
    assert!(text.contains("6 minutes of credited time"), "{text}");
    assert!(!text.contains("0.10"), "{text}");
    let url = certificate["verification_url"].as_str().expect("url");
    assert!(squashed(&text).contains(url), "{text}");
}

#[tokio::test]
async fn anyone_can_verify_a_certificate_online_and_offline_without_a_token() {
    let app = app().await;
    let (_, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let verdict = verify(&app, id).await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(verdict["signature_check"], "valid");
    assert_eq!(verdict["revoked"], false);
    assert_eq!(verdict["content"], certificate["content"]);
    assert!(
        verdict["summary"]
            .as_str()
            .unwrap()
            .contains("Ada Nurse for 6 minutes of credited time")
    );

    let keys = expect_status(
        app.get("/v1/certificates/public-key", None).await,
        StatusCode::OK,
    )
    .await;
    let key = &keys["keys"][0];
    assert_eq!(key["key_id"], certificate["key_id"]);
    // Offline: the published key, the canonical content and the signature.
    let raw: [u8; 32] = BASE64
        .decode(key["public_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let key = VerifyingKey::from_bytes(&raw).unwrap();
    let content: CertificateContent =
        serde_json::from_value(certificate["content"].clone()).unwrap();
    let signature: [u8; 64] = BASE64
        .decode(certificate["signature"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let signature = Signature::from_bytes(&signature);
    assert!(
        key.verify_strict(&canonical_bytes(&content).unwrap(), &signature)
            .is_ok()
    );
}

#[tokio::test]
async fn a_stored_certificate_altered_in_the_database_no_longer_verifies() {
    let app = app().await;
    let (_, certificate) = issued(&app).await;
    let id = certificate["certificate_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let db = database(&app);
    // Someone with write access to the database removes the guard first.
    db.execute_batch("DROP TRIGGER certificates_immutable")
        .unwrap();
    let original: String = db
        .query_row(
            "SELECT signed FROM certificates WHERE id = ?1",
            [&id],
            |row| row.get(0),
        )
        .unwrap();
    let store = |text: &str| {
        db.execute(
            "UPDATE certificates SET signed = ?2 WHERE id = ?1",
            [&id, text],
        )
        .unwrap();
    };
    let mut edits = vec![
        original.replacen("Ada Nurse", "Ada Nurze", 1),
        original.replacen("\"credited_seconds\":360", "\"credited_seconds\":3600", 1),
        original.replacen(&id, &id.to_uppercase(), 1),
    ];
    // And single-bit changes spread across the whole record.
    for index in (0..original.len()).step_by(41) {
        let mut bytes = original.clone().into_bytes();
        if bytes[index].is_ascii_alphanumeric() {
            bytes[index] ^= 0x01;
            edits.push(String::from_utf8(bytes).unwrap());
        }
    }
    for edited in &edits {
        assert_ne!(edited, &original);
        store(edited);
        let verdict = verify(&app, &id).await;
        assert_eq!(verdict["valid"], false, "{edited}");
        assert_eq!(verdict["signature_valid"], false, "{edited}");
    }
    store(&original);
    assert_eq!(verify(&app, &id).await["valid"], true);
}

#[tokio::test]
async fn nobody_but_the_owner_can_fetch_the_pdf() {
    let app = app().await;
    let (_, certificate) = issued(&app).await;
    let path = format!(
        "/v1/certificates/{}.pdf",
        certificate["certificate_id"].as_str().unwrap()
    );
    let other = app.person("other@nhs.net", &[]).await;
    expect_problem(
        app.get(&path, Some(&other.access_token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let admin = app.person("admin@nhs.net", &[Role::Admin]).await;
    expect_problem(
        app.get(&path, Some(&admin.access_token)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    expect_problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_revocation_is_recorded_once_and_shown_by_verify() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().unwrap();
    let path = format!("/v1/certificates/{id}/revoke");
    let other = app.person("other@nhs.net", &[]).await;
    let refused = app
        .post(
            &path,
            &json!({"reason": "Spite"}),
            Some(&other.access_token),
        )
        .await;
    expect_problem(refused, StatusCode::NOT_FOUND).await;

    let reason = "Issued for the wrong dates";
    let revoked = app
        .post(&path, &json!({"reason": reason}), Some(&staff.access_token))
        .await;
    let revoked = expect_status(revoked, StatusCode::OK).await;
    assert_eq!(
        (
            &revoked["valid"],
            &revoked["signature_valid"],
            &revoked["revoked"]
        ),
        (&json!(false), &json!(true), &json!(true))
    );
    let admin = app.person("admin@nhs.net", &[Role::Admin]).await;
    let again = app
        .post(
            &path,
            &json!({"reason": "Another"}),
            Some(&admin.access_token),
        )
        .await;
    assert_eq!(
        expect_status(again, StatusCode::OK).await["revoke_reason"],
        reason,
        "the first revocation stands"
    );
    let verdict = verify(&app, id).await;
    assert_eq!(verdict["revoke_reason"], reason);
    assert!(
        verdict["summary"]
            .as_str()
            .unwrap()
            .starts_with("Revoked on")
    );
    let pdf = app
        .get(
            &format!("/v1/certificates/{id}.pdf"),
            Some(&staff.access_token),
        )
        .await;
    expect_problem(pdf, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn a_certificate_needs_a_finished_period_with_credited_time() {
    let app = app().await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let today = Utc::now().date_naive();
    let mut cases = vec![
        (
            json!({"from": today, "to": today + TimeDelta::days(1)}),
            "to",
        ),
        (
            json!({"from": today, "to": today - TimeDelta::days(1)}),
            "from",
        ),
        (
            json!({"from": today - TimeDelta::days(7), "to": today}),
            "to",
        ),
        (
            json!({"from": today - TimeDelta::days(7), "to": today - TimeDelta::days(1)}),
            "from",
        ),
    ];
    cases.push((json!({"from": "2020-01-01", "to": "2024-01-01"}), "from"));
    for (body, field) in cases {
        let response = app
            .post("/v1/me/certificates", &body, Some(&staff.access_token))
            .await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
    }
}

#[test]
fn the_spec_publishes_the_pdf_path_with_its_suffix_and_public_operations_without_security() {
    let spec: Value = serde_json::from_str(&tessera::api::spec_json()).unwrap();
    let pdf = &spec["paths"]["/v1/certificates/{certificate_id}.pdf"]["get"];
    assert_eq!(pdf["parameters"][0]["name"], "certificate_id");
    assert_eq!(pdf["parameters"][0]["schema"]["format"], "uuid");
    assert!(pdf["responses"]["200"]["content"]["application/pdf"].is_object());
    assert_ne!(pdf["security"], json!([]));
    for public in [
        "/v1/certificates/{certificate_id}/verify",
        "/v1/certificates/public-key",
    ] {
        assert_eq!(
            spec["paths"][public]["get"]["security"],
            json!([]),
            "{public}"
        );
    }
}

#[tokio::test]
async fn a_browser_opening_the_verification_url_gets_the_readable_page() {
    let app = app().await;
    let (_, certificate) = issued(&app).await;
    let url = certificate["verification_url"].as_str().expect("url");
    let id = certificate["certificate_id"].as_str().expect("id");
    let path = url
        .split_once("/v1/")
        .map(|(_, rest)| format!("/v1/{rest}"))
        .expect("path");
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let opened = browser
        .get(app.url(&path))
        .header("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let location = opened.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("/verify/?id={id}"));
    let page = browser.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("verify.js"));

    // Programs, and anyone not asking for HTML, still get the JSON.
    for accept in ["application/json", "*/*"] {
        let json = browser
            .get(app.url(&path))
            .header("Accept", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(json.status(), StatusCode::OK, "{accept}");
        let verdict: Value = json.json().await.unwrap();
        assert_eq!(verdict["valid"], true);
    }
}
