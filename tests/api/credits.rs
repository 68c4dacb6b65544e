//! Credited time through the API: the crediting rule (cap, idle time, late
//! answers, retries), the credits breakdown, and impact.
//!
//! Time passing is simulated by moving a contributor's leases and sessions
//! back in the database, so no test sleeps.

pub mod support;

use chrono::{Datelike as _, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use self::support::{answer, app, backdate, database, project_with_batch, send};
use crate::helpers::{Person, TestApp, expect_problem, expect_status, task_ids};

async fn credits(app: &TestApp, person: &Person, query: &str) -> Value {
    let path = format!("/v1/me/credits{query}");
    expect_status(
        app.get(&path, Some(&person.access_token)).await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn credit_is_capped_at_three_times_the_batch_median() {
    let app = app().await;
    project_with_batch(&app, 6, 10).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 1).await);
    backdate(&app, &staff, 600);
    // The phone says 500 seconds; the batch's typical time is 10.
    let results = send(
        &app,
        &staff,
        json!([answer(&tasks[0], "include", Some(500))]),
    )
    .await;
    assert_eq!(results[0]["credited_seconds"], 30);
    let credits = credits(&app, &staff, "").await;
    assert_eq!(credits["total"]["credited_seconds"], 30);
    assert_eq!(credits["total"]["answers"], 1);
}

#[tokio::test]
async fn idle_time_is_not_credited() {
    let app = app().await;
    project_with_batch(&app, 6, 10).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 1).await);
    // Ten minutes pass between the claim and the answers: a break, mostly.
    backdate(&app, &staff, 600);
    let unreported = send(&app, &staff, json!([answer(&tasks[0], "include", None)])).await;
    assert_eq!(
        unreported[0]["credited_seconds"], 10,
        "without the phone's measure, the typical time is credited"
    );
    let reported = send(
        &app,
        &staff,
        json!([answer(&tasks[1], "include", Some(12))]),
    )
    .await;
    assert_eq!(reported[0]["credited_seconds"], 12);
    let credits = credits(&app, &staff, "").await;
    assert_eq!(credits["total"]["credited_seconds"], 22);
}

#[tokio::test]
async fn an_answer_after_its_lease_expired_is_still_credited() {
    let app = app().await;
    project_with_batch(&app, 6, 10).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 1).await);
    backdate(&app, &staff, 7200);
    database(&app)
        .execute(
            "UPDATE leases SET expires_at = leased_at + 60000 WHERE contributor_id = ?1",
            [&staff.id],
        )
        .expect("leases expired");
    let results = send(
        &app,
        &staff,
        json!([answer(&tasks[0], "exclude", Some(20))]),
    )
    .await;
    assert_eq!(results[0]["status"], "late");
    assert_eq!(results[0]["credited_seconds"], 20);
    assert_eq!(
        credits(&app, &staff, "").await["total"]["credited_seconds"],
        20
    );
}

#[tokio::test]
async fn a_retried_answer_is_credited_once() {
    let app = app().await;
    project_with_batch(&app, 6, 10).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 1).await);
    backdate(&app, &staff, 600);
    let batch = json!([
        answer(&tasks[0], "include", Some(15)),
        answer(&tasks[1], "exclude", Some(15))
    ]);
    for _ in 0..3 {
        let results = send(&app, &staff, batch.clone()).await;
        assert_eq!(results[1]["credited_seconds"], 15);
    }
    let credits = credits(&app, &staff, "").await;
    assert_eq!(credits["total"]["answers"], 2);
    assert_eq!(credits["total"]["credited_seconds"], 30);
}

