//! Certificates outlive their keys: after `tessera certificate-key rotate`,
//! and after the token key is replaced, every certificate issued before
//! still verifies as genuine, and new ones are signed with the new key.

use std::process::Command;

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::config::Settings;
use tessera::startup::Application;

use crate::credits::support::{app, issued};
use crate::helpers::{PASSWORD, TestApp, expect_status};

/// A second server on the same data directory, as after a restart, with a
/// fresh token signing key; answers its base URL.
async fn restarted(app: &TestApp) -> String {
    let mut settings = Settings::for_tests(app.data_dir.path().to_path_buf());
    settings.login_attempts = 1000;
    settings.public_url = "https://tessera.test".to_owned();
    settings.signing_key = Some(app.data_dir.path().join("new-token.key"));
    let server = Application::build(settings).await.expect("app builds");
    let base = format!("http://{}", server.address());
    tokio::spawn(server.run_until_stopped());
    base
}

async fn get(base: &str, path: &str, token: Option<&str>) -> Value {
    let mut request = reqwest::Client::new().get(format!("{base}{path}"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    expect_status(request.send().await.expect("sent"), StatusCode::OK).await
}

#[tokio::test]
async fn certificates_signed_before_a_key_rotation_still_verify_and_new_ones_use_the_new_key() {
    let app = app().await;
    let (staff, before) = issued(&app).await;
    let old_key = before["key_id"].as_str().expect("key id").to_owned();

    let rotated = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .args(["certificate-key", "rotate"])
        .env("TESSERA_DATA_DIR", app.data_dir.path())
        .env_remove("TESSERA_CERTIFICATE_KEY")
        .env_remove("TESSERA_RETIRED_CERTIFICATE_KEYS")
        .output()
        .expect("the CLI runs");
    let said = String::from_utf8_lossy(&rotated.stdout).into_owned();
    assert!(
        rotated.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&rotated.stderr)
    );
    assert!(
        said.contains(&format!("Retired certificate key {old_key}")),
        "{said}"
    );

    let base = restarted(&app).await;
    let id = before["certificate_id"].as_str().expect("id");
    let verdict = get(&base, &format!("/v1/certificates/{id}/verify"), None).await;
    assert_eq!(verdict["valid"], true, "still genuine: {verdict}");
    assert_eq!(verdict["key_id"], old_key.as_str());

    // Signed in again (the token key changed too), the same person's next
    // certificate is signed with the new certificate key.
    let client = reqwest::Client::new();
    let login = client
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": staff.email, "password": PASSWORD}))
        .send()
        .await
        .expect("sent");
    let tokens = expect_status(login, StatusCode::OK).await;
    let token = tokens["access_token"].as_str().expect("token");
    // The period is already covered: the old certificate is withdrawn first,
    // and its signature still checks out under the retired key.
    let revoked = client
        .post(format!("{base}/v1/certificates/{id}/revoke"))
        .bearer_auth(token)
        .json(&json!({"reason": "Replaced after a key rotation test"}))
        .send()
        .await
        .expect("sent");
    let revoked = expect_status(revoked, StatusCode::OK).await;
    assert_eq!(revoked["signature_valid"], true, "{revoked}");
    let today = Utc::now().date_naive();
    let body = json!({"from": today - TimeDelta::days(30), "to": today - TimeDelta::days(1)});
    let response = client
        .post(format!("{base}/v1/me/certificates"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("sent");
    let after = expect_status(response, StatusCode::CREATED).await;
    let new_key = after["key_id"].as_str().expect("key id");
    assert_ne!(new_key, old_key);
    let id = after["certificate_id"].as_str().expect("id");
    let verdict = get(&base, &format!("/v1/certificates/{id}/verify"), None).await;
    assert_eq!(verdict["valid"], true, "{verdict}");

    let keys = get(&base, "/v1/certificates/public-key", None).await;
    let listed: Vec<(&str, bool)> = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| {
            (
                k["key_id"].as_str().unwrap_or_default(),
                k["current"] == true,
            )
        })
        .collect();
    assert_eq!(listed, [(new_key, true), (old_key.as_str(), false)]);
}

/// Runs `tessera certificate-key ...` on the app's data directory.
fn key_command(app: &TestApp, args: &[&str]) -> String {
    let ran = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("certificate-key")
        .args(args)
        .env("TESSERA_DATA_DIR", app.data_dir.path())
        .env_remove("TESSERA_CERTIFICATE_KEY")
        .env_remove("TESSERA_RETIRED_CERTIFICATE_KEYS")
        .output()
        .expect("the CLI runs");
    let said = String::from_utf8_lossy(&ran.stdout).into_owned();
    assert!(
        ran.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&ran.stderr)
    );
    said
}

async fn check_handed(base: &str, jwt: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/credentials/verification"))
        .json(&json!({ "jwt": jwt }))
        .send()
        .await
        .expect("sent");
    expect_status(response, StatusCode::OK).await
}

#[tokio::test]
async fn a_key_reported_compromised_voids_what_it_signed_from_that_date_only() {
    let app = app().await;
    let (staff, certificate) = issued(&app).await;
    let id = certificate["certificate_id"].as_str().expect("id");
    let key = certificate["key_id"].as_str().expect("key id").to_owned();
    let badge = crate::badges::credential_of(&app, &staff.access_token, id).await;
    let jwt = badge["jwt"].as_str().expect("jwt");
    key_command(&app, &["rotate"]);

    // Compromised from tomorrow: what it signed today still stands, by id
    // and handed over, because Tessera's record vouches for it.
    let tomorrow = (Utc::now() + TimeDelta::days(1)).date_naive().to_string();
    let said = key_command(
        &app,
        &[
            "compromised",
            "--key-id",
            &key,
            "--since",
            &tomorrow,
            "--reason",
            "a backup was lost",
        ],
    );
    assert!(said.contains("marked compromised"), "{said}");
    let base = restarted(&app).await;
    let verdict = get(&base, &format!("/v1/certificates/{id}/verify"), None).await;
    assert_eq!(verdict["valid"], true, "{verdict}");
    assert_eq!(check_handed(&base, jwt).await["valid"], true);
    let keys = get(&base, "/v1/certificates/public-key", None).await;
    let listed = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["key_id"] == key.as_str())
        .expect("the old key is listed");
    assert_eq!(listed["compromise_reason"], "a backup was lost");
    assert!(listed["compromised_since"].as_str().is_some());

    // Compromised since yesterday: today's certificate was signed once the
    // key was out, so neither check believes it.
    let yesterday = (Utc::now() - TimeDelta::days(1)).date_naive().to_string();
    key_command(
        &app,
        &[
            "compromised",
            "--key-id",
            &key,
            "--since",
            &yesterday,
            "--reason",
            "a backup was lost",
        ],
    );
    let base = restarted(&app).await;
    let verdict = get(&base, &format!("/v1/certificates/{id}/verify"), None).await;
    assert_eq!(verdict["valid"], false, "{verdict}");
    assert_eq!(verdict["signature_check"], "compromised_key");
    let handed = check_handed(&base, jwt).await;
    assert_eq!(handed["valid"], false);
    assert!(
        handed["summary"]
            .as_str()
            .expect("summary")
            .contains("compromised"),
        "{handed}"
    );
}
