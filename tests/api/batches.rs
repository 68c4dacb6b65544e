use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{TestApp, expect_problem, expect_status};

fn screening_spec() -> Value {
    json!({"name": "Review", "kind": "screening", "settings": {"inclusion_criteria": "RCTs in adults."}})
}

fn coding_spec() -> Value {
    json!({"name": "Survey", "kind": "coding", "settings": {"codes": [
        {"code": "staffing", "description": "Staffing"}, {"code": "equipment", "description": "Kit"}
    ], "multiple": false}})
}

const RIS: &[u8] = b"TY  - JOUR\r\nTI  - Early mobilisation after hip fracture\r\nAU  - Smith, Jane\r\nAU  - Ng, Lee\r\nAB  - Background: falls are common.\r\n  Methods: a randomised trial in three\r\n  hospitals.\r\nPY  - 2019\r\nDO  - 10.1000/abc.1\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - Chlorhexidine bathing in ICU\r\nAU  - Ren\xe9e, Marie\r\nPY  - 2021///\r\nER  - \r\n\r\nTY  - JOUR\r\nTI  - Early mobilisation after hip fracture (duplicate)\r\nDO  - https://doi.org/10.1000/ABC.1\r\nER  - \r\n";

async fn researcher_project(app: &TestApp) -> (crate::helpers::Person, String) {
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    (researcher, project)
}

#[tokio::test]
async fn a_ris_export_uploads_with_duplicates_dropped_and_listed() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let response = app
        .upload(
            &researcher,
            &project,
            screening_spec(),
            "export.ris",
            RIS.to_vec(),
        )
        .await;
    let created = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(created["tasks_stored"], 2);
    assert_eq!(
        created["duplicates_dropped"],
        json!([{"line": 18, "first_line": 1, "reason": "doi"}])
    );

    let batch = created["batch_id"].as_str().unwrap();
    let results: Value = app
        .get(
            &format!("/v1/batches/{batch}/results?format=json"),
            Some(&researcher.access_token),
        )
        .await
        .json()
        .await
        .unwrap();
    let rows = results.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["status"], "open");
}

#[tokio::test]
async fn a_csv_with_quoted_commas_and_newlines_uploads() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let csv = "text,gold_codes,gold_explanation\n\"Short staffed, again\nand tired\",staffing,Mentions staff numbers\n\"The hoist, new\",,\n";
    let response = app
        .upload(
            &researcher,
            &project,
            coding_spec(),
            "survey.csv",
            csv.as_bytes().to_vec(),
        )
        .await;
    let created = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(created["tasks_stored"], 2);
    assert_eq!(created["gold_tasks"], 1);
}

#[tokio::test]
async fn json_lines_upload_for_coding() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let lines =
        "{\"text\": \"Broken monitor\"}\n{\"text\": \"Two nurses off sick\", \"id\": \"s-2\"}\n";
    let response = app
        .upload(
            &researcher,
            &project,
            coding_spec(),
            "survey.jsonl",
            lines.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(
        expect_status(response, StatusCode::CREATED).await["tasks_stored"],
        2
    );
}

