use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::SqliteStore;
use super::accounts::{ACCOUNT_COLUMNS, account_from_row, select_account};
use crate::domain::organisation::{Organisation, domain_of};
use crate::domain::practice::UnconfirmedAccounts;
use crate::domain::sign_on::SignOn;
use crate::store::{Account, AccountQuery, OrganisationStore, StoreError, StoreResult};

fn domains_of(conn: &Connection, id: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT domain FROM organisation_domains WHERE organisation_id = ?1 ORDER BY domain",
    )?;
    stmt.query_map([id], |row| row.get(0))?.collect()
}

type OrganisationRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

pub(super) fn select_organisation(
    conn: &Connection,
    id: &str,
) -> StoreResult<Option<Organisation>> {
    let found: Option<OrganisationRow> = conn
        .query_row(
            "SELECT name, ods_code, sign_on_issuer, sign_on_client_id, sign_on_client_secret,
                 unconfirmed_accounts
             FROM organisations WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((name, ods_code, issuer, client_id, client_secret, unconfirmed)) = found else {
        return Ok(None);
    };
    let sign_on = issuer.zip(client_id).map(|(issuer, client_id)| SignOn {
        issuer,
        client_id,
        client_secret,
    });
    Ok(Some(Organisation {
        id: Uuid::parse_str(id).map_err(anyhow::Error::from)?,
        name,
        ods_code,
        email_domains: domains_of(conn, id)?,
        sign_on,
        unconfirmed_accounts: unconfirmed_accounts(&unconfirmed)?,
    }))
}

/// The id and name of the organisation whose domains include `domain`.
pub(super) fn record_for_domain(
    conn: &Connection,
    domain: &str,
) -> StoreResult<Option<(Uuid, String)>> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT o.id, o.name FROM organisation_domains d
             JOIN organisations o ON o.id = d.organisation_id WHERE d.domain = ?1",
        )?
        .query_row([domain], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    found
        .map(|(id, name)| Ok((Uuid::parse_str(&id).map_err(anyhow::Error::from)?, name)))
        .transpose()
}

fn unconfirmed_accounts(raw: &str) -> StoreResult<UnconfirmedAccounts> {
    UnconfirmedAccounts::parse(raw).ok_or_else(|| {
        StoreError::Backend(anyhow::anyhow!(
            "unknown policy for unconfirmed accounts: {raw}"
        ))
    })
}

/// The sign-on columns of an organisation: issuer, client id, secret.
fn sign_on_columns(organisation: &Organisation) -> [Option<String>; 3] {
    let sign_on = organisation.sign_on.as_ref();
    [
        sign_on.map(|s| s.issuer.clone()),
        sign_on.map(|s| s.client_id.clone()),
        sign_on.and_then(|s| s.client_secret.clone()),
    ]
}

