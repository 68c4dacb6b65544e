//! Accounts and refresh tokens.

use chrono::{DateTime, Utc};
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;
use uuid::Uuid;

use super::MongoStore;
use super::codec::{at, id, time, uuid};
use super::documents::{AccountDoc, RefreshTokenDoc, SCHEMA_VERSION};
use crate::domain::account::{Email, Role};
use crate::domain::affiliation::Record;
use crate::store::{
    Account, AccountStore, Credentials, NewRefreshToken, OrganisationStore, Profile,
    RefreshOutcome, StoreError, StoreResult,
};

/// Reads of an account a profile change makes before giving up, when
/// other writes keep changing its address or organisation in between.
const PROFILE_ATTEMPTS: usize = 3;

fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|role| role.as_str().to_owned()).collect()
}

impl AccountDoc {
    pub(super) fn new(account: &Account, password_hash: &str) -> Self {
        Self {
            id: id(account.id),
            schema_version: SCHEMA_VERSION,
            email: account.email.clone(),
            password_hash: password_hash.to_owned(),
            display_name: account.display_name.clone(),
            staff_group: account.staff_group,
            organisation: account.organisation.clone(),
            organisation_id: account.organisation_id.map(id),
            email_confirmed: account.email_confirmed,
            confirmation_nonce: None,
            sign_on_organisation_id: account.signed_in_through.map(id),
            sign_on_subject: None,
            registration_number: account.registration_number.clone(),
            roles: role_names(&account.roles),
            created_at: at(account.created_at),
        }
    }

    pub(super) fn into_credentials(self) -> Credentials {
        let password_hash = self.password_hash.clone();
        Credentials {
            account: self.into_account(),
            password_hash,
        }
    }

    pub(super) fn into_account(self) -> Account {
        Account {
            id: uuid(self.id),
            email: self.email,
            display_name: self.display_name,
            staff_group: self.staff_group,
            organisation: self.organisation,
            organisation_id: self.organisation_id.map(uuid),
            email_confirmed: self.email_confirmed,
            signed_in_through: self.sign_on_organisation_id.map(uuid),
            registration_number: self.registration_number,
            roles: self
                .roles
                .iter()
                .filter_map(|name| Role::parse(name))
                .collect(),
            created_at: time(self.created_at),
        }
    }
}

impl RefreshTokenDoc {
    fn new(token_hash: &str, family_id: Uuid, account_id: Uuid, expires_at: DateTime<Utc>) -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            token_hash: token_hash.to_owned(),
            family_id: id(family_id),
            account_id: id(account_id),
            expires_at: at(expires_at),
            used: false,
            revoked: false,
        }
    }
}

