//! Administration: finding people and setting their roles.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::me::AccountResponse;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{Email, Role, normalise_roles};
use poem::web::Data;

pub struct AdminApi;

/// The complete set of roles the account should hold. `contributor` is
/// always kept. Changes apply to the account's very next request.
#[derive(Object)]
pub struct RolesRequest {
    roles: Vec<Role>,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// Find an account by its email address (admins only), to learn the id
    /// that `PUT /v1/admin/users/{user_id}/roles` needs.
    #[oai(path = "/v1/admin/users", method = "get", operation_id = "find_user")]
    async fn find(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// The email address the person registered with.
        email: Query<String>,
    ) -> Result<AccountResponse, ApiError> {
        caller.require(Role::Admin)?;
        let email = Email::parse(&email.0)?;
        let account = state
            .store
            .credentials_by_email(&email)
            .await?
            .map(|found| found.account)
            .ok_or_else(|| ApiError::not_found("No account is registered with this email."))?;
        Ok(AccountResponse::Ok(Json(account.into())))
    }

    /// Set an account's roles (admins only).
    #[oai(
        path = "/v1/admin/users/:user_id/roles",
        method = "put",
        operation_id = "update_user_roles"
    )]
    async fn set_roles(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// The account to change.
        user_id: Path<Uuid>,
        body: Json<RolesRequest>,
    ) -> Result<AccountResponse, ApiError> {
        caller.require(Role::Admin)?;
        let roles = normalise_roles(body.0.roles);
        let account = state
            .store
            .set_roles(user_id.0, &roles)
            .await?
            .ok_or_else(|| ApiError::not_found("There is no account with this id."))?;
        // The new roles apply to the account's very next request.
        state.accounts.forget(user_id.0);
        Ok(AccountResponse::Ok(Json(account.into())))
    }
}
