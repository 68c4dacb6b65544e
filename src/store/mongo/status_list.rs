//! Places in the revocation status list: one document per certificate in
//! `certificate_status` (unique `index`), handed out from a counter in
//! `counters`. Erasure leaves both alone.

use futures_util::TryStreamExt;
use mongodb::Collection;
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use uuid::Uuid;

use super::codec::id;
use super::documents::{SCHEMA_VERSION, names};
use super::{MongoStore, is_duplicate_key};
use crate::store::{StatusListStore, StoreResult};

/// The counter document that hands out places.
const PLACES: &str = "certificate_status";

/// A place read back: negative or missing values are not places.
fn place(document: &Document) -> Option<u64> {
    document
        .get_i64("index")
        .ok()
        .and_then(|index| u64::try_from(index).ok())
}

impl MongoStore {
    fn certificate_status(&self) -> Collection<Document> {
        self.db.collection(names::CERTIFICATE_STATUS)
    }

    async fn known_place(&self, certificate: Uuid) -> StoreResult<Option<u64>> {
        let found = self
            .certificate_status()
            .find_one(doc! { "_id": id(certificate) })
            .await?;
        Ok(found.as_ref().and_then(place))
    }

    /// Sets the revoked bit of a certificate's place, if it has one.
    pub(super) async fn revoke_place(&self, certificate: Uuid) -> StoreResult<()> {
        self.certificate_status()
            .update_one(
                doc! { "_id": id(certificate) },
                doc! { "$set": { "revoked": true } },
            )
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl StatusListStore for MongoStore {
    async fn status_index(&self, certificate: Uuid) -> StoreResult<Option<u64>> {
        if let Some(index) = self.known_place(certificate).await? {
            return Ok(Some(index));
        }
        let Some(stored) = self.find_certificate(certificate).await? else {
            return Ok(None);
        };
        let counter = self
            .db
            .collection::<Document>(names::COUNTERS)
            .find_one_and_update(doc! { "_id": PLACES }, doc! { "$inc": { "next": 1_i64 } })
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await?;
        let next = counter
            .and_then(|c| c.get_i64("next").ok())
            .ok_or_else(|| anyhow::anyhow!("the status list counter did not count"))?;
        let inserted = self
            .certificate_status()
            .insert_one(doc! {
                "_id": id(certificate),
                "schema_version": SCHEMA_VERSION,
                "index": next - 1,
                "revoked": stored.revoked_at.is_some(),
            })
            .await;
        match inserted {
            Ok(_) => {
                // A revocation that landed between reading the certificate
                // and placing it found no place to mark: mark it now.
                if stored.revoked_at.is_none()
                    && self
                        .find_certificate(certificate)
                        .await?
                        .is_some_and(|now| now.revoked_at.is_some())
                {
                    self.revoke_place(certificate).await?;
                }
                Ok(u64::try_from(next - 1).ok())
            }
            // Another replica placed it first: its place stands (this one
            // is left unused, never given to anyone else).
            Err(err) if is_duplicate_key(&err) => self.known_place(certificate).await,
            Err(err) => Err(err.into()),
        }
    }

    async fn revoked_status_indexes(&self) -> StoreResult<Vec<u64>> {
        let revoked: Vec<Document> = self
            .certificate_status()
            .find(doc! { "revoked": true })
            .projection(doc! { "index": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(revoked.iter().filter_map(place).collect())
    }
}