#[async_trait::async_trait]
impl AccountStore for MongoStore {
    async fn create_account(&self, account: &Account, password_hash: &str) -> StoreResult<()> {
        // A taken email (or id) breaks a unique index: Conflict, as in SQLite.
        self.accounts
            .insert_one(AccountDoc::new(account, password_hash))
            .await?;
        Ok(())
    }

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        let found = self
            .accounts
            .find_one(doc! { "email": email.as_str() })
            .await?;
        Ok(found.map(AccountDoc::into_credentials))
    }

    async fn account(&self, account_id: Uuid) -> StoreResult<Option<Account>> {
        let found = self
            .accounts
            .find_one(doc! { "_id": id(account_id) })
            .await?;
        Ok(found.map(AccountDoc::into_account))
    }

    async fn set_roles(&self, account_id: Uuid, roles: &[Role]) -> StoreResult<Option<Account>> {
        let updated = self
            .accounts
            .find_one_and_update(
                doc! { "_id": id(account_id) },
                doc! { "$set": { "roles": role_names(roles) } },
            )
            .return_document(ReturnDocument::After)
            .await?;
        Ok(updated.map(AccountDoc::into_account))
    }

    async fn update_profile(
        &self,
        account_id: Uuid,
        profile: &Profile,
    ) -> StoreResult<Option<Account>> {
        let staff_group = mongodb::bson::to_bson(&profile.staff_group)
            .map_err(|err| StoreError::Backend(err.into()))?;
        for _ in 0..PROFILE_ATTEMPTS {
            let Some(account) = self.account(account_id).await? else {
                return Ok(None);
            };
            let current = account.affiliation();
            let record = match profile.affiliation.address_domain(&current) {
                Some(domain) => self.organisation_for_domain(domain).await?,
                None => None,
            };
            let next = profile.affiliation.apply(
                current,
                account.signed_in_through,
                record.as_ref().map(|found| Record {
                    id: found.id,
                    name: &found.name,
                }),
            );
            let mut change = doc! {
                "display_name": &profile.display_name,
                "staff_group": staff_group.clone(),
                "registration_number": profile.registration_number.as_deref(),
                "organisation": next.organisation.as_deref(),
                "organisation_id": next.organisation_id.map(id),
            };
            if next.email != account.email {
                // A new address leaves no link to the old one usable.
                change.insert("email", &next.email);
                change.insert("email_confirmed", next.email_confirmed);
                change.insert("confirmation_nonce", None::<String>);
            }
            // The rule was applied to what was read; the update only lands
            // while that still holds (a confirmation or an organisation
            // change in between makes it read again), as SQLite's single
            // write transaction guarantees.
            let updated = self
                .accounts
                .find_one_and_update(
                    doc! {
                        "_id": id(account_id),
                        "email": &account.email,
                        "organisation_id": account.organisation_id.map(id),
                        "sign_on_organisation_id": account.signed_in_through.map(id),
                    },
                    doc! { "$set": change },
                )
                .return_document(ReturnDocument::After)
                .await?;
            if let Some(updated) = updated {
                return Ok(Some(updated.into_account()));
            }
        }
        Err(StoreError::Backend(anyhow::anyhow!(
            "the account kept changing while its profile was being updated"
        )))
    }

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> StoreResult<()> {
        let document = RefreshTokenDoc::new(
            &token.token_hash,
            token.family_id,
            token.account_id,
            token.expires_at,
        );
        self.refresh_tokens.insert_one(document).await?;
        Ok(())
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next_hash: &str,
        next_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        // Using the token up is one conditional update: of two concurrent
        // presentations exactly one matches, the other sees `used` below.
        let live = self
            .refresh_tokens
            .find_one_and_update(
                doc! {
                    "token_hash": presented_hash,
                    "used": false,
                    "revoked": false,
                    "expires_at": { "$gt": at(now) },
                },
                doc! { "$set": { "used": true } },
            )
            .await?;
        let Some(token) = live else {
            return self.refuse_presented(presented_hash).await;
        };
        let successor = RefreshTokenDoc::new(
            next_hash,
            uuid(token.family_id),
            uuid(token.account_id),
            next_expires_at,
        );
        self.refresh_tokens.insert_one(successor).await?;
        Ok(match self.account(uuid(token.account_id)).await? {
            Some(account) => RefreshOutcome::Rotated(account),
            None => RefreshOutcome::Invalid,
        })
    }

    async fn revoke_refresh_family(&self, presented_hash: &str) -> StoreResult<()> {
        if let Some(token) = self
            .refresh_tokens
            .find_one(doc! { "token_hash": presented_hash })
            .await?
        {
            self.revoke_family(token.family_id).await?;
        }
        Ok(())
    }
}

impl MongoStore {
    /// Why a presented token could not be used, in SQLite's order: a used or
    /// revoked token (expired or not) revokes its family; an unknown or
    /// merely expired one is invalid.
    async fn refuse_presented(&self, presented_hash: &str) -> StoreResult<RefreshOutcome> {
        let Some(token) = self
            .refresh_tokens
            .find_one(doc! { "token_hash": presented_hash })
            .await?
        else {
            return Ok(RefreshOutcome::Invalid);
        };
        if token.used || token.revoked {
            self.revoke_family(token.family_id).await?;
            return Ok(RefreshOutcome::Reused);
        }
        Ok(RefreshOutcome::Invalid)
    }

    async fn revoke_family(&self, family_id: mongodb::bson::Uuid) -> StoreResult<()> {
        self.refresh_tokens
            .update_many(
                doc! { "family_id": family_id },
                doc! { "$set": { "revoked": true } },
            )
            .await?;
        Ok(())
    }
}
