//! Organisations, and the account queries and changes that depend on them:
//! email confirmation and the administrators' search.

use uuid::Uuid;

use super::{Account, StoreResult};
use crate::domain::organisation::Organisation;

/// Which accounts an administrator is looking for, one page at a time in
/// id order.
#[derive(Debug, Clone, Default)]
pub struct AccountQuery {
    /// Part of the email address, lower-cased.
    pub email_contains: Option<String>,
    pub organisation_id: Option<Uuid>,
    /// The last account of the page before.
    pub after: Option<Uuid>,
    pub limit: usize,
}

#[async_trait::async_trait]
pub trait OrganisationStore {
    /// Stores a new organisation; `Conflict` when another one already has
    /// its ODS code or one of its domains.
    async fn create_organisation(&self, organisation: &Organisation) -> StoreResult<()>;

    /// Replaces an organisation's name, code and domains (`Conflict` as for
    /// creation; `None` when there is no such organisation). Members keep a
    /// verified membership only while their address is at one of the new
    /// domains, and take the new name.
    async fn update_organisation(
        &self,
        organisation: &Organisation,
    ) -> StoreResult<Option<Organisation>>;

    async fn organisation(&self, id: Uuid) -> StoreResult<Option<Organisation>>;

    /// Every organisation, by name.
    async fn organisations(&self) -> StoreResult<Vec<Organisation>>;

    /// The organisation whose domains include `domain`, if any.
    async fn organisation_for_domain(&self, domain: &str) -> StoreResult<Option<Organisation>>;

    /// Remembers `nonce` as the one confirmation link of the account that
    /// may still be used (an earlier link stops working); false when there
    /// is no such account.
    async fn set_confirmation_nonce(&self, account_id: Uuid, nonce: &str) -> StoreResult<bool>;

    /// Confirms the account's address when `nonce` is its current one and
    /// `email` is still its address, using the nonce up, and links the
    /// organisation whose domains include the address: all in one write.
    /// `None` when the link is used up, replaced or for another address.
    async fn confirm_email(
        &self,
        account_id: Uuid,
        email: &str,
        nonce: &str,
    ) -> StoreResult<Option<Account>>;

    /// One page of accounts matching the query, in id order.
    async fn search_accounts(&self, query: &AccountQuery) -> StoreResult<Vec<Account>>;
}
