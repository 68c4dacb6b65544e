//! Trust: credit and consensus only for work that was handed out, tokens
//! that die with their account, loud `client_id` conflicts, projects seen
//! only by their audience, certificates only for real, finished,
//! uncertified time, and bundles that fill their budget.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::credits::support::{age_credits, answer, app, backdate, send};
use crate::helpers::{Person, TestApp, expect_problem, expect_status, task_ids};
use crate::observation_photos::{jpeg, quadrants};
use crate::ward::{Ward, handwash};

/// Seconds credited to `person` over all time.
async fn credited_seconds(app: &TestApp, person: &Person) -> u64 {
    let credits = expect_status(
        app.get("/v1/me/credits", Some(&person.access_token)).await,
        StatusCode::OK,
    )
    .await;
    credits["total"]["credited_seconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("no totals in {credits}"))
}

async fn answers_in(app: &TestApp, researcher: &Person, batch: &str) -> u64 {
    app.batch_view(researcher, batch).await["answers"]
        .as_u64()
        .expect("answers")
}

/// Registers and signs in someone of another trust.
async fn outsider(app: &TestApp, email: &str) -> Person {
    let body = json!({
        "email": email, "password": crate::helpers::PASSWORD,
        "display_name": "Out Sider", "staff_group": "nursing_and_midwifery",
        "organisation": "Elsewhere Trust"
    });
    expect_status(
        app.post("/v1/auth/register", &body, None).await,
        StatusCode::CREATED,
    )
    .await;
    app.sign_in(email).await
}

async fn patch(app: &TestApp, path: &str, body: &Value, person: &Person) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(&person.access_token)
        .json(body)
        .send()
        .await
        .expect("sent")
}

/// The task ids of a batch, as its researcher's JSON export lists them.
async fn exported_task_ids(app: &TestApp, researcher: &Person, batch: &str) -> Vec<String> {
    let path = format!("/v1/batches/{batch}/results?format=json");
    let results = expect_status(
        app.get(&path, Some(&researcher.access_token)).await,
        StatusCode::OK,
    )
    .await;
    results
        .as_array()
        .unwrap_or_else(|| panic!("no results in {results}"))
        .iter()
        .map(|row| row["task_id"].as_str().expect("task id").to_owned())
        .collect()
}

#[tokio::test]
async fn an_answer_to_a_task_never_handed_out_is_refused_and_stores_nothing() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = app
        .screening_batch(&researcher, &project, 3, json!({}))
        .await;
    let tasks = exported_task_ids(&app, &researcher, &batch).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let response = app
        .answer(&staff, json!([answer(&tasks[0], "include", Some(20))]))
        .await;
    let problem = expect_problem(response, StatusCode::FORBIDDEN).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("answers[0]") && d.contains("not handed out")),
        "{problem}"
    );
    assert_eq!(answers_in(&app, &researcher, &batch).await, 0);
    assert_eq!(credited_seconds(&app, &staff).await, 0);
}

#[tokio::test]
async fn farming_a_private_draft_of_long_tasks_earns_no_credited_hours() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let draft = expect_status(
        app.post(
            "/v1/projects",
            &json!({"title": "Mine", "summary": "s", "purpose": "p"}),
            Some(&researcher.access_token),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let project = draft["id"].as_str().expect("id");
    let batch = app
        .screening_batch(
            &researcher,
            project,
            200,
            json!({"estimated_seconds": 1800, "min_answers": 1, "max_answers": 1}),
        )
        .await;
    let tasks = exported_task_ids(&app, &researcher, &batch).await;
    assert_eq!(tasks.len(), 200);
    let answers: Vec<Value> = tasks
        .iter()
        .map(|task| answer(task, "exclude", Some(1800)))
        .collect();
    let response = app.answer(&researcher, json!(answers)).await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
    // A session claimed on the side hands out nothing from a draft.
    let session = app.claim(&researcher, 30).await;
    assert!(task_ids(&session).is_empty());
    assert_eq!(credited_seconds(&app, &researcher).await, 0);
    assert_eq!(answers_in(&app, &researcher, &batch).await, 0);
}

#[tokio::test]
async fn answers_to_a_paused_or_closed_batch_are_refused_even_with_a_lease() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = app
        .screening_batch(&researcher, &project, 4, json!({}))
        .await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    assert!(!tasks.is_empty());
    for status in ["paused", "closed"] {
        let changed = patch(
            &app,
            &format!("/v1/batches/{batch}"),
            &json!({"status": status}),
            &researcher,
        )
        .await;
        expect_status(changed, StatusCode::OK).await;
        let response = app
            .answer(&staff, json!([answer(&tasks[0], "include", Some(20))]))
            .await;
        let problem = expect_problem(response, StatusCode::CONFLICT).await;
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(status)),
            "{problem}"
        );
    }
    assert_eq!(answers_in(&app, &researcher, &batch).await, 0);
}

