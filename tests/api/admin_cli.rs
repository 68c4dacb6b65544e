//! `tessera admin`: the first administrator is made from a shell, on the
//! store the server uses, while it runs.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, expect_problem, expect_status};

pub fn admin_cli(app: &TestApp, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tessera"))
        .arg("admin")
        .args(args)
        .env("TESSERA_DATA_DIR", app.data_dir.path())
        .env_remove("TESSERA_MONGODB_URI")
        .output()
        .expect("the CLI runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test]
async fn the_first_admin_is_granted_from_the_shell_while_the_server_runs() {
    let app = TestApp::spawn_with(|settings| {
        settings.account_cache_ttl = std::time::Duration::ZERO;
    })
    .await;
    let lead = app.person("it.lead@trust.nhs.uk", &[]).await;
    let nurse = app.person("nurse@trust.nhs.uk", &[]).await;
    let promote = |by: &crate::helpers::Person| {
        app.client
            .put(app.url(&format!("/v1/admin/users/{}/roles", nurse.id)))
            .bearer_auth(&by.access_token)
            .json(&json!({"roles": ["researcher"]}))
            .send()
    };
    expect_problem(promote(&lead).await.expect("sent"), StatusCode::FORBIDDEN).await;

    let (ok, said) = admin_cli(
        &app,
        &[
            "grant",
            "--email",
            "it.lead@trust.nhs.uk",
            "--role",
            "admin",
        ],
    );
    assert!(ok, "{said}");
    assert!(said.contains("admin"), "{said}");
    // The same token now carries admin powers: roles come from the store.
    expect_status(promote(&lead).await.expect("sent"), StatusCode::OK).await;

    let (ok, again) = admin_cli(
        &app,
        &[
            "grant",
            "--email",
            "it.lead@trust.nhs.uk",
            "--role",
            "admin",
        ],
    );
    assert!(ok && again.contains("nothing changed"), "{again}");
    let (ok, unknown) = admin_cli(
        &app,
        &["grant", "--email", "nobody@trust.nhs.uk", "--role", "admin"],
    );
    assert!(!ok && unknown.contains("no account"), "{unknown}");
    let (ok, revoked) = admin_cli(
        &app,
        &[
            "revoke",
            "--email",
            "it.lead@trust.nhs.uk",
            "--role",
            "admin",
        ],
    );
    assert!(ok, "{revoked}");
    expect_problem(promote(&lead).await.expect("sent"), StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn the_root_points_to_the_apps_and_the_api_docs() {
    let app = TestApp::spawn().await;
    let root = app.get("/", None).await;
    assert_eq!(root.status(), StatusCode::OK);
    assert!(
        root.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html")
    );
    let page = root.text().await.expect("body");
    for link in [
        "href=\"/app/\"",
        "href=\"/console/\"",
        "href=\"/verify/\"",
        "href=\"/docs\"",
    ] {
        assert!(page.contains(link), "the front page links {link}");
    }
    let app_page = app.get("/app/", None).await;
    assert_eq!(app_page.status(), StatusCode::OK);
    assert!(
        app_page
            .text()
            .await
            .expect("body")
            .contains("/app/js/main.js")
    );
}

#[tokio::test]
async fn an_admin_finds_a_person_by_email_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let admin = app
        .person(
            "admin@trust.nhs.uk",
            &[tessera::domain::account::Role::Admin],
        )
        .await;
    let nurse = app.person("nurse@trust.nhs.uk", &[]).await;
    let found = expect_status(
        app.get(
            "/v1/admin/users?email=Nurse@Trust.nhs.uk",
            Some(&admin.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(found["accounts"][0]["id"], nurse.id);
    assert_eq!(found["accounts"].as_array().map(Vec::len), Some(1));
    let nobody = expect_status(
        app.get(
            "/v1/admin/users?email=nobody@trust.nhs.uk",
            Some(&admin.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(nobody["accounts"], serde_json::json!([]));
    expect_problem(
        app.get(
            "/v1/admin/users?email=admin@trust.nhs.uk",
            Some(&nurse.access_token),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
