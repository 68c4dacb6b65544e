//! Single sign-on as every store backend must keep it (the contract of
//! `contract.rs`: SQLite always, MongoDB with a URI): a started sign-in is
//! used once and expires, and a provider identity is tied to one account.

use chrono::{Duration, Utc};
use tessera::domain::account::Email;
use tessera::domain::organisation::{Membership, OrganisationFields};
use tessera::domain::sign_on::{Identity, Refusal};
use tessera::store::PendingSignOn;
use uuid::Uuid;

use crate::contract::{account, stores};

fn identity(subject: &str, email: &str, verified: bool) -> Identity {
    Identity {
        subject: subject.into(),
        email: Email::parse(email).unwrap(),
        email_verified: verified,
        name: None,
    }
}

#[tokio::test]
async fn a_started_sign_in_is_taken_once_and_not_after_it_expires_in_every_store() {
    for (store, _dir) in stores().await {
        // Stores keep milliseconds.
        let now = chrono::DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
        let pending = |state: &str, expires_at| PendingSignOn {
            state_hash: state.into(),
            organisation_id: Uuid::new_v4(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            expires_at,
        };
        let live = pending("live", now + Duration::minutes(10));
        store.begin_sign_on(&live, now).await.unwrap();
        store
            .begin_sign_on(&pending("stale", now + Duration::seconds(1)), now)
            .await
            .unwrap();
        assert_eq!(store.take_sign_on("live", now).await.unwrap(), Some(live));
        assert_eq!(
            store.take_sign_on("live", now).await.unwrap(),
            None,
            "used once"
        );
        let later = now + Duration::seconds(2);
        assert_eq!(
            store.take_sign_on("stale", later).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(store.take_sign_on("unknown", now).await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_provider_identity_is_tied_to_one_account_in_every_store() {
    for (store, _dir) in stores().await {
        let north = OrganisationFields::parse("North", None, &[])
            .unwrap()
            .into_record(Uuid::new_v4());
        store.create_organisation(&north).await.unwrap();

        // First sign-in: a new account, a verified member through the provider.
        let first = store
            .complete_sign_on(
                &identity("sub-1", "nurse@nhs.net", true),
                &north,
                &account("nurse@nhs.net"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.organisation_id, Some(north.id));
        assert_eq!(first.membership(), Some(Membership::Verified));
        // The same subject again, with another address: the same account.
        let again = store
            .complete_sign_on(
                &identity("sub-1", "n.ward@nhs.net", true),
                &north,
                &account("n.ward@nhs.net"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(again.id, first.id);
        assert_eq!(again.email, "nurse@nhs.net");

        // A password account is linked by a verified address only.
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let refused = store
            .complete_sign_on(
                &identity("sub-2", "ada@nhs.net", false),
                &north,
                &account("ada@nhs.net"),
            )
            .await
            .unwrap();
        assert_eq!(refused, Err(Refusal::EmailNotVerified));
        let linked = store
            .complete_sign_on(
                &identity("sub-2", "ada@nhs.net", true),
                &north,
                &account("ada@nhs.net"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(linked.id, ada.id);
        assert!(
            linked.email_confirmed,
            "the provider verified her own address"
        );
        // Someone else at the provider with her address cannot take it over.
        let taken = store
            .complete_sign_on(
                &identity("sub-3", "ada@nhs.net", true),
                &north,
                &account("ada@nhs.net"),
            )
            .await
            .unwrap();
        assert_eq!(taken, Err(Refusal::LinkedToSomeoneElse));
    }
}
