//! Observation logging: form validation, idempotency, verification by
//! peers through ordinary sessions, and who may see an observation's photo.

use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};
use tessera::domain::account::Role;

use crate::helpers::{expect_problem, expect_status, task_ids};
use crate::observation_photos::{jpeg, quadrants};
use crate::ward::{Ward, handwash};

#[tokio::test]
async fn an_observation_becomes_a_verification_task_that_settles_as_verified() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    let logged = expect_status(
        ward.log(&ward.observer, &handwash(client_id), None).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(logged["verification"], "pending");
    assert_eq!(logged["batch_id"], ward.batch.as_str());
    assert_eq!(
        logged["values"],
        json!({"moment": "before patient contact", "performed": true, "seconds": 20})
    );
    let task = logged["task_id"].as_str().expect("task id").to_owned();
    assert_eq!(ward.tasks_in_batch().await, 2);

    let own = ward.app.claim(&ward.observer, 5).await;
    assert!(
        !task_ids(&own).contains(&task),
        "the observer was handed their own observation"
    );

    for (i, expected) in ["pending", "pending", "verified"].into_iter().enumerate() {
        let shown = ward
            .verify(&format!("verifier{i}@nhs.net"), &task, "confirm")
            .await;
        assert_eq!(shown["kind"], "observation");
        assert_eq!(shown["content"]["observation"], logged["values"]);
        let again = expect_status(
            ward.log(&ward.observer, &handwash(client_id), None).await,
            StatusCode::OK,
        )
        .await;
        assert_eq!(again["verification"], expected, "after {} verdicts", i + 1);
    }

    let results = ward.batch_view("/results?format=json").await;
    let row = results
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["task_id"] == task.as_str())
        .expect("the observation's task is in the results")
        .clone();
    assert_eq!(row["status"], "settled");
    assert_eq!(row["consensus"][0]["label"], "confirm");
    assert_eq!(row["answer_count"], 3);
}

