//! Email confirmation: a signed, expiring, single-use link proves that a
//! person reads mail at their address, and so (at an organisation's domain)
//! that they are a member of it.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::auth::Caller;
use super::error::ApiError;
use super::me::AccountView;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::FieldError;
use crate::security::tokens::{self, ConfirmationError};
use crate::store::Account;

pub struct ConfirmationApi;

/// The token from a confirmation link (the part after `#token=`).
#[derive(Object)]
pub struct ConfirmationBody {
    token: String,
}

#[derive(ApiResponse)]
pub enum ConfirmationSent {
    /// A new link is on its way; earlier links stop working.
    #[oai(status = 202)]
    Sent,
}

#[derive(ApiResponse)]
pub enum ConfirmedResponse {
    /// The address is confirmed; `membership` says whether it made the
    /// account a verified member of an organisation.
    #[oai(status = 200)]
    Ok(Json<AccountView>),
}

/// Makes a new single-use link for the account (an earlier one stops
/// working) and sends it to the account's address.
pub async fn send_link(state: &SharedState, account: &Account) -> Result<(), ApiError> {
    let nonce = tokens::new_refresh_token();
    if !state
        .store
        .set_confirmation_nonce(account.id, &nonce)
        .await?
    {
        return Err(ApiError::unauthorized("This account no longer exists."));
    }
    let ttl = state.settings.confirmation_ttl;
    let token =
        state
            .tokens
            .issue_confirmation(account.id, &account.email, &nonce, Utc::now(), ttl)?;
    // The token travels in the fragment, so it never reaches a server log
    // or a Referer header; the page posts it to the API.
    let link = format!("{}/confirm/#token={token}", state.settings.public_url);
    let hours = ttl.as_secs() / 3600;
    let body = format!(
        "Hello {name},\n\nPlease confirm that this is your email address for Tessera by \
         opening this link within {hours} hours:\n\n{link}\n\nIf your organisation has \
         registered this address's domain, confirming makes you a verified member, which \
         some research projects require and your certificates will show.\n\nIf you did not \
         register with Tessera, you can ignore this message.\n",
        name = account.display_name,
    );
    state
        .mailer
        .send(
            &account.email,
            "Confirm your email address for Tessera",
            body,
        )
        .await
        .map_err(|err| {
            tracing::warn!(error = %err, "sending a confirmation link failed");
            ApiError::unavailable("The confirmation email could not be sent; try again shortly.")
        })
}

#[OpenApi(tag = "ApiTags::Accounts")]
impl ConfirmationApi {
    /// Send a new confirmation link to your address (at most 5 an hour).
    /// One is sent at registration; earlier links stop working.
    #[oai(
        path = "/v1/me/email-confirmation",
        method = "post",
        operation_id = "send_email_confirmation"
    )]
    async fn resend(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<ConfirmationSent, ApiError> {
        let account = caller.account();
        if account.email_confirmed {
            return Err(ApiError::conflict(
                "Your email address is already confirmed.",
            ));
        }
        state
            .confirmation_limiter
            .attempt(
                &[&format!("confirm:{}", account.id)],
                std::time::Instant::now(),
            )
            .map_err(ApiError::too_many_requests)?;
        send_link(&state, account).await?;
        Ok(ConfirmationSent::Sent)
    }

    /// Confirm an email address with the token from the link. Each link
    /// works once, and only until it expires.
    #[oai(
        path = "/v1/auth/email-confirmation",
        method = "post",
        operation_id = "confirm_email"
    )]
    async fn confirm(
        &self,
        state: Data<&SharedState>,
        body: Json<ConfirmationBody>,
    ) -> Result<ConfirmedResponse, ApiError> {
        let claims = state
            .tokens
            .verify_confirmation(body.token.trim())
            .map_err(|err| {
                FieldError::new(
                    "token",
                    match err {
                        ConfirmationError::Expired => {
                            "has expired; ask for a new link from your profile"
                        }
                        ConfirmationError::Invalid => {
                            "is not a confirmation link from this service"
                        }
                    },
                )
            })?;
        let account = state
            .store
            .confirm_email(claims.sub, &claims.email, &claims.nonce)
            .await?
            .ok_or_else(|| {
                ApiError::conflict(
                    "This link was already used, or a newer one was sent; use the newest \
                     link or ask for another.",
                )
            })?;
        // Audiences see the verified membership on the very next request.
        state.accounts.forget(account.id);
        Ok(ConfirmedResponse::Ok(Json(
            super::me::account_view(&state, account).await?,
        )))
    }
}
