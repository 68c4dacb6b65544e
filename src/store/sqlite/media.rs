//! Observations and photos in the embedded store. Photo files live next to
//! the database, content-addressed by SHA-256:
//! `<data_dir>/media/ab/cdef….jpg`. Files are written (temp file, then
//! rename) before the transaction that records them commits, so a row never
//! points at a missing file; a failed transaction can leave an unreferenced
//! file behind, which costs disk space only.

mod attach;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use uuid::Uuid;

use super::answer_rows::credited_since;
use super::codec::{from_json, json_text, time, uuid};
use super::{SqliteStore, run_blocking};
use crate::domain::answering::day_start_ms;
use crate::domain::consensus::TaskState;
use crate::domain::credits::logging_credit;
use crate::store::{
    Logged, MediaRecord, MediaSize, MediaStore, NewObservation, NewPhoto, ObservationRecord,
    PhotoAttached, StoreError, StoreResult,
};

/// An observation with its task and credit; queries add their `WHERE`.
macro_rules! observation_select {
    ($where:literal) => {
        concat!(
            "SELECT o.client_id, o.observer_id, o.project_id, o.batch_id,
                o.task_id, o.media_id, o.created_at, t.content, t.state, t.consensus, c.seconds
             FROM observations o JOIN tasks t ON t.id = o.task_id
             LEFT JOIN observation_credits c ON c.client_id = o.client_id ",
            $where
        )
    };
}

const OBSERVATION_QUERY: &str = observation_select!("WHERE o.client_id = ?1");
const OBSERVATIONS_BY_QUERY: &str =
    observation_select!("WHERE o.observer_id = ?1 ORDER BY o.created_at, o.rowid");

const MEDIA_COLUMNS: &str =
    "id, project_id, uploader_id, display_sha256, thumb_sha256, width, height, created_at";

impl SqliteStore {
    /// Photos live in `media/` beside the database file.
    fn media_dir(&self) -> PathBuf {
        self.path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .join("media")
    }

    /// Writes both renditions of `photo` and hands back its record, ready
    /// for the transaction that points at the files.
    async fn write_photo_files(&self, photo: NewPhoto) -> StoreResult<MediaRecord> {
        let dir = self.media_dir();
        run_blocking(move || {
            write_file(&dir, &photo.record.display_sha256, &photo.display)?;
            write_file(&dir, &photo.record.thumb_sha256, &photo.thumb)?;
            Ok(photo.record)
        })
        .await
    }
}

/// Where the file with this SHA-256 lives. The hash comes from our own
/// pipeline, but it becomes a path, so anything but 64 hex digits is refused.
fn file_path(dir: &Path, sha256: &str) -> anyhow::Result<PathBuf> {
    let well_formed = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    anyhow::ensure!(well_formed, "not a lower-case SHA-256: {sha256:?}");
    Ok(dir.join(&sha256[..2]).join(format!("{}.jpg", &sha256[2..])))
}

