//! Observation logging: staff fill in a batch's form while observing care,
//! optionally with a photo. Each observation becomes a verification task
//! that other staff confirm or reject through ordinary sessions.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::multipart::{JsonField, Upload};
use poem_openapi::{ApiResponse, Enum, Multipart, Object, OpenApi};
use serde_json::Value;
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::photo_upload::{self, limit_photo_request};
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::Role;
use crate::domain::consensus::TaskState;
use crate::domain::credits::logging_estimate;
use crate::domain::field_error::FieldError;
use crate::domain::kinds::observation::{observation_content, validate_observation};
use crate::domain::kinds::{KindSettings, TaskKind};
use crate::domain::project::WorkStatus;
use crate::store::{Batch, Logged, NewObservation, ObservationRecord, Project};

mod form;
mod photo;

pub use form::ObservationFormApi;
pub use photo::ObservationPhotoApi;

pub struct ObservationsApi;

/// The `observation` part: what was observed, as JSON.
#[derive(Object)]
pub struct ObservationBody {
    /// Generate once when the observation is made and send it with every
    /// retry: an observation is stored once per `client_id`.
    client_id: Uuid,
    /// The observation batch whose form this follows. Leave it out to use
    /// the project's live observation batch (required when it has several).
    batch_id: Option<Uuid>,
    /// The form's values keyed by field name, e.g.
    /// `{"moment": "before patient contact", "performed": true, "seconds": 20}`.
    values: Value,
}

/// An observation upload: the `observation` JSON and an optional `photo`.
#[derive(Multipart)]
pub struct ObservationUpload {
    /// What was observed.
    observation: JsonField<ObservationBody>,
    /// A JPEG, PNG, WebP or GIF photo of at most 10 MB and 8,000 px a side.
    /// It is re-encoded without any metadata (location, device, time).
    photo: Option<Upload>,
}

/// Where the crowd's check of an observation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Verification {
    /// Still collecting verdicts.
    Pending,
    /// Other staff confirmed it.
    Verified,
    /// Other staff rejected it, or could not agree.
    Disputed,
}

/// A logged observation.
#[derive(Object)]
pub struct ObservationView {
    /// The `client_id` it was sent with.
    client_id: Uuid,
    /// The verification task other staff answer about it.
    task_id: Uuid,
    /// The project it was logged in.
    project_id: Uuid,
    /// The observation batch whose form it follows.
    batch_id: Uuid,
    /// The values as stored: keyed by field name, options in the form's spelling.
    values: Value,
    /// The photo, for `GET /v1/media/{media_id}`.
    #[oai(skip_serializing_if_is_none)]
    media_id: Option<Uuid>,
    /// The crowd's verdict so far.
    verification: Verification,
    /// Seconds credited to you for logging it, set once by the server: a
    /// fixed estimate from the fields filled in and a photo sent with it
    /// (see `GET /v1/me/credits`), less whatever passed the day's 8-hour
    /// ceiling. A retry, or a photo attached later, credits nothing more.
    /// 0 for observations logged before logging earned credit.
    credited_seconds: u32,
    /// When the server first stored it.
    created_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum ObservationResponse {
    /// The observation was stored.
    #[oai(status = 201)]
    Created(Json<ObservationView>),
    /// It had already been stored with this `client_id` (a retry); nothing
    /// new was stored and `verification` is current.
    #[oai(status = 200)]
    Existing(Json<ObservationView>),
}

#[OpenApi(tag = "ApiTags::Observations")]
impl ObservationsApi {
    /// Log an observation (multipart: `observation` JSON and an optional
    /// `photo`), following a form from
    /// `GET /v1/projects/{project_id}/observation-form`. The photo may
    /// instead follow on its own through
    /// `PUT /v1/projects/{project_id}/observations/{client_id}/photo`. The values are
    /// checked against the batch's form: a 422 lists every invalid value in
    /// `errors`, each with its field (e.g. `values.seconds`); bad photos
    /// get a 4xx whose `type` says why (`/problems/photo-too-large`,
    /// `photo-unsupported-format`, `photo-dimensions-too-large`,
    /// `photo-too-complex`, `photo-corrupt`), and nothing is stored. A new
    /// observation credits its observer once (`credited_seconds`). The
    /// request needs a `Content-Length`.
    #[oai(
        path = "/v1/projects/:project_id/observations",
        method = "post",
        operation_id = "create_observation",
        transform = "limit_photo_request"
    )]
    async fn create(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
        body: ObservationUpload,
    ) -> Result<ObservationResponse, ApiError> {
        let project = joinable_project(&state, &caller, project_id.0).await?;
        let ObservationBody {
            client_id,
            batch_id,
            values,
        } = body.observation.0;
        if let Some(existing) = state.store.observation(client_id).await? {
            return replay(&caller, project.id, existing);
        }
        // Retries above are free; only new observations spend the budget.
        state.count_upload(caller.account_id())?;
        let batch = observation_batch(&state, project.id, batch_id).await?;
        let KindSettings::Observation(form) = &batch.settings else {
            return Err(ApiError::internal("observation batch without a form"));
        };
        let values = validate_observation(form, &values).map_err(|errors| {
            ApiError::invalid(errors.into_iter().map(|error| error.within("values")))
        })?;
        let now = Utc::now();
        // Browsers send an empty part when no file was picked.
        let photo = match body.photo.filter(|upload| upload.size() > 0) {
            Some(upload) => {
                Some(photo_upload::process(upload, project.id, caller.account_id(), now).await?)
            }
            None => None,
        };
        let credit_estimate_seconds = logging_estimate(form, &values, photo.is_some());
        let content = observation_content(values, photo.as_ref().map(|photo| photo.record.id));
        let observation = NewObservation {
            client_id,
            observer_id: caller.account_id(),
            project_id: project.id,
            batch_id: batch.id,
            task_id: Uuid::new_v4(),
            credit_estimate_seconds,
            content,
            created_at: now,
        };
        match state.store.log_observation(observation, photo).await? {
            Logged::Created(record) => Ok(ObservationResponse::Created(Json(view(record)))),
            Logged::Existing(record) => replay(&caller, project.id, record),
        }
    }
}

