use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, expect_problem, expect_status, task_ids};

/// One task that needs exactly two answers and a 0.99 consensus: two
/// disagreeing answers send it to the resolver queue.
async fn escalated_task() -> (TestApp, Person, String, String, String) {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = app
        .screening_batch(
            &researcher,
            &project,
            1,
            json!({"min_answers": 2, "max_answers": 2, "target_confidence": 0.99}),
        )
        .await;
    let mut task = String::new();
    for (i, decision) in ["include", "exclude"].iter().enumerate() {
        let person = app.person(&format!("s{i}@nhs.net"), &[]).await;
        task = task_ids(&app.claim(&person, 5).await)[0].clone();
        let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": decision}}]);
        expect_status(app.answer(&person, answer).await, StatusCode::OK).await;
    }
    (app, researcher, project, batch, task)
}

#[tokio::test]
async fn a_split_task_reaches_the_resolver_queue_and_can_be_resolved() {
    let (app, researcher, project, batch, task) = escalated_task().await;
    let token = Some(researcher.access_token.as_str());
    let queue = expect_status(
        app.get(&format!("/v1/projects/{project}/resolver-queue"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    let entries = queue["tasks"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["task_id"], task);
    assert_eq!(entries[0]["answers"].as_array().unwrap().len(), 2);
    assert!(
        entries[0]["answers"][0]["contributor"]
            .as_str()
            .unwrap()
            .starts_with("c-")
    );

    let resolution =
        json!({"answer": {"decision": "include"}, "note": "Meets the criteria on full text."});
    let response = app
        .post(&format!("/v1/tasks/{task}/resolution"), &resolution, token)
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let queue = expect_status(
        app.get(&format!("/v1/projects/{project}/resolver-queue"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(queue["tasks"], json!([]));
    let results: Value = app
        .get(&format!("/v1/batches/{batch}/results"), token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results[0]["status"], "resolved");
    // The same per-question shape as a settled task, at certainty, and the
    // resolution beside it.
    assert_eq!(results[0]["consensus"][0]["question"], "decision");
    assert_eq!(results[0]["consensus"][0]["label"], "include");
    assert_eq!(results[0]["consensus"][0]["confidence"], 1.0);
    assert_eq!(results[0]["resolution"]["resolved_by"], "researcher");
    assert!(
        results[0]["content"]["title"].as_str().is_some(),
        "{results}"
    );
    assert_eq!(
        results[0]["resolution"]["note"],
        "Meets the criteria on full text."
    );
    let csv = app
        .get(&format!("/v1/batches/{batch}/results?format=csv"), token)
        .await
        .text()
        .await
        .unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains(",resolved,include,researcher,1,"),
        "the CSV keeps the researcher's decision: {row}"
    );
    assert!(
        row.ends_with(",Meets the criteria on full text."),
        "with the researcher's note: {row}"
    );
}

#[tokio::test]
async fn a_resolution_must_fit_the_task_kind() {
    let (app, researcher, _, _, task) = escalated_task().await;
    let response = app
        .post(
            &format!("/v1/tasks/{task}/resolution"),
            &json!({"answer": {"decision": "perhaps"}}),
            Some(&researcher.access_token),
        )
        .await;
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "answer.decision");
}

#[tokio::test]
async fn contributors_cannot_see_the_resolver_queue() {
    let (app, _, project, _, _) = escalated_task().await;
    let staff = app.person("nosy@nhs.net", &[]).await;
    let response = app
        .get(
            &format!("/v1/projects/{project}/resolver-queue"),
            Some(&staff.access_token),
        )
        .await;
    expect_problem(response, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn the_report_counts_shares_and_contributors() {
    let (app, researcher, project, batch, _) = escalated_task().await;
    let token = Some(researcher.access_token.as_str());
    tessera::jobs::reestimate_batch(app.store.as_ref(), uuid::Uuid::parse_str(&batch).unwrap())
        .await
        .unwrap();
    let report = expect_status(
        app.get(&format!("/v1/batches/{batch}/report"), token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["share_escalated"], 1.0);
    assert_eq!(report["share_settled"], 0.0);
    assert_eq!(report["contributors"].as_array().unwrap().len(), 2);
    assert!(
        report["contributors"][0]["estimated_accuracy"]
            .as_f64()
            .is_some(),
        "{report}"
    );
    // Two people disagreeing on one task is perfect disagreement.
    assert_eq!(report["fleiss_kappa"], -1.0, "{report}");
    let decision = &report["agreement"][0];
    assert_eq!(decision["question"], "decision", "{report}");
    assert_eq!(decision["fleiss_kappa"], -1.0, "{report}");
    assert_eq!(
        (
            &decision["tasks"],
            &decision["fleiss_tasks"],
            &decision["fleiss_raters"]
        ),
        (&json!(1), &json!(1), &json!(2)),
        "{report}"
    );
    assert!(
        report["krippendorff_alpha"].as_f64().unwrap() <= 0.0,
        "{report}"
    );

    let engagement = expect_status(
        app.get(&format!("/v1/projects/{project}/engagement"), token)
            .await,
        StatusCode::OK,
    )
    .await;
    // Two people are too few to show, even in total.
    assert_eq!(
        engagement,
        json!({"groups": [{"staff_group": "nursing_and_midwifery"}], "smallest_group_shown": 5})
    );
}

#[tokio::test]
async fn engagement_never_shows_a_group_under_five() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    app.screening_batch(
        &researcher,
        &project,
        20,
        json!({"min_answers": 20, "max_answers": 20}),
    )
    .await;
    // Six nurses, five doctors and one pharmacist answer one task each.
    let groups = [
        ("nursing_and_midwifery", 6),
        ("medical_and_dental", 5),
        ("pharmacy", 1),
    ];
    for (group, people) in groups {
        for i in 0..people {
            let person = app.person(&format!("{group}{i}@nhs.net"), &[]).await;
            let patch = app
                .client
                .patch(app.url("/v1/me"))
                .bearer_auth(&person.access_token)
                .json(&json!({"staff_group": group}))
                .send()
                .await
                .expect("sent");
            expect_status(patch, StatusCode::OK).await;
            let task = task_ids(&app.claim(&person, 5).await)[0].clone();
            let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"decision": "include"}}]);
            expect_status(app.answer(&person, answer).await, StatusCode::OK).await;
        }
    }
    let engagement = expect_status(
        app.get(
            &format!("/v1/projects/{project}/engagement"),
            Some(&researcher.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let shown: Vec<(String, Value)> = engagement["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["staff_group"].as_str().unwrap().to_owned(),
                g["contributors"].clone(),
            )
        })
        .collect();
    // The pharmacist is hidden, and so are the doctors (the smallest other
    // group): otherwise 12 - 6 - 5 would name the one pharmacist's count.
    assert!(
        shown.contains(&("nursing_and_midwifery".to_owned(), json!(6))),
        "{engagement}"
    );
    assert!(
        shown.contains(&("pharmacy".to_owned(), Value::Null)),
        "{engagement}"
    );
    assert!(
        shown.contains(&("medical_and_dental".to_owned(), Value::Null)),
        "{engagement}"
    );
    assert_eq!(engagement["contributors"], 12);
    for group in engagement["groups"].as_array().unwrap() {
        if let Some(people) = group["contributors"].as_u64() {
            assert!(people >= 5, "{engagement}");
        }
    }
}
