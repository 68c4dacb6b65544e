//! `tessera admin`: the first administrator, and any later role change made
//! from a shell on the host or pod (`kubectl exec`). It works on the
//! configured store (the embedded SQLite file or MongoDB), before or while
//! the server runs; a running server sees the change within
//! `TESSERA_ACCOUNT_CACHE_SECONDS`. Granting a role someone already holds,
//! or revoking one they do not, changes nothing and says so. There is no
//! "first user becomes admin" rule: only someone with a shell can do this.

use anyhow::Context;

use crate::config::Settings;
use crate::domain::account::{Email, Role, normalise_roles};
use crate::domain::field_error::FieldError;
use crate::domain::organisation::OrganisationFields;
use crate::domain::practice::UnconfirmedAccounts;
use crate::domain::sign_on::SignOn;
use crate::store;

/// What to change.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Give a registered account a role (admin, researcher or contributor).
    Grant(RoleChange),
    /// Take a role away (everyone keeps contributor).
    Revoke(RoleChange),
    /// Record an organisation, or update the one with this ODS code: staff
    /// who confirm an address at one of its domains become verified members.
    Organisation(OrganisationRecord),
}

/// An organisation as the trust's IT lead describes it.
#[derive(Debug, clap::Args)]
pub struct OrganisationRecord {
    /// The name printed on certificates.
    #[arg(long)]
    name: String,
    /// The NHS ODS code, e.g. RJ1; an organisation with this code is updated.
    #[arg(long)]
    ods: Option<String>,
    /// An email domain that proves membership; repeat for several.
    #[arg(long = "domain")]
    domains: Vec<String>,
    /// The issuer of the organisation's OpenID Connect sign-in, e.g.
    /// https://login.microsoftonline.com/<tenant>/v2.0. Register
    /// <TESSERA_PUBLIC_URL>/app/ as the client's redirect URI there.
    #[arg(long, requires = "sign_on_client_id")]
    sign_on_issuer: Option<String>,
    /// Tessera's client id at that provider.
    #[arg(long, requires = "sign_on_issuer")]
    sign_on_client_id: Option<String>,
    /// The client's secret, read from the environment so it stays out of
    /// the shell's history.
    #[arg(long, env = "TESSERA_SIGN_ON_CLIENT_SECRET", hide_env_values = true)]
    sign_on_client_secret: Option<String>,
    /// What accounts at its domains may do before confirming their address:
    /// practice-only (only practice tasks, for no credit; the default for a
    /// new organisation) or all-tasks. Left out, an update keeps the policy.
    #[arg(long, value_parser = parse_unconfirmed_accounts)]
    unconfirmed_accounts: Option<UnconfirmedAccounts>,
}

/// Whose role, and which.
#[derive(Debug, clap::Args)]
pub struct RoleChange {
    /// The account's email address, as registered.
    #[arg(long)]
    email: String,
    /// admin, researcher or contributor.
    #[arg(long, value_parser = parse_role)]
    role: Role,
}

fn parse_unconfirmed_accounts(raw: &str) -> Result<UnconfirmedAccounts, String> {
    UnconfirmedAccounts::parse(raw)
        .ok_or_else(|| format!("{raw:?} is not a policy; use practice-only or all-tasks"))
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw.trim())
        .ok_or_else(|| format!("{raw:?} is not a role; use admin, researcher or contributor"))
}

/// Applies the change and returns the sentence to print.
pub async fn run(command: AdminCommand, settings: &Settings) -> anyhow::Result<String> {
    let (change, grant) = match &command {
        AdminCommand::Grant(change) => (change, true),
        AdminCommand::Revoke(change) => (change, false),
        AdminCommand::Organisation(record) => return organisation(record, settings).await,
    };
    let email =
        Email::parse(&change.email).map_err(|err| anyhow::anyhow!("--email: {}", err.message))?;
    let store = store::open(settings).await.context("opening the store")?;
    let account = store
        .credentials_by_email(&email)
        .await?
        .map(|found| found.account)
        .with_context(|| {
            format!(
                "no account is registered as {}; they register first (POST /v1/auth/register or the app)",
                email.as_str()
            )
        })?;
    let holds = account.roles.contains(&change.role);
    let role = change.role.as_str();
    if holds == grant || (!grant && change.role == Role::Contributor) {
        return Ok(format!(
            "{} {} the {role} role; nothing changed",
            email.as_str(),
            if holds {
                "already has"
            } else {
                "does not have"
            }
        ));
    }
    let roles = if grant {
        normalise_roles(account.roles.iter().copied().chain([change.role]))
    } else {
        normalise_roles(account.roles.iter().copied().filter(|r| *r != change.role))
    };
    store
        .set_roles(account.id, &roles)
        .await?
        .context("the account disappeared while its roles were changed")?;
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    Ok(format!(
        "{} ({}) now has the roles: {}",
        email.as_str(),
        account.id,
        names.join(", ")
    ))
}

/// Creates the organisation, or replaces the one holding the same ODS code.
async fn organisation(record: &OrganisationRecord, settings: &Settings) -> anyhow::Result<String> {
    let said = |errors: Vec<FieldError>| {
        let said: Vec<String> = errors
            .iter()
            .map(|err| format!("{}: {}", err.field, err.message))
            .collect();
        anyhow::anyhow!(said.join("; "))
    };
    let fields = OrganisationFields::parse(&record.name, record.ods.as_deref(), &record.domains)
        .map_err(said)?;
    let sign_on = record
        .sign_on_issuer
        .as_deref()
        .zip(record.sign_on_client_id.as_deref())
        .map(|(issuer, client_id)| {
            SignOn::parse(issuer, client_id, record.sign_on_client_secret.as_deref())
        })
        .transpose()
        .map_err(said)?;
    let store = store::open(settings).await.context("opening the store")?;
    let existing = match &fields.ods_code {
        Some(code) => store
            .organisations()
            .await?
            .into_iter()
            .find(|known| known.ods_code.as_deref() == Some(code.as_str())),
        None => None,
    };
    let (organisation, verb) = match existing {
        Some(known) => {
            // Without sign-on flags, the sign-on set before stays.
            let organisation = fields
                .with_sign_on(sign_on.or(known.sign_on))
                .with_unconfirmed_accounts(
                    record
                        .unconfirmed_accounts
                        .unwrap_or(known.unconfirmed_accounts),
                )
                .into_record(known.id);
            store
                .update_organisation(&organisation)
                .await?
                .context("the organisation disappeared while it was updated")?;
            (organisation, "updated")
        }
        None => {
            let organisation = fields
                .with_sign_on(sign_on)
                .with_unconfirmed_accounts(record.unconfirmed_accounts.unwrap_or_default())
                .into_record(uuid::Uuid::new_v4());
            store.create_organisation(&organisation).await?;
            (organisation, "recorded")
        }
    };
    Ok(format!(
        "{} ({}) {verb}; addresses at {} make verified members once confirmed \
         (unconfirmed: {})",
        organisation.name,
        organisation.id,
        if organisation.email_domains.is_empty() {
            "no domain yet".to_owned()
        } else {
            organisation.email_domains.join(", ")
        },
        match organisation.unconfirmed_accounts {
            UnconfirmedAccounts::PracticeOnly => "practice tasks only",
            UnconfirmedAccounts::AllTasks => "all tasks",
        }
    ))
}
