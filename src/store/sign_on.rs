//! Single sign-on: sign-ins on their way through a provider, and tying a
//! signed-in person to their account.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Account, StoreResult};
use crate::domain::organisation::Organisation;
use crate::domain::sign_on::{Identity, Refusal};

/// A sign-in sent to the provider and not back yet. It is found by the
/// `state` the provider hands back (only its hash is stored) and used once.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingSignOn {
    pub state_hash: String,
    pub organisation_id: Uuid,
    /// The nonce the id token must carry.
    pub nonce: String,
    /// The PKCE verifier whose challenge went to the provider.
    pub pkce_verifier: String,
    pub expires_at: DateTime<Utc>,
}

#[async_trait::async_trait]
pub trait SignOnStore {
    /// Remembers a sign-in sent to the provider, and forgets every one that
    /// has expired (so abandoned sign-ins never pile up).
    async fn begin_sign_on(&self, pending: &PendingSignOn, now: DateTime<Utc>) -> StoreResult<()>;

    /// Uses up the sign-in whose state hashes to `state_hash`: `None` when
    /// it is unknown, already used or expired.
    async fn take_sign_on(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PendingSignOn>>;

    /// Ties the identity to its account by [`crate::domain::sign_on::link`]
    /// and makes the account a member of `organisation` through its
    /// provider, all in one write. When nobody has the address, `new` is
    /// stored (with no usable password). A verified address also confirms
    /// the account's own address when they are the same.
    async fn complete_sign_on(
        &self,
        identity: &Identity,
        organisation: &Organisation,
        new: &Account,
    ) -> StoreResult<Result<Account, Refusal>>;
}
