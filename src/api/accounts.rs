//! Registration, login and the refresh-token lifecycle.

use chrono::Utc;
use poem::Request;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::error::ApiError;
use super::me::AccountView;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{
    Email, FieldError, NewAccount, Password, StaffGroup, bounded_text, normalise_roles,
};
use crate::domain::organisation::domain_of;
use crate::security::hash_pool::PoolError;
use crate::security::{passwords, tokens};
use crate::store::{Account, NewRefreshToken, RefreshOutcome};
use poem::web::Data;

pub struct AccountsApi;

/// A new account. Everyone starts as a contributor.
#[derive(Object)]
pub struct RegisterRequest {
    /// Work email address; used to log in.
    email: String,
    /// At least 10 characters.
    password: String,
    /// The name printed on certificates.
    display_name: String,
    /// The NHS staff group you belong to.
    staff_group: StaffGroup,
    /// Your trust or organisation, printed on certificates. When your
    /// email domain belongs to a recorded organisation (`/v1/organisations`),
    /// its name is used instead, and confirming your address makes you a
    /// verified member; otherwise this stays self-declared.
    organisation: Option<String>,
    /// Professional registration number (e.g. NMC PIN, GMC number), printed on certificates.
    registration_number: Option<String>,
}

/// Email and password.
#[derive(Object)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// A refresh token from login or a previous refresh.
#[derive(Object)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// Tokens for the API. Send `access_token` as a bearer token; when it
/// expires, exchange `refresh_token` for a new pair. Each refresh token works once.
#[derive(Object)]
pub struct TokenPair {
    access_token: String,
    refresh_token: String,
    /// Always `Bearer`.
    token_type: String,
    /// Seconds until `access_token` expires.
    expires_in: u64,
}

#[derive(ApiResponse)]
pub enum RegisterResponse {
    /// The account was created.
    #[oai(status = 201)]
    Created(Json<AccountView>),
}

#[derive(ApiResponse)]
pub enum TokenResponse {
    /// A fresh token pair.
    #[oai(status = 200)]
    Ok(Json<TokenPair>),
}

#[derive(ApiResponse)]
pub enum LogoutResponse {
    /// The refresh token and every token rotated from the same login are revoked.
    #[oai(status = 204)]
    LoggedOut,
}

impl RegisterRequest {
    fn parse(self) -> Result<NewAccount, ApiError> {
        let optional = |field: &str, value: Option<String>, max: usize| {
            value
                .filter(|text| !text.trim().is_empty())
                .map(|text| bounded_text(field, &text, max))
                .transpose()
        };
        let email = Email::parse(&self.email);
        let password = Password::parse(&self.password);
        let display_name = bounded_text("display_name", &self.display_name, 100);
        let organisation = optional("organisation", self.organisation, 200);
        let registration_number = self
            .registration_number
            .filter(|text| !text.trim().is_empty())
            .map(|text| super::me::registration_number(&text, self.staff_group))
            .transpose();
        match (
            email,
            password,
            display_name,
            organisation,
            registration_number,
        ) {
            (
                Ok(email),
                Ok(password),
                Ok(display_name),
                Ok(organisation),
                Ok(registration_number),
            ) => Ok(NewAccount {
                email,
                password,
                display_name,
                staff_group: self.staff_group,
                organisation,
                registration_number,
            }),
            (email, password, name, organisation, number) => {
                let errors: Vec<FieldError> = [
                    email.err(),
                    password.err(),
                    name.err(),
                    organisation.err(),
                    number.err(),
                ]
                .into_iter()
                .flatten()
                .collect();
                Err(ApiError::invalid(errors))
            }
        }
    }
}

/// The tokens of a new login (by password or single sign-on): a refresh
/// token starting a family of its own, and an access token.
pub(super) async fn signed_in(
    state: &SharedState,
    account: &Account,
) -> Result<TokenPair, ApiError> {
    let refresh_token = tokens::new_refresh_token();
    state
        .store
        .insert_refresh_token(&NewRefreshToken {
            token_hash: tokens::hash_refresh_token(&refresh_token),
            family_id: Uuid::new_v4(),
            account_id: account.id,
            expires_at: Utc::now() + state.settings.refresh_token_ttl,
        })
        .await?;
    pair(state, account, refresh_token)
}

