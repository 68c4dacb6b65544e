//! The PRISMA flow counts and the answers per day in a screening batch's report.

use reqwest::StatusCode;
use serde_json::json;
use tessera::domain::account::Role;

use crate::helpers::{TestApp, expect_status};

const RIS: &str = "TY  - JOUR\r\nTI  - Early mobilisation after hip fracture\r\nDO  - 10.1000/hip.1\r\nER  - \r\n\r\n\
TY  - JOUR\r\nTI  - Chlorhexidine bathing in intensive care\r\nDO  - 10.1000/icu.2\r\nER  - \r\n\r\n\
TY  - JOUR\r\nTI  - Hourly rounding and falls\r\nDO  - 10.1000/falls.3\r\nER  - \r\n\r\n\
TY  - JOUR\r\nTI  - Early mobilisation after hip fracture (again)\r\nDO  - https://doi.org/10.1000/HIP.1\r\nER  - \r\n";

#[tokio::test]
async fn a_screening_report_counts_the_prisma_flow_without_calling_undecided_records_excluded() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let spec = json!({
        "name": "Search", "kind": "screening",
        "settings": {"inclusion_criteria": "Randomised trials."},
        "min_answers": 1, "max_answers": 1, "target_confidence": 0.51, "gold_rate": 0.0
    });
    let created = expect_status(
        app.upload(&researcher, &project, spec, "search.ris", RIS.into())
            .await,
        StatusCode::CREATED,
    )
    .await;
    let batch = created["batch_id"].as_str().expect("batch").to_owned();

    let staff = app.person("staff@nhs.net", &[]).await;
    let session = app.claim(&staff, 5).await;
    let tasks = session["tasks"].as_array().expect("tasks");
    let pick = |title: &str| {
        tasks
            .iter()
            .find(|t| t["content"]["title"] == title)
            .map(|t| t["task_id"].clone())
            .expect("handed out")
    };
    let answers = json!([
        {"client_id": uuid::Uuid::new_v4(), "task_id": pick("Early mobilisation after hip fracture"), "answer": {"decision": "include"}},
        {"client_id": uuid::Uuid::new_v4(), "task_id": pick("Chlorhexidine bathing in intensive care"), "answer": {"decision": "exclude"}},
    ]);
    expect_status(app.answer(&staff, answers).await, StatusCode::OK).await;

    let report = expect_status(
        app.get(
            &format!("/v1/batches/{batch}/report"),
            Some(&researcher.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        report["prisma"],
        json!({
            "records_identified": 4,
            "duplicates_removed": 1,
            "records_screened": 2,
            "included": 1,
            "excluded": 1,
            "unsure": 0,
            "awaiting_decision": 1
        }),
        "{report}"
    );
    // Progress over time: today's two answers.
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(
        report["answers_by_day"],
        json!([{"day": today, "answers": 2}]),
        "{report}"
    );
}
