//! Practice as every store backend must apply it (the contract of
//! `contract.rs`: SQLite always, MongoDB with a URI).

use chrono::Utc;
use tessera::domain::credits::DateRange;
use tessera::store::{Answerer, ClaimRequest};
use uuid::Uuid;

use crate::contract::{anyone, claim_at, live_batch_with_gold, places, stores, vote};

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
