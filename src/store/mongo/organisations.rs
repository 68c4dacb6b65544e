//! Organisations, email confirmation and the administrators' account search.

use futures_util::TryStreamExt;
use mongodb::Collection;
use mongodb::bson::{Document, doc};
use mongodb::options::ReturnDocument;
use uuid::Uuid;

use super::MongoStore;
use super::codec::{id, uuid};
use super::documents::{AccountDoc, OrganisationDoc, SCHEMA_VERSION, SignOnDoc, names};
use crate::domain::organisation::{Organisation, domain_of};
use crate::domain::sign_on::SignOn;
use crate::store::{Account, AccountQuery, OrganisationStore, StoreError, StoreResult};

impl OrganisationDoc {
    fn new(organisation: &Organisation) -> Self {
        Self {
            id: id(organisation.id),
            schema_version: SCHEMA_VERSION,
            name: organisation.name.clone(),
            ods_code: organisation.ods_code.clone(),
            email_domains: organisation.email_domains.clone(),
            sign_on: organisation.sign_on.as_ref().map(|sign_on| SignOnDoc {
                issuer: sign_on.issuer.clone(),
                client_id: sign_on.client_id.clone(),
                client_secret: sign_on.client_secret.clone(),
            }),
            unconfirmed_accounts: organisation.unconfirmed_accounts,
        }
    }

    pub(super) fn into_organisation(self) -> Organisation {
        Organisation {
            id: uuid(self.id),
            name: self.name,
            ods_code: self.ods_code,
            email_domains: self.email_domains,
            sign_on: self.sign_on.map(|doc| SignOn {
                issuer: doc.issuer,
                client_id: doc.client_id,
                client_secret: doc.client_secret,
            }),
            unconfirmed_accounts: self.unconfirmed_accounts,
        }
    }
}

impl MongoStore {
    fn organisation_docs(&self) -> Collection<OrganisationDoc> {
        self.db.collection(names::ORGANISATIONS)
    }

    /// Another organisation already holding this code or one of these
    /// domains is a conflict, as SQLite's unique keys make it. (Checked
    /// before the write: two administrators racing with the same domain
    /// could both pass.)
    async fn refuse_taken(&self, organisation: &Organisation) -> StoreResult<()> {
        let mut taken: Vec<Document> = vec![doc! {
            "email_domains": { "$in": &organisation.email_domains },
        }];
        if let Some(code) = &organisation.ods_code {
            taken.push(doc! { "ods_code": code });
        }
        let clash = self
            .organisation_docs()
            .find_one(doc! { "_id": { "$ne": id(organisation.id) }, "$or": taken })
            .await?;
        match clash {
            Some(other) => Err(StoreError::Conflict(format!(
                "organisation {} already has this ODS code or domain",
                other.name
            ))),
            None => Ok(()),
        }
    }
}

#[async_trait::async_trait]
impl OrganisationStore for MongoStore {
    async fn create_organisation(&self, organisation: &Organisation) -> StoreResult<()> {
        self.refuse_taken(organisation).await?;
        self.organisation_docs()
            .insert_one(OrganisationDoc::new(organisation))
            .await?;
        Ok(())
    }

    async fn update_organisation(
        &self,
        organisation: &Organisation,
    ) -> StoreResult<Option<Organisation>> {
        self.refuse_taken(organisation).await?;
        let updated = self
            .organisation_docs()
            .find_one_and_replace(
                doc! { "_id": id(organisation.id) },
                OrganisationDoc::new(organisation),
            )
            .return_document(ReturnDocument::After)
            .await?;
        let Some(updated) = updated else {
            return Ok(None);
        };
        let members: Vec<AccountDoc> = self
            .accounts
            .find(doc! { "organisation_id": id(organisation.id) })
            .await?
            .try_collect()
            .await?;
        for member in members {
            // Members through the organisation's sign-on stay members.
            let still = member.sign_on_organisation_id == Some(id(organisation.id))
                || organisation
                    .email_domains
                    .iter()
                    .any(|domain| domain == domain_of(&member.email));
            let change = if still {
                doc! { "$set": { "organisation": &organisation.name } }
            } else {
                doc! { "$set": { "organisation_id": None::<mongodb::bson::Uuid> } }
            };
            self.accounts
                .update_one(doc! { "_id": member.id }, change)
                .await?;
        }
        Ok(Some(updated.into_organisation()))
    }

    async fn organisation(&self, organisation_id: Uuid) -> StoreResult<Option<Organisation>> {
        let found = self
            .organisation_docs()
            .find_one(doc! { "_id": id(organisation_id) })
            .await?;
        Ok(found.map(OrganisationDoc::into_organisation))
    }

    async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
        let docs: Vec<OrganisationDoc> = self
            .organisation_docs()
            .find(doc! {})
            .sort(doc! { "name": 1, "_id": 1 })
            .await?
            .try_collect()
            .await?;
        Ok(docs
            .into_iter()
            .map(OrganisationDoc::into_organisation)
            .collect())
    }

    async fn organisation_for_domain(&self, domain: &str) -> StoreResult<Option<Organisation>> {
        let found = self
            .organisation_docs()
            .find_one(doc! { "email_domains": domain })
            .await?;
        Ok(found.map(OrganisationDoc::into_organisation))
    }

    async fn set_confirmation_nonce(&self, account_id: Uuid, nonce: &str) -> StoreResult<bool> {
        let result = self
            .accounts
            .update_one(
                doc! { "_id": id(account_id) },
                doc! { "$set": { "confirmation_nonce": nonce } },
            )
            .await?;
        Ok(result.matched_count == 1)
    }

    async fn confirm_email(
        &self,
        account_id: Uuid,
        email: &str,
        nonce: &str,
    ) -> StoreResult<Option<Account>> {
        let mut change = doc! { "email_confirmed": true, "confirmation_nonce": None::<String> };
        if let Some(organisation) = self.organisation_for_domain(domain_of(email)).await? {
            change.insert("organisation_id", id(organisation.id));
            change.insert("organisation", organisation.name);
        }
        // One conditional update uses the nonce up: of two clicks on the
        // same link exactly one matches.
        let updated = self
            .accounts
            .find_one_and_update(
                doc! { "_id": id(account_id), "email": email, "confirmation_nonce": nonce },
                doc! { "$set": change },
            )
            .return_document(ReturnDocument::After)
            .await?;
        Ok(updated.map(AccountDoc::into_account))
    }

    async fn search_accounts(&self, query: &AccountQuery) -> StoreResult<Vec<Account>> {
        let mut filter = Document::new();
        if let Some(part) = &query.email_contains {
            let pattern = part
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_string()
                    } else {
                        format!("\\{c}")
                    }
                })
                .collect::<String>();
            filter.insert("email", doc! { "$regex": pattern });
        }
        if let Some(organisation) = query.organisation_id {
            filter.insert("organisation_id", id(organisation));
        }
        if let Some(after) = query.after {
            filter.insert("_id", doc! { "$gt": id(after) });
        }
        let docs: Vec<AccountDoc> = self
            .accounts
            .find(filter)
            .sort(doc! { "_id": 1 })
            .limit(query.limit as i64)
            .await?
            .try_collect()
            .await?;
        Ok(docs.into_iter().map(AccountDoc::into_account).collect())
    }
}
