//! Observations and photos in MongoDB.
//!
//! Photos go to the GridFS bucket `photos`, one file per distinct JPEG, with
//! its SHA-256 as the file name: a name already present is not uploaded
//! again. Files are uploaded before the transaction that records them, so a
//! record never points at a missing file; a failed transaction can leave an
//! unreferenced file, which costs space only. Each upload keeps the driver's
//! own ObjectId: a content-derived `_id` would let one failed upload's
//! clean-up delete the chunks of another that stored the same bytes.
//!
//! The verification task, the media record and the observation record are
//! written in one transaction, and so is a photo sent after its observation
//! (`attach`). The observation is keyed by its `client_id`
//! and the media record carries its task id, so every lookup here is by `_id`
//! and needs no index beyond those MongoDB always keeps.

mod attach;
mod records;

use chrono::{DateTime, Utc};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use mongodb::bson::{Document, doc};
use mongodb::error::{ErrorKind, GridFsErrorKind};
use mongodb::gridfs::GridFsBucket;
use mongodb::options::GridFsBucketOptions;
use uuid::Uuid;

use self::records::MediaDoc;
use super::codec::{at, id};
use super::{MongoStore, transaction};
use crate::store::{
    Logged, MediaRecord, MediaSize, MediaStore, NewObservation, NewPhoto, ObservationRecord,
    PhotoAttached, StoreError, StoreResult,
};

/// GridFS bucket holding the JPEG files.
const PHOTO_BUCKET: &str = "photos";

/// A failed GridFS stream, which the driver reports as an I/O error.
fn io_failure(err: std::io::Error) -> StoreError {
    StoreError::Backend(anyhow::Error::new(err).context("GridFS transfer failed"))
}

impl MongoStore {
    /// The bucket photos live in; handles are cheap, so one is made per use.
    fn photo_bucket(&self) -> GridFsBucket {
        let options = GridFsBucketOptions::builder()
            .bucket_name(PHOTO_BUCKET.to_owned())
            .build();
        self.db.gridfs_bucket(options)
    }

    /// Uploads `bytes` as the file named `sha256` unless one exists already.
    async fn put_photo(&self, sha256: &str, bytes: &[u8]) -> StoreResult<()> {
        let bucket = self.photo_bucket();
        if bucket
            .find_one(doc! { "filename": sha256 })
            .await?
            .is_some()
        {
            return Ok(());
        }
        let mut upload = bucket.open_upload_stream(sha256).await?;
        upload.write_all(bytes).await.map_err(io_failure)?;
        upload.close().await.map_err(io_failure)
    }
}

#[async_trait::async_trait]
impl MediaStore for MongoStore {
    async fn log_observation(
        &self,
        observation: NewObservation,
        photo: Option<NewPhoto>,
    ) -> StoreResult<Logged> {
        // A retry is answered without touching GridFS.
        if let Some(existing) = self.find_observation(observation.client_id, None).await? {
            return Ok(Logged::Existing(existing));
        }
        let media = match photo {
            Some(photo) => {
                self.put_photo(&photo.record.display_sha256, &photo.display)
                    .await?;
                self.put_photo(&photo.record.thumb_sha256, &photo.thumb)
                    .await?;
                Some(photo.record)
            }
            None => None,
        };
        transaction::run(&self.client, |session| {
            // Each attempt starts afresh from owned copies.
            let store = self.clone();
            let observation = observation.clone();
            let media = media.clone();
            Box::pin(async move { store.insert_observation(session, observation, media).await })
        })
        .await
    }

    async fn attach_photo(&self, client_id: Uuid, photo: NewPhoto) -> StoreResult<PhotoAttached> {
        self.attach_observation_photo(client_id, photo).await
    }

    async fn observation(&self, client_id: Uuid) -> StoreResult<Option<ObservationRecord>> {
        self.find_observation(client_id, None).await
    }

    async fn observation_authors(
        &self,
        batch_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Uuid, chrono::DateTime<chrono::Utc>)>> {
        self.batch_observation_authors(batch_id).await
    }

    async fn media(&self, media_id: Uuid) -> StoreResult<Option<MediaRecord>> {
        let found = self
            .media_records()
            .find_one(doc! { "_id": id(media_id) })
            .await?;
        Ok(found.map(MediaDoc::into_record))
    }

    async fn media_bytes(
        &self,
        media: &MediaRecord,
        size: MediaSize,
    ) -> StoreResult<Option<Vec<u8>>> {
        let opened = self
            .photo_bucket()
            .open_download_stream_by_name(media.sha256(size))
            .await;
        let mut download = match opened {
            Ok(download) => download,
            Err(err) => {
                return match err.kind.as_ref() {
                    ErrorKind::GridFs(GridFsErrorKind::FileNotFound { .. }) => Ok(None),
                    _ => Err(err.into()),
                };
            }
        };
        let mut bytes = Vec::new();
        download.read_to_end(&mut bytes).await.map_err(io_failure)?;
        Ok(Some(bytes))
    }

    async fn media_shown_to(
        &self,
        media_id: Uuid,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let Some(media) = self
            .media_records()
            .find_one(doc! { "_id": id(media_id) })
            .await?
        else {
            return Ok(false);
        };
        let me = id(account);
        let answered = self
            .answers
            .clone_with_type::<Document>()
            .find_one(doc! { "task_id": media.task_id, "contributor_id": me })
            .projection(doc! { "_id": 1 })
            .await?
            .is_some();
        if answered {
            return Ok(true);
        }
        let leased = self
            .tasks
            .clone_with_type::<Document>()
            .find_one(doc! {
                "_id": media.task_id,
                "leases": { "$elemMatch": { "contributor_id": me, "expires_at": { "$gt": at(now) } } },
            })
            .projection(doc! { "_id": 1 })
            .await?
            .is_some();
        Ok(leased)
    }
}
