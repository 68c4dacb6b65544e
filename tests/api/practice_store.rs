//! Practice and re-verification as every store backend must apply them
//! (the contract of `contract.rs`: SQLite always, MongoDB with a URI).

use chrono::Utc;
use tessera::domain::account::Email;
use tessera::domain::affiliation::AffiliationChange;
use tessera::domain::credits::DateRange;
use tessera::domain::organisation::{Membership, OrganisationFields};
use tessera::store::{Answerer, ClaimRequest, Profile, StoreError};
use uuid::Uuid;

use crate::contract::{account, anyone, claim_at, live_batch_with_gold, places, stores, vote};

#[tokio::test]
async fn practice_gets_gold_only_and_earns_and_trains_nothing_in_every_store() {
    for (store, _dir) in stores().await {
        let (batch, tasks) = live_batch_with_gold(store.as_ref(), 2, 1, places(1, 3)).await;
        let gold = tasks[2];
        let learner = Uuid::new_v4();
        let mut member = anyone();
        member.practice_only = true;
        let practice = ClaimRequest {
            member: member.clone(),
            ..claim_at(learner, Utc::now())
        };
        let leased: Vec<Uuid> = store
            .claim(practice.clone())
            .await
            .unwrap()
            .iter()
            .map(|task| task.task_id)
            .collect();
        assert_eq!(leased, vec![gold]);

        let answerer = Answerer {
            id: learner,
            member,
        };
        let outcome = store
            .submit_answers(&answerer, vec![vote(gold, 0)], Utc::now())
            .await
            .unwrap()
            .unwrap()
            .remove(0);
        assert!(outcome.practice && !outcome.counts_towards_consensus);
        assert_eq!(outcome.credited_seconds, 0);
        assert_eq!(outcome.feedback.map(|f| f.correct), Some(true));
        let days = store
            .credit_days(learner, DateRange::default())
            .await
            .unwrap();
        assert!(days.is_empty(), "practice is not in the ledger: {days:?}");
        let votes = store.batch_votes(batch.id).await.unwrap();
        assert!(votes.rows.iter().all(|row| row.practice && !row.counted));

        let again = ClaimRequest {
            session_id: Uuid::new_v4(),
            ..practice
        };
        assert!(store.claim(again).await.unwrap().is_empty());
        let regular = store.claim(claim_at(learner, Utc::now())).await.unwrap();
        assert_eq!(regular.len(), 2, "once confirmed, regular work");
    }
}

#[tokio::test]
async fn every_store_re_derives_the_organisation_of_a_new_address() {
    for (store, _dir) in stores().await {
        let north = OrganisationFields::parse("North", None, &["north.nhs.uk".into()])
            .unwrap()
            .into_record(Uuid::new_v4());
        store.create_organisation(&north).await.unwrap();
        let mut ada = account("ada@north.nhs.uk");
        ada.organisation = Some("North".into());
        ada.organisation_id = Some(north.id);
        ada.email_confirmed = true;
        store.create_account(&ada, "hash").await.unwrap();
        store
            .create_account(&account("taken@north.nhs.uk"), "hash")
            .await
            .unwrap();
        let profile = |affiliation| Profile {
            display_name: ada.display_name.clone(),
            staff_group: ada.staff_group,
            registration_number: None,
            affiliation,
        };
        let new_address = |raw: &str| AffiliationChange {
            email: Some(Email::parse(raw).unwrap()),
            organisation: None,
        };

        let taken = store
            .update_profile(ada.id, &profile(new_address("taken@north.nhs.uk")))
            .await;
        assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");

        let moved = store
            .update_profile(ada.id, &profile(new_address("ada.w@north.nhs.uk")))
            .await
            .unwrap()
            .expect("account");
        assert_eq!(moved.email, "ada.w@north.nhs.uk");
        assert!(!moved.email_confirmed);
        assert_eq!(moved.organisation_id, Some(north.id));
        assert_eq!(moved.membership(), Some(Membership::SelfDeclared));
        assert!(store.set_confirmation_nonce(ada.id, "n").await.unwrap());
        let confirmed = store
            .confirm_email(ada.id, "ada.w@north.nhs.uk", "n")
            .await
            .unwrap()
            .expect("confirmed");
        assert_eq!(confirmed.membership(), Some(Membership::Verified));

        let typed = AffiliationChange {
            email: None,
            organisation: Some(Some("Elsewhere".into())),
        };
        let elsewhere = store
            .update_profile(ada.id, &profile(typed))
            .await
            .unwrap()
            .expect("account");
        assert_eq!(elsewhere.organisation.as_deref(), Some("Elsewhere"));
        assert_eq!(elsewhere.organisation_id, None);
        assert!(elsewhere.email_confirmed);
        assert!(
            store
                .update_profile(Uuid::new_v4(), &profile(AffiliationChange::default()))
                .await
                .unwrap()
                .is_none()
        );
    }
}
