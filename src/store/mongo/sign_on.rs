//! Single sign-on: pending sign-ins and linking a provider's subject.

use chrono::{DateTime, Utc};
use mongodb::Collection;
use mongodb::bson::doc;
use mongodb::options::ReturnDocument;

use super::MongoStore;
use super::codec::{at, id, time, uuid};
use super::documents::{AccountDoc, PendingSignOnDoc, names};
use crate::domain::organisation::Organisation;
use crate::domain::sign_on::{Identity, Link, Refusal, SameEmail, link};
use crate::store::{Account, PendingSignOn, SignOnStore, StoreResult};

impl MongoStore {
    fn pending_sign_ons(&self) -> Collection<PendingSignOnDoc> {
        self.db.collection(names::PENDING_SIGN_ONS)
    }
}

#[async_trait::async_trait]
impl SignOnStore for MongoStore {
    async fn begin_sign_on(&self, pending: &PendingSignOn, now: DateTime<Utc>) -> StoreResult<()> {
        self.pending_sign_ons()
            .delete_many(doc! { "expires_at": { "$lte": at(now) } })
            .await?;
        self.pending_sign_ons()
            .insert_one(PendingSignOnDoc {
                state_hash: pending.state_hash.clone(),
                organisation_id: id(pending.organisation_id),
                nonce: pending.nonce.clone(),
                pkce_verifier: pending.pkce_verifier.clone(),
                expires_at: at(pending.expires_at),
            })
            .await?;
        Ok(())
    }

    async fn take_sign_on(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<PendingSignOn>> {
        // One delete uses the state up: of two callbacks exactly one gets it.
        let taken = self
            .pending_sign_ons()
            .find_one_and_delete(doc! { "_id": state_hash })
            .await?;
        Ok(taken
            .filter(|doc| time(doc.expires_at) > now)
            .map(|doc| PendingSignOn {
                state_hash: doc.state_hash,
                organisation_id: uuid(doc.organisation_id),
                nonce: doc.nonce,
                pkce_verifier: doc.pkce_verifier,
                expires_at: time(doc.expires_at),
            }))
    }

    async fn complete_sign_on(
        &self,
        identity: &Identity,
        organisation: &Organisation,
        new: &Account,
    ) -> StoreResult<Result<Account, Refusal>> {
        let org = id(organisation.id);
        let by_subject = self
            .accounts
            .find_one(doc! { "sign_on_organisation_id": org, "sign_on_subject": &identity.subject })
            .await?;
        let same_email = self
            .accounts
            .find_one(doc! { "email": identity.email.as_str() })
            .await?;
        let same = same_email.as_ref().map(|found| SameEmail {
            account_id: uuid(found.id),
            linked_subject: found
                .sign_on_subject
                .as_deref()
                .filter(|_| found.sign_on_organisation_id == Some(org)),
        });
        let decided = link(
            by_subject.as_ref().map(|found| uuid(found.id)),
            same,
            identity,
        );
        let account = match decided {
            Err(refusal) => return Ok(Err(refusal)),
            Ok(Link::Known(_)) => by_subject,
            Ok(Link::ByEmail(_)) => same_email,
            Ok(Link::New) => {
                // No password: this account signs in through the provider;
                // a racing first sign-in meets the unique email.
                let doc = AccountDoc::new(new, "");
                self.accounts.insert_one(&doc).await?;
                Some(doc)
            }
        }
        .ok_or_else(|| anyhow::anyhow!("the signed-in account vanished"))?;
        let confirms = identity.email_verified && account.email == identity.email.as_str();
        let updated = self
            .accounts
            .find_one_and_update(
                doc! { "_id": account.id },
                doc! { "$set": {
                    "sign_on_organisation_id": org,
                    "sign_on_subject": &identity.subject,
                    "organisation_id": org,
                    "organisation": &organisation.name,
                    "email_confirmed": account.email_confirmed || confirms,
                } },
            )
            .return_document(ReturnDocument::After)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the signed-in account vanished"))?;
        Ok(Ok(updated.into_account()))
    }
}
