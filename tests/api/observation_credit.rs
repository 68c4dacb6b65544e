//! Credit for logging observations: measured by the server, credited once
//! per `client_id`, and kept apart from verifying on credits and
//! certificates.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::credits::support::{age_credits, app, backdate};
use crate::helpers::{Person, expect_status};
use crate::observation_photos::{jpeg, quadrants};
use crate::ward::{Ward, handwash};

/// 15 s for the form, 5 s for the choice, 3 s for yes/no, 8 s for the number.
const HANDWASH_SECONDS: u64 = 15 + 5 + 3 + 8;
/// A photo adds 20 s.
const PHOTO_SECONDS: u64 = 20;

async fn credits(ward: &Ward, person: &Person) -> Value {
    let response = ward
        .app
        .get("/v1/me/credits", Some(&person.access_token))
        .await;
    expect_status(response, StatusCode::OK).await
}

#[tokio::test]
async fn logging_an_observation_is_credited_once_whatever_the_retries() {
    let ward = Ward::open().await;
    let with_photo = handwash(uuid::Uuid::new_v4());
    let photo = || Some(("ward.jpg", jpeg(&quadrants(64, 48))));
    let first = expect_status(
        ward.log(&ward.observer, &with_photo, photo()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(first["credited_seconds"], HANDWASH_SECONDS + PHOTO_SECONDS);
    let plain = expect_status(
        ward.log(&ward.observer, &handwash(uuid::Uuid::new_v4()), None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(plain["credited_seconds"], HANDWASH_SECONDS);
    for _ in 0..2 {
        let retried = expect_status(
            ward.log(&ward.observer, &with_photo, photo()).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(retried["credited_seconds"], first["credited_seconds"]);
    }

    let total = 2 * HANDWASH_SECONDS + PHOTO_SECONDS;
    let mine = credits(&ward, &ward.observer).await;
    assert_eq!(mine["total"]["credited_seconds"], total, "{mine}");
    assert_eq!(
        mine["total"]["answers"], 2,
        "one per observation, not per retry"
    );
    assert_eq!(
        mine["by_kind"],
        json!([{
            "kind": "observation_logging", "label": "observation logging",
            "answers": 2, "credited_seconds": total, "credited_hours": "0.02",
            "marked_answers": 0, "marked_seconds": 0
        }])
    );
    assert_eq!(mine["by_project"][0]["project_id"], ward.project.as_str());
    assert_eq!(
        mine["streak"]["active_days"], 1,
        "logging makes a day active"
    );

    // Nobody else was credited for it.
    let researcher = credits(&ward, &ward.researcher).await;
    assert_eq!(researcher["total"]["credited_seconds"], 0);
}

#[tokio::test]
async fn certificates_list_logging_as_observation_logging_and_verifying_as_verification() {
    let ward = Ward::in_app(app().await).await;
    let nurse = &ward.observer;
    expect_status(
        ward.log(nurse, &handwash(uuid::Uuid::new_v4()), None).await,
        StatusCode::CREATED,
    )
    .await;
    // A colleague logs one that the nurse then verifies.
    let colleague = ward.app.person("colleague@nhs.net", &[]).await;
    let theirs = expect_status(
        ward.log(&colleague, &handwash(uuid::Uuid::new_v4()), None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let task = theirs["task_id"].as_str().expect("task id");
    let session = ward.app.claim(nurse, 5).await;
    assert!(
        crate::helpers::task_ids(&session)
            .iter()
            .any(|id| id == task),
        "the colleague's observation is handed to the nurse"
    );
    backdate(&ward.app, nurse, 600);
    let verdict = json!([{
        "client_id": uuid::Uuid::new_v4(), "task_id": task,
        "answer": {"verdict": "confirm"}, "seconds_spent": 40
    }]);
    let answered = expect_status(ward.app.answer(nurse, verdict).await, StatusCode::OK).await;
    let verified_seconds = answered["results"][0]["credited_seconds"]
        .as_u64()
        .expect("credited seconds");
    assert!(verified_seconds > 0, "{answered}");

    let kinds: Vec<(String, String)> = credits(&ward, nurse).await["by_kind"]
        .as_array()
        .expect("by kind")
        .iter()
        .map(|kind| (kind["kind"].to_string(), kind["label"].to_string()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("\"observation\"".into(), "\"verification\"".into()),
            (
                "\"observation_logging\"".into(),
                "\"observation logging\"".into()
            ),
        ]
    );

    age_credits(&ward.app, nurse, 1);
    let today = Utc::now().date_naive();
    let period = json!({"from": today - TimeDelta::days(7), "to": today - TimeDelta::days(1)});
    let certificate = expect_status(
        ward.app
            .post("/v1/me/certificates", &period, Some(&nurse.access_token))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let content = &certificate["content"];
    let rows: Vec<(&str, u64, u64)> = content["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .map(|row| {
            (
                row["task_kind"].as_str().expect("kind"),
                row["answers"].as_u64().expect("answers"),
                row["credited_seconds"].as_u64().expect("seconds"),
            )
        })
        .collect();
    let mut rows = rows;
    rows.sort_unstable();
    assert_eq!(
        rows,
        [
            ("observation_logging", 1, HANDWASH_SECONDS),
            ("verification", 1, verified_seconds),
        ]
    );
    let description = content["activity_description"].as_str().expect("text");
    assert!(
        description.contains("observation logging (recording")
            && description.contains("verification (checking observations logged by other staff"),
        "{description}"
    );
    assert_eq!(
        content["totals"]["credited_seconds"],
        HANDWASH_SECONDS + verified_seconds
    );
    // The colleague's certificate would hold their logging, not the nurse's verdict.
    let colleague_credits = credits(&ward, &colleague).await;
    assert_eq!(
        colleague_credits["total"]["credited_seconds"],
        HANDWASH_SECONDS
    );
}

#[tokio::test]
async fn a_loggers_export_lists_their_observations_with_photo_and_credit() {
    let ward = Ward::open().await;
    let with_photo = uuid::Uuid::new_v4();
    let photo = Some(("ward.jpg", jpeg(&quadrants(64, 48))));
    ward.log(&ward.observer, &handwash(with_photo), photo).await;
    let plain = uuid::Uuid::new_v4();
    ward.log(&ward.observer, &handwash(plain), None).await;

    let export = expect_status(
        ward.app
            .get("/v1/me/export", Some(&ward.observer.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    let logged = export["observations"].as_array().expect("observations");
    assert_eq!(logged.len(), 2, "{export}");
    assert_eq!(logged[0]["client_id"], with_photo.to_string());
    assert_eq!(logged[0]["photo_attached"], true);
    assert_eq!(
        logged[0]["credited_seconds"],
        HANDWASH_SECONDS + PHOTO_SECONDS
    );
    assert_eq!(logged[0]["observation"]["moment"], "before patient contact");
    assert_eq!(logged[0]["project_id"], ward.project.as_str());
    assert_eq!(logged[1]["client_id"], plain.to_string());
    assert_eq!(logged[1]["photo_attached"], false);

    // Someone else's export does not list them.
    let theirs = expect_status(
        ward.app
            .get("/v1/me/export", Some(&ward.researcher.access_token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["observations"], json!([]));
}
