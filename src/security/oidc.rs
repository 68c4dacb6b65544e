//! Talking to an organisation's OpenID Connect provider: the authorization
//! code flow with PKCE, through the `openidconnect` crate, which discovers
//! the provider, and checks the id token's signature (against the
//! provider's published keys), issuer, audience, expiry and nonce.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    LoginHint, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    TokenResponse,
};

use crate::domain::account::Email;
use crate::domain::sign_on::{Identity, SignOn};

/// How long a provider's metadata and keys are reused before they are
/// fetched again (a provider rotating its keys is seen within this).
const METADATA_TTL: Duration = Duration::from_secs(600);

/// Every call to a provider gives up after this.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a sign-in failed, each phrased for the person signing in.
#[derive(Debug, thiserror::Error)]
pub enum SignOnError {
    #[error("The sign-in provider could not be reached ({0}). Try again shortly.")]
    Unreachable(String),
    #[error("The sign-in provider refused the sign-in: {0}.")]
    Refused(String),
    #[error("The provider sent no id token.")]
    NoIdToken,
    #[error("The id token was issued to another client (wrong audience): {0}.")]
    WrongAudience(String),
    #[error("The id token has expired: {0}.")]
    Expired(String),
    #[error(
        "The id token's nonce is not the one this sign-in sent: it was replayed or made for \
         another sign-in."
    )]
    Nonce,
    #[error("The id token is not valid: {0}.")]
    Invalid(String),
    #[error(
        "The provider did not share an email address. Ask your IT team to release the email \
         claim to Tessera."
    )]
    NoEmail,
}

/// What to send the person to the provider with, and what to keep for
/// when they come back.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// One HTTP client and the providers' metadata, shared by every sign-in.
pub struct Providers {
    http: openidconnect::reqwest::Client,
    metadata: Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>,
}

impl Providers {
    pub fn new() -> anyhow::Result<Self> {
        // Never follow redirects: a provider's endpoints are the ones its
        // metadata names (the crate's advice against request forgery).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        Ok(Self {
            http,
            metadata: Mutex::new(HashMap::new()),
        })
    }

    async fn client(
        &self,
        sign_on: &SignOn,
        redirect_uri: &str,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        SignOnError,
    > {
        let metadata = self.metadata(&sign_on.issuer).await?;
        let redirect = RedirectUrl::new(redirect_uri.to_owned())
            .map_err(|err| SignOnError::Invalid(err.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(sign_on.client_id.clone()),
            sign_on.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    async fn metadata(&self, issuer: &str) -> Result<CoreProviderMetadata, SignOnError> {
        let now = Instant::now();
        if let Some(found) = self.metadata.lock().ok().and_then(|cache| {
            cache
                .get(issuer)
                .filter(|(fetched, _)| now.duration_since(*fetched) < METADATA_TTL)
                .map(|(_, metadata)| metadata.clone())
        }) {
            return Ok(found);
        }
        let url = IssuerUrl::new(issuer.to_owned())
            .map_err(|err| SignOnError::Unreachable(err.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(url, &self.http)
            .await
            .map_err(|err| SignOnError::Unreachable(chain(&err)))?;
        if let Ok(mut cache) = self.metadata.lock() {
            cache.insert(issuer.to_owned(), (now, metadata.clone()));
        }
        Ok(metadata)
    }

    /// Where to send the person: the provider's authorization endpoint with
    /// a fresh state, nonce and PKCE challenge, and the address they gave
    /// (if any) so the provider's page starts from it.
    pub async fn authorize(
        &self,
        sign_on: &SignOn,
        redirect_uri: &str,
        login_hint: Option<&Email>,
    ) -> Result<Authorization, SignOnError> {
        let client = self.client(sign_on, redirect_uri).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".to_owned()))
            .add_scope(Scope::new("profile".to_owned()))
            .set_pkce_challenge(challenge);
        if let Some(email) = login_hint {
            request = request.set_login_hint(LoginHint::new(email.as_str().to_owned()));
        }
        let (url, state, nonce) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchanges the code the provider sent back for an id token, and
    /// checks it: who signed in, or why not.
    pub async fn identify(
        &self,
        sign_on: &SignOn,
        redirect_uri: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, SignOnError> {
        let client = self.client(sign_on, redirect_uri).await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|err| SignOnError::Unreachable(err.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|err| match err {
                RequestTokenError::ServerResponse(refusal) => {
                    SignOnError::Refused(refusal.error().to_string())
                }
                other => SignOnError::Unreachable(chain(&other)),
            })?;
        let id_token = response.id_token().ok_or(SignOnError::NoIdToken)?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
            .map_err(|err| match err {
                ClaimsVerificationError::InvalidAudience(why) => SignOnError::WrongAudience(why),
                ClaimsVerificationError::Expired(why) => SignOnError::Expired(why),
                ClaimsVerificationError::InvalidNonce(_) => SignOnError::Nonce,
                other => SignOnError::Invalid(chain(&other)),
            })?;
        // Some providers (Microsoft Entra ID among them) may send no
        // `email`; the sign-in name is then the address, unverified.
        let (email, email_verified) = match claims.email() {
            Some(email) => (email.as_str(), claims.email_verified().unwrap_or(false)),
            None => (
                claims
                    .preferred_username()
                    .map(|name| name.as_str())
                    .ok_or(SignOnError::NoEmail)?,
                false,
            ),
        };
        Ok(Identity {
            subject: claims.subject().as_str().to_owned(),
            email: Email::parse(email).map_err(|_| SignOnError::NoEmail)?,
            email_verified,
            name: claims
                .name()
                .and_then(|name| name.get(None))
                .map(|name| name.as_str().to_owned()),
        })
    }
}

/// An error with its causes, for a message that says what went wrong.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}
