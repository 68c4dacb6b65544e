//! Shared set-up for the credit and certificate tests.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, expect_status, task_ids};

/// An app whose public address is https, so certificates can be issued.
pub async fn app() -> TestApp {
    TestApp::spawn_with(|settings| {
        settings.login_attempts = 1000;
        settings.public_url = "https://tessera.test".to_owned();
    })
    .await
}

/// The app's SQLite database, opened beside the running server.
pub fn database(app: &TestApp) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(app.data_dir.path().join("tessera.db")).expect("db");
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .expect("busy timeout");
    conn
}

/// Makes it as if `person` claimed their tasks `seconds` ago.
pub fn backdate(app: &TestApp, person: &Person, seconds: i64) {
    let shift = seconds * 1000;
    let db = database(app);
    db.execute(
        "UPDATE leases SET leased_at = leased_at - ?2 WHERE contributor_id = ?1",
        rusqlite::params![person.id, shift],
    )
    .expect("leases moved");
    db.execute(
        "UPDATE sessions SET started_at = started_at - ?2 WHERE contributor_id = ?1",
        rusqlite::params![person.id, shift],
    )
    .expect("sessions moved");
}

/// Makes it as if everything `person` was credited had been credited
/// `days` ago: certificates cover finished days only. The ledgers (for
/// answers and for logging) are append-only, so their guards are lifted
/// for the move and put back.
pub fn age_credits(app: &TestApp, person: &Person, days: i64) {
    let shift = days * 86_400_000;
    let db = database(app);
    let guards: Vec<String> = [
        "credit_ledger_append_only",
        "observation_credits_append_only",
    ]
    .iter()
    .map(|name| {
        db.query_row(
            "SELECT sql FROM sqlite_master WHERE name = ?1",
            [name],
            |row| row.get(0),
        )
        .expect("a ledger guard")
    })
    .collect();
    db.execute_batch(
        "DROP TRIGGER credit_ledger_append_only; DROP TRIGGER observation_credits_append_only;",
    )
    .expect("guards lifted");
    for table in ["credit_ledger", "answers", "observation_credits"] {
        db.execute(
            &format!("UPDATE {table} SET created_at = created_at - ?2 WHERE contributor_id = ?1"),
            rusqlite::params![person.id, shift],
        )
        .expect("credits moved");
    }
    for guard in guards {
        db.execute_batch(&guard).expect("guard restored");
    }
}

/// A researcher's live project with one screening batch of `tasks` tasks
/// that take `seconds` each by the researcher's estimate.
pub async fn project_with_batch(app: &TestApp, tasks: usize, seconds: u32) -> (Person, String) {
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let policy = json!({
        "estimated_seconds": seconds, "min_answers": 2, "max_answers": 3, "target_confidence": 0.8
    });
    app.screening_batch(&researcher, &project, tasks, policy)
        .await;
    (researcher, project)
}

/// One answer to `task`, optionally with the seconds the phone measured.
pub fn answer(task: &str, decision: &str, seconds_spent: Option<u32>) -> Value {
    let mut answer = json!({
        "client_id": uuid::Uuid::new_v4(),
        "task_id": task,
        "answer": {"decision": decision},
    });
    if let Some(seconds) = seconds_spent {
        answer["seconds_spent"] = json!(seconds);
    }
    answer
}

/// Sends answers and returns the per-answer results.
pub async fn send(app: &TestApp, person: &Person, answers: Value) -> Vec<Value> {
    let body = expect_status(app.answer(person, answers).await, StatusCode::OK).await;
    body["results"].as_array().expect("results").clone()
}

/// Someone with 3 answers credited 120 seconds each (0.10 hours), and the
/// certificate issued to them for the last 30 days.
pub async fn issued(app: &TestApp) -> (Person, Value) {
    project_with_batch(app, 6, 60).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let tasks = task_ids(&app.claim(&staff, 5).await);
    backdate(app, &staff, 900);
    let answers: Vec<Value> = tasks[..3]
        .iter()
        .map(|task| answer(task, "include", Some(120)))
        .collect();
    send(app, &staff, json!(answers)).await;
    age_credits(app, &staff, 1);
    let today = Utc::now().date_naive();
    let body = json!({"from": today - TimeDelta::days(30), "to": today - TimeDelta::days(1)});
    let response = app
        .post("/v1/me/certificates", &body, Some(&staff.access_token))
        .await;
    let certificate = expect_status(response, StatusCode::CREATED).await;
    (staff, certificate)
}