fn insert_domains(conn: &Connection, organisation: &Organisation) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO organisation_domains (domain, organisation_id) VALUES (?1, ?2)",
    )?;
    for domain in &organisation.email_domains {
        stmt.execute(params![domain, organisation.id.to_string()])?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl OrganisationStore for SqliteStore {
    async fn create_organisation(&self, organisation: &Organisation) -> StoreResult<()> {
        let organisation = organisation.clone();
        self.write(move |tx| {
            let [issuer, client_id, client_secret] = sign_on_columns(&organisation);
            tx.execute(
                "INSERT INTO organisations (id, name, ods_code, created_at, sign_on_issuer,
                     sign_on_client_id, sign_on_client_secret, unconfirmed_accounts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    organisation.id.to_string(),
                    organisation.name,
                    organisation.ods_code,
                    Utc::now().timestamp_millis(),
                    issuer,
                    client_id,
                    client_secret,
                    organisation.unconfirmed_accounts.as_str(),
                ],
            )?;
            insert_domains(tx, &organisation)?;
            Ok(())
        })
        .await
    }

    async fn update_organisation(
        &self,
        organisation: &Organisation,
    ) -> StoreResult<Option<Organisation>> {
        let organisation = organisation.clone();
        self.write(move |tx| {
            let id = organisation.id.to_string();
            let [issuer, client_id, client_secret] = sign_on_columns(&organisation);
            let changed = tx.execute(
                "UPDATE organisations SET name = ?2, ods_code = ?3, sign_on_issuer = ?4,
                     sign_on_client_id = ?5, sign_on_client_secret = ?6, unconfirmed_accounts = ?7
                 WHERE id = ?1",
                params![
                    id,
                    organisation.name,
                    organisation.ods_code,
                    issuer,
                    client_id,
                    client_secret,
                    organisation.unconfirmed_accounts.as_str(),
                ],
            )?;
            if changed == 0 {
                return Ok(None);
            }
            tx.execute(
                "DELETE FROM organisation_domains WHERE organisation_id = ?1",
                [&id],
            )?;
            insert_domains(tx, &organisation)?;
            // Members whose address left the domains are self-declared now,
            // unless they are members through the organisation's sign-on.
            tx.execute(
                "UPDATE accounts SET organisation_id = NULL
                 WHERE organisation_id = ?1 AND sign_on_organisation_id IS NOT ?1
                   AND substr(email, instr(email, '@') + 1)
                     NOT IN (SELECT domain FROM organisation_domains WHERE organisation_id = ?1)",
                [&id],
            )?;
            tx.execute(
                "UPDATE accounts SET organisation = ?2 WHERE organisation_id = ?1",
                params![id, organisation.name],
            )?;
            select_organisation(tx, &id)
        })
        .await
    }

    async fn organisation(&self, id: Uuid) -> StoreResult<Option<Organisation>> {
        self.read(move |conn| select_organisation(conn, &id.to_string()))
            .await
    }

    async fn organisations(&self) -> StoreResult<Vec<Organisation>> {
        self.read(|conn| {
            let ids: Vec<String> = conn
                .prepare("SELECT id FROM organisations ORDER BY name, id")?
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut organisations = Vec::with_capacity(ids.len());
            for id in ids {
                organisations.extend(select_organisation(conn, &id)?);
            }
            Ok(organisations)
        })
        .await
    }

    async fn organisation_for_domain(&self, domain: &str) -> StoreResult<Option<Organisation>> {
        let domain = domain.to_owned();
        self.read(move |conn| {
            let id: Option<String> = conn
                .query_row(
                    "SELECT organisation_id FROM organisation_domains WHERE domain = ?1",
                    [&domain],
                    |row| row.get(0),
                )
                .optional()?;
            match id {
                Some(id) => select_organisation(conn, &id),
                None => Ok(None),
            }
        })
        .await
    }

    async fn set_confirmation_nonce(&self, account_id: Uuid, nonce: &str) -> StoreResult<bool> {
        let nonce = nonce.to_owned();
        self.write(move |tx| {
            Ok(tx.execute(
                "UPDATE accounts SET confirmation_nonce = ?2 WHERE id = ?1",
                params![account_id.to_string(), nonce],
            )? == 1)
        })
        .await
    }

    async fn confirm_email(
        &self,
        account_id: Uuid,
        email: &str,
        nonce: &str,
    ) -> StoreResult<Option<Account>> {
        let (email, nonce) = (email.to_owned(), nonce.to_owned());
        self.write(move |tx| {
            let id = account_id.to_string();
            let (organisation_id, organisation_name) = record_for_domain(tx, domain_of(&email))?
                .map(|(id, name)| (id.to_string(), name))
                .unzip();
            let confirmed = tx.execute(
                "UPDATE accounts SET email_confirmed = 1, confirmation_nonce = NULL,
                     organisation_id = COALESCE(?4, organisation_id),
                     organisation = COALESCE(?5, organisation)
                 WHERE id = ?1 AND email = ?2 AND confirmation_nonce = ?3",
                params![id, email, nonce, organisation_id, organisation_name],
            )?;
            if confirmed == 0 {
                return Ok(None);
            }
            select_account(tx, account_id)
        })
        .await
    }

    async fn search_accounts(&self, query: &AccountQuery) -> StoreResult<Vec<Account>> {
        let query = query.clone();
        self.read(move |conn| {
            let pattern = query.email_contains.as_ref().map(|part| {
                let escaped = part
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                format!("%{escaped}%")
            });
            let sql = format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts
                 WHERE (?1 IS NULL OR email LIKE ?1 ESCAPE '\\')
                   AND (?2 IS NULL OR organisation_id = ?2)
                   AND (?3 IS NULL OR id > ?3)
                 ORDER BY id LIMIT ?4"
            );
            let rows = conn
                .prepare(&sql)?
                .query_map(
                    params![
                        pattern,
                        query.organisation_id.map(|id| id.to_string()),
                        query.after.map(|id| id.to_string()),
                        query.limit as i64,
                    ],
                    account_from_row,
                )?
                .map(|row| row.map(|found| found.account))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
    }
}
