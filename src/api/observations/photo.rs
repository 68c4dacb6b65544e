//! An observation's photo sent on its own, after the observation. A phone
//! on ward Wi-Fi sends the small JSON first, so the observation is stored
//! even if the photo stalls, and then this request, which it may repeat
//! until it gets an answer.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, OpenApi};
use uuid::Uuid;

use super::{ObservationView, view};
use crate::api::auth::Caller;
use crate::api::error::ApiError;
use crate::api::photo_upload::{self, limit_photo_request};
use crate::api::state::SharedState;
use crate::api::tags::ApiTags;
use crate::store::PhotoAttached;

pub struct ObservationPhotoApi;

/// The photo of an observation already logged.
#[derive(Multipart)]
pub struct PhotoUpload {
    /// A JPEG, PNG, WebP or GIF photo of at most 10 MB and 8,000 px a side.
    /// It is re-encoded without any metadata (location, device, time).
    photo: Upload,
}

#[derive(ApiResponse)]
pub enum PhotoResponse {
    /// The photo is attached now: `media_id` names it, and verifiers
    /// handed the observation see it.
    #[oai(status = 201)]
    Attached(Json<ObservationView>),
    /// This photo was attached already (a retry, or it came with the
    /// observation); nothing new was stored.
    #[oai(status = 200)]
    AlreadyAttached(Json<ObservationView>),
}

#[OpenApi(tag = "ApiTags::Observations")]
impl ObservationPhotoApi {
    /// Attach the photo of an observation you logged without one
    /// (multipart: one `photo` part), e.g. when the phone sent the
    /// `observation` JSON first so that a slow upload cannot lose it. The
    /// photo is treated exactly as one sent with the observation: the same
    /// limits and 4xx problem types (`/problems/photo-too-large`, ...),
    /// nothing stored when it is refused, and the verifiers the
    /// observation is handed to may fetch it. Safe to repeat: the same
    /// photo again is a 200 with the observation as stored. An
    /// observation has one photo, so a different one is a 409. Logging
    /// credit was fixed when the observation was logged: a photo attached
    /// later earns nothing more. 404 unless you logged `client_id` in
    /// this project. Every attempt counts towards the upload budget (429),
    /// since each one reads the photo. The request needs a `Content-Length`.
    #[oai(
        path = "/v1/projects/:project_id/observations/:client_id/photo",
        method = "put",
        operation_id = "attach_observation_photo",
        transform = "limit_photo_request"
    )]
    async fn attach(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
        /// The `client_id` the observation was logged with.
        client_id: Path<Uuid>,
        body: PhotoUpload,
    ) -> Result<PhotoResponse, ApiError> {
        let not_found =
            || ApiError::not_found("You have logged no observation with this client_id here.");
        let me = caller.account_id();
        // Who logged it and where never change, so this first look decides.
        let observation = state
            .store
            .observation(client_id.0)
            .await?
            .filter(|found| found.observer_id == me && found.project_id == project_id.0)
            .ok_or_else(not_found)?;
        state.count_upload(me)?;
        let photo =
            photo_upload::process(body.photo, observation.project_id, me, Utc::now()).await?;
        match state
            .store
            .attach_photo(observation.client_id, photo)
            .await?
        {
            PhotoAttached::Attached(record) => Ok(PhotoResponse::Attached(Json(view(record)))),
            PhotoAttached::AlreadyAttached(record) => {
                Ok(PhotoResponse::AlreadyAttached(Json(view(record))))
            }
            PhotoAttached::OtherPhoto(_) => Err(ApiError::conflict(
                "This observation already has a different photo; an observation keeps its first.",
            )),
            PhotoAttached::NoObservation => Err(not_found()),
        }
    }
}
