//! Screening results exported as RIS, for importing back into a reference
//! manager: the original records, each with the batch's final decision.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, expect_problem, expect_status};

/// Four records as a reference manager exports them: wrapped abstracts,
/// tags Tessera does not read (VL, SP, UR, SN), and a keyword and note of the
/// researcher's own. `.ci/ris-reimport` checks the export of this file with
/// a third-party RIS reader, so keep the two in step.
const UPLOAD: &str = "TY  - JOUR\r
TI  - Early mobilisation after hip fracture\r
AU  - Smith, Jane\r
AU  - Ng, Lee\r
AB  - Background: falls are common.\r
  Methods: a randomised trial in three\r
  hospitals.\r
T2  - Age and Ageing\r
PY  - 2019\r
VL  - 48\r
SP  - 101\r
DO  - 10.1000/abc.1\r
UR  - https://example.org/mobilisation\r
KW  - falls\r
N1  - From the Ovid search\r
ER  - \r
\r
TY  - JOUR\r
TI  - Chlorhexidine bathing in intensive care\r
AU  - Renée, Marie\r
AB  - A cluster randomised trial of daily bathing.\r
PY  - 2021///\r
SN  - 1234-5678\r
DO  - 10.1000/cc.2\r
ER  - \r
\r
TY  - CHAP\r
TI  - Sleep after surgery: a cohort study\r
AU  - Diaz, M.\r
AB  - Patients slept less on the ward.\r
DO  - 10.1000/anae.3\r
ER  - \r
\r
TY  - JOUR\r
TI  - Vitamin D and falls in care homes\r
AU  - O'Brien, Siobhan\r
AB  - A pragmatic trial.\r
DO  - 10.1000/vd.4\r
ER  - \r
";

fn spec() -> Value {
    // One answer settles a task, so the test controls every outcome.
    json!({
        "name": "Falls review", "kind": "screening",
        "settings": {"inclusion_criteria": "RCTs in adults."},
        "min_answers": 1, "max_answers": 1, "target_confidence": 0.51, "gold_rate": 0.0
    })
}

