//! The edge of the photo pipeline: a request-size gate that runs before the
//! multipart body is read, decoding on the blocking pool behind a process-wide
//! limit, and the mapping of pipeline errors to problem responses.

use chrono::{DateTime, Utc};
use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Endpoint, EndpointExt, IntoResponse, Request};
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::error::{ApiError, Problem};
use crate::media::{PhotoError, PhotoLimits, process_photo};
use crate::store::{MediaRecord, NewPhoto};

/// Room for the `observation` JSON part and multipart framing on top of
/// the photo itself.
const FORM_ALLOWANCE: u64 = 256 * 1024;

/// An oversized body shorter than this is read and thrown away before the
/// 413 goes out, so the phone sees the problem instead of a reset
/// connection; anything longer is simply cut off.
const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

/// Decodes allowed at once in this process. One decode may hold the
/// decoder's whole allocation budget (96 MiB, copies included), so this
/// bounds the memory photos can take whatever the number of uploads in flight.
const MAX_CONCURRENT_DECODES: usize = 1;

/// Shared by every request (and every app instance in this process), because
/// the memory it protects is the process's.
static DECODES: Semaphore = Semaphore::const_new(MAX_CONCURRENT_DECODES);

/// The largest observation request: the photo plus its form.
fn max_request_bytes() -> u64 {
    limits().max_upload_bytes as u64 + FORM_ALLOWANCE
}

/// The limits every uploaded photo is held to.
pub fn limits() -> PhotoLimits {
    PhotoLimits::default()
}

/// Refuses a photo upload by its `Content-Length` before any of the body is
/// spooled: 411 without a length, 413 (`/problems/photo-too-large`) over
/// the limit. Used as the operation's `transform`.
pub fn limit_photo_request<E: Endpoint>(ep: E) -> impl Endpoint {
    ep.before(|mut req: Request| async move {
        let length = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok());
        let max = max_request_bytes();
        match length {
            None => Err(refusal(ApiError::LengthRequired(problem(
                StatusCode::LENGTH_REQUIRED,
                "length-required",
                "Content-Length is required",
                "Send the upload with a Content-Length header.".to_owned(),
            )))),
            Some(length) if length > max => {
                if length <= DRAIN_LIMIT {
                    let body = req.take_body().into_async_read();
                    let _ = tokio::io::copy(&mut body.take(length), &mut tokio::io::sink()).await;
                }
                let slug = PhotoError::TooLarge { size: 0, max: 0 }.kind();
                let detail = format!(
                    "The upload is {length} bytes; a photo may be at most {} bytes.",
                    limits().max_upload_bytes
                );
                Err(refusal(ApiError::PayloadTooLarge(problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    slug,
                    PHOTO_REFUSED,
                    detail,
                ))))
            }
            Some(_) => {
                // The declared length does not bound a compressed body once
                // it is inflated, so the body itself is cut off at the limit
                // too (a cut-off multipart body is a 400).
                let body = req.take_body().into_async_read().take(max);
                req.set_body(poem::Body::from_async_read(body));
                Ok(req)
            }
        }
    })
}

/// Runs the pipeline on one uploaded photo: size first (without reading
/// it), then the decode on the blocking pool once a decode slot is free.
/// The result is ready to store as a new media id in `project_id`.
pub async fn process(
    upload: Upload,
    project_id: Uuid,
    uploader_id: Uuid,
    now: DateTime<Utc>,
) -> Result<NewPhoto, ApiError> {
    let limits = limits();
    if upload.size() > limits.max_upload_bytes {
        return Err(photo_error(PhotoError::TooLarge {
            size: upload.size(),
            max: limits.max_upload_bytes,
        }));
    }
    let bytes = upload.into_vec().await.map_err(ApiError::internal)?;
    let _slot = DECODES.acquire().await.map_err(ApiError::internal)?;
    let photo = tokio::task::spawn_blocking(move || process_photo(&bytes, &limits))
        .await
        .map_err(ApiError::internal)?
        .map_err(photo_error)?;
    Ok(NewPhoto {
        record: MediaRecord {
            id: Uuid::new_v4(),
            project_id,
            uploader_id,
            thumb_sha256: hex::encode(Sha256::digest(&photo.thumb)),
            display_sha256: photo.sha256_hex,
            width: photo.width,
            height: photo.height,
            created_at: now,
        },
        display: photo.display,
        thumb: photo.thumb,
    })
}

/// A pipeline error as a problem whose `type` is `/problems/<slug>`, e.g.
/// `/problems/photo-corrupt`; our own encoder failing is an opaque 500.
fn photo_error(err: PhotoError) -> ApiError {
    match err.http_status() {
        413 => ApiError::PayloadTooLarge(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            err.kind(),
            PHOTO_REFUSED,
            err.to_string(),
        )),
        status if status >= 500 => ApiError::internal(format!("{err:?}")),
        _ => {
            if let PhotoError::Corrupt { reason } = &err {
                tracing::info!(reason = %reason, "refused a damaged photo");
            }
            ApiError::Unprocessable(problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                err.kind(),
                PHOTO_REFUSED,
                err.to_string(),
            ))
        }
    }
}

/// The problem title shared by every photo refusal; `type` tells them apart.
const PHOTO_REFUSED: &str = "The photo was refused";

fn problem(status: StatusCode, slug: &str, title: &str, detail: String) -> Json<Problem> {
    Json(Problem {
        kind: format!("/problems/{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: Some(detail),
        errors: None,
    })
}

/// Wraps a ready-made problem so the error handler passes it through as is.
fn refusal(error: ApiError) -> poem::Error {
    poem::Error::from_response(error.into_response())
}