/// Writes `bytes` under its hash unless a file is already there. The temp
/// file sits in the final directory so the rename is atomic: readers see
/// the whole file or none.
fn write_file(dir: &Path, sha256: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let path = file_path(dir, sha256)?;
    if path.exists() {
        return Ok(());
    }
    let parent = path.parent().context("media path without a directory")?;
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let temp = parent.join(format!(".{}.tmp", Uuid::new_v4()));
    let written = (|| -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written.with_context(|| format!("writing {}", path.display()))
}

fn observation_from_row(row: &Row<'_>) -> rusqlite::Result<ObservationRecord> {
    let media_id: Option<String> = row.get(5)?;
    let consensus: Option<String> = row.get(9)?;
    Ok(ObservationRecord {
        client_id: uuid(&row.get::<_, String>(0)?)?,
        observer_id: uuid(&row.get::<_, String>(1)?)?,
        project_id: uuid(&row.get::<_, String>(2)?)?,
        batch_id: uuid(&row.get::<_, String>(3)?)?,
        task_id: uuid(&row.get::<_, String>(4)?)?,
        media_id: media_id.as_deref().map(uuid).transpose()?,
        created_at: time(row.get(6)?),
        content: from_json(&row.get::<_, String>(7)?)?,
        state: TaskState::from_code(row.get(8)?),
        consensus: consensus
            .as_deref()
            .map(from_json)
            .transpose()?
            .unwrap_or_default(),
        credited_seconds: row.get(10)?,
    })
}

fn media_from_row(row: &Row<'_>) -> rusqlite::Result<MediaRecord> {
    Ok(MediaRecord {
        id: uuid(&row.get::<_, String>(0)?)?,
        project_id: uuid(&row.get::<_, String>(1)?)?,
        uploader_id: uuid(&row.get::<_, String>(2)?)?,
        display_sha256: row.get(3)?,
        thumb_sha256: row.get(4)?,
        width: row.get(5)?,
        height: row.get(6)?,
        created_at: time(row.get(7)?),
    })
}

/// Every observation `observer` logged, oldest first (for their export).
pub(super) fn observations_by(
    conn: &Connection,
    observer: Uuid,
) -> StoreResult<Vec<ObservationRecord>> {
    Ok(conn
        .prepare_cached(OBSERVATIONS_BY_QUERY)?
        .query_map([observer.to_string()], observation_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

fn find_observation(conn: &Connection, client_id: Uuid) -> StoreResult<Option<ObservationRecord>> {
    Ok(conn
        .prepare_cached(OBSERVATION_QUERY)?
        .query_row([client_id.to_string()], observation_from_row)
        .optional()?)
}

fn insert_media(conn: &Connection, media: &MediaRecord) -> rusqlite::Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO media ({MEDIA_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute(params![
        media.id.to_string(),
        media.project_id.to_string(),
        media.uploader_id.to_string(),
        media.display_sha256,
        media.thumb_sha256,
        media.width,
        media.height,
        media.created_at.timestamp_millis(),
    ])?;
    Ok(())
}

/// Credits the observer for logging, within what the day's ceiling leaves.
fn credit_logging(tx: &Transaction<'_>, observation: &NewObservation) -> StoreResult<()> {
    let observer = observation.observer_id.to_string();
    let now_ms = observation.created_at.timestamp_millis();
    let credited_today = credited_since(tx, &observer, day_start_ms(now_ms))?;
    let seconds = logging_credit(observation.credit_estimate_seconds, credited_today);
    tx.prepare_cached(
        "INSERT INTO observation_credits (client_id, contributor_id, project_id, batch_id, seconds, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        observation.client_id.to_string(),
        observer,
        observation.project_id.to_string(),
        observation.batch_id.to_string(),
        seconds,
        now_ms,
    ])?;
    Ok(())
}

#[async_trait::async_trait]
impl MediaStore for SqliteStore {
    async fn log_observation(
        &self,
        observation: NewObservation,
        photo: Option<NewPhoto>,
    ) -> StoreResult<Logged> {
        // A retry is answered without touching the disk.
        if let Some(existing) = self.observation(observation.client_id).await? {
            return Ok(Logged::Existing(existing));
        }
        let media = match photo {
            Some(photo) => Some(self.write_photo_files(photo).await?),
            None => None,
        };
        let content = json_text(&observation.content)?;
        self.write(move |tx| {
            // Checked again inside the transaction: a concurrent retry may
            // have committed since the first look.
            if let Some(existing) = find_observation(tx, observation.client_id)? {
                return Ok(Logged::Existing(existing));
            }
            if let Some(media) = &media {
                insert_media(tx, media)?;
            }
            tx.prepare_cached(
                "INSERT INTO tasks (id, batch_id, content, is_gold, created_by)
                 VALUES (?1, ?2, ?3, 0, ?4)",
            )?
            .execute(params![
                observation.task_id.to_string(),
                observation.batch_id.to_string(),
                content,
                observation.observer_id.to_string(),
            ])?;
            tx.prepare_cached("UPDATE batches SET task_total = task_total + 1 WHERE id = ?1")?
                .execute([observation.batch_id.to_string()])?;
            tx.prepare_cached(
                "INSERT INTO observations (client_id, observer_id, project_id, batch_id, task_id, media_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                observation.client_id.to_string(),
                observation.observer_id.to_string(),
                observation.project_id.to_string(),
                observation.batch_id.to_string(),
                observation.task_id.to_string(),
                media.as_ref().map(|m| m.id.to_string()),
                observation.created_at.timestamp_millis(),
            ])?;
            credit_logging(tx, &observation)?;
            find_observation(tx, observation.client_id)?
                .map(Logged::Created)
                .ok_or_else(|| StoreError::Backend(anyhow::anyhow!("stored observation not found")))
        })
        .await
    }

    async fn attach_photo(&self, client_id: Uuid, photo: NewPhoto) -> StoreResult<PhotoAttached> {
        self.attach_observation_photo(client_id, photo).await
    }

    async fn observation(&self, client_id: Uuid) -> StoreResult<Option<ObservationRecord>> {
        self.read(move |conn| find_observation(conn, client_id))
            .await
    }

    async fn observation_authors(
        &self,
        batch_id: Uuid,
    ) -> StoreResult<Vec<(Uuid, Uuid, DateTime<Utc>)>> {
        self.read(move |conn| {
            let mut rows = conn.prepare_cached(
                "SELECT task_id, observer_id, created_at FROM observations WHERE batch_id = ?1",
            )?;
            let found = rows.query_map([batch_id.to_string()], |row| {
                Ok((
                    uuid(&row.get::<_, String>(0)?)?,
                    uuid(&row.get::<_, String>(1)?)?,
                    time(row.get(2)?),
                ))
            })?;
            Ok(found.collect::<rusqlite::Result<Vec<_>>>()?)
        })
        .await
    }

    async fn media(&self, id: Uuid) -> StoreResult<Option<MediaRecord>> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {MEDIA_COLUMNS} FROM media WHERE id = ?1"))?
                .query_row([id.to_string()], media_from_row)
                .optional()?)
        })
        .await
    }

    async fn media_bytes(
        &self,
        media: &MediaRecord,
        size: MediaSize,
    ) -> StoreResult<Option<Vec<u8>>> {
        let path = file_path(&self.media_dir(), media.sha256(size))?;
        match tokio::fs::read(&path).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(StoreError::Backend(
                anyhow::Error::new(err).context(format!("reading {}", path.display())),
            )),
        }
    }

    async fn media_shown_to(
        &self,
        media_id: Uuid,
        account: Uuid,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM observations o JOIN tasks t ON t.id = o.task_id
                     WHERE o.media_id = ?1 AND (
                         EXISTS (SELECT 1 FROM leases l WHERE l.task_seq = t.seq
                                 AND l.contributor_id = ?2 AND l.expires_at > ?3)
                         OR EXISTS (SELECT 1 FROM answers a WHERE a.task_seq = t.seq
                                    AND a.contributor_id = ?2)))",
                )?
                .query_row(
                    params![
                        media_id.to_string(),
                        account.to_string(),
                        now.timestamp_millis()
                    ],
                    |row| row.get(0),
                )?)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

    #[test]
    fn files_are_laid_out_by_hash_prefix() {
        let path = file_path(Path::new("/data/media"), SHA).expect("a valid hash");
        assert_eq!(
            path,
            Path::new(
                "/data/media/ab/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd.jpg"
            )
        );
    }

    #[test]
    fn anything_but_a_lower_case_hash_is_refused_as_a_path() {
        assert!(file_path(Path::new("/m"), "../../etc/passwd").is_err());
        assert!(file_path(Path::new("/m"), &SHA.to_uppercase()).is_err());
        assert!(file_path(Path::new("/m"), &SHA[..63]).is_err());
    }

    #[test]
    fn writing_the_same_content_twice_keeps_one_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        write_file(dir.path(), SHA, b"first").expect("written");
        write_file(dir.path(), SHA, b"first").expect("written again");
        let shard: Vec<_> = std::fs::read_dir(dir.path().join("ab"))
            .expect("shard directory")
            .flatten()
            .map(|entry| entry.file_name())
            .collect();
        assert_eq!(shard.len(), 1, "no temp files are left behind: {shard:?}");
        let stored = std::fs::read(file_path(dir.path(), SHA).expect("path")).expect("read");
        assert_eq!(stored, b"first");
    }
}
