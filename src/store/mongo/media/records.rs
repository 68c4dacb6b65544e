//! The documents behind observations and photos, and the transactional
//! write that stores an observation with its verification task and the
//! observer's credit for logging it.

use futures_util::TryStreamExt;
use mongodb::bson::oid::ObjectId;
use mongodb::bson::{self, doc};
use mongodb::{ClientSession, Collection};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::answering::day_start_ms;
use crate::domain::consensus::TaskState;
use crate::domain::credits::{CreditKind, logging_credit};
use crate::store::mongo::codec::{at, id, time, uuid};
use crate::store::mongo::documents::{LedgerDoc, SCHEMA_VERSION, TaskDoc};
use crate::store::mongo::{MongoStore, corrupt};
use crate::store::{Logged, MediaRecord, NewObservation, ObservationRecord, StoreResult};

/// Collection of observation records, keyed by the phone's `client_id`.
const OBSERVATIONS: &str = "observations";
/// Collection of photo metadata, keyed by media id.
const MEDIA: &str = "media";

/// Who logged which verification task, and with which photo.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct ObservationDoc {
    #[serde(rename = "_id")]
    client_id: bson::Uuid,
    schema_version: i32,
    observer_id: bson::Uuid,
    project_id: bson::Uuid,
    batch_id: bson::Uuid,
    task_id: bson::Uuid,
    media_id: Option<bson::Uuid>,
    /// What logging it credited; absent on observations logged before
    /// logging earned credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credited_seconds: Option<i64>,
    created_at: bson::DateTime,
}

/// A photo's metadata; `task_id` is the task whose content shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct MediaDoc {
    #[serde(rename = "_id")]
    id: bson::Uuid,
    schema_version: i32,
    project_id: bson::Uuid,
    uploader_id: bson::Uuid,
    pub(super) task_id: bson::Uuid,
    display_sha256: String,
    thumb_sha256: String,
    width: i64,
    height: i64,
    created_at: bson::DateTime,
}

/// The parts of a verification task an observation record shows.
#[derive(Deserialize)]
struct TaskView {
    content: Value,
    state: TaskState,
    consensus: Option<Value>,
}

/// A task read for its upload position alone.
#[derive(Deserialize)]
struct SeqOnly {
    seq: i64,
}

impl MediaDoc {
    /// The document for `media`, shown by the verification task `task_id`.
    pub(super) fn new(media: &MediaRecord, task_id: Uuid) -> Self {
        MediaDoc {
            id: id(media.id),
            schema_version: SCHEMA_VERSION,
            project_id: id(media.project_id),
            uploader_id: id(media.uploader_id),
            task_id: id(task_id),
            display_sha256: media.display_sha256.clone(),
            thumb_sha256: media.thumb_sha256.clone(),
            width: i64::from(media.width),
            height: i64::from(media.height),
            created_at: at(media.created_at),
        }
    }

    pub(super) fn into_record(self) -> MediaRecord {
        MediaRecord {
            id: uuid(self.id),
            project_id: uuid(self.project_id),
            uploader_id: uuid(self.uploader_id),
            display_sha256: self.display_sha256,
            thumb_sha256: self.thumb_sha256,
            width: u32::try_from(self.width).unwrap_or(0),
            height: u32::try_from(self.height).unwrap_or(0),
            created_at: time(self.created_at),
        }
    }
}

fn record(doc: ObservationDoc, task: TaskView) -> ObservationRecord {
    ObservationRecord {
        client_id: uuid(doc.client_id),
        observer_id: uuid(doc.observer_id),
        project_id: uuid(doc.project_id),
        batch_id: uuid(doc.batch_id),
        task_id: uuid(doc.task_id),
        media_id: doc.media_id.map(uuid),
        content: task.content,
        state: task.state,
        consensus: task.consensus.unwrap_or_default(),
        credited_seconds: doc
            .credited_seconds
            .and_then(|seconds| u32::try_from(seconds).ok()),
        created_at: time(doc.created_at),
    }
}

impl MongoStore {
    /// Writes the observer's ledger entry for logging, within what the
    /// day's ceiling leaves, and returns the seconds credited.
    async fn credit_logging(
        &self,
        session: &mut ClientSession,
        observation: &NewObservation,
    ) -> StoreResult<u32> {
        let observer = id(observation.observer_id);
        let now_ms = observation.created_at.timestamp_millis();
        let credited_today = self
            .credited_since(&mut *session, observer, day_start_ms(now_ms))
            .await?;
        let seconds = logging_credit(observation.credit_estimate_seconds, credited_today);
        self.ledger
            .insert_one(LedgerDoc {
                schema_version: SCHEMA_VERSION,
                answer_id: ObjectId::new(),
                observation_id: Some(id(observation.client_id)),
                contributor_id: observer,
                project_id: id(observation.project_id),
                batch_id: id(observation.batch_id),
                kind: CreditKind::ObservationLogging.as_str().to_owned(),
                seconds: i64::from(seconds),
                late: false,
                extra: false,
                marked: false,
                created_at: at(observation.created_at),
            })
            .session(&mut *session)
            .await?;
        Ok(seconds)
    }

    pub(super) fn observations(&self) -> Collection<ObservationDoc> {
        self.db.collection(OBSERVATIONS)
    }