/// A new access token for the account, paired with `refresh_token`.
fn pair(
    state: &SharedState,
    account: &Account,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let (access_token, expires_in) = state.tokens.issue(account.id, &account.roles, Utc::now())?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer".into(),
        expires_in,
    })
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl AccountsApi {
    /// Create an account.
    #[oai(
        path = "/v1/auth/register",
        method = "post",
        operation_id = "register_account"
    )]
    async fn register(
        &self,
        state: Data<&SharedState>,
        req: &Request,
        body: Json<RegisterRequest>,
    ) -> Result<RegisterResponse, ApiError> {
        let client = format!("register:{}", client_address(&state, req));
        state
            .register_limiter
            .attempt(&[&client], std::time::Instant::now())
            .map_err(ApiError::too_many_requests)?;
        let NewAccount {
            email,
            password,
            display_name,
            staff_group,
            organisation,
            registration_number,
        } = body.0.parse()?;
        let hash = state
            .hasher
            .run(move || passwords::hash(&password))
            .await
            .map_err(busy)??;
        // An address at a recorded organisation's domain names that
        // organisation; confirming the address then verifies the membership.
        let recorded = state
            .store
            .organisation_for_domain(domain_of(email.as_str()))
            .await?;
        let account = Account {
            id: Uuid::new_v4(),
            email: email.as_str().to_owned(),
            display_name,
            staff_group,
            organisation: recorded
                .as_ref()
                .map(|found| found.name.clone())
                .or(organisation),
            organisation_id: recorded.map(|found| found.id),
            email_confirmed: false,
            signed_in_through: None,
            registration_number,
            roles: normalise_roles([]),
            created_at: Utc::now(),
        };
        state
            .store
            .create_account(&account, &hash)
            .await
            .map_err(|err| match err {
                crate::store::StoreError::Conflict(_) => {
                    ApiError::conflict("An account with this email already exists.")
                }
                other => other.into(),
            })?;
        // The link goes out in the background: a slow or failing mail
        // server never fails a registration (the person can ask again).
        let background = state.0.clone();
        let registered = account.clone();
        tokio::spawn(async move {
            let _ = super::confirmation::send_link(&background, &registered).await;
        });
        let view = super::me::account_view(&state, account).await?;
        Ok(RegisterResponse::Created(Json(view)))
    }

    /// Log in with email and password. Only failures are counted: for one
    /// account from one address, and from one address overall. Over either
    /// limit the answer is 429 with `Retry-After`; a stranger's wrong
    /// passwords never lock the account's owner out.
    #[oai(
        path = "/v1/auth/login",
        method = "post",
        operation_id = "create_login"
    )]
    async fn login(
        &self,
        state: Data<&SharedState>,
        req: &Request,
        body: Json<LoginRequest>,
    ) -> Result<TokenResponse, ApiError> {
        let client = client_address(&state, req);
        let pair_key = format!("{client} {}", body.email.trim().to_lowercase());
        let now = std::time::Instant::now();
        state
            .login_limiter
            .check(&[&pair_key], now)
            .and_then(|()| state.login_client_limiter.check(&[&client], now))
            .map_err(ApiError::too_many_requests)?;
        let credentials = match Email::parse(&body.email) {
            Ok(email) => state.store.credentials_by_email(&email).await?,
            Err(_) => None,
        };
        let stored_hash = credentials
            .as_ref()
            .map(|found| found.password_hash.clone())
            .unwrap_or_else(|| passwords::decoy_hash().to_owned());
        let candidate = body.0.password;
        let matches = state
            .hasher
            .run(move || passwords::verify(&candidate, &stored_hash))
            .await
            .map_err(busy)?;
        match credentials {
            Some(found) if matches => Ok(TokenResponse::Ok(Json(
                signed_in(&state, &found.account).await?,
            ))),
            _ => {
                state.login_limiter.record(&[&pair_key], now);
                state.login_client_limiter.record(&[&client], now);
                Err(ApiError::unauthorized("The email or password is wrong."))
            }
        }
    }

    /// Exchange a refresh token for a new pair. The old refresh token stops
    /// working; presenting it again revokes every token of that login.
    #[oai(
        path = "/v1/auth/refresh",
        method = "post",
        operation_id = "create_refresh"
    )]
    async fn refresh(
        &self,
        state: Data<&SharedState>,
        body: Json<RefreshRequest>,
    ) -> Result<TokenResponse, ApiError> {
        let now = Utc::now();
        let next = tokens::new_refresh_token();
        let outcome = state
            .store
            .rotate_refresh_token(
                &tokens::hash_refresh_token(&body.refresh_token),
                &tokens::hash_refresh_token(&next),
                now + state.settings.refresh_token_ttl,
                now,
            )
            .await?;
        match outcome {
            RefreshOutcome::Rotated(account) => {
                Ok(TokenResponse::Ok(Json(pair(&state, &account, next)?)))
            }
            RefreshOutcome::Reused => Err(ApiError::unauthorized(
                "This refresh token was already used; every session of that login is now signed out.",
            )),
            RefreshOutcome::Invalid => {
                Err(ApiError::unauthorized("The refresh token is not valid."))
            }
        }
    }

    /// Log out: revoke the refresh token and its whole family.
    #[oai(
        path = "/v1/auth/logout",
        method = "post",
        operation_id = "create_logout"
    )]
    async fn logout(
        &self,
        state: Data<&SharedState>,
        body: Json<RefreshRequest>,
    ) -> Result<LogoutResponse, ApiError> {
        state
            .store
            .revoke_refresh_family(&tokens::hash_refresh_token(&body.refresh_token))
            .await?;
        Ok(LogoutResponse::LoggedOut)
    }
}

/// The client's address: the peer's, or behind a trusted proxy the one it
/// forwarded (see `security::client_address`).
pub(super) fn client_address(state: &SharedState, req: &Request) -> String {
    let Some(peer) = req.remote_addr().as_socket_addr().map(|addr| addr.ip()) else {
        return "unknown".to_owned();
    };
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok());
    state
        .settings
        .trusted_proxies
        .client(peer, forwarded)
        .to_string()
}

/// A full hashing queue is a moment's rush, not a fault: come back shortly.
fn busy(err: PoolError) -> ApiError {
    match err {
        PoolError::Busy => ApiError::too_many_requests(2),
        PoolError::Stopped => ApiError::internal(err),
    }
}
