use reqwest::StatusCode;
use serde_json::json;
use tessera::domain::account::Role;

use crate::helpers::{PASSWORD, TestApp, expect_problem, expect_status};

#[tokio::test]
async fn the_health_endpoint_answers_ok() {
    let app = TestApp::spawn().await;
    let body = expect_status(app.get("/healthz", None).await, StatusCode::OK).await;
    assert_eq!(body["status"], "ok");
    let ready = expect_status(app.get("/readyz", None).await, StatusCode::OK).await;
    assert_eq!(ready["store"], "sqlite");
}

#[tokio::test]
async fn register_then_login_then_me_returns_the_account() {
    let app = TestApp::spawn().await;
    let created = expect_status(
        app.register("Ada@Example.NHS.uk").await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["email"], "ada@example.nhs.uk");
    assert_eq!(created["roles"], json!(["contributor"]));

    let tokens = expect_status(
        app.login("ada@example.nhs.uk", PASSWORD).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);

    let me = expect_status(
        app.get("/v1/me", tokens["access_token"].as_str()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["id"], created["id"]);
    assert_eq!(me["display_name"], "Ada Nurse");
    assert_eq!(me["staff_group"], "nursing_and_midwifery");
    assert_eq!(me["registration_number"], "12A3456B");
}

#[tokio::test]
async fn registering_an_email_twice_is_a_conflict() {
    let app = TestApp::spawn().await;
    expect_status(app.register("ada@nhs.net").await, StatusCode::CREATED).await;
    let problem = expect_problem(app.register("ADA@nhs.net").await, StatusCode::CONFLICT).await;
    assert_eq!(problem["type"], "/problems/conflict");
}

#[tokio::test]
async fn invalid_registration_lists_every_bad_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post(
            "/v1/auth/register",
            &json!({"email": "not-an-email", "password": "short", "display_name": " ", "staff_group": "other"}),
            None,
        )
        .await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "password", "display_name"]);
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized() {
    let app = TestApp::spawn().await;
    expect_status(app.register("ada@nhs.net").await, StatusCode::CREATED).await;
    expect_problem(
        app.login("ada@nhs.net", "wrong password!").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    expect_problem(
        app.login("nobody@nhs.net", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn repeated_logins_are_rate_limited_with_retry_after() {
    let app = TestApp::spawn_with(|settings| settings.login_attempts = 3).await;
    expect_status(app.register("ada@nhs.net").await, StatusCode::CREATED).await;
    for _ in 0..3 {
        expect_problem(
            app.login("ada@nhs.net", "wrong password!").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    let response = app.login("ada@nhs.net", PASSWORD).await;
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry_after));
    expect_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let first = ada.refresh_token.clone();

    let rotated = expect_status(
        app.post("/v1/auth/refresh", &json!({"refresh_token": first}), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let second = rotated["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    expect_status(
        app.get("/v1/me", rotated["access_token"].as_str()).await,
        StatusCode::OK,
    )
    .await;

    // Replaying the rotated token is treated as theft: it fails and the
    // newer token of the same login stops working too.
    expect_problem(
        app.post("/v1/auth/refresh", &json!({"refresh_token": first}), None)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    expect_problem(
        app.post("/v1/auth/refresh", &json!({"refresh_token": second}), None)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let response = app
        .post(
            "/v1/auth/logout",
            &json!({"refresh_token": ada.refresh_token}),
            None,
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    expect_problem(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": ada.refresh_token}),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn a_contributor_cannot_change_roles() {
    let app = TestApp::spawn().await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let response = app
        .client
        .put(app.url(&format!("/v1/admin/users/{}/roles", staff.id)))
        .bearer_auth(&staff.access_token)
        .json(&json!({"roles": ["admin"]}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn an_admin_grants_roles_that_apply_after_refresh() {
    let app = TestApp::spawn().await;
    let admin = app.person("admin@nhs.net", &[Role::Admin]).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let response = app
        .client
        .put(app.url(&format!("/v1/admin/users/{}/roles", staff.id)))
        .bearer_auth(&admin.access_token)
        .json(&json!({"roles": ["researcher"]}))
        .send()
        .await
        .unwrap();
    let updated = expect_status(response, StatusCode::OK).await;
    assert_eq!(updated["roles"], json!(["contributor", "researcher"]));

    let refreshed = expect_status(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": staff.refresh_token}),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let me = expect_status(
        app.get("/v1/me", refreshed["access_token"].as_str()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["roles"], json!(["contributor", "researcher"]));
    assert_eq!(me["email"], staff.email);
}

#[tokio::test]
async fn setting_roles_of_an_unknown_account_is_not_found() {
    let app = TestApp::spawn().await;
    let admin = app.person("admin@nhs.net", &[Role::Admin]).await;
    let response = app
        .client
        .put(app.url(&format!("/v1/admin/users/{}/roles", uuid::Uuid::new_v4())))
        .bearer_auth(&admin.access_token)
        .json(&json!({"roles": ["researcher"]}))
        .send()
        .await
        .unwrap();
    expect_problem(response, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn the_demo_seed_creates_accounts_that_can_log_in_once() {
    let app = TestApp::spawn().await;
    tessera::demo::seed(app.store.clone()).await.unwrap();
    for email in [
        "admin@demo.tessera.test",
        "researcher@demo.tessera.test",
        "staff@demo.tessera.test",
    ] {
        expect_status(
            app.login(email, tessera::demo::DEMO_PASSWORD).await,
            StatusCode::OK,
        )
        .await;
    }
    // A second seed leaves the store alone rather than failing on duplicates.
    tessera::demo::seed(app.store.clone()).await.unwrap();
}

#[tokio::test]
async fn a_person_can_export_and_then_erase_their_data() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = app
        .screening_batch(&researcher, &project, 1, json!({}))
        .await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let task = crate::helpers::task_ids(&app.claim(&ada, 5).await)[0].clone();
    let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "include"}}]);
    expect_status(app.answer(&ada, answer).await, StatusCode::OK).await;

    let export = expect_status(
        app.get("/v1/me/export", Some(&ada.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(export["account"]["email"], "ada@nhs.net");
    assert_eq!(export["answers"][0]["task_id"], task);

    let erased = app
        .client
        .delete(app.url("/v1/me"))
        .bearer_auth(&ada.access_token)
        .send()
        .await
        .unwrap();
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    expect_problem(
        app.login("ada@nhs.net", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    expect_problem(
        app.post(
            "/v1/auth/refresh",
            &json!({"refresh_token": ada.refresh_token}),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // The answer stays as research data, under a pseudonym.
    let view = app.batch_view(&researcher, &batch).await;
    assert_eq!(view["answers"], 1);
}

#[tokio::test]
async fn a_profile_can_be_edited_and_a_registration_number_added_later() {
    let app = TestApp::spawn().await;
    let ada = app.person("ada@nhs.net", &[]).await;
    let patch = |body: serde_json::Value| {
        app.client
            .patch(app.url("/v1/me"))
            .bearer_auth(&ada.access_token)
            .json(&body)
            .send()
    };
    let changed = expect_status(
        patch(
            json!({"display_name": "Ada King", "registration_number": "NMC 99Z1234X",
                     "staff_group": "pharmacy"}),
        )
        .await
        .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["display_name"], "Ada King");
    assert_eq!(changed["registration_number"], "NMC 99Z1234X");
    assert_eq!(changed["staff_group"], "pharmacy");
    assert_eq!(
        changed["organisation"], "Test Trust",
        "the organisation is not editable here"
    );
    let me = expect_status(
        app.get("/v1/me", Some(&ada.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["display_name"], "Ada King");
    let cleared = expect_status(
        patch(json!({"registration_number": ""}))
            .await
            .expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert!(cleared.get("registration_number").is_none(), "{cleared}");
    assert_eq!(cleared["display_name"], "Ada King");
    let problem = expect_problem(
        patch(json!({"display_name": "  ", "registration_number": "x".repeat(41)}))
            .await
            .expect("sent"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, ["display_name", "registration_number"]);
}

#[tokio::test]
async fn registration_numbers_follow_their_regulators_published_formats() {
    let app = TestApp::spawn().await;
    let nurse = app.person("pin@trust.nhs.uk", &[]).await;
    let patch = |body: serde_json::Value| {
        app.client
            .patch(app.url("/v1/me"))
            .bearer_auth(&nurse.access_token)
            .json(&body)
            .send()
    };
    for wrong in ["NMC 1234567", "GMC 12A3456E", "12345"] {
        let problem = expect_problem(
            patch(json!({ "registration_number": wrong }))
                .await
                .expect("sent"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(
            problem["errors"][0]["field"], "registration_number",
            "{wrong}"
        );
    }
    let pharmacist =
        patch(json!({"staff_group": "pharmacy", "registration_number": "GPhC 2012345"}))
            .await
            .expect("sent");
    let pharmacist = expect_status(pharmacist, StatusCode::OK).await;
    assert_eq!(pharmacist["registration_number"], "GPhC 2012345");
}
