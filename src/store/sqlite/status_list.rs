//! Places in the revocation status list: the `certificate_status` table
//! (migration 13), which erasure leaves alone.

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::SqliteStore;
use crate::store::{StatusListStore, StoreResult};

fn find_index(conn: &Connection, certificate: &str) -> StoreResult<Option<u64>> {
    Ok(conn
        .prepare_cached("SELECT status_index FROM certificate_status WHERE certificate_id = ?1")?
        .query_row([certificate], |row| row.get::<_, i64>(0))
        .optional()?
        .and_then(|index| u64::try_from(index).ok()))
}

#[async_trait::async_trait]
impl StatusListStore for SqliteStore {
    async fn status_index(&self, certificate: Uuid) -> StoreResult<Option<u64>> {
        let id = certificate.to_string();
        let known = {
            let id = id.clone();
            self.read(move |conn| find_index(conn, &id)).await?
        };
        if known.is_some() {
            return Ok(known);
        }
        // The one writer thread serialises this, so MAX + 1 is free.
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO certificate_status (certificate_id, status_index, revoked)
                 SELECT c.id,
                        (SELECT COALESCE(MAX(status_index) + 1, 0) FROM certificate_status),
                        c.revoked_at IS NOT NULL
                 FROM certificates c WHERE c.id = ?1
                 ON CONFLICT (certificate_id) DO NOTHING",
                params![id],
            )?;
            find_index(tx, &id)
        })
        .await
    }

    async fn revoked_status_indexes(&self) -> StoreResult<Vec<u64>> {
        self.read(|conn| {
            let indexes = conn
                .prepare_cached("SELECT status_index FROM certificate_status WHERE revoked = 1")?
                .query_map([], |row| row.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(indexes
                .into_iter()
                .filter_map(|index| u64::try_from(index).ok())
                .collect())
        })
        .await
    }
}
