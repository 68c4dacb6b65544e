//! The signed-in person's own account.

use chrono::{DateTime, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{Email, FieldError, Role, StaffGroup, bounded_text};
use crate::domain::affiliation::AffiliationChange;
use crate::domain::organisation::Membership;
use crate::domain::regulator::RegistrationNumber;
use crate::store::{Account, Profile, StoreError};
use poem::web::Data;

pub struct MeApi;

/// An account as its owner (or an admin) sees it.
#[derive(Object)]
pub struct AccountView {
    /// The account id.
    id: Uuid,
    email: String,
    /// The name printed on certificates.
    display_name: String,
    staff_group: StaffGroup,
    #[oai(skip_serializing_if_is_none)]
    organisation: Option<String>,
    /// The organisation record (`/v1/organisations`) the email address
    /// matched, if any.
    #[oai(skip_serializing_if_is_none)]
    organisation_id: Option<Uuid>,
    /// `verified`: a confirmed address at one of the organisation's
    /// domains; `self_declared`: typed at registration or not yet
    /// confirmed. Absent when no organisation is given.
    #[oai(skip_serializing_if_is_none)]
    membership: Option<Membership>,
    /// The person opened the confirmation link sent to `email`.
    email_confirmed: bool,
    /// True while the address is not confirmed and the organisation its
    /// domain belongs to lets unconfirmed accounts practise only: sessions
    /// then hold practice tasks only, for no credit. Ask the person to open
    /// the link sent to their address. Always false for an address at no
    /// recorded organisation's domain.
    practice_only: bool,
    /// Professional registration number (e.g. NMC PIN).
    #[oai(skip_serializing_if_is_none)]
    registration_number: Option<String>,
    /// What this account may do; always includes `contributor`.
    roles: Vec<Role>,
    created_at: DateTime<Utc>,
}

impl AccountView {
    /// The account as shown; `practice_only` is what its organisation's
    /// policy makes of it (`AccountCache::practice_only`).
    pub fn new(account: Account, practice_only: bool) -> Self {
        Self {
            practice_only,
            membership: account.membership(),
            organisation_id: account.organisation_id,
            email_confirmed: account.email_confirmed,
            id: account.id,
            email: account.email,
            display_name: account.display_name,
            staff_group: account.staff_group,
            organisation: account.organisation,
            registration_number: account.registration_number,
            roles: account.roles,
            created_at: account.created_at,
        }
    }
}

/// The account as shown, its organisation's policy read through the cache.
pub async fn account_view(state: &SharedState, account: Account) -> Result<AccountView, ApiError> {
    let practice_only = state
        .accounts
        .practice_only(state.store.as_ref(), &account)
        .await?;
    Ok(AccountView::new(account, practice_only))
}

#[derive(ApiResponse)]
pub enum AccountResponse {
    /// The account.
    #[oai(status = 200)]
    Ok(Json<AccountView>),
}

/// Changes to your profile; absent fields stay as they are.
#[derive(Object)]
pub struct ProfileChanges {
    /// The name printed on certificates (1 to 100 characters).
    display_name: Option<String>,
    staff_group: Option<StaffGroup>,
    /// Professional registration number, e.g. `NMC 12A3456B`, `GMC 1234567`,
    /// `HCPC PA12345` or `GPhC 2012345` (at most 40 characters), checked
    /// against the format its regulator publishes; an empty string removes it.
    registration_number: Option<String>,
    /// A new email address, which you then log in with. It is unconfirmed
    /// until you open the link sent to it.
    email: Option<String>,
    /// Your current password: needed with a new `email` when you sign in
    /// with a password, so that a stolen access token cannot move your
    /// login to another address. Not needed for accounts that sign in
    /// through their organisation only.
    current_password: Option<String>,
    /// Your organisation as you would type it at registration (at most 200
    /// characters); an empty string removes it.
    organisation: Option<String>,
}

impl ProfileChanges {
    /// The profile after these changes, every field checked.
    fn apply_to(self, account: &Account) -> Result<Profile, ApiError> {
        let display_name = self
            .display_name
            .map(|name| bounded_text("display_name", &name, 100))
            .transpose();
        let staff_group = self.staff_group.unwrap_or(account.staff_group);
        let registration_number = match self.registration_number {
            None => Ok(account.registration_number.clone()),
            Some(number) if number.trim().is_empty() => Ok(None),
            Some(number) => registration_number(&number, staff_group).map(Some),
        };
        let email = self.email.as_deref().map(Email::parse).transpose();
        let organisation = match self.organisation {
            None => Ok(None),
            Some(name) if name.trim().is_empty() => Ok(Some(None)),
            Some(name) => bounded_text("organisation", &name, 200).map(|name| Some(Some(name))),
        };
        match (display_name, registration_number, email, organisation) {
            (Ok(display_name), Ok(registration_number), Ok(email), Ok(organisation)) => {
                Ok(Profile {
                    display_name: display_name.unwrap_or_else(|| account.display_name.clone()),
                    staff_group,
                    registration_number,
                    affiliation: AffiliationChange {
                        email,
                        organisation,
                    },
                })
            }
            (name, number, email, organisation) => Err(ApiError::invalid(
                [name.err(), number.err(), email.err(), organisation.err()]
                    .into_iter()
                    .flatten(),
            )),
        }
    }
}

/// A password account moves its login only with its current password,
/// counted against the same failure limits as logging in. An account with
/// no password (it signs in through its organisation) needs none.
async fn prove_password(
    state: &SharedState,
    req: &poem::Request,
    account: &Account,
    candidate: Option<String>,
) -> Result<(), ApiError> {
    let email = Email::parse(&account.email).map_err(|err| ApiError::internal(err.message))?;
    let stored = state
        .store
        .credentials_by_email(&email)
        .await?
        .map(|found| found.password_hash)
        .unwrap_or_default();
    if stored.is_empty() {
        return Ok(());
    }
    let client = super::accounts::client_address(state, req);
    let key = format!("{client} {}", account.email);
    let now = std::time::Instant::now();
    state
        .login_limiter
        .check(&[&key], now)
        .map_err(ApiError::too_many_requests)?;
    let Some(candidate) = candidate else {
        return Err(ApiError::forbidden(
            "Changing your email address needs your current password (current_password).",
        ));
    };
    let matches = state
        .hasher
        .run(move || crate::security::passwords::verify(&candidate, &stored))
        .await
        .map_err(|_| ApiError::too_many_requests(2))?;
    if matches {
        Ok(())
    } else {
        state.login_limiter.record(&[&key], now);
        Err(ApiError::forbidden("The current password is wrong."))
    }
}

/// A registration number as typed, at most 40 characters, in the format its
/// regulator publishes (NMC PIN, GMC or GPhC number, HCPC registration)
/// when it names one or the staff group has one.
pub fn registration_number(raw: &str, staff_group: StaffGroup) -> Result<String, FieldError> {
    let number = bounded_text("registration_number", raw, 40)?;
    RegistrationNumber::parse(&number, staff_group)?;
    Ok(number)
}

#[derive(ApiResponse)]
pub enum EraseResponse {
    /// The account, its sign-ins and certificates are gone. Answers stay as
    /// anonymous research data that nothing links back to you.
    #[oai(status = 204)]
    Erased,
}

#[OpenApi(tag = "ApiTags::Me")]
impl MeApi {
    /// Who am I? Returns the signed-in account; `practice_only` says
    /// whether to ask the person to confirm their address.
    #[oai(path = "/v1/me", method = "get", operation_id = "get_me")]
    async fn me(&self, caller: Caller) -> Result<AccountResponse, ApiError> {
        Ok(AccountResponse::Ok(Json(AccountView::new(
            caller.account().clone(),
            caller.practice_only(),
        ))))
    }

    /// Change your profile: the name on your certificates, your staff
    /// group, your professional registration number, your email address
    /// or your organisation. Certificates already issued keep what they
    /// were signed with.
    ///
    /// A verified membership lasts only while what proved it holds. A new
    /// `email` (409 when another account has it) is unconfirmed: a link is
    /// sent to it (earlier links stop working; at most 5 an hour), and the
    /// organisation whose domains include it becomes yours, self-declared
    /// until you open the link. At a domain no organisation lists, you
    /// keep an organisation you signed in through, if any; otherwise your
    /// organisation's name stays, self-declared. A new `organisation` name
    /// keeps your organisation record (and membership) only when it is
    /// that record's name; any other name is self-declared. Signing in
    /// through an organisation verifies membership only while it is your
    /// organisation.
    #[oai(path = "/v1/me", method = "patch", operation_id = "update_me")]
    async fn update(
        &self,
        state: Data<&SharedState>,
        req: &poem::Request,
        caller: Caller,
        body: Json<ProfileChanges>,
    ) -> Result<AccountResponse, ApiError> {
        let before = caller.account();
        let mut changes = body.0;
        let password = changes.current_password.take();
        let profile = changes.apply_to(before)?;
        if profile
            .affiliation
            .email
            .as_ref()
            .is_some_and(|email| email.as_str() != before.email)
        {
            prove_password(&state, req, before, password).await?;
            // A new address means a link sent to it: the same budget as asking
            // for one, so PATCH cannot mail strangers at will.
            state
                .confirmation_limiter
                .attempt(
                    &[&format!("confirm:{}", before.id)],
                    std::time::Instant::now(),
                )
                .map_err(ApiError::too_many_requests)?;
        }
        let account = state
            .store
            .update_profile(before.id, &profile)
            .await
            .map_err(|err| match err {
                StoreError::Conflict(_) => {
                    ApiError::conflict("Another account already has this email address.")
                }
                other => other.into(),
            })?
            .ok_or_else(|| ApiError::unauthorized("This account no longer exists."))?;
        // Claims and audiences use the new staff group and membership at once.
        state.accounts.forget(account.id);
        if account.email != before.email {
            // In the background, as at registration: a slow mail server
            // never fails the change (a new link can be asked for).
            let background = state.0.clone();
            let changed = account.clone();
            tokio::spawn(async move {
                let _ = super::confirmation::send_link(&background, &changed).await;
            });
        }
        Ok(AccountResponse::Ok(Json(
            account_view(&state, account).await?,
        )))
    }

    /// Erase your account. Sign-ins stop at once; certificates you issued
    /// no longer verify.
    #[oai(path = "/v1/me", method = "delete", operation_id = "delete_me")]
    async fn erase(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<EraseResponse, ApiError> {
        let traces = super::certificates::erasure_traces(&state, caller.account_id()).await?;
        let erased = state
            .store
            .erase_account(caller.account_id(), &traces)
            .await?;
        // Its tokens stop working with the very next request.
        state.accounts.forget(caller.account_id());
        if erased {
            Ok(EraseResponse::Erased)
        } else {
            Err(ApiError::unauthorized("This account no longer exists."))
        }
    }
}