    /// (task id, observer id, logged at) of every observation of a batch.
    pub(super) async fn batch_observation_authors(
        &self,
        batch_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Uuid, chrono::DateTime<chrono::Utc>)>> {
        let found: Vec<ObservationDoc> = self
            .observations()
            .find(doc! { "batch_id": id(batch_id) })
            .await?
            .try_collect()
            .await?;
        Ok(found
            .into_iter()
            .map(|doc| {
                (
                    uuid(doc.task_id),
                    uuid(doc.observer_id),
                    time(doc.created_at),
                )
            })
            .collect())
    }

    pub(super) fn media_records(&self) -> Collection<MediaDoc> {
        self.db.collection(MEDIA)
    }

    /// Every observation `observer` logged, oldest first (for their export).
    pub(in crate::store::mongo) async fn observations_by(
        &self,
        observer: Uuid,
    ) -> StoreResult<Vec<ObservationRecord>> {
        use futures_util::TryStreamExt;
        let logged: Vec<Uuid> = self
            .observations()
            .find(doc! { "observer_id": id(observer) })
            .sort(doc! { "created_at": 1 })
            .await?
            .map_ok(|found| uuid(found.client_id))
            .try_collect()
            .await?;
        let mut records = Vec::with_capacity(logged.len());
        for client_id in logged {
            records.extend(self.find_observation(client_id, None).await?);
        }
        Ok(records)
    }

    /// The observation with this `client_id`, read inside `session` when given.
    pub(super) async fn find_observation(
        &self,
        client_id: Uuid,
        mut session: Option<&mut ClientSession>,
    ) -> StoreResult<Option<ObservationRecord>> {
        let filter = doc! { "_id": id(client_id) };
        let found = match session.as_deref_mut() {
            Some(session) => {
                self.observations()
                    .find_one(filter)
                    .session(session)
                    .await?
            }
            None => self.observations().find_one(filter).await?,
        };
        let Some(found) = found else {
            return Ok(None);
        };
        let tasks = self.tasks.clone_with_type::<TaskView>();
        let filter = doc! { "_id": found.task_id };
        let projection = doc! { "content": 1, "state": 1, "consensus": 1 };
        let task = match session {
            Some(session) => {
                tasks
                    .find_one(filter)
                    .projection(projection)
                    .session(session)
                    .await?
            }
            None => tasks.find_one(filter).projection(projection).await?,
        };
        let task = task.ok_or_else(|| corrupt("observation", "its task is missing"))?;
        Ok(Some(record(found, task)))
    }

    /// One attempt of the logging transaction.
    pub(super) async fn insert_observation(
        &self,
        session: &mut ClientSession,
        observation: NewObservation,
        media: Option<MediaRecord>,
    ) -> StoreResult<Logged> {
        if let Some(existing) = self
            .find_observation(observation.client_id, Some(&mut *session))
            .await?
        {
            return Ok(Logged::Existing(existing));
        }
        let batch = self
            .batches
            .find_one(doc! { "_id": id(observation.batch_id), "ready": true })
            .session(&mut *session)
            .await?
            .ok_or_else(|| corrupt("batch", "the observation's batch does not exist"))?;
        // The next upload position; two observations racing for it break
        // the unique `tasks_order` index and the runner retries one.
        let last = self
            .tasks
            .clone_with_type::<SeqOnly>()
            .find_one(doc! { "batch_id": batch.id })
            .sort(doc! { "seq": -1 })
            .projection(doc! { "seq": 1 })
            .session(&mut *session)
            .await?;
        let task = TaskDoc {
            id: id(observation.task_id),
            schema_version: SCHEMA_VERSION,
            batch_id: batch.id,
            seq: last.map_or(0, |task| task.seq + 1),
            created_at: at(observation.created_at),
            // Claims skip tasks the claimant logged.
            created_by: Some(id(observation.observer_id)),
            external_id: None,
            content: observation.content.clone(),
            is_gold: false,
            gold: None,
            state: TaskState::Open,
            answer_count: 0,
            counted_count: 0,
            places: i64::from(batch.policy.open_places(0)),
            busy_until: bson::DateTime::from_millis(0),
            consensus: None,
            confidence: 0.0,
            leases: Vec::new(),
            answered_by: Vec::new(),
        };
        self.tasks.insert_one(task).session(&mut *session).await?;
        if let Some(media) = &media {
            self.media_records()
                .insert_one(MediaDoc::new(media, observation.task_id))
                .session(&mut *session)
                .await?;
        }
        let credited = self.credit_logging(&mut *session, &observation).await?;
        let doc = ObservationDoc {
            client_id: id(observation.client_id),
            schema_version: SCHEMA_VERSION,
            observer_id: id(observation.observer_id),
            project_id: id(observation.project_id),
            batch_id: id(observation.batch_id),
            task_id: id(observation.task_id),
            media_id: media.as_ref().map(|media| id(media.id)),
            credited_seconds: Some(i64::from(credited)),
            created_at: at(observation.created_at),
        };
        self.observations()
            .insert_one(doc.clone())
            .session(&mut *session)
            .await?;
        let task = TaskView {
            content: observation.content,
            state: TaskState::Open,
            consensus: None,
        };
        Ok(Logged::Created(record(doc, task)))
    }
}
