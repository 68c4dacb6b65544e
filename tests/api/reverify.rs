//! Changing one's address or organisation (`PATCH /v1/me`) keeps a verified
//! membership only while what proved it still holds.

use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{PASSWORD, Person, TestApp, expect_problem, expect_status};
use crate::practice::{NORTH, confirm_through_store, me, trust};

async fn change(app: &TestApp, person: &Person, body: Value) -> reqwest::Response {
    app.client
        .patch(app.url("/v1/me"))
        .bearer_auth(&person.access_token)
        .json(&body)
        .send()
        .await
        .expect("sent")
}

/// A verified member of North, confirmed at `nurse@north.nhs.uk`.
async fn verified_nurse(app: &TestApp) -> Person {
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    confirm_through_store(app, &nurse, "nurse@north.nhs.uk").await;
    assert_eq!(me(app, &nurse).await["membership"], "verified");
    nurse
}

#[tokio::test]
async fn a_verified_member_who_changes_address_is_self_declared_until_it_is_confirmed() {
    let (app, _admin, north) = trust(None).await;
    let nurse = verified_nurse(&app).await;
    let id = Uuid::parse_str(&nurse.id).expect("uuid");
    assert!(app.store.set_confirmation_nonce(id, "old").await.unwrap());

    let changed = expect_status(
        change(
            &app,
            &nurse,
            json!({"email": " Nurse.Ward@North.NHS.uk ", "current_password": PASSWORD}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["email"], "nurse.ward@north.nhs.uk");
    assert_eq!(changed["email_confirmed"], false);
    assert_eq!(changed["organisation_id"], north.as_str());
    assert_eq!(changed["membership"], "self_declared");
    assert_eq!(changed["practice_only"], true);
    // A link to the old address no longer confirms anything.
    assert!(
        app.store
            .confirm_email(id, "nurse@north.nhs.uk", "old")
            .await
            .unwrap()
            .is_none()
    );
    // The new address is the one to log in with.
    let renamed = app.sign_in("nurse.ward@north.nhs.uk").await;
    assert_eq!(renamed.id, nurse.id);
    expect_problem(
        app.login("nurse@north.nhs.uk", crate::helpers::PASSWORD)
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(app.claim(&renamed, 5).await["practice_only"], true);

    confirm_through_store(&app, &nurse, "nurse.ward@north.nhs.uk").await;
    let confirmed = me(&app, &renamed).await;
    assert_eq!(confirmed["membership"], "verified");
    assert_eq!(confirmed["practice_only"], false);
}

#[tokio::test]
async fn a_new_address_must_be_valid_and_free() {
    let (app, _admin, _north) = trust(None).await;
    let nurse = verified_nurse(&app).await;
    app.person("taken@north.nhs.uk", &[]).await;
    expect_problem(
        change(
            &app,
            &nurse,
            json!({"email": "Taken@north.nhs.uk", "current_password": PASSWORD}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let problem = expect_problem(
        change(
            &app,
            &nurse,
            json!({"email": "no-at-sign", "organisation": "", "current_password": PASSWORD}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "email");
    // Nothing changed, not even the valid part of the refused request.
    let unchanged = me(&app, &nurse).await;
    assert_eq!(unchanged["email"], "nurse@north.nhs.uk");
    assert_eq!(unchanged["organisation"], NORTH);
    assert_eq!(unchanged["membership"], "verified");
    // The same address again is no change at all.
    let same = expect_status(
        change(
            &app,
            &nurse,
            json!({"email": "NURSE@north.nhs.uk", "current_password": PASSWORD}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(same["email_confirmed"], true);
    assert_eq!(same["membership"], "verified");
}

#[tokio::test]
async fn typing_another_organisation_drops_verification_and_its_records_name_restores_it() {
    let (app, _admin, north) = trust(None).await;
    let nurse = verified_nurse(&app).await;
    let typed = expect_status(
        change(&app, &nurse, json!({"organisation": "Somewhere Else"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(typed["organisation"], "Somewhere Else");
    assert!(typed.get("organisation_id").is_none(), "{typed}");
    assert_eq!(typed["membership"], "self_declared");
    assert_eq!(
        typed["email_confirmed"], true,
        "the address stays confirmed"
    );
    assert_eq!(typed["practice_only"], false, "no record, no policy");

    let back = expect_status(
        change(&app, &nurse, json!({"organisation": "north hospitals"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(back["organisation"], NORTH);
    assert_eq!(back["organisation_id"], north.as_str());
    assert_eq!(back["membership"], "verified");

    let removed = expect_status(
        change(&app, &nurse, json!({"organisation": " "})).await,
        StatusCode::OK,
    )
    .await;
    assert!(removed.get("organisation").is_none(), "{removed}");
    assert!(removed.get("membership").is_none(), "{removed}");
}

#[tokio::test]
async fn a_new_address_at_an_unrecorded_domain_keeps_the_name_but_not_the_record() {
    let (app, _admin, _north) = trust(None).await;
    let nurse = verified_nurse(&app).await;
    let moved = expect_status(
        change(
            &app,
            &nurse,
            json!({"email": "nurse@elsewhere.nhs.uk", "current_password": PASSWORD}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["organisation"], NORTH);
    assert!(moved.get("organisation_id").is_none(), "{moved}");
    assert_eq!(moved["membership"], "self_declared");
    assert_eq!(
        moved["practice_only"], false,
        "no record names it, so no policy applies"
    );
    // Confirming an address at no organisation's domain proves no membership.
    confirm_through_store(&app, &nurse, "nurse@elsewhere.nhs.uk").await;
    assert_eq!(me(&app, &nurse).await["membership"], "self_declared");
}

#[tokio::test]
async fn moving_a_password_login_to_another_address_needs_the_current_password() {
    let (app, _admin, _north) = trust(None).await;
    let nurse = verified_nurse(&app).await;
    for body in [
        json!({"email": "thief@elsewhere.org"}),
        json!({"email": "thief@elsewhere.org", "current_password": "not the password"}),
    ] {
        expect_problem(change(&app, &nurse, body).await, StatusCode::FORBIDDEN).await;
    }
    let still = me(&app, &nurse).await;
    assert_eq!(still["email"], "nurse@north.nhs.uk");
    assert_eq!(still["membership"], "verified");
    // Other profile changes need no password.
    expect_status(
        change(&app, &nurse, json!({"display_name": "Nia Ward"})).await,
        StatusCode::OK,
    )
    .await;
}