/// A batch uploaded from [`UPLOAD`] where the crowd included the first
/// paper and excluded the second, the researcher excluded the third, and
/// the fourth is still open.
async fn decided_batch() -> (TestApp, Person, String) {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = upload(&app, &researcher, &project, UPLOAD).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let session = app.claim(&staff, 5).await;
    let task = |title: &str| {
        session["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|task| task["content"]["title"].as_str() == Some(title))
            .map(|task| task["task_id"].clone())
            .expect("the task was handed out")
    };
    let answers = json!([
        {"client_id": uuid::Uuid::new_v4(), "task_id": task("Early mobilisation after hip fracture"),
         "answer": {"decision": "include"}},
        {"client_id": uuid::Uuid::new_v4(), "task_id": task("Chlorhexidine bathing in intensive care"),
         "answer": {"decision": "exclude"}},
    ]);
    expect_status(app.answer(&staff, answers).await, StatusCode::OK).await;
    let resolution =
        json!({"answer": {"decision": "exclude"}, "note": "Not randomised,\non full text."});
    let response = app
        .post(
            &format!(
                "/v1/tasks/{}/resolution",
                task("Sleep after surgery: a cohort study")
                    .as_str()
                    .unwrap()
            ),
            &resolution,
            Some(&researcher.access_token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    (app, researcher, batch)
}

async fn upload(app: &TestApp, researcher: &Person, project: &str, ris: &str) -> String {
    let response = app
        .upload(researcher, project, spec(), "search.ris", ris.into())
        .await;
    let created = expect_status(response, StatusCode::CREATED).await;
    created["batch_id"].as_str().expect("batch id").to_owned()
}

/// The export at `query`, checking its status and content type.
async fn export(app: &TestApp, researcher: &Person, batch: &str, query: &str) -> String {
    let response = app
        .get(
            &format!("/v1/batches/{batch}/results?{query}"),
            Some(&researcher.access_token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.expect("body");
    if query.contains("format=ris") {
        assert_eq!(content_type, "application/x-research-info-systems");
    }
    body
}

/// The export's records, each as its lines.
fn records(ris: &str) -> Vec<Vec<&str>> {
    ris.split_terminator("ER  - \r\n\r\n")
        .map(|record| record.split_terminator("\r\n").collect())
        .collect()
}

#[tokio::test]
async fn a_ris_export_gives_back_every_original_tag_with_the_final_decision() {
    let (app, researcher, batch) = decided_batch().await;
    let ris = export(&app, &researcher, &batch, "format=ris").await;
    // CI reads this file with a third-party RIS parser (.ci/ris-reimport).
    if let Some(out) = std::env::var_os("TESSERA_RIS_OUT") {
        std::fs::write(out, &ris).expect("RIS export written");
    }
    assert!(ris.ends_with("ER  - \r\n\r\n"), "{ris:?}");
    assert!(!ris.replace("\r\n", "").contains(['\r', '\n']), "{ris:?}");
    let records = records(&ris);
    assert_eq!(records.len(), 4, "{ris}");
    let by_title = |title: &str| {
        records
            .iter()
            .find(|lines| lines.contains(&format!("TI  - {title}").as_str()))
            .unwrap_or_else(|| panic!("no record titled {title}: {ris}"))
    };
    let mobilisation = by_title("Early mobilisation after hip fracture");
    assert_eq!(
        mobilisation[..14],
        [
            "TY  - JOUR",
            "TI  - Early mobilisation after hip fracture",
            "AU  - Smith, Jane",
            "AU  - Ng, Lee",
            "AB  - Background: falls are common. Methods: a randomised trial in three hospitals.",
            "T2  - Age and Ageing",
            "PY  - 2019",
            "VL  - 48",
            "SP  - 101",
            "DO  - 10.1000/abc.1",
            "UR  - https://example.org/mobilisation",
            "KW  - falls",
            "N1  - From the Ovid search",
            "KW  - tessera:include",
        ]
    );
    assert_eq!(mobilisation.len(), 15, "{mobilisation:?}");
    assert!(
        mobilisation[14].starts_with("N1  - Tessera decision: include (consensus, confidence 0."),
        "{mobilisation:?}"
    );
    let chlorhexidine = by_title("Chlorhexidine bathing in intensive care");
    assert!(
        chlorhexidine.contains(&"PY  - 2021///"),
        "{chlorhexidine:?}"
    );
    assert!(
        chlorhexidine.contains(&"SN  - 1234-5678"),
        "{chlorhexidine:?}"
    );
    assert!(chlorhexidine.contains(&"KW  - tessera:exclude"));
    let sleep = by_title("Sleep after surgery: a cohort study");
    assert_eq!(sleep[0], "TY  - CHAP");
    assert_eq!(
        sleep[sleep.len() - 2..],
        [
            "KW  - tessera:exclude",
            "N1  - Tessera decision: exclude (researcher's resolution: Not randomised, on full text.)",
        ]
    );
    let vitamin = by_title("Vitamin D and falls in care homes");
    assert_eq!(
        vitamin[vitamin.len() - 2..],
        [
            "KW  - tessera:undecided",
            "N1  - Tessera decision: undecided (still collecting answers)",
        ]
    );
}

#[tokio::test]
async fn the_decision_filter_keeps_only_those_tasks_in_ris_csv_and_json() {
    let (app, researcher, batch) = decided_batch().await;
    let included = export(&app, &researcher, &batch, "format=ris&decision=include").await;
    let titles: Vec<&str> = included
        .lines()
        .filter_map(|line| line.strip_prefix("TI  - "))
        .collect();
    assert_eq!(titles, ["Early mobilisation after hip fracture"]);

    let excluded = export(&app, &researcher, &batch, "format=csv&decision=exclude").await;
    // Rows end in CRLF; a resolution note may hold a bare line break
    // inside its quoted cell.
    let rows: Vec<&str> = excluded.split_terminator("\r\n").collect();
    assert_eq!(rows.len(), 3, "a header and two rows: {excluded}");
    assert!(
        rows[0].starts_with("task_id,external_id,title,"),
        "{excluded}"
    );
    assert!(excluded.contains(",Chlorhexidine bathing in intensive care,"));
    assert!(excluded.contains(",Sleep after surgery: a cohort study,"));

    let undecided = export(&app, &researcher, &batch, "format=json&decision=undecided").await;
    let undecided: Value = serde_json::from_str(&undecided).expect("JSON");
    assert_eq!(
        undecided.as_array().map(|rows| rows.len()),
        Some(1),
        "{undecided}"
    );
    assert_eq!(
        undecided[0]["content"]["title"],
        "Vitamin D and falls in care homes"
    );
    let unsure = export(&app, &researcher, &batch, "format=ris&decision=unsure").await;
    assert_eq!(unsure, "");
}

#[tokio::test]
async fn a_re_imported_export_exports_again_with_one_tessera_decision() {
    let (app, researcher, batch) = decided_batch().await;
    let first = export(&app, &researcher, &batch, "format=ris").await;
    let project = app.live_project(&researcher).await;
    let again = upload(&app, &researcher, &project, &first).await;
    let second = export(&app, &researcher, &again, "format=ris").await;
    let records = records(&second);
    assert_eq!(records.len(), 4, "{second}");
    for lines in &records {
        let decisions = lines
            .iter()
            .filter(|line| line.starts_with("KW  - tessera:"))
            .count();
        let notes = lines
            .iter()
            .filter(|line| line.starts_with("N1  - Tessera decision:"))
            .count();
        assert_eq!((decisions, notes), (1, 1), "{lines:?}");
    }
    // The new batch has no answers yet; the researcher's own lines stay.
    assert_eq!(second.matches("KW  - tessera:undecided").count(), 4);
    assert!(second.contains("KW  - falls\r\nN1  - From the Ovid search\r\n"));
}

#[tokio::test]
async fn contributors_never_see_the_original_record_and_csv_keeps_its_columns() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let batch = upload(&app, &researcher, &project, UPLOAD).await;
    let staff = app.person("staff@nhs.net", &[]).await;
    let session = app.claim(&staff, 5).await;
    let tasks = session["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 4, "{session}");
    for task in tasks {
        assert!(task["content"]["title"].is_string(), "{task}");
        assert_eq!(task["content"].get("ris"), None, "{task}");
    }
    // The researcher's JSON export keeps the record; the CSV keeps the
    // upload columns and nothing else.
    let json: Value =
        serde_json::from_str(&export(&app, &researcher, &batch, "format=json").await).unwrap();
    assert_eq!(json[0]["content"]["ris"][0], json!(["TY", "JOUR"]));
    let csv = export(&app, &researcher, &batch, "format=csv").await;
    assert_eq!(
        csv.lines().next(),
        Some(
            "task_id,external_id,title,abstract,authors,journal,year,doi,pmid,\
             gold,status,decision,decided_by,confidence,answer_count,resolution_note"
        )
    );
    assert!(!csv.contains("From the Ovid search"), "{csv}");
}

#[tokio::test]
async fn a_csv_batch_exports_as_ris_from_its_content_without_gold_tasks() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let csv = "id,title,abstract,authors,journal,year,doi,pmid,gold_answer,gold_explanation\n\
        ref-1,Hip protectors in care homes,A cluster trial.,Okafor A; Ng L,BMJ,2020,10.1000/hp.1,31452104,,\n\
        gold-1,A known exclusion,Not a trial.,,,,,,exclude,A narrative review\n";
    let response = app
        .upload(&researcher, &project, spec(), "tasks.csv", csv.into())
        .await;
    let created = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(created["gold_tasks"], 1);
    let batch = created["batch_id"].as_str().unwrap();
    let ris = export(&app, &researcher, batch, "format=ris").await;
    assert_eq!(
        records(&ris),
        [[
            "TY  - JOUR",
            "TI  - Hip protectors in care homes",
            "AB  - A cluster trial.",
            "AU  - Okafor A",
            "AU  - Ng L",
            "T2  - BMJ",
            "PY  - 2020",
            "DO  - 10.1000/hp.1",
            "AN  - 31452104",
            "ID  - ref-1",
            "KW  - tessera:undecided",
            "N1  - Tessera decision: undecided (still collecting answers)",
        ]]
    );
}

#[tokio::test]
async fn ris_and_decisions_are_refused_outside_screening_and_bad_values_named() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let spec = json!({"name": "Survey", "kind": "coding", "settings": {"codes": [
        {"code": "staffing", "description": "Staffing"},
        {"code": "equipment", "description": "Kit"}], "multiple": false}});
    let response = app
        .upload(
            &researcher,
            &project,
            spec,
            "survey.csv",
            b"text\nShort staffed\n".to_vec(),
        )
        .await;
    let batch = expect_status(response, StatusCode::CREATED).await["batch_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = Some(researcher.access_token.as_str());
    for (query, field) in [
        ("format=ris", "format"),
        ("format=csv&decision=include", "decision"),
    ] {
        let response = app
            .get(&format!("/v1/batches/{batch}/results?{query}"), token)
            .await;
        let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains("coding"),
            "{problem}"
        );
    }
    let response = app
        .get(
            &format!("/v1/batches/{batch}/results?decision=maybe"),
            token,
        )
        .await;
    expect_problem(response, StatusCode::BAD_REQUEST).await;
}
