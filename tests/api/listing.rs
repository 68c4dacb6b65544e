//! What the researcher console lists: a researcher's own projects (drafts
//! and restricted ones included) and a project's batches, a page at a time.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, expect_problem, expect_status};

async fn create_project(app: &TestApp, researcher: &Person, body: Value) -> String {
    let created = expect_status(
        app.post("/v1/projects", &body, Some(&researcher.access_token))
            .await,
        StatusCode::CREATED,
    )
    .await;
    created["id"].as_str().expect("id").to_owned()
}

fn titles(page: &Value) -> Vec<String> {
    page["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| p["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn my_projects_include_drafts_and_restricted_ones_but_not_others() {
    let app = TestApp::spawn().await;
    let researcher = app.person("lead@nhs.net", &[Role::Researcher]).await;
    let other = app.person("other@nhs.net", &[Role::Researcher]).await;
    let draft = json!({"title": "Draft review", "summary": "s", "purpose": "p"});
    create_project(&app, &researcher, draft).await;
    let restricted = json!({
        "title": "Pharmacists only", "summary": "s", "purpose": "p", "status": "live",
        "audience": {"staff_groups": ["pharmacy"]}
    });
    create_project(&app, &researcher, restricted).await;
    let others = json!({"title": "Someone else's", "summary": "s", "purpose": "p"});
    create_project(&app, &other, others).await;

    let mine = expect_status(
        app.get("/v1/me/projects", Some(&researcher.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(titles(&mine), ["Pharmacists only", "Draft review"]);
    assert_eq!(mine["projects"][1]["status"], "draft");
    assert!(mine.get("next_cursor").is_none(), "{mine}");

    // The staff list shows neither: one is a draft, the other is for pharmacists.
    let joinable = expect_status(
        app.get("/v1/projects", Some(&researcher.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(titles(&joinable).is_empty(), "{joinable}");
}

#[tokio::test]
async fn my_projects_come_a_page_at_a_time() {
    let app = TestApp::spawn().await;
    let researcher = app.person("lead@nhs.net", &[Role::Researcher]).await;
    for n in 1..=3 {
        let body = json!({"title": format!("Review {n}"), "summary": "s", "purpose": "p"});
        create_project(&app, &researcher, body).await;
    }
    let token = Some(researcher.access_token.as_str());
    let first = expect_status(
        app.get("/v1/me/projects?limit=2", token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(titles(&first), ["Review 3", "Review 2"]);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let second = expect_status(
        app.get(&format!("/v1/me/projects?limit=2&cursor={cursor}"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(titles(&second), ["Review 1"]);
    assert!(second.get("next_cursor").is_none());

    let foreign = uuid::Uuid::new_v4();
    let problem = expect_problem(
        app.get(&format!("/v1/me/projects?cursor={foreign}"), token)
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "cursor", "{problem}");
}

#[tokio::test]
async fn a_projects_batches_are_listed_with_their_progress() {
    let app = TestApp::spawn().await;
    let researcher = app.person("lead@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let first = app
        .screening_batch(&researcher, &project, 3, json!({"name": "First"}))
        .await;
    let second = app
        .screening_batch(&researcher, &project, 2, json!({"name": "Second"}))
        .await;
    let listed = expect_status(
        app.get(
            &format!("/v1/projects/{project}/batches"),
            Some(&researcher.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let batches = listed["batches"].as_array().expect("batches");
    let ids: Vec<&str> = batches.iter().filter_map(|b| b["id"].as_str()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()]);
    assert_eq!(batches[0]["name"], "First");
    assert_eq!(batches[0]["tasks"], 3);
    assert_eq!(batches[1]["open"], 2);

    let other = app.person("other@nhs.net", &[Role::Researcher]).await;
    expect_problem(
        app.get(
            &format!("/v1/projects/{project}/batches"),
            Some(&other.access_token),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
