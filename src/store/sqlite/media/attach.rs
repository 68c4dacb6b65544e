//! A photo sent after its observation: the media row, the observation's
//! `media_id` and the verification task's content, written together.

use std::ops::ControlFlow;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::{find_observation, insert_media};
use crate::domain::kinds::observation::content_with_photo;
use crate::store::sqlite::SqliteStore;
use crate::store::sqlite::codec::json_text;
use crate::store::{NewPhoto, ObservationRecord, PhotoAttached, StoreError, StoreResult};

/// The observation to attach `sent` to, or the outcome when nothing is to
/// be written.
fn target(
    conn: &Connection,
    client_id: Uuid,
    sent: &str,
) -> StoreResult<ControlFlow<PhotoAttached, ObservationRecord>> {
    let Some(record) = find_observation(conn, client_id)? else {
        return Ok(ControlFlow::Break(PhotoAttached::NoObservation));
    };
    let attached: Option<String> = match record.media_id {
        Some(media_id) => conn
            .prepare_cached("SELECT display_sha256 FROM media WHERE id = ?1")?
            .query_row([media_id.to_string()], |row| row.get(0))
            .optional()?,
        None => None,
    };
    Ok(PhotoAttached::decide(record, attached.as_deref(), sent))
}

impl SqliteStore {
    pub(super) async fn attach_observation_photo(
        &self,
        client_id: Uuid,
        photo: NewPhoto,
    ) -> StoreResult<PhotoAttached> {
        let sent = photo.record.display_sha256.clone();
        // A retry is answered without touching the disk.
        let first_look = self
            .read(move |conn| target(conn, client_id, &sent))
            .await?;
        if let ControlFlow::Break(outcome) = first_look {
            return Ok(outcome);
        }
        let media = self.write_photo_files(photo).await?;
        self.write(move |tx| {
            // Checked again inside the transaction: a concurrent attach may
            // have committed since the first look.
            let record = match target(tx, client_id, &media.display_sha256)? {
                ControlFlow::Continue(record) => record,
                ControlFlow::Break(outcome) => return Ok(outcome),
            };
            insert_media(tx, &media)?;
            let content = json_text(&content_with_photo(&record.content, media.id))?;
            tx.prepare_cached("UPDATE tasks SET content = ?1 WHERE id = ?2")?
                .execute(params![content, record.task_id.to_string()])?;
            tx.prepare_cached("UPDATE observations SET media_id = ?1 WHERE client_id = ?2")?
                .execute(params![media.id.to_string(), client_id.to_string()])?;
            find_observation(tx, client_id)?
                .map(PhotoAttached::Attached)
                .ok_or_else(|| {
                    StoreError::Backend(anyhow::anyhow!("attached observation not found"))
                })
        })
        .await
    }
}
