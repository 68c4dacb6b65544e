//! The store contract: every backend must behave identically. The SQLite
//! leg always runs; the MongoDB leg runs when `TESSERA_MONGODB_URI` is set.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use serde_json::json;
use tessera::config::Settings;
use tessera::domain::account::{Email, Role, StaffGroup};
use tessera::domain::admission::Refusal;
use tessera::domain::consensus::TaskState;
use tessera::domain::credits::erased::ErasedCertificate;
use tessera::domain::kinds::{KindSettings, TaskKind, Vote};
use tessera::domain::policy::BatchPolicy;
use tessera::domain::project::{Audience, WorkStatus};
use tessera::store::{
    Account, AnswerStatus, AnswerSubmission, Answerer, Batch, ClaimRequest, GoldAnswer, Member,
    NewRefreshToken, NewTask, Project, RefreshOutcome, Store, StoreError, StoredCertificate,
    SubmitRefusal, TaskResult,
};
use uuid::Uuid;

/// A fresh store of each configured backend, with the directory it lives in.
pub async fn stores() -> Vec<(Arc<dyn Store>, tempfile::TempDir)> {
    let mut stores = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = tessera::store::open(&Settings::for_tests(dir.path().to_path_buf()))
        .await
        .unwrap();
    stores.push((sqlite, dir));
    match std::env::var("TESSERA_MONGODB_URI") {
        Ok(uri) if !uri.is_empty() => {
            let dir = tempfile::tempdir().unwrap();
            let mut settings = Settings::for_tests(dir.path().to_path_buf());
            // Each test gets its own database so runs never see each other.
            settings.mongodb_uri = Some(uri);
            settings.mongodb_database = Some(format!("tessera_test_{}", Uuid::new_v4().simple()));
            stores.push((tessera::store::open(&settings).await.unwrap(), dir));
        }
        _ => mongodb_skipped(),
    }
    stores
}

/// Says once per run that the MongoDB leg did not run. Written to stderr
/// directly because the test harness swallows `eprintln!` of passing tests,
/// and a skipped leg must not pass unnoticed.
fn mongodb_skipped() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "store contract: MongoDB leg SKIPPED (TESSERA_MONGODB_URI is not set)"
        );
    });
}

pub fn account(email: &str) -> Account {
    Account {
        id: Uuid::new_v4(),
        email: email.to_owned(),
        display_name: "Ada".into(),
        staff_group: StaffGroup::Pharmacy,
        organisation: None,
        organisation_id: None,
        email_confirmed: false,
        signed_in_through: None,
        registration_number: Some("X1".into()),
        roles: vec![Role::Contributor],
        created_at: Utc::now(),
    }
}