#[tokio::test]
async fn an_observation_the_crowd_rejects_is_disputed() {
    let ward = Ward::open().await;
    let observation = handwash(uuid::Uuid::new_v4());
    let logged = expect_status(
        ward.log(&ward.observer, &observation, None).await,
        StatusCode::CREATED,
    )
    .await;
    let task = logged["task_id"].as_str().expect("task id");
    for i in 0..3 {
        ward.verify(&format!("sceptic{i}@nhs.net"), task, "reject")
            .await;
    }
    let again = expect_status(
        ward.log(&ward.observer, &observation, None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["verification"], "disputed");
}

#[tokio::test]
async fn a_retried_observation_is_stored_once() {
    let ward = Ward::open().await;
    let observation = handwash(uuid::Uuid::new_v4());
    let photo = || Some(("ward.jpg", jpeg(&quadrants(640, 320))));
    let first = expect_status(
        ward.log(&ward.observer, &observation, photo()).await,
        StatusCode::CREATED,
    )
    .await;
    let second = expect_status(
        ward.log(&ward.observer, &observation, photo()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(first, second);
    assert!(first["media_id"].is_string());
    assert_eq!(ward.tasks_in_batch().await, 2);
    assert_eq!(ward.media_files().len(), 2, "one display and one thumbnail");

    let stranger = ward.app.person("stranger@nhs.net", &[]).await;
    let stolen = ward.log(&stranger, &observation, None).await;
    expect_problem(stolen, StatusCode::CONFLICT).await;
    assert_eq!(ward.tasks_in_batch().await, 2);
}

#[tokio::test]
async fn values_that_do_not_fit_the_form_are_rejected_naming_the_field() {
    let ward = Ward::open().await;
    let cases = [
        (
            json!({"moment": "before patient contact", "performed": true, "seconds": 500}),
            "values.seconds",
        ),
        (
            json!({"moment": "before patient contact"}),
            "values.performed",
        ),
        (
            json!({"moment": "during lunch", "performed": true}),
            "values.moment",
        ),
    ];
    for (values, field) in cases {
        let body = json!({"client_id": uuid::Uuid::new_v4(), "values": values});
        let problem = expect_problem(
            ward.log(&ward.observer, &body, None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let elsewhere = json!({"client_id": uuid::Uuid::new_v4(), "batch_id": uuid::Uuid::new_v4(),
        "values": {"moment": "before patient contact", "performed": true}});
    let problem = expect_problem(
        ward.log(&ward.observer, &elsewhere, None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "batch_id");
    assert_eq!(ward.tasks_in_batch().await, 1);
}

#[tokio::test]
async fn a_photo_is_shown_only_to_the_people_who_need_it() {
    let ward = Ward::open().await;
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(uuid::Uuid::new_v4()),
            Some(("ward.jpg", jpeg(&quadrants(600, 300)))),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = logged["media_id"].as_str().expect("media id");
    let path = format!("/v1/media/{media}?size=thumb");

    let unrelated = ward.app.person("porter@nhs.net", &[]).await;
    let hidden = expect_problem(ward.media(&unrelated, &path).await, StatusCode::NOT_FOUND).await;
    let missing = expect_problem(
        ward.media(
            &unrelated,
            &format!("/v1/media/{}?size=thumb", uuid::Uuid::new_v4()),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        hidden, missing,
        "a hidden photo must look like a missing one"
    );
    assert_eq!(
        ward.app.get(&path, None).await.status(),
        StatusCode::UNAUTHORIZED
    );

    let researcher = ward.media(&ward.researcher, &path).await;
    assert_eq!(researcher.status(), StatusCode::OK);
    let header = |name: &str| {
        researcher
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let etag = header("etag");
    assert_eq!(header("content-type"), "image/jpeg");
    assert_eq!(header("cache-control"), "private, max-age=86400, immutable");
    let bytes = researcher.bytes().await.expect("thumb");
    let thumb = image::load_from_memory(&bytes).expect("a real image");
    assert_eq!((thumb.width(), thumb.height()), (320, 160));
    let sha = format!("\"{}\"", hex::encode(Sha256::digest(&bytes)));
    assert_eq!(etag, sha, "the ETag is the SHA-256 of the bytes");

    let revalidated = ward
        .app
        .client
        .get(ward.app.url(&path))
        .bearer_auth(&ward.researcher.access_token)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("sent");
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

    let uploader = ward.media(&ward.observer, &path).await;
    assert_eq!(uploader.status(), StatusCode::OK);

    let verifier = ward.app.person("verifier@nhs.net", &[]).await;
    let session = ward.app.claim(&verifier, 5).await;
    let shown = session["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .any(|task| task["content"]["media_id"] == media);
    assert!(shown, "the verifier's bundle carries the photo");
    let leased = ward.media(&verifier, &path).await;
    assert_eq!(leased.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_observer_cannot_verify_their_own_observation() {
    let ward = Ward::open().await;
    let logged = expect_status(
        ward.log(&ward.observer, &handwash(uuid::Uuid::new_v4()), None)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let verdict = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": logged["task_id"], "answer": {"verdict": "confirm"}}]);
    let problem = expect_problem(
        ward.app.answer(&ward.observer, verdict).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("You logged this observation"),
        "{problem}"
    );
}

#[tokio::test]
async fn the_observation_export_has_its_values_and_a_photo_link_only_researchers_open() {
    let ward = Ward::open().await;
    let photo = jpeg(&quadrants(64, 48));
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(uuid::Uuid::new_v4()),
            Some(("IMG_0002.jpg", photo)),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = logged["media_id"].as_str().expect("media id");

    let csv = ward
        .app
        .get(
            &format!("/v1/batches/{}/results?format=csv", ward.batch),
            Some(&ward.researcher.access_token),
        )
        .await
        .text()
        .await
        .unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "task_id,external_id,moment,performed,seconds,photo,observer,observed_at,\
             gold,status,verdict,decided_by,confidence,answer_count,resolution_note"
        )
    );
    let link = format!("/v1/media/{media}");
    let row = csv
        .lines()
        .find(|line| line.contains(&link))
        .unwrap_or_else(|| panic!("a row links the photo: {csv}"));
    assert!(
        row.contains(",before patient contact,true,20,/v1/media/"),
        "{row}"
    );
    // Who logged it, by project pseudonym only, and when.
    assert!(row.contains(&format!("{link},c-")), "{row}");
    assert!(!csv.contains(&ward.observer.id), "never the account id");
    // The seeded observation (uploaded, not logged) has no observer.
    let seeded = csv.lines().nth(1).expect("the seed row");
    assert!(
        seeded.contains(",after patient contact,false,,,,,"),
        "{seeded}"
    );

    // The link opens for the project's researcher, and for nobody outside it.
    let opened = ward.media(&ward.researcher, &link).await;
    assert_eq!(opened.status(), StatusCode::OK);
    let stranger = ward.app.person("stranger@nhs.net", &[]).await;
    assert_eq!(
        ward.media(&stranger, &link).await.status(),
        StatusCode::NOT_FOUND
    );
    let other_researcher = ward
        .app
        .person("other.researcher@nhs.net", &[Role::Researcher])
        .await;
    assert_eq!(
        ward.media(&other_researcher, &link).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_observation_form_is_created_without_a_file_and_then_logged_on() {
    let app = crate::helpers::TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let spec = json!({
        "name": "Falls huddles",
        "kind": "observation",
        "settings": {"fields": [
            {"name": "ward", "label": "Ward", "type": "short_text", "required": true}
        ]}
    });
    let form = reqwest::multipart::Form::new().text("spec", spec.to_string());
    let response = app
        .client
        .post(app.url(&format!("/v1/projects/{project}/batches")))
        .bearer_auth(&researcher.access_token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let created = expect_status(response, StatusCode::CREATED).await;
    assert_eq!(created["tasks_stored"], 0);
    let batch = created["batch_id"].as_str().expect("batch id");

    let nurse = app.person("nurse@nhs.net", &[]).await;
    let observation =
        json!({"client_id": uuid::Uuid::new_v4(), "batch_id": batch, "values": {"ward": "7B"}});
    let form = reqwest::multipart::Form::new().text("observation", observation.to_string());
    let logged = app
        .client
        .post(app.url(&format!("/v1/projects/{project}/observations")))
        .bearer_auth(&nurse.access_token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    expect_status(logged, StatusCode::CREATED).await;

    // Other kinds still need their tasks.
    let screening =
        json!({"name": "x", "kind": "screening", "settings": {"inclusion_criteria": "RCTs"}});
    let form = reqwest::multipart::Form::new().text("spec", screening.to_string());
    let response = app
        .client
        .post(app.url(&format!("/v1/projects/{project}/batches")))
        .bearer_auth(&researcher.access_token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    let problem = expect_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "file", "{problem}");
}
