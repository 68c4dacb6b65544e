//! Single sign-on through an organisation's OpenID Connect provider. The
//! phone starts a sign-in and opens the provider's page; the provider sends
//! the browser back to the staff app with a code, which the app hands in
//! here for Tessera's own tokens, exactly as a password login gives.

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::accounts::{TokenResponse, client_address, signed_in};
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{Email, StaffGroup, normalise_roles};
use crate::domain::organisation::Organisation;
use crate::domain::sign_on::{Identity, SignOn};
use crate::security::oidc::SignOnError;
use crate::security::tokens;
use crate::store::{Account, PendingSignOn};

pub struct SignOnApi;

/// How long a person has to sign in at the provider and come back.
const SIGN_ON_TTL_MINUTES: i64 = 10;

/// Which organisation's sign-in to use.
#[derive(Object)]
pub struct SignOnStart {
    /// An organisation from `GET /v1/organisations` that has `sign_on`.
    organisation_id: Uuid,
    /// The address the person typed, if any: the provider's page starts
    /// from it (`login_hint`). Ignored when it is not an email address.
    login_hint: Option<String>,
}

/// Where to send the person next.
#[derive(Object)]
pub struct SignOnRedirect {
    /// Open this page: the provider's sign-in.
    authorization_url: String,
    /// Comes back with the person. Keep it, and only complete a sign-in
    /// whose state is the one you started (so nobody can sign you in as
    /// them by sending you a link).
    state: String,
    /// After this the sign-in must be started again.
    expires_at: DateTime<Utc>,
}

/// What the provider sent back to the staff app (`/app/?code=...&state=...`).
#[derive(Object)]
pub struct SignOnCallback {
    state: String,
    code: String,
}

#[derive(ApiResponse)]
pub enum SignOnStarted {
    /// The sign-in is waiting for the person to come back.
    #[oai(status = 201)]
    Created(Json<SignOnRedirect>),
}

/// Where the provider sends people back to: the staff app, which hands the
/// code in. Registered with the provider as the client's redirect URI.
pub fn redirect_uri(public_url: &str) -> String {
    format!("{public_url}/app/")
}

fn refused(err: SignOnError) -> ApiError {
    match err {
        SignOnError::Unreachable(_) => ApiError::unavailable(err.to_string()),
        _ => ApiError::unauthorized(err.to_string()),
    }
}

/// The organisation and its provider, or 404 when there is no such
/// organisation or it has no single sign-on.
async fn provider_of(
    state: &SharedState,
    organisation_id: Uuid,
) -> Result<(Organisation, SignOn), ApiError> {
    let organisation = state.store.organisation(organisation_id).await?;
    organisation
        .and_then(|found| found.sign_on.clone().map(|sign_on| (found, sign_on)))
        .ok_or_else(|| ApiError::not_found("This organisation has no single sign-on."))
}

/// The account a first sign-in creates: named by the provider, a member of
/// the organisation, staff group to be set in the profile.
fn new_account(identity: &Identity, organisation: &Organisation) -> Account {
    Account {
        id: Uuid::new_v4(),
        email: identity.email.as_str().to_owned(),
        display_name: identity.display_name(),
        staff_group: StaffGroup::Other,
        organisation: Some(organisation.name.clone()),
        organisation_id: Some(organisation.id),
        email_confirmed: identity.email_verified,
        signed_in_through: Some(organisation.id),
        registration_number: None,
        roles: normalise_roles([]),
        created_at: Utc::now(),
    }
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl SignOnApi {
    /// Start signing in through an organisation's own sign-in (OpenID
    /// Connect, authorization code flow with PKCE). Open the returned
    /// `authorization_url`; the provider sends the person back to
    /// `/app/?code=...&state=...`, and `POST /v1/auth/sign-on/callback`
    /// finishes. Limited per client address, like registration.
    #[oai(
        path = "/v1/auth/sign-on",
        method = "post",
        operation_id = "create_sign_on"
    )]
    async fn start(
        &self,
        state: Data<&SharedState>,
        req: &Request,
        body: Json<SignOnStart>,
    ) -> Result<SignOnStarted, ApiError> {
        let client = format!("sign-on:{}", client_address(&state, req));
        state
            .sign_on_limiter
            .attempt(&[&client], std::time::Instant::now())
            .map_err(ApiError::too_many_requests)?;
        let (organisation, sign_on) = provider_of(&state, body.organisation_id).await?;
        let authorization = state
            .providers
            .authorize(
                &sign_on,
                &redirect_uri(&state.settings.public_url),
                body.login_hint
                    .as_deref()
                    .and_then(|hint| Email::parse(hint).ok())
                    .as_ref(),
            )
            .await
            .map_err(refused)?;
        let now = Utc::now();
        let expires_at = now + chrono::Duration::minutes(SIGN_ON_TTL_MINUTES);
        state
            .store
            .begin_sign_on(
                &PendingSignOn {
                    state_hash: tokens::hash_refresh_token(&authorization.state),
                    organisation_id: organisation.id,
                    nonce: authorization.nonce,
                    pkce_verifier: authorization.pkce_verifier,
                    expires_at,
                },
                now,
            )
            .await?;
        Ok(SignOnStarted::Created(Json(SignOnRedirect {
            authorization_url: authorization.url,
            state: authorization.state,
            expires_at,
        })))
    }

    /// Finish a sign-in with the code and state the provider sent back.
    /// The id token's signature, issuer, audience, expiry and nonce are
    /// checked; a state works once. The person is then a verified member
    /// of the organisation. Their account is the one linked to their
    /// provider identity, else the one with the address the provider
    /// verified, else a new one.
    #[oai(
        path = "/v1/auth/sign-on/callback",
        method = "post",
        operation_id = "create_sign_on_callback"
    )]
    async fn callback(
        &self,
        state: Data<&SharedState>,
        body: Json<SignOnCallback>,
    ) -> Result<TokenResponse, ApiError> {
        let now = Utc::now();
        let pending = state
            .store
            .take_sign_on(&tokens::hash_refresh_token(&body.state), now)
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "This sign-in has expired or was already used. Start signing in again.",
                )
            })?;
        let (organisation, sign_on) = provider_of(&state, pending.organisation_id).await?;
        let identity = state
            .providers
            .identify(
                &sign_on,
                &redirect_uri(&state.settings.public_url),
                &body.code,
                &pending.pkce_verifier,
                &pending.nonce,
            )
            .await
            .map_err(refused)?;
        let account = state
            .store
            .complete_sign_on(
                &identity,
                &organisation,
                &new_account(&identity, &organisation),
            )
            .await?
            .map_err(|refusal| ApiError::conflict(refusal.to_string()))?;
        // Membership and organisation may have changed: callers see it at once.
        state.accounts.forget(account.id);
        Ok(TokenResponse::Ok(Json(signed_in(&state, &account).await?)))
    }
}
