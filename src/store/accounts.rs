//! Accounts and refresh tokens.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::StoreResult;
use crate::domain::account::{Email, Role, StaffGroup};
use crate::domain::admission::Worker;
use crate::domain::affiliation::{Affiliation, AffiliationChange};
use crate::domain::organisation::Membership;
use crate::domain::practice::{Standing, UnconfirmedAccounts};

/// A registered person, without secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub staff_group: StaffGroup,
    pub organisation: Option<String>,
    /// The organisation record the email domain matched, if any.
    pub organisation_id: Option<Uuid>,
    /// The person opened the confirmation link sent to `email`.
    pub email_confirmed: bool,
    /// The organisation whose single sign-on this account is linked to.
    pub signed_in_through: Option<Uuid>,
    pub registration_number: Option<String>,
    pub roles: Vec<Role>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// How far the account's organisation is proven.
    pub fn membership(&self) -> Option<Membership> {
        Membership::of(
            self.organisation.as_deref(),
            self.organisation_id,
            self.email_confirmed,
            self.signed_in_through,
        )
    }

    /// What decides whether the account may only practise.
    pub fn standing(&self) -> Standing {
        Standing {
            verified: self.membership() == Some(Membership::Verified),
            email_confirmed: self.email_confirmed,
            organisation_id: self.organisation_id,
        }
    }

    /// Whether the account answers practice tasks only, given the policy of
    /// the organisation `standing().deciding_organisation()` names.
    pub fn practice_only(&self, policy: Option<UnconfirmedAccounts>) -> bool {
        self.standing().practice_only(policy)
    }

    /// Who the account says it is: what changing its address or
    /// organisation rewrites.
    pub fn affiliation(&self) -> Affiliation {
        Affiliation {
            email: self.email.clone(),
            email_confirmed: self.email_confirmed,
            organisation: self.organisation.clone(),
            organisation_id: self.organisation_id,
        }
    }

    /// The account as the admission rules see it.
    pub fn worker(&self) -> Worker<'_> {
        Worker {
            organisation: self.organisation.as_deref(),
            organisation_id: self.organisation_id,
            verified: self.membership() == Some(Membership::Verified),
            staff_group: self.staff_group,
        }
    }
}

/// What the owner of an account may change about it, already validated:
/// the name printed on certificates, the staff group and the professional
/// registration number (`None` clears it), and their address or
/// organisation, which the store applies by `domain::affiliation`.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    pub display_name: String,
    pub staff_group: StaffGroup,
    pub registration_number: Option<String>,
    pub affiliation: AffiliationChange,
}

/// An account with its password hash, only for checking a login.
pub struct Credentials {
    pub account: Account,
    pub password_hash: String,
}

/// A refresh token to remember. Only its hash is stored; the family ties
/// together every token rotated from one login, so reuse can revoke them all.
pub struct NewRefreshToken {
    pub token_hash: String,
    pub family_id: Uuid,
    pub account_id: Uuid,
    pub expires_at: DateTime<Utc>,
}

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum RefreshOutcome {
    /// The token was live; it is now used up and its successor is stored.
    Rotated(Account),
    /// The token had already been used or revoked: its whole family is now revoked.
    Reused,
    /// Unknown or expired.
    Invalid,
}

#[async_trait::async_trait]
pub trait AccountStore {
    /// Stores a new account; `Conflict` when the email is taken.
    async fn create_account(&self, account: &Account, password_hash: &str) -> StoreResult<()>;

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<Credentials>>;

    async fn account(&self, id: Uuid) -> StoreResult<Option<Account>>;

    /// Replaces an account's roles; `None` when there is no such account.
    async fn set_roles(&self, id: Uuid, roles: &[Role]) -> StoreResult<Option<Account>>;

    /// Applies the owner's profile changes in one write; `None` when there
    /// is no such account, `Conflict` when another account has the new
    /// address. A new address or organisation is applied by
    /// `AffiliationChange::apply`, with the organisation record whose
    /// domains include the resulting address; a new address also makes any
    /// confirmation link sent before stop working.
    async fn update_profile(&self, id: Uuid, profile: &Profile) -> StoreResult<Option<Account>>;

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> StoreResult<()>;

    /// Uses up the presented token and stores `next_hash` as its successor in
    /// the same family, atomically. A token presented twice revokes its family.
    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next_hash: &str,
        next_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome>;

    /// Revokes the family of the presented token (logout). Unknown tokens are ignored.
    async fn revoke_refresh_family(&self, presented_hash: &str) -> StoreResult<()>;
}
