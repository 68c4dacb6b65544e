//! The form a phone builds before logging, and the 422 that lists every
//! value that does not fit it.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{TestApp, expect_problem, expect_status};
use crate::ward::Ward;

fn form_path(project: &str) -> String {
    format!("/v1/projects/{project}/observation-form")
}

/// Creates an observation batch with `fields` in `project` without tasks.
/// The project's forms as the ward's observer gets them.
async fn observer_forms(ward: &Ward) -> Value {
    let response = ward
        .app
        .get(&form_path(&ward.project), Some(&ward.observer.access_token))
        .await;
    expect_status(response, StatusCode::OK).await
}

async fn observation_batch(app: &TestApp, token: &str, project: &str, name: &str, fields: Value) {
    let spec = json!({"name": name, "kind": "observation", "settings": {"fields": fields}});
    let form = reqwest::multipart::Form::new().text("spec", spec.to_string());
    let response = app
        .client
        .post(app.url(&format!("/v1/projects/{project}/batches")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    expect_status(response, StatusCode::CREATED).await;
}

#[tokio::test]
async fn a_logger_gets_the_live_observation_form_with_every_field_setting() {
    let ward = Ward::open().await;
    let forms = observer_forms(&ward).await;
    assert_eq!(forms["project_id"], ward.project.as_str());
    let batches = forms["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 1, "{forms}");
    let form = &batches[0];
    assert_eq!(form["batch_id"], ward.batch.as_str());
    assert_eq!(form["name"], "Hand hygiene audit");
    assert_eq!(
        form["instructions"],
        "Watch one hand hygiene moment and record it."
    );
    assert_eq!(
        form["fields"],
        json!([
            {"name": "moment", "label": "Moment", "type": "choice", "required": true,
             "options": ["before patient contact", "after patient contact"]},
            {"name": "performed", "label": "Hand hygiene performed", "type": "yes_no",
             "required": true},
            {"name": "seconds", "label": "Seconds of rubbing", "type": "number",
             "required": false, "min": 0.0, "max": 120.0}
        ])
    );
    assert_eq!(
        form["photo"],
        json!({"max_bytes": 10 * 1024 * 1024, "display_max_edge": 1280})
    );
}

#[tokio::test]
async fn the_form_lists_only_live_observation_batches_oldest_first() {
    let ward = Ward::open().await;
    let token = ward.researcher.access_token.clone();
    ward.app
        .screening_batch(&ward.researcher, &ward.project, 2, json!({}))
        .await;
    let fields = json!([
        {"name": "ward", "label": "Ward", "type": "short_text", "required": true, "max_length": 40},
        {"name": "risks", "label": "Risks seen", "type": "multi_choice",
         "options": ["Trip hazard", "Bed rails down"]},
        {"name": "seen_at", "label": "Seen at", "type": "time"},
        {"name": "pressure", "label": "Pressure", "type": "number", "unit": "mmHg"}
    ]);
    observation_batch(&ward.app, &token, &ward.project, "Falls walkround", fields).await;
    let forms = observer_forms(&ward).await;
    let names: Vec<&str> = forms["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|batch| batch["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Hand hygiene audit", "Falls walkround"]);
    assert_eq!(
        forms["batches"][1]["fields"],
        json!([
            {"name": "ward", "label": "Ward", "type": "short_text", "required": true,
             "max_length": 40},
            {"name": "risks", "label": "Risks seen", "type": "multi_choice", "required": false,
             "options": ["Trip hazard", "Bed rails down"]},
            {"name": "seen_at", "label": "Seen at", "type": "time", "required": false},
            {"name": "pressure", "label": "Pressure", "type": "number", "required": false,
             "unit": "mmHg"}
        ])
    );

    // A paused batch drops out; its form comes back when it is live again.
    let paused = ward
        .app
        .client
        .patch(ward.app.url(&format!("/v1/batches/{}", ward.batch)))
        .bearer_auth(&token)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .expect("sent");
    expect_status(paused, StatusCode::OK).await;
    let forms = observer_forms(&ward).await;
    assert_eq!(forms["batches"].as_array().map(Vec::len), Some(1));
    assert_eq!(forms["batches"][0]["name"], "Falls walkround");
}

#[tokio::test]
async fn a_project_staff_may_not_log_in_hides_its_form() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let draft = json!({
        "title": "Not yet open", "summary": "s", "purpose": "p", "status": "draft"
    });
    let project = expect_status(
        app.post("/v1/projects", &draft, Some(&researcher.access_token))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let project = project["id"].as_str().expect("project id").to_owned();
    let fields = json!([{"name": "ward", "label": "Ward", "type": "short_text"}]);
    observation_batch(
        &app,
        &researcher.access_token,
        &project,
        "Walkround",
        fields,
    )
    .await;

    // Its researcher sees the form to try it out; nobody else learns it exists.
    let own = expect_status(
        app.get(&form_path(&project), Some(&researcher.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(own["batches"][0]["fields"][0]["name"], "ward");
    let nurse = app.person("nurse@nhs.net", &[]).await;
    let hidden = expect_problem(
        app.get(&form_path(&project), Some(&nurse.access_token))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = expect_problem(
        app.get(
            &form_path(&uuid::Uuid::new_v4().to_string()),
            Some(&nurse.access_token),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(hidden, missing, "a hidden project looks like a missing one");
    let anonymous = app.get(&form_path(&project), None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_invalid_value_is_reported_at_once_with_its_field() {
    let ward = Ward::open().await;
    let body = json!({
        "client_id": uuid::Uuid::new_v4(),
        "values": {"moment": "during lunch", "seconds": 500, "colour": "red"}
    });
    let problem = expect_problem(
        ward.log(&ward.observer, &body, None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["type"], "/problems/validation");
    let errors: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|error| {
            (
                error["field"].as_str().expect("field"),
                error["message"].as_str().expect("message"),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (
                "values.moment",
                "\"during lunch\" is not one of: before patient contact, after patient contact"
            ),
            ("values.performed", "is required"),
            ("values.seconds", "must be at most 120"),
            ("values.colour", "is not a field of this form"),
        ]
    );
    assert_eq!(problem["detail"], "4 values are invalid; see `errors`.");
    assert_eq!(ward.tasks_in_batch().await, 1, "nothing was stored");
}
