//! Issued certificates: written once; only the revocation is ever filled
//! in, once (the filter `revoked_at: null` makes the first one stand).

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use mongodb::Collection;
use mongodb::bson::{Bson, doc};
use uuid::Uuid;

use super::MongoStore;
use super::codec::{at, id, time, uuid};
use super::documents::{CertificateDoc, SCHEMA_VERSION, names};
use crate::store::{StoreResult, StoredCertificate};

impl CertificateDoc {
    fn into_certificate(self) -> StoredCertificate {
        StoredCertificate {
            id: uuid(self.id),
            contributor_id: uuid(self.contributor_id),
            signed: self.signed,
            created_at: time(self.created_at),
            revoked_at: self.revoked_at.map(time),
            revoke_reason: self.revoke_reason,
        }
    }
}

impl MongoStore {
    fn certificates(&self) -> Collection<CertificateDoc> {
        self.db.collection(names::CERTIFICATES)
    }

    pub(super) async fn store_certificate(
        &self,
        certificate: &StoredCertificate,
    ) -> StoreResult<()> {
        self.certificates()
            .insert_one(CertificateDoc {
                id: id(certificate.id),
                schema_version: SCHEMA_VERSION,
                contributor_id: id(certificate.contributor_id),
                signed: certificate.signed.clone(),
                created_at: at(certificate.created_at),
                revoked_at: certificate.revoked_at.map(at),
                revoke_reason: certificate.revoke_reason.clone(),
            })
            .await?;
        Ok(())
    }

    pub(super) async fn find_certificate(
        &self,
        certificate_id: Uuid,
    ) -> StoreResult<Option<StoredCertificate>> {
        let found = self
            .certificates()
            .find_one(doc! { "_id": id(certificate_id) })
            .await?;
        Ok(found.map(CertificateDoc::into_certificate))
    }

    pub(super) async fn contributor_certificates(
        &self,
        contributor: Uuid,
    ) -> StoreResult<Vec<StoredCertificate>> {
        let found: Vec<CertificateDoc> = self
            .certificates()
            .find(doc! { "contributor_id": id(contributor) })
            .await?
            .try_collect()
            .await?;
        Ok(found
            .into_iter()
            .map(CertificateDoc::into_certificate)
            .collect())
    }

    pub(super) async fn revoke(
        &self,
        certificate_id: Uuid,
        revoked_at: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<Option<StoredCertificate>> {
        self.certificates()
            .update_one(
                doc! { "_id": id(certificate_id), "revoked_at": Bson::Null },
                doc! { "$set": { "revoked_at": at(revoked_at), "revoke_reason": reason } },
            )
            .await?;
        // Its credential's bit in the revocation list, if it has a place.
        // Set on every revocation request, so a retry mends an interrupted one.
        self.revoke_place(certificate_id).await?;
        self.find_certificate(certificate_id).await
    }
}
