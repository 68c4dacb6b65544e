use std::collections::{HashMap, HashSet};

use reqwest::StatusCode;
use serde_json::json;
use tessera::domain::account::Role;

use crate::helpers::{TestApp, expect_problem, expect_status, task_ids};

async fn app_with_batch(
    tasks: usize,
    policy: serde_json::Value,
) -> (TestApp, crate::helpers::Person, String) {
    let app = TestApp::spawn_with(|settings| settings.login_attempts = 1000).await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = app
        .screening_batch(&researcher, &project, tasks, policy)
        .await;
    (app, researcher, batch)
}

#[tokio::test]
async fn bundles_fit_the_minutes_asked_for() {
    let (app, _, _) = app_with_batch(40, json!({"estimated_seconds": 30})).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let one = app.claim(&staff, 1).await;
    assert_eq!(task_ids(&one).len(), 2);
    let five = app.claim(&staff, 5).await;
    assert_eq!(task_ids(&five).len(), 10);
    let first: HashSet<String> = task_ids(&one).into_iter().collect();
    assert!(
        task_ids(&five).iter().all(|task| !first.contains(task)),
        "a held task was handed out again"
    );
    let task = &five["tasks"][0];
    assert_eq!(task["kind"], "screening");
    assert!(
        task["content"]["title"]
            .as_str()
            .unwrap()
            .starts_with("Study number")
    );
    assert_eq!(task["answer_schema"]["fields"][0]["name"], "decision");
}

#[tokio::test]
async fn minutes_out_of_range_are_rejected() {
    let (app, _, _) = app_with_batch(1, json!({})).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let response = app
        .post(
            "/v1/sessions",
            &json!({"minutes": 31}),
            Some(&staff.access_token),
        )
        .await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "minutes");
}

#[tokio::test]
async fn fifty_racing_contributors_never_over_assign() {
    // 4 tasks needing 3 answers each: 12 places for 50 people at once.
    let (app, _, _) = app_with_batch(4, json!({"min_answers": 3, "max_answers": 3})).await;
    let mut people = Vec::new();
    for i in 0..50 {
        people.push(app.person(&format!("staff{i}@nhs.net"), &[]).await);
    }
    let claims = people.iter().map(|person| app.claim(person, 5));
    let sessions = futures_util::future::join_all(claims).await;
    let mut holders: HashMap<String, usize> = HashMap::new();
    for session in &sessions {
        let tasks = task_ids(session);
        let unique: HashSet<&String> = tasks.iter().collect();
        assert_eq!(
            unique.len(),
            tasks.len(),
            "a contributor received a task twice"
        );
        for task in tasks {
            *holders.entry(task).or_default() += 1;
        }
    }
    assert_eq!(holders.len(), 4);
    assert!(holders.values().all(|&count| count == 3), "{holders:?}");
}

#[tokio::test]
async fn a_batch_sent_three_times_is_stored_once() {
    let (app, researcher, batch) = app_with_batch(3, json!({})).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let session = app.claim(&staff, 5).await;
    let answers: Vec<_> = task_ids(&session)
        .into_iter()
        .map(|task| json!({"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "exclude"}, "seconds_spent": 0}))
        .collect();
    let answers = json!(answers);
    let mut bodies = Vec::new();
    for _ in 0..3 {
        bodies.push(expect_status(app.answer(&staff, answers.clone()).await, StatusCode::OK).await);
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[1], bodies[2]);
    assert_eq!(bodies[0]["results"].as_array().unwrap().len(), 3);
    assert!(
        bodies[0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "accepted")
    );
    let view = app.batch_view(&researcher, &batch).await;
    assert_eq!(view["answers"], 3);
    assert_eq!(view["in_progress"], 3);
}

#[tokio::test]
async fn a_different_second_answer_is_a_conflict_and_stores_nothing() {
    let (app, researcher, batch) = app_with_batch(2, json!({})).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    let first = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": tasks[0], "answer": {"decision": "include"}}]);
    expect_status(app.answer(&staff, first).await, StatusCode::OK).await;
    let second = json!([
        {"client_id": uuid::Uuid::new_v4(), "task_id": tasks[1], "answer": {"decision": "include"}},
        {"client_id": uuid::Uuid::new_v4(), "task_id": tasks[0], "answer": {"decision": "exclude"}}
    ]);
    let problem = expect_problem(app.answer(&staff, second).await, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .starts_with("answers[1]"),
        "{problem}"
    );
    let view = app.batch_view(&researcher, &batch).await;
    assert_eq!(
        view["answers"], 1,
        "the valid answer in the refused request must not be stored"
    );
}

#[tokio::test]
async fn an_answer_that_breaks_the_schema_names_the_field() {
    let (app, _, _) = app_with_batch(1, json!({})).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    let bad = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": tasks[0], "answer": {"decision": "maybe"}}]);
    let problem = expect_problem(
        app.answer(&staff, bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "answers[0].answer.decision");
    let unknown = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": uuid::Uuid::new_v4(), "answer": {"decision": "include"}}]);
    let problem = expect_problem(
        app.answer(&staff, unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "answers[0].task_id");
}

#[tokio::test]
async fn agreeing_answers_settle_a_task_and_it_stops_being_handed_out() {
    let (app, researcher, batch) = app_with_batch(
        1,
        json!({"min_answers": 2, "max_answers": 3, "target_confidence": 0.8}),
    )
    .await;
    for i in 0..2 {
        let person = app.person(&format!("s{i}@nhs.net"), &[]).await;
        let tasks = task_ids(&app.claim(&person, 5).await);
        assert_eq!(tasks.len(), 1);
        let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": tasks[0], "answer": {"decision": "include"}}]);
        expect_status(app.answer(&person, answer).await, StatusCode::OK).await;
    }
    let view = app.batch_view(&researcher, &batch).await;
    assert_eq!(view["settled"], 1, "{view}");
    let late_comer = app.person("late@nhs.net", &[]).await;
    assert_eq!(app.claim(&late_comer, 5).await["tasks"], json!([]));
}

#[tokio::test]
async fn a_leased_answer_to_a_task_that_settled_meanwhile_is_kept_as_extra() {
    let app = crate::credits::support::app().await;
    crate::credits::support::project_with_batch(&app, 1, 30).await;
    // One answer settles the task: a 0.6 target needs no second opinion.
    let first = app.person("first@nhs.net", &[]).await;
    let offline = app.person("offline@nhs.net", &[]).await;
    let task = task_ids(&app.claim(&first, 5).await)[0].clone();
    // The first lease runs out unanswered, so the place goes to someone else.
    crate::credits::support::database(&app)
        .execute_batch(
            "UPDATE leases SET expires_at = 1; UPDATE tasks SET busy_until = 0;
             UPDATE batches SET policy = json_set(policy, '$.min_answers', 1,
                 '$.target_confidence', 0.6)",
        )
        .expect("lease expired");
    assert_eq!(task_ids(&app.claim(&offline, 5).await), vec![task.clone()]);
    let late = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "include"}}]);
    let body = expect_status(app.answer(&first, late).await, StatusCode::OK).await;
    assert_eq!(body["results"][0]["status"], "late");
    // The second person answers from her phone a minute later, after the
    // task settled: kept as evidence and credited.
    crate::credits::support::backdate(&app, &offline, 60);
    let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "include"}, "seconds_spent": 12}]);
    let body = expect_status(app.answer(&offline, answer).await, StatusCode::OK).await;
    assert_eq!(body["results"][0]["status"], "extra");
    assert_eq!(body["results"][0]["credited_seconds"], 12);
}
