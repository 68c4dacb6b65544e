//! Claim and answer invariants at the store level, where the clock can be
//! moved: these run against every configured backend.

use chrono::{Duration, Utc};
use serde_json::json;
use tessera::domain::account::{Role, StaffGroup};
use tessera::domain::policy::BatchPolicy;
use tessera::store::{Account, AnswerStatus, AnswerSubmission, ClaimRequest, Store};
use uuid::Uuid;

use crate::contract::{anyone, live_batch, staff, stores};

struct Fixture {
    tasks: Vec<Uuid>,
    people: Vec<Uuid>,
}

async fn seed(store: &dyn Store, tasks: usize, people: usize, policy: BatchPolicy) -> Fixture {
    let (_, ids) = live_batch(store, tasks, policy).await;
    let mut ids_of_people = Vec::new();
    for i in 0..people {
        let account = Account {
            id: Uuid::new_v4(),
            email: format!("p{i}@nhs.net"),
            display_name: "P".into(),
            staff_group: StaffGroup::Other,
            organisation: None,
            organisation_id: None,
            email_confirmed: false,
            signed_in_through: None,
            registration_number: None,
            roles: vec![Role::Contributor],
            created_at: Utc::now(),
        };
        store.create_account(&account, "hash").await.unwrap();
        ids_of_people.push(account.id);
    }
    Fixture {
        tasks: ids,
        people: ids_of_people,
    }
}

fn claim(person: Uuid, seconds: u32, now: chrono::DateTime<Utc>) -> ClaimRequest {
    ClaimRequest {
        session_id: Uuid::new_v4(),
        contributor_id: person,
        member: anyone(),
        budget_seconds: seconds,
        project_id: None,
        now,
    }
}

fn include(task: Uuid) -> AnswerSubmission {
    AnswerSubmission {
        client_id: Uuid::new_v4(),
        task_id: task,
        answer: json!({"decision": "include"}),
        votes: vec![tessera::domain::kinds::Vote {
            question: 0,
            label: Some(0),
        }],
        seconds_spent: Some(10.0),
    }
}

fn one_place() -> BatchPolicy {
    BatchPolicy {
        min_answers: 1,
        max_answers: 1,
        estimated_seconds: 30,
        lease_seconds: 600,
        gold_rate: 0.0,
        ..BatchPolicy::default()
    }
}

#[tokio::test]
async fn an_expired_lease_frees_its_place_without_cleanup() {
    for (store, _dir) in stores().await {
        let fixture = seed(store.as_ref(), 1, 2, one_place()).await;
        let now = Utc::now();
        let first = store
            .claim(claim(fixture.people[0], 300, now))
            .await
            .unwrap();
        assert_eq!(first.len(), 1);
        // While the lease is live the only place is taken.
        assert!(
            store
                .claim(claim(fixture.people[1], 300, now + Duration::minutes(5)))
                .await
                .unwrap()
                .is_empty()
        );
        // Ten minutes on, the lease has lapsed and the place is free again.
        let later = store
            .claim(claim(fixture.people[1], 300, now + Duration::minutes(11)))
            .await
            .unwrap();
        assert_eq!(
            later.iter().map(|t| t.task_id).collect::<Vec<_>>(),
            fixture.tasks
        );
    }
}

#[tokio::test]
async fn an_answer_after_its_lease_expired_is_stored_as_late_and_credited() {
    for (store, _dir) in stores().await {
        let fixture = seed(store.as_ref(), 1, 1, one_place()).await;
        let now = Utc::now();
        store
            .claim(claim(fixture.people[0], 300, now))
            .await
            .unwrap();
        let outcomes = store
            .submit_answers(
                &staff(fixture.people[0]),
                vec![include(fixture.tasks[0])],
                now + Duration::hours(2),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(outcomes[0].status, AnswerStatus::Late);
        assert_eq!(outcomes[0].credited_seconds, 10);
    }
}

#[tokio::test]
async fn nobody_is_handed_a_task_they_already_answered() {
    for (store, _dir) in stores().await {
        let policy = BatchPolicy {
            min_answers: 3,
            max_answers: 3,
            ..one_place()
        };
        let fixture = seed(store.as_ref(), 2, 1, policy).await;
        let now = Utc::now();
        let bundle = store
            .claim(claim(fixture.people[0], 60, now))
            .await
            .unwrap();
        assert_eq!(bundle.len(), 2);
        let answers = bundle.iter().map(|t| include(t.task_id)).collect();
        store
            .submit_answers(&staff(fixture.people[0]), answers, now)
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .claim(claim(fixture.people[0], 300, now + Duration::hours(1)))
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn a_retried_answer_is_stored_once() {
    for (store, _dir) in stores().await {
        let fixture = seed(store.as_ref(), 1, 1, one_place()).await;
        let now = Utc::now();
        store
            .claim(claim(fixture.people[0], 300, now))
            .await
            .unwrap();
        let answer = include(fixture.tasks[0]);
        let first = store
            .submit_answers(&staff(fixture.people[0]), vec![answer.clone()], now)
            .await
            .unwrap()
            .unwrap();
        let again = store
            .submit_answers(
                &staff(fixture.people[0]),
                vec![answer],
                now + Duration::seconds(5),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, again);
    }
}
