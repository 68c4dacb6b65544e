use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};
use uuid::Uuid;

use super::SqliteStore;
use super::organisations::record_for_domain;
use crate::domain::account::{Email, Role, StaffGroup};
use crate::domain::affiliation::Record;
use crate::store::{
    Account, AccountStore, Credentials, NewRefreshToken, Profile, RefreshOutcome, StoreError,
    StoreResult,
};

pub(super) const ACCOUNT_COLUMNS: &str = "id, email, display_name, staff_group, organisation, \
     registration_number, roles, created_at, password_hash, organisation_id, email_confirmed, \
     sign_on_organisation_id";

pub(super) fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Credentials> {
    let id: String = row.get(0)?;
    let staff_group: String = row.get(3)?;
    let roles: String = row.get(6)?;
    let created_at: i64 = row.get(7)?;
    let organisation_id: Option<String> = row.get(9)?;
    let signed_in_through: Option<String> = row.get(11)?;
    let account = Account {
        id: Uuid::parse_str(&id).map_err(|err| conversion(0, err))?,
        email: row.get(1)?,
        display_name: row.get(2)?,
        staff_group: serde_json::from_value(serde_json::Value::String(staff_group))
            .map_err(|err| conversion(3, err))?,
        organisation: row.get(4)?,
        organisation_id: organisation_id
            .map(|id| Uuid::parse_str(&id).map_err(|err| conversion(9, err)))
            .transpose()?,
        email_confirmed: row.get(10)?,
        signed_in_through: signed_in_through
            .map(|id| Uuid::parse_str(&id).map_err(|err| conversion(11, err)))
            .transpose()?,
        registration_number: row.get(5)?,
        roles: roles.split(',').filter_map(Role::parse).collect(),
        created_at: DateTime::from_timestamp_millis(created_at).unwrap_or_default(),
    };
    Ok(Credentials {
        account,
        password_hash: row.get(8)?,
    })
}

fn conversion(
    column: usize,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(err))
}

fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|role| role.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn staff_group_text(group: StaffGroup) -> StoreResult<String> {
    match serde_json::to_value(group) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        _ => Err(StoreError::Backend(anyhow::anyhow!(
            "staff group did not serialise"
        ))),
    }
}

pub(super) fn select_account(
    conn: &rusqlite::Connection,
    id: Uuid,
) -> StoreResult<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?1");
    Ok(conn
        .query_row(&sql, [id.to_string()], account_from_row)
        .optional()?
        .map(|found| found.account))
}

/// Stores a new account; `Conflict` (from the unique index) when the email
/// is taken.
pub(super) fn insert_account(
    conn: &rusqlite::Connection,
    account: &Account,
    password_hash: &str,
) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO accounts (id, email, display_name, staff_group, organisation,
             registration_number, roles, created_at, password_hash, organisation_id,
             email_confirmed, sign_on_organisation_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            account.id.to_string(),
            account.email,
            account.display_name,
            staff_group_text(account.staff_group)?,
            account.organisation,
            account.registration_number,
            roles_text(&account.roles),
            account.created_at.timestamp_millis(),
            password_hash,
            account.organisation_id.map(|id| id.to_string()),
            account.email_confirmed,
            account.signed_in_through.map(|id| id.to_string()),
        ],
    )?;
    Ok(())
}

