use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::json;
use tessera::security::{keys, tokens::TokenService};

use crate::helpers::{TestApp, expect_problem};

async fn me_with(app: &TestApp, token: &str) -> serde_json::Value {
    expect_problem(
        app.get("/v1/me", Some(token)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await
}

fn service_for(app: &TestApp) -> TokenService {
    let key = keys::load_or_generate(&app.data_dir.path().join("signing.key")).unwrap();
    TokenService::new(&key, std::time::Duration::from_secs(900)).unwrap()
}

#[tokio::test]
async fn a_missing_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let problem = expect_problem(app.get("/v1/me", None).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(problem["type"], "/problems/unauthorized");
}

#[tokio::test]
async fn an_expired_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let id = uuid::Uuid::parse_str(&ada.id).unwrap();
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    let (expired, _) = service_for(&app).issue(id, &[], an_hour_ago).unwrap();
    me_with(&app, &expired).await;
    // The same key and claims with a current time work, so the test above
    // failed for the expiry and nothing else.
    let (fresh, _) = service_for(&app).issue(id, &[], Utc::now()).unwrap();
    assert_eq!(
        app.get("/v1/me", Some(&fresh)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_token_from_another_key_is_unauthorized() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let forger = TokenService::new(
        &ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]),
        std::time::Duration::from_secs(900),
    )
    .unwrap();
    let (forged, _) = forger
        .issue(uuid::Uuid::parse_str(&ada.id).unwrap(), &[], Utc::now())
        .unwrap();
    me_with(&app, &forged).await;
}

#[tokio::test]
async fn a_tampered_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let mut parts: Vec<String> = ada.access_token.split('.').map(str::to_owned).collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["roles"] = json!(["contributor", "admin"]);
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    me_with(&app, &parts.join(".")).await;
}

#[tokio::test]
async fn an_alg_none_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = URL_SAFE_NO_PAD.encode(
        json!({"sub": ada.id, "roles": ["admin"], "iat": 0, "exp": 4_000_000_000u64, "iss": "tessera"})
            .to_string(),
    );
    me_with(&app, &format!("{header}.{claims}.")).await;
}

#[tokio::test]
async fn an_hmac_token_is_unauthorized() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    // The classic confusion attack: HS256 keyed with the public key bytes.
    let key = keys::load_or_generate(&app.data_dir.path().join("signing.key")).unwrap();
    let claims = json!({"sub": ada.id, "roles": ["admin"], "iat": 0, "exp": 4_000_000_000u64, "iss": "tessera"});
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(key.verifying_key().as_bytes()),
    )
    .unwrap();
    me_with(&app, &token).await;
}
