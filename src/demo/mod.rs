//! `tessera serve --demo`: seeds an empty store so a newcomer can try every
//! part of the API at once. A store that holds anything is left alone.

mod work;

use std::sync::Arc;

use chrono::Utc;
use uuid::Uuid;

use crate::domain::account::{Password, Role, StaffGroup, normalise_roles};
use crate::security::passwords;
use crate::store::{Account, Store};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "tessera-demo";

const ACCOUNTS: [(&str, &str, StaffGroup, &[Role]); 3] = [
    (
        "admin@demo.tessera.test",
        "Demo Admin",
        StaffGroup::Management,
        &[Role::Admin],
    ),
    (
        "researcher@demo.tessera.test",
        "Demo Researcher",
        StaffGroup::HealthcareScience,
        &[Role::Researcher],
    ),
    (
        "staff@demo.tessera.test",
        "Demo Staff Nurse",
        StaffGroup::NursingAndMidwifery,
        &[],
    ),
];

/// Seeds the demo data when the store is empty and prints the accounts.
pub async fn seed(store: Arc<dyn Store>) -> anyhow::Result<()> {
    if !store.is_empty().await? {
        println!("Demo data not seeded: the store already holds data.");
        return Ok(());
    }
    // The demo password is shorter than the policy minimum on purpose (it is
    // documented and public), so it is hashed without going through `Password::parse`.
    let password = Password::parse("tessera-demo-password")
        .map(|_| DEMO_PASSWORD.to_owned())
        .map_err(|err| anyhow::anyhow!(err.message))?;
    let hash = tokio::task::spawn_blocking(move || passwords::hash_raw(&password)).await??;
    println!("Demo accounts (password: {DEMO_PASSWORD}):");
    let mut researcher = None;
    for (email, name, group, roles) in ACCOUNTS {
        let account = Account {
            id: Uuid::new_v4(),
            email: email.to_owned(),
            display_name: name.to_owned(),
            staff_group: group,
            organisation: Some("Demo NHS Foundation Trust".to_owned()),
            organisation_id: None,
            email_confirmed: false,
            signed_in_through: None,
            registration_number: None,
            roles: normalise_roles(roles.iter().copied()),
            created_at: Utc::now(),
        };
        store.create_account(&account, &hash).await?;
        if roles.contains(&Role::Researcher) {
            researcher = Some(account.id);
        }
        let role_names: Vec<&str> = account.roles.iter().map(|role| role.as_str()).collect();
        println!("  {email:<32} {}", role_names.join(", "));
    }
    if let Some(researcher) = researcher {
        work::seed_projects(store.as_ref(), researcher).await?;
        println!("Demo projects: literature screening, data coding and observation checks (live).");
    }
    Ok(())
}