/// The original result for a retried `client_id`, unless it is someone
/// else's or another project's.
fn replay(
    caller: &Caller,
    project_id: Uuid,
    record: ObservationRecord,
) -> Result<ObservationResponse, ApiError> {
    if record.observer_id != caller.account_id() || record.project_id != project_id {
        return Err(ApiError::conflict(
            "This client_id belongs to another observation; generate a fresh UUID per observation.",
        ));
    }
    Ok(ObservationResponse::Existing(Json(view(record))))
}

/// A project the caller may log observations in: a live one whose audience
/// admits them, or one they run. Anything else is a 404.
async fn joinable_project(
    state: &SharedState,
    caller: &Caller,
    id: Uuid,
) -> Result<Project, ApiError> {
    let not_found = || ApiError::not_found("There is no project with this id.");
    let project = state.store.project(id).await?.ok_or_else(not_found)?;
    if project.owner_id == caller.account_id() || caller.has_role(Role::Admin) {
        return Ok(project);
    }
    let account = caller.account();
    let admitted = project.status == WorkStatus::Live && project.audience.admits(&account.worker());
    admitted.then_some(project).ok_or_else(not_found)
}

/// The live observation batch the observation goes to: the one named, or
/// the project's only one.
async fn observation_batch(
    state: &SharedState,
    project_id: Uuid,
    wanted: Option<Uuid>,
) -> Result<Batch, ApiError> {
    let refuse = |message: &str| ApiError::from(FieldError::new("batch_id", message));
    if let Some(id) = wanted {
        let batch = state
            .store
            .batch(id)
            .await?
            .filter(|batch| batch.project_id == project_id)
            .ok_or_else(|| refuse("is not a batch of this project"))?;
        return if is_live_observation(&batch) {
            Ok(batch)
        } else {
            Err(refuse("is not a live observation batch"))
        };
    }
    let mut live: Vec<Batch> = state
        .store
        .project_batches(project_id)
        .await?
        .into_iter()
        .filter(is_live_observation)
        .collect();
    match live.len() {
        0 => Err(refuse("this project has no live observation batch")),
        1 => Ok(live.remove(0)),
        _ => Err(refuse(
            "this project has several live observation batches; say which one",
        )),
    }
}

/// Whether staff may log observations on this batch's form now.
fn is_live_observation(batch: &Batch) -> bool {
    batch.kind() == TaskKind::Observation && batch.status == WorkStatus::Live
}

fn view(record: ObservationRecord) -> ObservationView {
    ObservationView {
        verification: verification(record.state, &record.consensus),
        values: record.content["observation"].clone(),
        client_id: record.client_id,
        task_id: record.task_id,
        project_id: record.project_id,
        batch_id: record.batch_id,
        media_id: record.media_id,
        credited_seconds: record.credited_seconds.unwrap_or(0),
        created_at: record.created_at,
    }
}

/// Settled or resolved as `confirm` is verified; settled or resolved as
/// `reject`, or escalated because the crowd could not agree, is disputed.
fn verification(state: TaskState, consensus: &Value) -> Verification {
    let verdict = consensus[0]["label"]
        .as_str()
        .or_else(|| consensus["verdict"].as_str());
    match state {
        TaskState::Open => Verification::Pending,
        TaskState::Escalated => Verification::Disputed,
        TaskState::Settled | TaskState::Resolved if verdict == Some("confirm") => {
            Verification::Verified
        }
        TaskState::Settled | TaskState::Resolved => Verification::Disputed,
    }
}

#[cfg(test)]
mod tests;
