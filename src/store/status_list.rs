//! Places in the revocation status list (`domain::certificate::status_list`).

use uuid::Uuid;

use super::StoreResult;

#[async_trait::async_trait]
pub trait StatusListStore {
    /// The certificate's place in the revocation list: the next free place
    /// the first time it is asked for, then the same place for good. A
    /// place is never reused, and it outlives the holder's erasure (it
    /// carries nothing personal), so a revoked credential stays revoked.
    /// A place asked for after revocation starts out revoked. `None` when
    /// there is no such certificate.
    async fn status_index(&self, certificate: Uuid) -> StoreResult<Option<u64>>;

    /// The places of every revoked certificate that has one, in no
    /// particular order. `CreditStore::revoke_certificate` sets them.
    async fn revoked_status_indexes(&self) -> StoreResult<Vec<u64>>;
}
