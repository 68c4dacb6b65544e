//! A photo sent after its observation, as a phone on ward Wi-Fi does: the
//! JSON first, then `PUT .../observations/{client_id}/photo`, repeated until
//! it gets an answer. The photo ends up exactly where one sent with the
//! observation would: one media record, in the task verifiers are handed.

use reqwest::StatusCode;
use serde_json::Value;

use crate::credits::support::database;
use crate::helpers::{expect_problem, expect_status};
use crate::observation_photos::{bad_photos, jpeg, quadrants};
use crate::ward::{Ward, handwash};

/// Rows in the media table.
fn media_rows(ward: &Ward) -> i64 {
    database(&ward.app)
        .query_row("SELECT COUNT(*) FROM media", [], |row| row.get(0))
        .expect("media rows")
}

/// The ward's observer logs an observation without a photo.
async fn logged_without_photo(ward: &Ward, client_id: uuid::Uuid) -> Value {
    let logged = expect_status(
        ward.log(&ward.observer, &handwash(client_id), None).await,
        StatusCode::CREATED,
    )
    .await;
    assert!(logged.get("media_id").is_none(), "no photo yet: {logged}");
    logged
}

/// The task in `session` with this id.
fn task<'a>(session: &'a Value, task_id: &Value) -> Option<&'a Value> {
    session["tasks"]
        .as_array()?
        .iter()
        .find(|task| &task["task_id"] == task_id)
}

#[tokio::test]
async fn a_photo_sent_after_its_observation_is_stored_once_and_shown_to_its_verifiers() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    let logged = logged_without_photo(&ward, client_id).await;

    // Handed out before the photo arrives: the lease is what opens it.
    let early = ward.app.person("early@nhs.net", &[]).await;
    let session = ward.app.claim(&early, 5).await;
    let shown = task(&session, &logged["task_id"]).expect("the observation is handed out");
    assert!(shown["content"].get("media_id").is_none());

    let photo = jpeg(&quadrants(2000, 1000));
    let attached = expect_status(
        ward.attach(
            &ward.observer,
            None,
            client_id,
            ("later.jpg", photo.clone()),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = attached["media_id"]
        .as_str()
        .expect("a media id")
        .to_owned();
    for same in ["client_id", "task_id", "project_id", "batch_id", "values"] {
        assert_eq!(attached[same], logged[same], "{same} is the observation's");
    }
    assert_eq!(
        attached["credited_seconds"], logged["credited_seconds"],
        "credit was fixed when it was logged"
    );

    let retried = expect_status(
        ward.attach(&ward.observer, None, client_id, ("later.jpg", photo))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(retried["media_id"], attached["media_id"]);
    assert_eq!(media_rows(&ward), 1, "a retry stores no second record");
    assert_eq!(
        ward.media_files().len(),
        2,
        "one display file, one thumbnail"
    );
    let replayed = expect_status(
        ward.log(&ward.observer, &handwash(client_id), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(replayed["media_id"], attached["media_id"]);

    let path = format!("/v1/media/{media}?size=display");
    let display = ward.media(&early, &path).await;
    assert_eq!(
        display.status(),
        StatusCode::OK,
        "the early verifier sees it"
    );
    let image =
        image::load_from_memory(&display.bytes().await.expect("bytes")).expect("a real image");
    assert_eq!((image.width(), image.height()), (1280, 640));

    let later = ward.app.person("later@nhs.net", &[]).await;
    let session = ward.app.claim(&later, 5).await;
    let shown = task(&session, &logged["task_id"]).expect("handed out again");
    assert_eq!(shown["content"]["media_id"], media.as_str());
    assert_eq!(shown["content"]["observation"], logged["values"]);
    assert_eq!(ward.media(&later, &path).await.status(), StatusCode::OK);

    let bystander = ward.app.person("bystander@nhs.net", &[]).await;
    assert_eq!(
        ward.media(&bystander, &path).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn only_the_observer_can_attach_a_photo_to_their_observation() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    logged_without_photo(&ward, client_id).await;
    let photo = || ("p.jpg", jpeg(&quadrants(64, 64)));

    let someone = ward.app.person("someone@nhs.net", &[]).await;
    let other_project = ward.app.live_project(&ward.researcher).await;
    let attempts = [
        ("someone else", &someone, None, client_id),
        (
            "the project's researcher",
            &ward.researcher,
            None,
            client_id,
        ),
        (
            "another project",
            &ward.observer,
            Some(other_project.as_str()),
            client_id,
        ),
        (
            "an unknown client_id",
            &ward.observer,
            None,
            uuid::Uuid::new_v4(),
        ),
    ];
    for (what, person, project, id) in attempts {
        let response = ward.attach(person, project, id, photo()).await;
        let problem = expect_problem(response, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["status"], 404, "{what}: {problem}");
    }
    assert_eq!(media_rows(&ward), 0);
    assert!(ward.media_files().is_empty());

    expect_status(
        ward.attach(&ward.observer, None, client_id, photo()).await,
        StatusCode::CREATED,
    )
    .await;
}

#[tokio::test]
async fn an_observation_keeps_the_photo_it_was_sent_with() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    let photo = jpeg(&quadrants(640, 320));
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(client_id),
            Some(("with.jpg", photo.clone())),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;

    let again = expect_status(
        ward.attach(&ward.observer, None, client_id, ("with.jpg", photo))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        again["media_id"], logged["media_id"],
        "the same photo is a retry"
    );

    let other = jpeg(&quadrants(320, 640));
    let problem = expect_problem(
        ward.attach(&ward.observer, None, client_id, ("other.jpg", other))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("photo"))
    );
    assert_eq!(media_rows(&ward), 1);
    assert_eq!(ward.media_files().len(), 2);
}

#[tokio::test]
async fn a_bad_photo_sent_later_gets_the_same_problem_and_stores_nothing() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    logged_without_photo(&ward, client_id).await;
    for (name, bytes, status, slug) in bad_photos() {
        let response = ward
            .attach(&ward.observer, None, client_id, (name, bytes))
            .await;
        let problem = expect_problem(response, status).await;
        assert_eq!(
            problem["type"],
            format!("/problems/{slug}"),
            "{name}: {problem}"
        );
        assert_eq!(media_rows(&ward), 0, "{name} stored a record");
        assert!(ward.media_files().is_empty(), "{name} stored a file");
    }
    let replayed = expect_status(
        ward.log(&ward.observer, &handwash(client_id), None).await,
        StatusCode::OK,
    )
    .await;
    assert!(replayed.get("media_id").is_none(), "still without a photo");

    expect_status(
        ward.attach(
            &ward.observer,
            None,
            client_id,
            ("ok.jpg", jpeg(&quadrants(64, 64))),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}