#[tokio::test]
async fn a_wrong_gold_answer_is_credited_but_marked() {
    let app = app().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let csv = "title,abstract,gold_answer,gold_explanation\n\
               Gold trial,A randomised trial.,include,It is randomised.\n\
               Study one,An audit.,,\n";
    let spec = json!({
        "name": "Screening", "kind": "screening", "gold_rate": 0.5, "estimated_seconds": 10,
        "settings": {"inclusion_criteria": "Randomised trials only."}
    });
    let upload = app
        .upload(
            &researcher,
            &project,
            spec,
            "tasks.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    expect_status(upload, StatusCode::CREATED).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let session = app.claim(&staff, 1).await;
    let tasks = session["tasks"].as_array().expect("tasks");
    let id_of = |title: &str| {
        tasks
            .iter()
            .find(|task| task["content"]["title"] == title)
            .map(|task| task["task_id"].as_str().expect("id").to_owned())
            .unwrap_or_else(|| panic!("{title} was not handed out: {session}"))
    };
    backdate(&app, &staff, 600);
    let results = send(
        &app,
        &staff,
        json!([
            answer(&id_of("Study one"), "exclude", Some(8)),
            answer(&id_of("Gold trial"), "exclude", Some(9))
        ]),
    )
    .await;
    assert_eq!(results[1]["feedback"]["correct"], false);
    let credits = credits(&app, &staff, "").await;
    let total = &credits["total"];
    assert_eq!(total["credited_seconds"], 17, "{credits}");
    assert_eq!(total["marked_answers"], 1);
    assert_eq!(total["marked_seconds"], 9);
    assert_eq!(
        credits["quality"]["gold_accuracy"],
        json!({"matched": 0, "total": 1, "percent": 0})
    );
}

#[tokio::test]
async fn credits_break_down_by_project_kind_and_month_within_the_range() {
    let app = app().await;
    project_with_batch(&app, 6, 10).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 1).await);
    backdate(&app, &staff, 600);
    send(
        &app,
        &staff,
        json!([answer(&tasks[0], "include", Some(25))]),
    )
    .await;
    let today = Utc::now().date_naive();
    let all = credits(&app, &staff, &format!("?from={today}&to={today}")).await;
    assert_eq!(all["by_project"][0]["project_title"], "Falls review");
    assert_eq!(all["by_project"][0]["credited_seconds"], 25);
    assert_eq!(all["by_kind"][0]["kind"], "screening");
    let month = format!("{:04}-{:02}", today.year(), today.month());
    assert_eq!(
        all["by_month"],
        json!([{
            "month": month, "answers": 1, "credited_seconds": 25, "credited_hours": "0.00",
            "marked_answers": 0, "marked_seconds": 0
        }])
    );
    assert_eq!(all["streak"]["current_days"], 1);
    assert_eq!(all["streak"]["last_active_on"], today.to_string());

    let long_ago = credits(&app, &staff, "?from=2020-01-01&to=2020-12-31").await;
    assert_eq!(long_ago["total"]["answers"], 0);
    assert_eq!(long_ago["by_project"], json!([]));
    assert_eq!(
        long_ago["streak"]["active_days"], 1,
        "the streak ignores the range"
    );

    let backwards = app
        .get(
            "/v1/me/credits?from=2025-02-01&to=2025-01-01",
            Some(&staff.access_token),
        )
        .await;
    let problem = expect_problem(backwards, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "from");
}

#[tokio::test]
async fn impact_shows_what_settled_with_your_help_and_the_outcome_note() {
    let app = app().await;
    let (researcher, project) = project_with_batch(&app, 1, 10).await;
    let note = "Our review was published; thank you.";
    let patched = app
        .client
        .patch(app.url(&format!("/v1/projects/{project}")))
        .bearer_auth(&researcher.access_token)
        .json(&json!({"outcome_note": note}))
        .send()
        .await
        .expect("sent");
    expect_status(patched, StatusCode::OK).await;
    let mut people = Vec::new();
    for email in ["one@nhs.net", "two@nhs.net"] {
        let person = app.person(email, &[]).await;
        let tasks = task_ids(&app.claim(&person, 5).await);
        send(&app, &person, json!([answer(&tasks[0], "include", None)])).await;
        people.push(person);
    }
    let impact = expect_status(
        app.get("/v1/me/impact", Some(&people[0].access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    let entry = &impact["projects"][0];
    assert_eq!(entry["outcome_note"], note);
    assert_eq!(entry["your_answers"], 1);
    assert_eq!(entry["finished_with_your_help"], 1, "{impact}");
    let batch = &entry["batches"][0];
    assert_eq!(
        (
            &batch["tasks"],
            &batch["finished"],
            &batch["percent_finished"]
        ),
        (&json!(1), &json!(1), &json!(100))
    );
    let credits = credits(&app, &people[0], "").await;
    assert_eq!(
        credits["quality"]["consensus_agreement"],
        json!({"matched": 1, "total": 1, "percent": 100})
    );
}
