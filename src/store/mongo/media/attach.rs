//! A photo sent after its observation: the media document, the
//! observation's `media_id` and the verification task's content, written in
//! one transaction.

use std::ops::ControlFlow;

use mongodb::ClientSession;
use mongodb::bson::doc;
use uuid::Uuid;

use super::records::MediaDoc;
use crate::domain::kinds::observation::content_with_photo;
use crate::store::mongo::codec::{id, to_bson};
use crate::store::mongo::{MongoStore, transaction};
use crate::store::{MediaRecord, NewPhoto, ObservationRecord, PhotoAttached, StoreResult};

impl MongoStore {
    /// The observation to attach `sent` to, or the outcome when nothing is
    /// to be written; read inside `session` when given.
    async fn attach_target(
        &self,
        client_id: Uuid,
        sent: &str,
        mut session: Option<&mut ClientSession>,
    ) -> StoreResult<ControlFlow<PhotoAttached, ObservationRecord>> {
        let Some(record) = self
            .find_observation(client_id, session.as_deref_mut())
            .await?
        else {
            return Ok(ControlFlow::Break(PhotoAttached::NoObservation));
        };
        let attached = match record.media_id {
            Some(media_id) => {
                let filter = doc! { "_id": id(media_id) };
                let found = match session {
                    Some(session) => {
                        self.media_records()
                            .find_one(filter)
                            .session(session)
                            .await?
                    }
                    None => self.media_records().find_one(filter).await?,
                };
                found.map(|doc| doc.into_record().display_sha256)
            }
            None => None,
        };
        Ok(PhotoAttached::decide(record, attached.as_deref(), sent))
    }

    pub(super) async fn attach_observation_photo(
        &self,
        client_id: Uuid,
        photo: NewPhoto,
    ) -> StoreResult<PhotoAttached> {
        let sent = photo.record.display_sha256.clone();
        // A retry is answered without touching GridFS.
        if let ControlFlow::Break(outcome) = self.attach_target(client_id, &sent, None).await? {
            return Ok(outcome);
        }
        self.put_photo(&photo.record.display_sha256, &photo.display)
            .await?;
        self.put_photo(&photo.record.thumb_sha256, &photo.thumb)
            .await?;
        let media = photo.record;
        transaction::run(&self.client, |session| {
            // Each attempt starts afresh from owned copies.
            let store = self.clone();
            let media = media.clone();
            Box::pin(async move { store.attach_in(session, client_id, media).await })
        })
        .await
    }

    /// One attempt of the attaching transaction. Two attaches racing both
    /// write the observation, so one aborts on the write conflict and its
    /// retry finds the other's photo.
    async fn attach_in(
        &self,
        session: &mut ClientSession,
        client_id: Uuid,
        media: MediaRecord,
    ) -> StoreResult<PhotoAttached> {
        let target = self
            .attach_target(client_id, &media.display_sha256, Some(&mut *session))
            .await?;
        let mut record = match target {
            ControlFlow::Continue(record) => record,
            ControlFlow::Break(outcome) => return Ok(outcome),
        };
        self.media_records()
            .insert_one(MediaDoc::new(&media, record.task_id))
            .session(&mut *session)
            .await?;
        let content = content_with_photo(&record.content, media.id);
        self.tasks
            .update_one(
                doc! { "_id": id(record.task_id) },
                doc! { "$set": { "content": to_bson(&content)? } },
            )
            .session(&mut *session)
            .await?;
        self.observations()
            .update_one(
                doc! { "_id": id(client_id) },
                doc! { "$set": { "media_id": id(media.id) } },
            )
            .session(&mut *session)
            .await?;
        record.content = content;
        record.media_id = Some(media.id);
        Ok(PhotoAttached::Attached(record))
    }
}
