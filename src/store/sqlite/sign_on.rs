use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::SqliteStore;
use super::accounts::{insert_account, select_account};
use crate::domain::organisation::Organisation;
use crate::domain::sign_on::{Identity, Link, Refusal, SameEmail, link};
use crate::store::{Account, PendingSignOn, SignOnStore, StoreResult};

#[async_trait::async_trait]
impl SignOnStore for SqliteStore {
    async fn begin_sign_on(&self, pending: &PendingSignOn, now: DateTime<Utc>) -> StoreResult<()> {
        let pending = pending.clone();
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM pending_sign_ons WHERE expires_at <= ?1",
                [now.timestamp_millis()],
            )?;
            tx.execute(
                "INSERT INTO pending_sign_ons
                     (state_hash, organisation_id, nonce, pkce_verifier, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    pending.state_hash,
                    pending.organisation_id.to_string(),
                    pending.nonce,
                    pending.pkce_verifier,
                    pending.expires_at.timestamp_millis(),
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn take_sign_on(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PendingSignOn>> {
        let state_hash = state_hash.to_owned();
        self.write(move |tx| {
            let found: Option<(String, String, String, i64)> = tx
                .query_row(
                    "DELETE FROM pending_sign_ons WHERE state_hash = ?1
                     RETURNING organisation_id, nonce, pkce_verifier, expires_at",
                    [&state_hash],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((organisation_id, nonce, pkce_verifier, expires_at)) = found else {
                return Ok(None);
            };
            let expires_at = DateTime::from_timestamp_millis(expires_at).unwrap_or_default();
            if expires_at <= now {
                return Ok(None);
            }
            Ok(Some(PendingSignOn {
                state_hash,
                organisation_id: Uuid::parse_str(&organisation_id).map_err(anyhow::Error::from)?,
                nonce,
                pkce_verifier,
                expires_at,
            }))
        })
        .await
    }

    async fn complete_sign_on(
        &self,
        identity: &Identity,
        organisation: &Organisation,
        new: &Account,
    ) -> StoreResult<Result<Account, Refusal>> {
        let (identity, organisation, new) = (identity.clone(), organisation.clone(), new.clone());
        self.write(move |tx| {
            let org_id = organisation.id.to_string();
            let by_subject: Option<String> = tx
                .query_row(
                    "SELECT id FROM accounts
                     WHERE sign_on_organisation_id = ?1 AND sign_on_subject = ?2",
                    params![org_id, identity.subject],
                    |row| row.get(0),
                )
                .optional()?;
            let same_email: Option<(String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT id, sign_on_organisation_id, sign_on_subject FROM accounts
                     WHERE email = ?1",
                    [identity.email.as_str()],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )
                .optional()?;
            let parse = |id: &str| Uuid::parse_str(id).map_err(anyhow::Error::from);
            let same = match &same_email {
                Some((id, linked_org, subject)) => Some(SameEmail {
                    account_id: parse(id)?,
                    linked_subject: subject
                        .as_deref()
                        .filter(|_| linked_org.as_deref() == Some(&org_id)),
                }),
                None => None,
            };
            let account_id = match link(
                by_subject.as_deref().map(parse).transpose()?,
                same,
                &identity,
            ) {
                Err(refusal) => return Ok(Err(refusal)),
                Ok(Link::Known(id) | Link::ByEmail(id)) => id,
                Ok(Link::New) => {
                    // No password: this account signs in through the provider.
                    insert_account(tx, &new, "")?;
                    new.id
                }
            };
            tx.execute(
                "UPDATE accounts SET sign_on_organisation_id = ?2, sign_on_subject = ?3,
                     organisation_id = ?2, organisation = ?4,
                     email_confirmed = email_confirmed OR (?5 AND email = ?6)
                 WHERE id = ?1",
                params![
                    account_id.to_string(),
                    org_id,
                    identity.subject,
                    organisation.name,
                    identity.email_verified,
                    identity.email.as_str(),
                ],
            )?;
            let account = select_account(tx, account_id)?
                .ok_or_else(|| anyhow::anyhow!("the signed-in account vanished"))?;
            Ok(Ok(account))
        })
        .await
    }
}
