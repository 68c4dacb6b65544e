//! The signed-in person's own account.

use chrono::{DateTime, Utc};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{Role, StaffGroup};
use crate::store::Account;
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
    /// Professional registration number (e.g. NMC PIN).
    #[oai(skip_serializing_if_is_none)]
    registration_number: Option<String>,
    /// What this account may do; always includes `contributor`.
    roles: Vec<Role>,
    created_at: DateTime<Utc>,
}

impl From<Account> for AccountView {
    fn from(account: Account) -> Self {
        Self {
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

#[derive(ApiResponse)]
pub enum AccountResponse {
    /// The account.
    #[oai(status = 200)]
    Ok(Json<AccountView>),
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
    /// Who am I? Returns the signed-in account.
    #[oai(path = "/v1/me", method = "get", operation_id = "get_me")]
    async fn me(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<AccountResponse, ApiError> {
        let account = state
            .store
            .account(caller.account_id())
            .await?
            .ok_or_else(|| ApiError::unauthorized("This account no longer exists."))?;
        Ok(AccountResponse::Ok(Json(account.into())))
    }

    /// Erase your account. Sign-ins stop at once; certificates you issued
    /// no longer verify.
    #[oai(path = "/v1/me", method = "delete", operation_id = "delete_me")]
    async fn erase(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<EraseResponse, ApiError> {
        let erased = state.store.erase_account(caller.account_id()).await?;
        // Its tokens stop working with the very next request.
        state.accounts.forget(caller.account_id());
        if erased {
            Ok(EraseResponse::Erased)
        } else {
            Err(ApiError::unauthorized("This account no longer exists."))
        }
    }
}
