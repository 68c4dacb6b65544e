//! Single sign-on against a real OpenID Connect provider: npm's
//! `oidc-provider`, started by each test on loopback from `tests/oidc/`.
//! Ignored in plain `cargo test` (it needs Node and the npm package);
//! `.ci/sign-on` installs the package and runs these.

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Person, TestApp, expect_problem, expect_status, task_ids};

/// Tessera's public address in these tests; the provider sends people back
/// to its `/app/`, which nobody fetches (the test reads the redirect).
const PUBLIC_URL: &str = "http://127.0.0.1:9";
const SECRET: &str = "tessera-secret";

/// A running provider, stopped when dropped (or when the test process
/// ends: it exits when its stdin closes).
struct Provider {
    child: Child,
    _stdin: ChildStdin,
    issuer: String,
}

impl Provider {
    fn start() -> Self {
        let node = std::env::var("TESSERA_TEST_NODE").unwrap_or_else(|_| "node".into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc/provider.mjs");
        let mut child = Command::new(node)
            .arg(script)
            .args(["--port", "0", "--exit-on-stdin-close", "--redirect-uri"])
            .arg(format!("{PUBLIC_URL}/app/"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("node starts the provider (see .ci/sign-on)");
        let stdin = child.stdin.take().expect("stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the provider says where it listens");
        let said: Value = serde_json::from_str(&line).expect("one JSON line");
        Self {
            child,
            _stdin: stdin,
            issuer: said["issuer"].as_str().expect("issuer").to_owned(),
        }
    }

    /// Signs in at the provider, as a browser would, whoever the URL's
    /// `login_hint` names, and returns the code and state it sends back.
    async fn sign_in(&self, authorization_url: &str) -> (String, String) {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let mut url = reqwest::Url::parse(authorization_url).expect("url");
        for _ in 0..10 {
            let response = browser.get(url.clone()).send().await.expect("provider");
            assert!(
                response.status().is_redirection(),
                "the provider answered {}",
                response.status()
            );
            let location = response.headers()["location"].to_str().expect("location");
            url = url.join(location).expect("a redirect URL");
            if url.as_str().starts_with(PUBLIC_URL) {
                let param = |name: &str| {
                    url.query_pairs()
                        .find(|(key, _)| key == name)
                        .map(|(_, value)| value.into_owned())
                        .unwrap_or_else(|| panic!("no {name} in {url}"))
                };
                return (param("code"), param("state"));
            }
        }
        panic!("the provider never sent the browser back");
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn app() -> (TestApp, Person) {
    let app = TestApp::spawn_with(|settings| {
        settings.public_url = PUBLIC_URL.into();
        settings.account_cache_ttl = std::time::Duration::ZERO;
    })
    .await;
    let admin = app
        .person(
            "admin@north.nhs.uk",
            &[tessera::domain::account::Role::Admin],
        )
        .await;
    (app, admin)
}

/// Records an organisation whose staff sign in through `client_id`.
async fn organisation(app: &TestApp, admin: &Person, issuer: &str, client_id: &str) -> String {
    let created = expect_status(
        app.post(
            "/v1/admin/organisations",
            &json!({
                "name": format!("North ({client_id})"),
                "email_domains": [],
                "sign_on": {"issuer": issuer, "client_id": client_id, "client_secret": SECRET},
            }),
            Some(&admin.access_token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["sign_on"]["client_secret_set"], true);
    assert!(created["sign_on"].get("client_secret").is_none());
    created["id"].as_str().expect("id").to_owned()
}

/// Starts a sign-in of `email` (the provider signs in whoever the login
/// hint names): the provider's URL and the state to expect back.
async fn start(app: &TestApp, organisation_id: &str, email: &str) -> (String, String) {
    let started = expect_status(
        app.post(
            "/v1/auth/sign-on",
            &json!({"organisation_id": organisation_id, "login_hint": email}),
            None,
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let url = started["authorization_url"]
        .as_str()
        .expect("url")
        .to_owned();
    for part in ["code_challenge_method=S256", "nonce=", "response_type=code"] {
        assert!(url.contains(part), "{part} missing from {url}");
    }
    (url, started["state"].as_str().expect("state").to_owned())
}

async fn callback(app: &TestApp, state: &str, code: &str) -> reqwest::Response {
    app.post(
        "/v1/auth/sign-on/callback",
        &json!({"state": state, "code": code}),
        None,
    )
    .await
}

/// A whole sign-in of `email`: Tessera's token pair.
async fn signed_in(app: &TestApp, provider: &Provider, org: &str, email: &str) -> Value {
    let (url, started_state) = start(app, org, email).await;
    let (code, state) = provider.sign_in(&url).await;
    assert_eq!(state, started_state);
    expect_status(callback(app, &state, &code).await, StatusCode::OK).await
}

async fn me(app: &TestApp, tokens: &Value) -> Value {
    let token = tokens["access_token"].as_str().expect("access token");
    expect_status(app.get("/v1/me", Some(token)).await, StatusCode::OK).await
}

#[tokio::test]
#[ignore = "needs Node and npm's oidc-provider; .ci/sign-on installs them and runs this"]
async fn staff_sign_in_through_their_trust_and_are_verified_members() {
    let provider = Provider::start();
    let (app, admin) = app().await;
    let north = organisation(&app, &admin, &provider.issuer, "tessera").await;

    // A verified-only project for the trust, with tasks.
    let researcher = app
        .person(
            "researcher@north.nhs.uk",
            &[tessera::domain::account::Role::Researcher],
        )
        .await;
    let project = app.verified_only_project(&researcher, &north).await;
    let project_id = project["id"].as_str().expect("id").to_owned();
    app.screening_batch(&researcher, &project_id, 10, json!({}))
        .await;

    // A nurse's first sign-in makes her account, a verified member.
    let first = signed_in(&app, &provider, &north, "nurse@nhs.net").await;
    let nurse = me(&app, &first).await;
    assert_eq!(nurse["email"], "nurse@nhs.net");
    assert_eq!(nurse["organisation_id"], north.as_str());
    assert_eq!(nurse["membership"], "verified");
    assert_eq!(nurse["display_name"], "nurse");
    let person = Person {
        id: nurse["id"].as_str().expect("id").to_owned(),
        email: "nurse@nhs.net".into(),
        access_token: first["access_token"].as_str().expect("token").to_owned(),
        refresh_token: first["refresh_token"].as_str().expect("token").to_owned(),
    };
    assert!(!task_ids(&app.claim(&person, 5).await).is_empty());
    // Her refresh token works like a password login's.
    expect_status(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": person.refresh_token}),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // Signing in again is the same account.
    let again = signed_in(&app, &provider, &north, "nurse@nhs.net").await;
    assert_eq!(me(&app, &again).await["id"], nurse["id"]);

    // A password account with the address the provider verifies is linked
    // and becomes a verified member; with an unverified address it is not.
    let registered =
        expect_status(app.register("ada@south.nhs.uk").await, StatusCode::CREATED).await;
    assert_ne!(registered["membership"], "verified", "{registered}");
    let linked = signed_in(&app, &provider, &north, "ada@south.nhs.uk").await;
    let ada = me(&app, &linked).await;
    assert_eq!(ada["id"], registered["id"]);
    assert_eq!(ada["membership"], "verified");
    assert_eq!(ada["email_confirmed"], true);

    app.register("unverified.bo@south.nhs.uk").await;
    let (url, _) = start(&app, &north, "unverified.bo@south.nhs.uk").await;
    let (code, state) = provider.sign_in(&url).await;
    let refused = expect_problem(callback(&app, &state, &code).await, StatusCode::CONFLICT).await;
    assert!(
        refused["detail"]
            .as_str()
            .expect("detail")
            .contains("not verified")
    );

    // A state works once.
    let (url, _) = start(&app, &north, "nurse@nhs.net").await;
    let (code, state) = provider.sign_in(&url).await;
    expect_status(callback(&app, &state, &code).await, StatusCode::OK).await;
    let used = expect_problem(
        callback(&app, &state, &code).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(
        used["detail"]
            .as_str()
            .expect("detail")
            .contains("already used")
    );

    // An organisation without sign-on has none to start.
    let plain = expect_status(
        app.post(
            "/v1/admin/organisations",
            &json!({"name": "South"}),
            Some(&admin.access_token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    expect_problem(
        app.post(
            "/v1/auth/sign-on",
            &json!({"organisation_id": plain["id"]}),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
#[ignore = "needs Node and npm's oidc-provider; .ci/sign-on installs them and runs this"]
async fn id_tokens_for_another_audience_with_a_replayed_nonce_or_expired_are_refused() {
    let provider = Provider::start();
    let (app, admin) = app().await;
    let refused = |detail: &str, expected: &str| {
        assert!(detail.contains(expected), "{expected:?} not in {detail:?}");
    };

    // The provider issues this client's id tokens to someone else.
    let wrong = organisation(&app, &admin, &provider.issuer, "tessera-wrong-aud").await;
    let (url, _) = start(&app, &wrong, "nurse@nhs.net").await;
    let (code, state) = provider.sign_in(&url).await;
    let problem = expect_problem(
        callback(&app, &state, &code).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    refused(
        problem["detail"].as_str().expect("detail"),
        "wrong audience",
    );

    // This client's id tokens expired before they were issued.
    let expired = organisation(&app, &admin, &provider.issuer, "tessera-expired").await;
    let (url, _) = start(&app, &expired, "nurse@nhs.net").await;
    let (code, state) = provider.sign_in(&url).await;
    let problem = expect_problem(
        callback(&app, &state, &code).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    refused(problem["detail"].as_str().expect("detail"), "expired");

    // Neither refused sign-in made an account.
    let found = expect_status(
        app.get("/v1/admin/users?email=nurse@", Some(&admin.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["accounts"], json!([]), "{found}");

    // A nonce from an earlier sign-in, put into a new one's request: the
    // provider signs a token carrying the old nonce, which Tessera refuses.
    let north = organisation(&app, &admin, &provider.issuer, "tessera").await;
    let (first_url, _) = start(&app, &north, "nurse@nhs.net").await;
    let (code, state) = provider.sign_in(&first_url).await;
    expect_status(callback(&app, &state, &code).await, StatusCode::OK).await;
    let old_nonce = reqwest::Url::parse(&first_url)
        .expect("url")
        .query_pairs()
        .find(|(key, _)| key == "nonce")
        .map(|(_, value)| value.into_owned())
        .expect("nonce");
    let (url, _) = start(&app, &north, "nurse@nhs.net").await;
    let mut replayed = reqwest::Url::parse(&url).expect("url");
    let pairs: Vec<(String, String)> = replayed
        .query_pairs()
        .map(|(key, value)| {
            let value = if key == "nonce" {
                old_nonce.clone()
            } else {
                value.into_owned()
            };
            (key.into_owned(), value)
        })
        .collect();
    replayed.query_pairs_mut().clear().extend_pairs(pairs);
    let (code, state) = provider.sign_in(replayed.as_str()).await;
    let problem = expect_problem(
        callback(&app, &state, &code).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    refused(problem["detail"].as_str().expect("detail"), "nonce");
}