#[tokio::test]
async fn an_answer_from_outside_the_audience_is_refused() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let body = json!({
        "title": "Test Trust only", "summary": "s", "purpose": "p", "status": "live",
        "audience": {"organisations": ["Test Trust"]}
    });
    let created = expect_status(
        app.post("/v1/projects", &body, Some(&researcher.access_token))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let project = created["id"].as_str().expect("id").to_owned();
    let batch = app
        .screening_batch(&researcher, &project, 4, json!({}))
        .await;
    let insider = app.person("insider@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&insider, 5).await);
    assert!(!tasks.is_empty(), "the insider is handed work");

    let stranger = outsider(&app, "out@elsewhere.nhs.uk").await;
    assert!(task_ids(&app.claim(&stranger, 5).await).is_empty());
    let response = app
        .answer(&stranger, json!([answer(&tasks[0], "include", Some(20))]))
        .await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
    assert_eq!(answers_in(&app, &researcher, &batch).await, 0);
    // Nor can the stranger read the project by its id.
    let seen = app
        .get(
            &format!("/v1/projects/{project}"),
            Some(&stranger.access_token),
        )
        .await;
    expect_problem(seen, StatusCode::NOT_FOUND).await;
    let insider_sees = app
        .get(
            &format!("/v1/projects/{project}"),
            Some(&insider.access_token),
        )
        .await;
    expect_status(insider_sees, StatusCode::OK).await;
}

#[tokio::test]
async fn an_audience_list_is_bounded_and_validated() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let many: Vec<String> = (0..51).map(|i| format!("Trust {i}")).collect();
    for (organisations, field) in [
        (json!(many), "audience.organisations"),
        (json!(["North", "  "]), "audience.organisations[1]"),
    ] {
        let body = json!({
            "title": "t", "summary": "s", "purpose": "p",
            "audience": {"organisations": organisations}
        });
        let response = app
            .post("/v1/projects", &body, Some(&researcher.access_token))
            .await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
}

#[tokio::test]
async fn answering_a_verification_task_without_its_lease_does_not_unlock_the_photo() {
    let ward = Ward::open().await;
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(uuid::Uuid::new_v4()),
            Some(("ward.jpg", jpeg(&quadrants(64, 32)))),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = logged["media_id"].as_str().expect("media id");
    let task = logged["task_id"].as_str().expect("task id");
    let nosy = ward.app.person("nosy@nhs.net", &[]).await;
    let verdict = json!([{
        "client_id": uuid::Uuid::new_v4(), "task_id": task,
        "answer": {"verdict": "confirm"}
    }]);
    let response = ward.app.answer(&nosy, verdict).await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
    let path = format!("/v1/media/{media}?size=thumb");
    expect_problem(ward.media(&nosy, &path).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_deleted_accounts_token_is_refused_on_every_kind_of_endpoint() {
    let app = app().await;
    let admin = app
        .person(
            "admin@nhs.net",
            &[Role::Admin, Role::Researcher, Role::Contributor],
        )
        .await;
    let other = app.person("other@nhs.net", &[]).await;
    let erased = app
        .client
        .delete(app.url("/v1/me"))
        .bearer_auth(&admin.access_token)
        .send()
        .await
        .expect("sent");
    assert_eq!(erased.status(), StatusCode::NO_CONTENT);
    let token = Some(admin.access_token.as_str());
    let project = json!({"title": "t", "summary": "s", "purpose": "p", "status": "live"});
    let attempts = [
        app.get("/v1/me", token).await,
        app.get("/v1/projects", token).await,
        app.post("/v1/projects", &project, token).await,
        app.post("/v1/sessions", &json!({"minutes": 5}), token)
            .await,
        app.answer(&admin, json!([answer(&other.id, "include", None)]))
            .await,
        app.client
            .put(app.url(&format!("/v1/admin/users/{}/roles", other.id)))
            .bearer_auth(&admin.access_token)
            .json(&json!({"roles": ["admin"]}))
            .send()
            .await
            .expect("sent"),
    ];
    for response in attempts {
        expect_problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

#[tokio::test]
async fn a_demoted_admin_is_refused_at_once() {
    let app = app().await;
    let first = app.person("first@nhs.net", &[Role::Admin]).await;
    let second = app.person("second@nhs.net", &[Role::Admin]).await;
    let set_roles = |by: &Person, whom: &Person, roles: Value| {
        app.client
            .put(app.url(&format!("/v1/admin/users/{}/roles", whom.id)))
            .bearer_auth(&by.access_token)
            .json(&json!({"roles": roles}))
            .send()
    };
    let demoted = set_roles(&first, &second, json!(["contributor"])).await;
    expect_status(demoted.expect("sent"), StatusCode::OK).await;
    // The second admin's token still says admin; the account does not.
    let refused = set_roles(&second, &first, json!(["contributor"])).await;
    expect_problem(refused.expect("sent"), StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_client_id_reused_for_another_task_is_a_conflict_naming_the_answer() {
    let app = app().await;
    crate::credits::support::project_with_batch(&app, 4, 30).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    let first = answer(&tasks[0], "include", Some(20));
    send(&app, &staff, json!([first.clone()])).await;
    let mut reused = answer(&tasks[1], "include", Some(20));
    reused["client_id"] = first["client_id"].clone();
    let fresh = answer(&tasks[2], "exclude", Some(20));
    let response = app.answer(&staff, json!([fresh, reused])).await;
    let problem = expect_problem(response, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("answers[1]")),
        "{problem}"
    );
    // The same client_id with a different answer to the same task, too.
    let mut changed = answer(&tasks[0], "exclude", Some(20));
    changed["client_id"] = first["client_id"].clone();
    expect_problem(
        app.answer(&staff, json!([changed])).await,
        StatusCode::CONFLICT,
    )
    .await;
    // Nothing but the first answer was stored: the fresh one went with the refusal.
    let again = send(&app, &staff, json!([first])).await;
    assert_eq!(again.len(), 1);
    let retried = send(&app, &staff, json!([answer(&tasks[2], "exclude", None)])).await;
    assert_eq!(retried[0]["status"], "accepted");
}

#[tokio::test]
async fn the_same_client_id_twice_in_one_request_is_refused_as_invalid() {
    let app = app().await;
    crate::credits::support::project_with_batch(&app, 4, 30).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    let first = answer(&tasks[0], "include", Some(20));
    let mut twin = answer(&tasks[1], "include", Some(20));
    twin["client_id"] = first["client_id"].clone();
    let response = app.answer(&staff, json!([first, twin])).await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "answers[1].client_id");
    assert_eq!(credited_seconds(&app, &staff).await, 0);
}

#[tokio::test]
async fn certificates_refuse_empty_overlapping_and_unfinished_periods() {
    let app = app().await;
    crate::credits::support::project_with_batch(&app, 6, 60).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    backdate(&app, &staff, 900);
    send(
        &app,
        &staff,
        json!([answer(&tasks[0], "include", Some(120))]),
    )
    .await;
    age_credits(&app, &staff, 3);
    let today = Utc::now().date_naive();
    let day = |back: i64| today - TimeDelta::days(back);
    let issue = |from, to| {
        let body = json!({"from": from, "to": to});
        let (app, token) = (&app, staff.access_token.clone());
        async move { app.post("/v1/me/certificates", &body, Some(&token)).await }
    };
    let unfinished = expect_problem(issue(day(5), today).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unfinished.await["errors"][0]["field"], "to");
    let empty = expect_problem(
        issue(day(2), day(1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(empty.await["errors"][0]["field"], "from");
    expect_status(issue(day(5), day(3)).await, StatusCode::CREATED).await;
    let overlapping = expect_problem(
        issue(day(3), day(1)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        overlapping["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("overlaps")),
        "{overlapping}"
    );
}

#[tokio::test]
async fn a_session_fills_its_budget_when_one_batch_is_nearly_finished() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    // Three batches of equal priority: two nearly finished, one with plenty.
    for tasks in [2, 1, 200] {
        app.screening_batch(
            &researcher,
            &project,
            tasks,
            json!({"estimated_seconds": 15, "min_answers": 1, "max_answers": 1}),
        )
        .await;
    }
    for round in 0..5 {
        let staff = app.person(&format!("staff{round}@nhs.net"), &[]).await;
        let session = app.claim(&staff, 5).await;
        let seconds: u64 = session["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .map(|task| task["estimated_seconds"].as_u64().expect("estimate"))
            .sum();
        assert!(
            seconds >= 270,
            "round {round}: a 300 s session got {seconds} s of work"
        );
    }
}