#[tokio::test]
async fn accounts_round_trip_and_emails_are_unique() {
    for (store, _dir) in stores().await {
        assert!(store.is_empty().await.unwrap());
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        assert!(!store.is_empty().await.unwrap());

        let found = store
            .credentials_by_email(&Email::parse("ada@nhs.net").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.password_hash, "hash");
        assert_eq!(found.account.id, ada.id);
        assert_eq!(found.account.registration_number.as_deref(), Some("X1"));
        assert_eq!(
            store.account(ada.id).await.unwrap().unwrap().email,
            "ada@nhs.net"
        );

        let again = account("ada@nhs.net");
        assert!(matches!(
            store.create_account(&again, "h").await,
            Err(StoreError::Conflict(_))
        ));
        assert!(store.account(again.id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn roles_are_replaced_and_unknown_accounts_are_none() {
    for (store, _dir) in stores().await {
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let updated = store
            .set_roles(ada.id, &[Role::Contributor, Role::Researcher])
            .await
            .unwrap()
            .unwrap();
        assert_eq!(updated.roles, vec![Role::Contributor, Role::Researcher]);
        assert!(
            store
                .set_roles(Uuid::new_v4(), &[Role::Admin])
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn an_erasure_keeps_the_certificate_traces_and_an_unknown_account_writes_none() {
    for (store, _dir) in stores().await {
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let trace = |id: Uuid| ErasedCertificate {
            certificate_id: id,
            issued_at: Utc::now(),
            period_from: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            period_to: chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
            credited_seconds: 360,
            answers: 3,
            key_id: "0011223344556677".into(),
            signature_b64: "c2ln".into(),
            content_sha256: "ab".repeat(32),
            genuine: true,
            revoked_at: None,
            revoke_reason: None,
            erased_at: Utc::now(),
        };
        let kept = trace(Uuid::new_v4());
        assert!(
            store
                .erase_account(ada.id, std::slice::from_ref(&kept))
                .await
                .unwrap()
        );
        assert!(store.account(ada.id).await.unwrap().is_none());
        let read = store.erased_certificate(kept.certificate_id).await.unwrap();
        assert_eq!(read.map(|t| t.content_sha256), Some(kept.content_sha256));

        let stray = trace(Uuid::new_v4());
        assert!(
            !store
                .erase_account(Uuid::new_v4(), std::slice::from_ref(&stray))
                .await
                .unwrap()
        );
        assert!(
            store
                .erased_certificate(stray.certificate_id)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn status_list_places_are_stable_unique_and_outlive_erasure() {
    for (store, _dir) in stores().await {
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
        for id in ids {
            let certificate = StoredCertificate {
                id,
                contributor_id: ada.id,
                signed: "{}".into(),
                created_at: Utc::now(),
                revoked_at: None,
                revoke_reason: None,
            };
            store.insert_certificate(&certificate).await.unwrap();
        }
        assert_eq!(store.status_index(Uuid::new_v4()).await.unwrap(), None);
        let first = store.status_index(ids[0]).await.unwrap().unwrap();
        let second = store.status_index(ids[1]).await.unwrap().unwrap();
        assert_ne!(first, second);
        assert_eq!(store.status_index(ids[0]).await.unwrap(), Some(first));
        assert!(store.revoked_status_indexes().await.unwrap().is_empty());

        store
            .revoke_certificate(ids[1], Utc::now(), "wrong dates")
            .await
            .unwrap();
        assert_eq!(store.revoked_status_indexes().await.unwrap(), [second]);
        // Placed only after its revocation, a certificate starts out revoked.
        store
            .revoke_certificate(ids[2], Utc::now(), "duplicate")
            .await
            .unwrap();
        let third = store.status_index(ids[2]).await.unwrap().unwrap();
        assert!(third != first && third != second);
        let mut revoked = store.revoked_status_indexes().await.unwrap();
        revoked.sort_unstable();
        assert_eq!(revoked, [second, third]);

        // Erasure removes the certificates, not their places.
        assert!(store.erase_account(ada.id, &[]).await.unwrap());
        assert!(store.certificate(ids[1]).await.unwrap().is_none());
        let mut revoked = store.revoked_status_indexes().await.unwrap();
        revoked.sort_unstable();
        assert_eq!(revoked, [second, third]);
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_once_and_reuse_revokes_the_family() {
    for (store, _dir) in stores().await {
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let now = Utc::now();
        let later = now + Duration::days(1);
        store
            .insert_refresh_token(&NewRefreshToken {
                token_hash: "t1".into(),
                family_id: Uuid::new_v4(),
                account_id: ada.id,
                expires_at: later,
            })
            .await
            .unwrap();
        let rotated = store
            .rotate_refresh_token("t1", "t2", later, now)
            .await
            .unwrap();
        assert!(matches!(rotated, RefreshOutcome::Rotated(ref account) if account.id == ada.id));
        assert!(matches!(
            store
                .rotate_refresh_token("t1", "t3", later, now)
                .await
                .unwrap(),
            RefreshOutcome::Reused
        ));
        // The successor was revoked along with its family.
        assert!(matches!(
            store
                .rotate_refresh_token("t2", "t4", later, now)
                .await
                .unwrap(),
            RefreshOutcome::Reused
        ));
        assert!(matches!(
            store
                .rotate_refresh_token("nope", "t5", later, now)
                .await
                .unwrap(),
            RefreshOutcome::Invalid
        ));
    }
}

#[tokio::test]
async fn an_expired_refresh_token_is_invalid() {
    for (store, _dir) in stores().await {
        let ada = account("ada@nhs.net");
        store.create_account(&ada, "hash").await.unwrap();
        let now = Utc::now();
        store
            .insert_refresh_token(&NewRefreshToken {
                token_hash: "old".into(),
                family_id: Uuid::new_v4(),
                account_id: ada.id,
                expires_at: now - Duration::seconds(1),
            })
            .await
            .unwrap();
        assert!(matches!(
            store
                .rotate_refresh_token("old", "new", now + Duration::days(1), now)
                .await
                .unwrap(),
            RefreshOutcome::Invalid
        ));
    }
}

// Claim and answer invariants, for every backend.

/// A live project with one screening batch of `tasks` regular tasks.
pub async fn live_batch(
    store: &dyn Store,
    tasks: usize,
    policy: BatchPolicy,
) -> (Batch, Vec<Uuid>) {
    live_batch_with_gold(store, tasks, 0, policy).await
}

/// A live project with one screening batch of `tasks` regular tasks
/// followed by `gold` gold tasks whose known answer is "include"; the ids
/// are in that order.
pub async fn live_batch_with_gold(
    store: &dyn Store,
    tasks: usize,
    gold: usize,
    policy: BatchPolicy,
) -> (Batch, Vec<Uuid>) {
    let project = Project {
        id: Uuid::new_v4(),
        owner_id: Uuid::new_v4(),
        title: "Contract".into(),
        summary: "s".into(),
        purpose: "p".into(),
        audience: Audience::default(),
        status: WorkStatus::Live,
        outcome_note: None,
        created_at: Utc::now(),
    };
    store.create_project(&project).await.unwrap();
    let settings =
        KindSettings::parse(TaskKind::Screening, &json!({"inclusion_criteria": "RCTs"})).unwrap();
    let new_tasks: Vec<NewTask> = (0..tasks + gold)
        .map(|i| NewTask {
            id: Uuid::new_v4(),
            external_id: Some(format!("row-{i}")),
            content: settings
                .parse_content(&json!({"title": format!("Study {i}")}))
                .unwrap(),
            gold: (i >= tasks).then(|| GoldAnswer {
                answer: json!({"decision": "include"}),
                votes: vec![Vote {
                    question: 0,
                    label: Some(0),
                }],
                explanation: "It is a trial.".into(),
            }),
        })
        .collect();
    let ids = new_tasks.iter().map(|task| task.id).collect();
    let batch = Batch {
        id: Uuid::new_v4(),
        project_id: project.id,
        name: "b".into(),
        answer_schema: settings.answer_schema(),
        settings,
        instructions: String::new(),
        policy,
        status: WorkStatus::Live,
        duplicates_dropped: 2,
        created_at: Utc::now(),
    };
    let stored = store
        .import_batch(&batch, Box::new(new_tasks.into_iter()))
        .await
        .unwrap();
    let read_back = store.batch(batch.id).await.unwrap().expect("stored");
    assert_eq!(
        read_back.duplicates_dropped, 2,
        "kept for the PRISMA counts"
    );
    assert_eq!(stored, (tasks + gold) as u64);
    (batch, ids)
}

pub fn places(min_answers: u32, max_answers: u32) -> BatchPolicy {
    BatchPolicy {
        min_answers,
        max_answers,
        estimated_seconds: 30,
        lease_seconds: 600,
        gold_rate: 0.0,
        ..BatchPolicy::default()
    }
}

pub fn claim_at(person: Uuid, now: DateTime<Utc>) -> ClaimRequest {
    ClaimRequest {
        session_id: Uuid::new_v4(),
        contributor_id: person,
        member: anyone(),
        budget_seconds: 300,
        project_id: None,
        now,
    }
}

/// Anyone, as the admission rules see them: no organisation, any staff group.
pub fn anyone() -> Member {
    Member {
        organisation: None,
        organisation_id: None,
        verified: false,
        staff_group: StaffGroup::Other,
        practice_only: false,
    }
}

/// Anyone, as the answer path sees them.
pub fn staff(id: Uuid) -> Answerer {
    Answerer {
        id,
        member: anyone(),
    }
}

pub fn vote(task: Uuid, label: u16) -> AnswerSubmission {
    AnswerSubmission {
        client_id: Uuid::new_v4(),
        task_id: task,
        answer: json!({"decision": if label == 0 { "include" } else { "exclude" }}),
        votes: vec![Vote {
            question: 0,
            label: Some(label),
        }],
        seconds_spent: Some(12.0),
    }
}

#[tokio::test]
async fn a_task_never_has_more_live_leases_than_open_places() {
    for (store, _dir) in stores().await {
        let (_, tasks) = live_batch(store.as_ref(), 1, places(2, 2)).await;
        let now = Utc::now();
        let mut holders = 0;
        for _ in 0..4 {
            holders += store
                .claim(claim_at(Uuid::new_v4(), now))
                .await
                .unwrap()
                .len();
        }
        assert_eq!(holders, 2, "two places, two leases");
        // Concurrent claimants race for the places of a second task.
        let (_, more) = live_batch(store.as_ref(), 1, places(1, 1)).await;
        let racing = (0..6).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim(claim_at(Uuid::new_v4(), now)).await })
        });
        let mut won = 0;
        for claim in racing {
            let leased = claim.await.unwrap().unwrap();
            won += leased.iter().filter(|task| task.task_id == more[0]).count();
        }
        assert_eq!(won, 1, "one place, one winner");
        assert_ne!(tasks, more);
    }
}

#[tokio::test]
async fn a_refused_submission_stores_nothing() {
    for (store, _dir) in stores().await {
        let (batch, tasks) = live_batch(store.as_ref(), 2, places(2, 3)).await;
        let (ada, bob) = (Uuid::new_v4(), Uuid::new_v4());
        let now = Utc::now();
        store.claim(claim_at(ada, now)).await.unwrap();
        let taken = vote(tasks[0], 0);
        store
            .submit_answers(&staff(ada), vec![taken.clone()], now)
            .await
            .unwrap()
            .unwrap();

        // Bob reuses Ada's client_id: refused at that index, and his first
        // answer in the same submission is rolled back with it.
        store.claim(claim_at(bob, now)).await.unwrap();
        let mut stolen = vote(tasks[1], 0);
        stolen.client_id = taken.client_id;
        let refused = store
            .submit_answers(&staff(bob), vec![vote(tasks[1], 1), stolen], now)
            .await
            .unwrap();
        assert_eq!(
            refused,
            Err(SubmitRefusal {
                index: 1,
                reason: Refusal::ForeignClientId
            })
        );
        let unknown = store
            .submit_answers(&staff(bob), vec![vote(Uuid::new_v4(), 0)], now)
            .await
            .unwrap();
        assert_eq!(
            unknown,
            Err(SubmitRefusal {
                index: 0,
                reason: Refusal::UnknownTask
            })
        );
        // Ada changing her mind is a conflict too.
        let changed = store
            .submit_answers(&staff(ada), vec![vote(tasks[0], 1)], now)
            .await
            .unwrap();
        assert_eq!(
            changed,
            Err(SubmitRefusal {
                index: 0,
                reason: Refusal::DifferentAnswer
            })
        );
        assert_eq!(store.batch_counts(batch.id).await.unwrap().answers, 1);
    }
}

#[tokio::test]
async fn concurrent_retries_of_one_answer_store_it_once() {
    for (store, _dir) in stores().await {
        let (batch, tasks) = live_batch(store.as_ref(), 1, places(3, 5)).await;
        let ada = Uuid::new_v4();
        let now = Utc::now();
        store.claim(claim_at(ada, now)).await.unwrap();
        let answer = vote(tasks[0], 0);
        let retries = (0..4).map(|_| {
            let (store, answer) = (store.clone(), answer.clone());
            tokio::spawn(async move { store.submit_answers(&staff(ada), vec![answer], now).await })
        });
        let mut outcomes = Vec::new();
        for retry in retries {
            outcomes.push(retry.await.unwrap().unwrap().unwrap());
        }
        assert!(outcomes.windows(2).all(|pair| pair[0] == pair[1]));
        assert_eq!(outcomes[0][0].status, AnswerStatus::Accepted);
        assert_eq!(store.batch_counts(batch.id).await.unwrap().answers, 1);
    }
}

#[tokio::test]
async fn a_settled_task_is_handed_out_no_more_and_exports_in_order() {
    for (store, _dir) in stores().await {
        // One answer at 75% (a newcomer's weight) clears a 70% target.
        let policy = BatchPolicy {
            target_confidence: 0.7,
            ..places(1, 1)
        };
        let (batch, tasks) = live_batch(store.as_ref(), 3, policy).await;
        let ada = Uuid::new_v4();
        let now = Utc::now();
        let bundle = store.claim(claim_at(ada, now)).await.unwrap();
        assert_eq!(
            bundle.iter().map(|task| task.task_id).collect::<Vec<_>>(),
            tasks
        );
        let settled = store
            .submit_answers(
                &staff(ada),
                vec![vote(tasks[1], 0)],
                now + Duration::seconds(20),
            )
            .await
            .unwrap()
            .unwrap();
        assert!(settled[0].counts_towards_consensus);
        let counts = store.batch_counts(batch.id).await.unwrap();
        assert_eq!((counts.settled, counts.open, counts.answers), (1, 2, 1));
        let progress = store.project_progress(batch.project_id, ada).await.unwrap();
        assert_eq!(
            (progress.tasks, progress.settled, progress.answers),
            (3, 1, 1),
            "project progress counts the batch's tasks, settled tasks and answers"
        );
        assert_eq!(progress.answered_by_contributor, 1);

        // Once the other leases lapse, the settled task is never offered.
        let later = store
            .claim(claim_at(Uuid::new_v4(), now + Duration::hours(1)))
            .await
            .unwrap();
        let offered: Vec<Uuid> = later.iter().map(|task| task.task_id).collect();
        assert_eq!(offered, vec![tasks[0], tasks[2]]);

        let results: Vec<TaskResult> = store
            .task_results(batch.id)
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(results.iter().map(|r| r.task_id).collect::<Vec<_>>(), tasks);
        assert_eq!(results[1].state, TaskState::Settled);
        assert_eq!(results[1].answers.len(), 1);
        assert_eq!(results[1].answers[0].contributor_id, ada);
        assert_eq!(results[0].external_id.as_deref(), Some("row-0"));
    }
}

#[tokio::test]
async fn an_import_of_many_chunks_is_stored_whole_and_claimable() {
    for (store, _dir) in stores().await {
        let (batch, tasks) = live_batch(store.as_ref(), 4_500, places(1, 1)).await;
        let counts = store.batch_counts(batch.id).await.unwrap();
        assert_eq!((counts.open, counts.answers), (4_500, 0));
        let bundle = store
            .claim(claim_at(Uuid::new_v4(), Utc::now()))
            .await
            .unwrap();
        assert_eq!(bundle.len(), 10);
        assert!(bundle.iter().all(|task| tasks.contains(&task.task_id)));
    }
}

#[tokio::test]
async fn a_failed_import_leaves_no_batch_behind() {
    for (store, _dir) in stores().await {
        let (existing, tasks) = live_batch(store.as_ref(), 1, places(1, 1)).await;
        let settings = existing.settings.clone();
        let clash = NewTask {
            id: tasks[0],
            external_id: None,
            content: settings.parse_content(&json!({"title": "Again"})).unwrap(),
            gold: None,
        };
        let fresh = NewTask {
            id: Uuid::new_v4(),
            ..clash.clone()
        };
        let batch = Batch {
            id: Uuid::new_v4(),
            ..existing.clone()
        };
        let failed = store
            .import_batch(&batch, Box::new(vec![fresh, clash].into_iter()))
            .await;
        assert!(failed.is_err());
        assert!(store.batch(batch.id).await.unwrap().is_none());
        let listed = store.project_batches(existing.project_id).await.unwrap();
        assert_eq!(
            listed.iter().map(|b| b.id).collect::<Vec<_>>(),
            vec![existing.id]
        );
    }
}
