//! Verifiers see the photo of the observation they were handed, at display
//! size and without metadata, for as long as the task is theirs; nobody
//! outside the task sees it.

use reqwest::StatusCode;
use serde_json::Value;

use crate::credits::support::database;
use crate::helpers::{Person, expect_status};
use crate::observation_photos::{jpeg, quadrants};
use crate::ward::{Ward, handwash};

/// The photo as `person` fetches it at `query`, or the status they got.
async fn fetch(ward: &Ward, person: &Person, media: &str, query: &str) -> Result<Vec<u8>, u16> {
    let response = ward
        .media(person, &format!("/v1/media/{media}{query}"))
        .await;
    match response.status() {
        StatusCode::OK => Ok(response.bytes().await.expect("bytes").to_vec()),
        status => Err(status.as_u16()),
    }
}

/// The task in `session` that shows `media`.
fn task_showing<'a>(session: &'a Value, media: &str) -> Option<&'a Value> {
    session["tasks"]
        .as_array()?
        .iter()
        .find(|task| task["content"]["media_id"] == media)
}

#[tokio::test]
async fn a_verifier_sees_the_photo_at_display_size_only_while_the_task_is_theirs() {
    let ward = Ward::open().await;
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(uuid::Uuid::new_v4()),
            Some(("big.jpg", jpeg(&quadrants(2000, 1000)))),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = logged["media_id"].as_str().expect("media id").to_owned();

    let bystander = ward.app.person("bystander@nhs.net", &[]).await;
    assert_eq!(fetch(&ward, &bystander, &media, "").await, Err(404));

    let verifier = ward.app.person("verifier@nhs.net", &[]).await;
    assert_eq!(
        fetch(&ward, &verifier, &media, "?size=display").await,
        Err(404),
        "not before the task is handed out"
    );
    let session = ward.app.claim(&verifier, 5).await;
    let task = task_showing(&session, &media)
        .expect("the session carries the photo's media_id")
        .clone();
    assert_eq!(task["task_id"], logged["task_id"]);
    assert_eq!(task["content"]["observation"], logged["values"]);

    let display = fetch(&ward, &verifier, &media, "?size=display")
        .await
        .expect("the verifier sees the photo");
    let image = image::load_from_memory(&display).expect("a real image");
    assert_eq!(
        (image.width(), image.height()),
        (1280, 640),
        "bounded to the display size"
    );
    assert!(
        !display.windows(4).any(|window| window == b"Exif"),
        "no metadata"
    );
    assert_eq!(
        fetch(&ward, &verifier, &media, "").await,
        Ok(display.clone()),
        "display is the default size"
    );

    let verdict = serde_json::json!([{
        "client_id": uuid::Uuid::new_v4(), "task_id": task["task_id"],
        "answer": {"verdict": "confirm"}
    }]);
    expect_status(ward.app.answer(&verifier, verdict).await, StatusCode::OK).await;
    assert_eq!(
        fetch(&ward, &verifier, &media, "?size=display").await,
        Ok(display),
        "still visible to whoever answered it"
    );

    // A second verifier whose lease runs out without answering loses it.
    let second = ward.app.person("second@nhs.net", &[]).await;
    let session = ward.app.claim(&second, 5).await;
    assert!(task_showing(&session, &media).is_some());
    assert!(fetch(&ward, &second, &media, "?size=thumb").await.is_ok());
    database(&ward.app)
        .execute(
            "UPDATE leases SET expires_at = 0 WHERE contributor_id = ?1",
            [&second.id],
        )
        .expect("lease expired");
    assert_eq!(fetch(&ward, &second, &media, "?size=thumb").await, Err(404));
    assert_eq!(
        fetch(&ward, &bystander, &media, "?size=thumb").await,
        Err(404)
    );
}
