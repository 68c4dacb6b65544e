//! Organisations as records: administrators create and edit them; anyone
//! may list them (registration and audiences name them).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::Role;
use crate::domain::field_error::FieldError;
use crate::domain::organisation::{Organisation, OrganisationFields};
use crate::domain::practice::UnconfirmedAccounts;
use crate::domain::sign_on::SignOn;
use crate::store::StoreError;

pub struct OrganisationsApi;

/// A new organisation.
#[derive(Object)]
pub struct NewOrganisationBody {
    /// The name printed on certificates, e.g. `North Hospitals NHS Foundation Trust`.
    name: String,
    /// The NHS ODS code, e.g. `RJ1`.
    ods_code: Option<String>,
    /// Email domains that prove membership, e.g. `northhospitals.nhs.uk`. A
    /// person who confirms an address at one of them is a verified member.
    /// Shared NHS domains such as `nhs.net` are refused.
    #[oai(default)]
    email_domains: Vec<String>,
    /// The organisation's own sign-in, when staff may use it.
    sign_on: Option<SignOnBody>,
    /// What accounts at these domains may do before confirming their
    /// address: `practice_only` (the default) or `all_tasks`.
    #[oai(default)]
    unconfirmed_accounts: UnconfirmedAccounts,
}

/// An organisation's OpenID Connect provider, and Tessera's client there.
/// Register `<TESSERA_PUBLIC_URL>/app/` as the client's redirect URI.
#[derive(Object)]
pub struct SignOnBody {
    /// The issuer, exactly as the provider writes it in id tokens, e.g.
    /// `https://login.microsoftonline.com/<tenant>/v2.0`. https only
    /// (plain http on loopback, for testing).
    issuer: String,
    client_id: String,
    /// Write-only. When changing an organisation, leaving it out keeps the
    /// secret set before.
    client_secret: Option<String>,
}

/// An organisation's sign-in, as shown: never the secret.
#[derive(Object)]
pub struct SignOnView {
    issuer: String,
    client_id: String,
    /// Whether a client secret is set.
    client_secret_set: bool,
}

/// Changes to an organisation; absent fields stay as they are. Members
/// whose address is no longer at one of the domains become self-declared.
#[derive(Object)]
pub struct OrganisationChanges {
    name: Option<String>,
    /// The NHS ODS code; an empty string removes it.
    ods_code: Option<String>,
    email_domains: Option<Vec<String>>,
    /// The organisation's sign-in; `null` removes it.
    sign_on: MaybeUndefined<SignOnBody>,
    unconfirmed_accounts: Option<UnconfirmedAccounts>,
}

/// An organisation.
#[derive(Object)]
pub struct OrganisationView {
    id: Uuid,
    name: String,
    #[oai(skip_serializing_if_is_none)]
    ods_code: Option<String>,
    email_domains: Vec<String>,
    /// Present when staff may sign in through the organisation
    /// (`POST /v1/auth/sign-on`).
    #[oai(skip_serializing_if_is_none)]
    sign_on: Option<SignOnView>,
    /// What an account at one of the domains may do until its address is
    /// confirmed. `practice_only`: only practice tasks (gold tasks with
    /// known answers), with feedback but no credit, never counting towards
    /// results. `all_tasks`: everything, as confirmed members. Accounts at
    /// other domains, confirmed addresses and sign-ins are not affected.
    unconfirmed_accounts: UnconfirmedAccounts,
}

impl From<Organisation> for OrganisationView {
    fn from(organisation: Organisation) -> Self {
        Self {
            id: organisation.id,
            name: organisation.name,
            ods_code: organisation.ods_code,
            email_domains: organisation.email_domains,
            unconfirmed_accounts: organisation.unconfirmed_accounts,
            sign_on: organisation.sign_on.map(|sign_on| SignOnView {
                issuer: sign_on.issuer,
                client_id: sign_on.client_id,
                client_secret_set: sign_on.client_secret.is_some(),
            }),
        }
    }
}

/// Every organisation, by name.
#[derive(Object)]
pub struct OrganisationList {
    organisations: Vec<OrganisationView>,
}

#[derive(ApiResponse)]
pub enum OrganisationResponse {
    /// The organisation.
    #[oai(status = 200)]
    Ok(Json<OrganisationView>),
    /// The organisation was created.
    #[oai(status = 201)]
    Created(Json<OrganisationView>),
}

#[derive(ApiResponse)]
pub enum OrganisationListResponse {
    /// Every organisation.
    #[oai(status = 200)]
    Ok(Json<OrganisationList>),
}

