//! Administration: finding people and setting their roles.

use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::me::{AccountResponse, AccountView, account_view};
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{FieldError, Role, normalise_roles};
use crate::domain::page::{DEFAULT_PAGE, MAX_PAGE};
use crate::store::AccountQuery;
use poem::web::Data;

pub struct AdminApi;

/// The complete set of roles the account should hold. `contributor` is
/// always kept. Changes apply to the account's very next request.
#[derive(Object)]
pub struct RolesRequest {
    roles: Vec<Role>,
}

/// One page of accounts, in id order.
#[derive(Object)]
pub struct AccountPage {
    accounts: Vec<AccountView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum AccountPageResponse {
    /// Matching accounts.
    #[oai(status = 200)]
    Ok(Json<AccountPage>),
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// Find accounts (admins only) by part of their email address, by
    /// organisation, or both, to learn the id that
    /// `PUT /v1/admin/users/{user_id}/roles` needs. Cursor-paginated.
    #[oai(path = "/v1/admin/users", method = "get", operation_id = "find_users")]
    async fn find(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// Part of the email address, e.g. `ada@` or `@north.nhs.uk`.
        email: Query<Option<String>>,
        /// Members of this organisation record.
        organisation_id: Query<Option<Uuid>>,
        /// `next_cursor` of the page before; absent for the first page.
        cursor: Query<Option<String>>,
        /// Accounts per page, 1 to 100 (50 when absent).
        limit: Query<Option<u32>>,
    ) -> Result<AccountPageResponse, ApiError> {
        caller.require(Role::Admin)?;
        let email_contains = email
            .0
            .map(|part| part.trim().to_lowercase())
            .filter(|part| !part.is_empty());
        if email_contains
            .as_ref()
            .is_some_and(|part| part.chars().count() > 254)
        {
            return Err(FieldError::new("email", "must be at most 254 characters").into());
        }
        let after = cursor
            .0
            .map(|raw| {
                Uuid::parse_str(&raw)
                    .map_err(|_| FieldError::new("cursor", "is not a cursor of this list"))
            })
            .transpose()?;
        let limit = limit
            .0
            .map_or(DEFAULT_PAGE, |n| n as usize)
            .clamp(1, MAX_PAGE);
        let mut accounts = state
            .store
            .search_accounts(&AccountQuery {
                email_contains,
                organisation_id: organisation_id.0,
                after,
                limit: limit + 1,
            })
            .await?;
        let next_cursor = (accounts.len() > limit).then(|| {
            accounts.truncate(limit);
            accounts.last().map(|last| last.id.to_string())
        });
        let mut views = Vec::with_capacity(accounts.len());
        for account in accounts {
            views.push(account_view(&state, account).await?);
        }
        Ok(AccountPageResponse::Ok(Json(AccountPage {
            accounts: views,
            next_cursor: next_cursor.flatten(),
        })))
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
        Ok(AccountResponse::Ok(Json(
            account_view(&state, account).await?,
        )))
    }
}