#[async_trait::async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, account: &Account, password_hash: &str) -> StoreResult<()> {
        let account = account.clone();
        let password_hash = password_hash.to_owned();
        self.write(move |tx| insert_account(tx, &account, &password_hash))
            .await
    }

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<Credentials>> {
        let email = email.as_str().to_owned();
        self.read(move |conn| {
            let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE email = ?1");
            Ok(conn.query_row(&sql, [email], account_from_row).optional()?)
        })
        .await
    }

    async fn account(&self, id: Uuid) -> StoreResult<Option<Account>> {
        self.read(move |conn| select_account(conn, id)).await
    }

    async fn set_roles(&self, id: Uuid, roles: &[Role]) -> StoreResult<Option<Account>> {
        let roles = roles_text(roles);
        self.write(move |tx| {
            tx.execute(
                "UPDATE accounts SET roles = ?1 WHERE id = ?2",
                params![roles, id.to_string()],
            )?;
            select_account(tx, id)
        })
        .await
    }

    async fn update_profile(&self, id: Uuid, profile: &Profile) -> StoreResult<Option<Account>> {
        let profile = profile.clone();
        let staff_group = staff_group_text(profile.staff_group)?;
        self.write(move |tx| {
            let Some(account) = select_account(tx, id)? else {
                return Ok(None);
            };
            let current = account.affiliation();
            let record = match profile.affiliation.address_domain(&current) {
                Some(domain) => record_for_domain(tx, domain)?,
                None => None,
            };
            let next = profile.affiliation.apply(
                current,
                account.signed_in_through,
                record.as_ref().map(|(id, name)| Record { id: *id, name }),
            );
            // A new address leaves no link to the old one usable.
            tx.execute(
                "UPDATE accounts SET display_name = ?2, staff_group = ?3, registration_number = ?4,
                     confirmation_nonce = CASE WHEN email = ?5 THEN confirmation_nonce END,
                     email = ?5, email_confirmed = ?6, organisation = ?7, organisation_id = ?8
                 WHERE id = ?1",
                params![
                    id.to_string(),
                    profile.display_name,
                    staff_group,
                    profile.registration_number,
                    next.email,
                    next.email_confirmed,
                    next.organisation,
                    next.organisation_id.map(|id| id.to_string()),
                ],
            )?;
            select_account(tx, id)
        })
        .await
    }

    async fn insert_refresh_token(&self, token: &NewRefreshToken) -> StoreResult<()> {
        let row = (
            token.token_hash.clone(),
            token.family_id.to_string(),
            token.account_id.to_string(),
            token.expires_at.timestamp_millis(),
        );
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, account_id, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![row.0, row.1, row.2, row.3],
            )?;
            Ok(())
        })
        .await
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next_hash: &str,
        next_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<RefreshOutcome> {
        let presented = presented_hash.to_owned();
        let next = next_hash.to_owned();
        self.write(move |tx| {
            let found: Option<(String, String, i64, bool, bool)> = tx
                .query_row(
                    "SELECT family_id, account_id, expires_at, used, revoked
                     FROM refresh_tokens WHERE token_hash = ?1",
                    [&presented],
                    |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                        ))
                    },
                )
                .optional()?;
            let Some((family, account_id, expires_at, used, revoked)) = found else {
                return Ok(RefreshOutcome::Invalid);
            };
            if used || revoked {
                tx.execute(
                    "UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?1",
                    [&family],
                )?;
                return Ok(RefreshOutcome::Reused);
            }
            if expires_at <= now.timestamp_millis() {
                return Ok(RefreshOutcome::Invalid);
            }
            tx.execute(
                "UPDATE refresh_tokens SET used = 1 WHERE token_hash = ?1",
                [&presented],
            )?;
            tx.execute(
                "INSERT INTO refresh_tokens (token_hash, family_id, account_id, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![next, family, account_id, next_expires_at.timestamp_millis()],
            )?;
            let id = Uuid::parse_str(&account_id).map_err(anyhow::Error::from)?;
            Ok(match select_account(tx, id)? {
                Some(account) => RefreshOutcome::Rotated(account),
                None => RefreshOutcome::Invalid,
            })
        })
        .await
    }

    async fn revoke_refresh_family(&self, presented_hash: &str) -> StoreResult<()> {
        let presented = presented_hash.to_owned();
        self.write(move |tx| {
            tx.execute(
                "UPDATE refresh_tokens SET revoked = 1 WHERE family_id =
                    (SELECT family_id FROM refresh_tokens WHERE token_hash = ?1)",
                [presented],
            )?;
            Ok(())
        })
        .await
    }
}