impl SignOnBody {
    /// The sign-on this body describes; `kept_secret` (the stored one) is
    /// used when the body leaves the secret out.
    fn parse(&self, kept_secret: Option<&str>) -> Result<SignOn, Vec<FieldError>> {
        let secret = self.client_secret.as_deref().or(kept_secret);
        SignOn::parse(&self.issuer, &self.client_id, secret)
    }
}

/// Every field checked, every problem reported together.
fn checked(
    name: &str,
    ods_code: Option<&str>,
    email_domains: &[String],
    sign_on: Result<Option<SignOn>, Vec<FieldError>>,
) -> Result<OrganisationFields, ApiError> {
    match (
        OrganisationFields::parse(name, ods_code, email_domains),
        sign_on,
    ) {
        (Ok(fields), Ok(sign_on)) => Ok(fields.with_sign_on(sign_on)),
        (fields, sign_on) => Err(ApiError::invalid(
            fields
                .err()
                .unwrap_or_default()
                .into_iter()
                .chain(sign_on.err().unwrap_or_default()),
        )),
    }
}

fn taken(err: StoreError) -> ApiError {
    match err {
        StoreError::Conflict(_) => ApiError::conflict(
            "Another organisation already has this ODS code or one of these email domains.",
        ),
        other => other.into(),
    }
}

#[OpenApi(tag = "ApiTags::Admin")]
impl OrganisationsApi {
    /// List the organisations, with the email domains that make someone a
    /// verified member. Open to everyone: people registering choose by it.
    #[oai(
        path = "/v1/organisations",
        method = "get",
        operation_id = "list_organisations"
    )]
    async fn list(&self, state: Data<&SharedState>) -> Result<OrganisationListResponse, ApiError> {
        let organisations = state.store.organisations().await?;
        Ok(OrganisationListResponse::Ok(Json(OrganisationList {
            organisations: organisations.into_iter().map(Into::into).collect(),
        })))
    }

    /// Record an organisation (admins only).
    #[oai(
        path = "/v1/admin/organisations",
        method = "post",
        operation_id = "create_organisation"
    )]
    async fn create(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        body: Json<NewOrganisationBody>,
    ) -> Result<OrganisationResponse, ApiError> {
        caller.require(Role::Admin)?;
        let fields = checked(
            &body.name,
            body.ods_code.as_deref(),
            &body.email_domains,
            body.sign_on
                .as_ref()
                .map(|sign_on| sign_on.parse(None))
                .transpose(),
        )?;
        let organisation = fields
            .with_unconfirmed_accounts(body.unconfirmed_accounts)
            .into_record(Uuid::new_v4());
        state
            .store
            .create_organisation(&organisation)
            .await
            .map_err(taken)?;
        Ok(OrganisationResponse::Created(Json(organisation.into())))
    }

    /// Change an organisation's name, ODS code, domains, sign-in or policy
    /// for unconfirmed accounts (admins only).
    #[oai(
        path = "/v1/admin/organisations/:organisation_id",
        method = "patch",
        operation_id = "update_organisation"
    )]
    async fn update(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        organisation_id: Path<Uuid>,
        body: Json<OrganisationChanges>,
    ) -> Result<OrganisationResponse, ApiError> {
        caller.require(Role::Admin)?;
        let stored = state
            .store
            .organisation(organisation_id.0)
            .await?
            .ok_or_else(|| ApiError::not_found("There is no organisation with this id."))?;
        let changes = body.0;
        let name = changes.name.unwrap_or(stored.name);
        let ods_code = changes.ods_code.or(stored.ods_code);
        let domains = changes.email_domains.unwrap_or(stored.email_domains);
        let sign_on = match &changes.sign_on {
            MaybeUndefined::Undefined => Ok(stored.sign_on),
            MaybeUndefined::Null => Ok(None),
            MaybeUndefined::Value(body) => {
                let kept = stored
                    .sign_on
                    .as_ref()
                    .and_then(|s| s.client_secret.as_deref());
                body.parse(kept).map(Some)
            }
        };
        let organisation = checked(&name, ods_code.as_deref(), &domains, sign_on)?
            .with_unconfirmed_accounts(
                changes
                    .unconfirmed_accounts
                    .unwrap_or(stored.unconfirmed_accounts),
            )
            .into_record(stored.id);
        let updated = state
            .store
            .update_organisation(&organisation)
            .await
            .map_err(taken)?
            .ok_or_else(|| ApiError::not_found("There is no organisation with this id."))?;
        // Members' names and memberships changed: callers see it at once.
        state.accounts.forget_all();
        Ok(OrganisationResponse::Ok(Json(updated.into())))
    }
}
