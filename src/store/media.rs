//! Logged observations and their photos.
//!
//! An observation is stored as a verification task in its batch (so it flows
//! through sessions and consensus like any other task) plus a record that
//! ties the task to its observer and the phone's `client_id`. Photos are kept
//! as two clean JPEGs (display size and thumbnail) addressed by their SHA-256.

use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::StoreResult;
use crate::domain::consensus::TaskState;
use crate::domain::kinds::observation::{PhotoAttachment, photo_attachment};

/// A stored photo's metadata; the bytes live wherever the backend keeps files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    /// The id phones use in `GET /v1/media/{media_id}`.
    pub id: Uuid,
    /// The project whose observation carries the photo.
    pub project_id: Uuid,
    /// Who uploaded it.
    pub uploader_id: Uuid,
    /// Lower-case hex SHA-256 of the display-size JPEG.
    pub display_sha256: String,
    /// Lower-case hex SHA-256 of the thumbnail JPEG.
    pub thumb_sha256: String,
    /// Width of the display image, in pixels.
    pub width: u32,
    /// Height of the display image, in pixels.
    pub height: u32,
    /// When it was uploaded.
    pub created_at: DateTime<Utc>,
}

impl MediaRecord {
    /// The SHA-256 (hex) of the requested size, which is also its file name.
    pub fn sha256(&self, size: MediaSize) -> &str {
        match size {
            MediaSize::Display => &self.display_sha256,
            MediaSize::Thumb => &self.thumb_sha256,
        }
    }
}

/// Which rendition of a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaSize {
    /// Longest edge at most 1,280 px.
    Display,
    /// Longest edge at most 320 px.
    Thumb,
}

/// A processed photo to store with its observation.
#[derive(Clone)]
pub struct NewPhoto {
    /// Its metadata, including the new media id.
    pub record: MediaRecord,
    /// The display-size JPEG; its SHA-256 is `record.display_sha256`.
    pub display: Vec<u8>,
    /// The thumbnail JPEG; its SHA-256 is `record.thumb_sha256`.
    pub thumb: Vec<u8>,
}

/// An observation to store, already validated against its batch's form.
#[derive(Debug, Clone)]
pub struct NewObservation {
    /// The phone's UUID for this observation; a retry carries the same one.
    pub client_id: Uuid,
    /// Who logged it; claims never hand its task back to them.
    pub observer_id: Uuid,
    /// The project it is logged in.
    pub project_id: Uuid,
    /// The live observation batch the task joins.
    pub batch_id: Uuid,
    /// The id of the verification task to create.
    pub task_id: Uuid,
    /// The verification task's content: `{observation, media_id?}`.
    pub content: Value,
    /// What logging it earns before the day's ceiling
    /// (`domain::credits::logging_estimate`); the store credits
    /// `logging_credit` of it in the same transaction.
    pub credit_estimate_seconds: u32,
    /// When the server received it.
    pub created_at: DateTime<Utc>,
}

/// A stored observation with its verification task's current state.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRecord {
    /// The phone's UUID it was first sent with.
    pub client_id: Uuid,
    /// Who logged it.
    pub observer_id: Uuid,
    /// The project it was logged in.
    pub project_id: Uuid,
    /// The batch its verification task belongs to.
    pub batch_id: Uuid,
    /// Its verification task.
    pub task_id: Uuid,
    /// The verification task's content: `{observation, media_id?}`.
    pub content: Value,
    /// Its photo, if one was attached.
    pub media_id: Option<Uuid>,
    /// Where the verification task stands.
    pub state: TaskState,
    /// The task's consensus (per question) or the researcher's resolution.
    pub consensus: Value,
    /// Seconds credited to the observer for logging it; `None` for
    /// observations logged before logging earned credit.
    pub credited_seconds: Option<u32>,
    /// When the server first stored it.
    pub created_at: DateTime<Utc>,
}

/// What logging an observation led to.
#[derive(Debug, Clone, PartialEq)]
pub enum Logged {
    /// Stored now.
    Created(ObservationRecord),
    /// A record with this `client_id` already existed; nothing was stored.
    /// It may belong to someone else: callers compare `observer_id`.
    Existing(ObservationRecord),
}

/// What attaching a photo to a logged observation led to
/// (`domain::kinds::observation::photo_attachment` decides which).
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoAttached {
    /// Attached now: the media record is stored and the verification task
    /// shows it.
    Attached(ObservationRecord),
    /// This very photo was attached already (a retry, or it came with the
    /// observation); nothing was stored.
    AlreadyAttached(ObservationRecord),
    /// A different photo is attached; nothing was stored.
    OtherPhoto(ObservationRecord),
    /// No observation has this `client_id`.
    NoObservation,
}

impl PhotoAttached {
    /// Both adapters' step after reading the attached photo's hash: go on
    /// to attach `sent` to `record`, or stop with what the rule decided.
    pub fn decide(
        record: ObservationRecord,
        attached_sha256: Option<&str>,
        sent_sha256: &str,
    ) -> ControlFlow<Self, ObservationRecord> {
        match photo_attachment(attached_sha256, sent_sha256) {
            PhotoAttachment::Attach => ControlFlow::Continue(record),
            PhotoAttachment::AlreadyAttached => ControlFlow::Break(Self::AlreadyAttached(record)),
            PhotoAttachment::OtherPhoto => ControlFlow::Break(Self::OtherPhoto(record)),
        }
    }
}

/// Storage for observations and photos.
#[async_trait::async_trait]
pub trait MediaStore {
    /// Stores the photo (if any), the verification task, the observation
    /// record and the observer's credit for logging it (the estimate cut to
    /// the day's ceiling by `domain::credits::logging_credit`, counting
    /// what answers and earlier logging credited today). The task, records
    /// and credit are written atomically; photo files are content-addressed,
    /// so writing one twice is harmless. Idempotent by `client_id`: when a
    /// record with that id exists, nothing is stored (and nothing credited)
    /// and the existing record comes back as [`Logged::Existing`].
    async fn log_observation(
        &self,
        observation: NewObservation,
        photo: Option<NewPhoto>,
    ) -> StoreResult<Logged>;

    /// Attaches a photo sent after its observation, exactly as if it had
    /// come with it: in one transaction the media record is stored and the
    /// verification task's `content.media_id` (what verifiers are handed,
    /// and what opens the photo to them) and the observation's `media_id`
    /// are set. Files are written first, as in `log_observation`. Once the
    /// observation has a photo nothing more is stored. Logging credit is
    /// not touched: it was fixed when the observation was logged. Callers
    /// check beforehand that the observation is the uploader's.
    async fn attach_photo(&self, client_id: Uuid, photo: NewPhoto) -> StoreResult<PhotoAttached>;

    /// The observation logged with this `client_id`, if any.
    async fn observation(&self, client_id: Uuid) -> StoreResult<Option<ObservationRecord>>;

    /// Who logged each observation of a batch and when, as (verification
    /// task id, observer id, logged at), for the researcher's export.
    async fn observation_authors(
        &self,
        batch_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Uuid, DateTime<Utc>)>>;

    /// A photo's metadata.
    async fn media(&self, id: Uuid) -> StoreResult<Option<MediaRecord>>;

    /// The JPEG bytes of one rendition; `None` if the file has gone missing.
    async fn media_bytes(
        &self,
        media: &MediaRecord,
        size: MediaSize,
    ) -> StoreResult<Option<Vec<u8>>>;

    /// Whether `account` holds a lease unexpired at `now` on, or has answered,
    /// a task whose content shows this photo.
    async fn media_shown_to(
        &self,
        media_id: Uuid,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
}