#[tokio::test]
async fn a_malformed_upload_lists_lines_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let good = "title,abstract\nA fine study,Abstract\n";
    expect_status(
        app.upload(
            &researcher,
            &project,
            screening_spec(),
            "a.csv",
            good.as_bytes().to_vec(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let before = app
        .get(
            &format!("/v1/projects/{project}"),
            Some(&researcher.access_token),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();

    let bad = "title,abstract,year\nGood one,x,2020\n,missing title,2020\nAnother,x,not-a-year\n";
    let problem = expect_problem(
        app.upload(
            &researcher,
            &project,
            screening_spec(),
            "b.csv",
            bad.as_bytes().to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let errors = problem["errors"].as_array().unwrap();
    let lines: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert_eq!(lines, [(3, "title"), (4, "year")]);

    let after = app
        .get(
            &format!("/v1/projects/{project}"),
            Some(&researcher.access_token),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(before["tasks"], 1);
    assert_eq!(after["tasks"], before["tasks"]);
}

#[tokio::test]
async fn bad_batch_settings_are_named() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let spec = json!({"name": "x", "kind": "coding", "settings": {"codes": []}, "min_answers": 9, "max_answers": 2});
    let problem = expect_problem(
        app.upload(
            &researcher,
            &project,
            spec,
            "a.csv",
            b"text\nhello\n".to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("spec.settings"),
        "{problem}"
    );
}

#[tokio::test]
async fn only_the_projects_researcher_may_upload() {
    let app = TestApp::spawn().await;
    let (_, project) = researcher_project(&app).await;
    let other = app.person("other@nhs.net", &[Role::Researcher]).await;
    let response = app
        .upload(
            &other,
            &project,
            screening_spec(),
            "a.csv",
            b"title\nx\n".to_vec(),
        )
        .await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let response = app
        .post(
            "/v1/projects",
            &json!({"title": "t", "summary": "s", "purpose": "p"}),
            Some(&staff.access_token),
        )
        .await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn batch_progress_counts_tasks_and_answers_and_can_pause() {
    let app = TestApp::spawn().await;
    let (researcher, project) = researcher_project(&app).await;
    let batch = app
        .screening_batch(&researcher, &project, 5, json!({}))
        .await;
    let view = app.batch_view(&researcher, &batch).await;
    assert_eq!(
        (
            view["tasks"].as_u64(),
            view["open"].as_u64(),
            view["answers"].as_u64()
        ),
        (Some(5), Some(5), Some(0))
    );
    assert_eq!(view["median_seconds"], 30.0);

    let paused = app
        .client
        .patch(app.url(&format!("/v1/batches/{batch}")))
        .bearer_auth(&researcher.access_token)
        .json(&json!({"status": "paused"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        expect_status(paused, StatusCode::OK).await["status"],
        "paused"
    );
    let staff = app.person("staff@nhs.net", &[]).await;
    assert_eq!(app.claim(&staff, 5).await["tasks"], json!([]));
}

/// A researcher's screening batch of `records`, one of which a staff
/// member answered "include": (researcher, batch, staff, that task).
async fn one_answered(
    app: &TestApp,
    records: usize,
) -> (
    crate::helpers::Person,
    String,
    crate::helpers::Person,
    String,
) {
    let (researcher, project) = researcher_project(app).await;
    let batch = app
        .screening_batch(
            &researcher,
            &project,
            records,
            json!({"min_answers": 1, "max_answers": 1}),
        )
        .await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let task = crate::helpers::task_ids(&app.claim(&staff, 5).await)[0].clone();
    let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "include"}}]);
    expect_status(app.answer(&staff, answer).await, StatusCode::OK).await;
    (researcher, batch, staff, task)
}

#[tokio::test]
async fn results_export_as_csv_with_pseudonyms() {
    let app = TestApp::spawn().await;
    let (researcher, batch, staff, task) = one_answered(&app, 2).await;

    let csv = app
        .get(
            &format!("/v1/batches/{batch}/results?format=csv"),
            Some(&researcher.access_token),
        )
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "task_id,external_id,title,abstract,authors,journal,year,doi,pmid,\
             gold,status,decision,decided_by,confidence,answer_count,resolution_note"
        )
    );
    // Each row carries the record's content, so it can be matched back to
    // the reference manager.
    let row = lines.next().unwrap();
    assert!(
        row.contains(",Study number 0 of falls,Abstract 0,"),
        "{row}"
    );
    assert!(
        !csv.contains(&staff.id),
        "account ids must never appear in exports"
    );
    assert!(!csv.contains("staff@nhs.net"));
    assert_eq!(csv.lines().count(), 3);
    assert!(
        csv.contains(",false,settled,include,consensus,") || csv.contains(",false,open,,,"),
        "{csv}"
    );

    // The answers, one row each, with the contributor's project pseudonym.
    let answers = app
        .get(
            &format!("/v1/batches/{batch}/results?format=answers"),
            Some(&researcher.access_token),
        )
        .await
        .text()
        .await
        .unwrap();
    let mut rows = answers.lines();
    assert_eq!(
        rows.next(),
        Some("task_id,external_id,contributor,answered_at,counted,decision")
    );
    let row = rows.next().expect("one answer row");
    assert!(row.starts_with(&format!("{task},,c-")), "{row}");
    assert!(row.ends_with(",true,include"), "{row}");
    assert_eq!(rows.next(), None);
    assert!(!answers.contains(&staff.id));
}

#[tokio::test]
async fn uploads_beyond_the_budget_get_429_with_retry_after() {
    let app = TestApp::spawn_with(|settings| settings.upload_attempts = 2).await;
    let (researcher, project) = researcher_project(&app).await;
    for _ in 0..2 {
        let response = app
            .upload(
                &researcher,
                &project,
                screening_spec(),
                "a.csv",
                b"title\nx\n".to_vec(),
            )
            .await;
        expect_status(response, StatusCode::CREATED).await;
    }
    let response = app
        .upload(
            &researcher,
            &project,
            screening_spec(),
            "a.csv",
            b"title\nx\n".to_vec(),
        )
        .await;
    assert!(response.headers().contains_key("retry-after"));
    expect_problem(response, StatusCode::TOO_MANY_REQUESTS).await;
}

/// The `contributor` column of a batch's answer export.
async fn contributors(base: &str, token: &str, batch: &str) -> Vec<String> {
    let answers = reqwest::Client::new()
        .get(format!("{base}/v1/batches/{batch}/results?format=answers"))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .text()
        .await
        .expect("text");
    answers
        .lines()
        .skip(1)
        .map(|row| row.split(',').nth(2).unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn export_pseudonyms_survive_a_new_token_key() {
    let app = TestApp::spawn().await;
    let (researcher, batch, _, _) = one_answered(&app, 1).await;
    let before = contributors(&app.base, &researcher.access_token, &batch).await;
    assert_eq!(before.len(), 1);
    assert!(before[0].starts_with("c-"), "{before:?}");

    // The same store after the token key was replaced (everyone signs in again).
    let mut settings = tessera::config::Settings::for_tests(app.data_dir.path().to_path_buf());
    settings.signing_key = Some(app.data_dir.path().join("replaced-token.key"));
    let server = tessera::startup::Application::build(settings)
        .await
        .expect("app builds");
    let base = format!("http://{}", server.address());
    tokio::spawn(server.run_until_stopped());
    let login = reqwest::Client::new()
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({"email": researcher.email, "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .expect("sent");
    let tokens = expect_status(login, StatusCode::OK).await;
    let token = tokens["access_token"].as_str().expect("token");
    assert_eq!(contributors(&base, token, &batch).await, before);
}
