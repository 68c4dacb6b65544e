//! Practice before confirmation: an account at a recorded organisation's
//! domain whose address is not yet confirmed follows that organisation's
//! policy. With `practice_only` it gets gold tasks only, with feedback and
//! for no credit; with `all_tasks` it works as a confirmed member would.
//! Accounts at no recorded domain are not affected (which is why the rest
//! of the suite, registering at unrecorded domains and never confirming,
//! works on everything).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;
use uuid::Uuid;

use crate::credits::support::backdate;
use crate::helpers::{Person, TestApp, expect_status};

pub const NORTH: &str = "North Hospitals";

/// An app with an organisation record for `north.nhs.uk` (its policy for
/// unconfirmed accounts as given, or the default) and a live project whose
/// batch holds two gold tasks ("Gold …") and four regular ones ("Study …"),
/// with no gold mixed into regular bundles. Returns the app, an admin and
/// the organisation's id.
pub async fn trust(policy: Option<&str>) -> (TestApp, Person, String) {
    let app = TestApp::spawn_with(|settings| {
        // The tests confirm addresses through the store, which this
        // process's cache does not hear about.
        settings.account_cache_ttl = Duration::ZERO;
        settings.login_attempts = 1000;
    })
    .await;
    let admin = app.person("admin@centre.nhs.uk", &[Role::Admin]).await;
    let mut body = json!({"name": NORTH, "email_domains": ["north.nhs.uk"]});
    if let Some(policy) = policy {
        body["unconfirmed_accounts"] = json!(policy);
    }
    let created = expect_status(
        app.post("/v1/admin/organisations", &body, Some(&admin.access_token))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        created["unconfirmed_accounts"],
        policy.unwrap_or("practice_only")
    );
    let researcher = app
        .person("researcher@centre.nhs.uk", &[Role::Researcher])
        .await;
    let project = app.live_project(&researcher).await;
    let csv = "title,abstract,gold_answer,gold_explanation\n\
               Gold one,A randomised trial.,include,It is randomised.\n\
               Gold two,An audit.,exclude,An audit is not a trial.\n\
               Study one,Abstract.,,\n\
               Study two,Abstract.,,\n\
               Study three,Abstract.,,\n\
               Study four,Abstract.,,\n";
    let spec = json!({
        "name": "Screening", "kind": "screening", "gold_rate": 0.0, "estimated_seconds": 10,
        "settings": {"inclusion_criteria": "Randomised trials only."}
    });
    expect_status(
        app.upload(
            &researcher,
            &project,
            spec,
            "tasks.csv",
            csv.as_bytes().to_vec(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().expect("id").to_owned();
    (app, admin, id)
}

/// Confirms `email` as the account's address the way opening its link
/// does. The link sent in the background sets its own nonce once; should
/// it land between ours and the confirmation, the next round wins.
pub async fn confirm_through_store(app: &TestApp, person: &Person, email: &str) {
    let id = Uuid::parse_str(&person.id).expect("uuid");
    for round in 0..20 {
        let nonce = format!("test-link-{round}");
        assert!(app.store.set_confirmation_nonce(id, &nonce).await.unwrap());
        if app
            .store
            .confirm_email(id, email, &nonce)
            .await
            .unwrap()
            .is_some()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{email} could not be confirmed");
}

pub async fn me(app: &TestApp, person: &Person) -> Value {
    expect_status(
        app.get("/v1/me", Some(&person.access_token)).await,
        StatusCode::OK,
    )
    .await
}

/// The titles of a session's tasks, sorted.
fn titles(session: &Value) -> Vec<String> {
    let mut titles: Vec<String> = session["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|task| task["content"]["title"].as_str().expect("title").to_owned())
        .collect();
    titles.sort();
    titles
}

/// Answers every task of the session with "include", as if it took a while.
async fn answer_all(app: &TestApp, person: &Person, session: &Value) -> Vec<Value> {
    backdate(app, person, 600);
    let answers: Vec<Value> = session["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|task| {
            json!({
                "client_id": Uuid::new_v4(),
                "task_id": task["task_id"],
                "answer": {"decision": "include"},
                "seconds_spent": 8
            })
        })
        .collect();
    let body = expect_status(
        app.answer(person, Value::Array(answers)).await,
        StatusCode::OK,
    )
    .await;
    body["results"].as_array().expect("results").clone()
}

async fn credited_seconds(app: &TestApp, person: &Person) -> u64 {
    let credits = expect_status(
        app.get("/v1/me/credits", Some(&person.access_token)).await,
        StatusCode::OK,
    )
    .await;
    credits["total"]["credited_seconds"]
        .as_u64()
        .expect("seconds")
}

#[tokio::test]
async fn an_unconfirmed_account_at_a_practice_only_trust_practises_until_it_confirms() {
    let (app, _admin, north) = trust(None).await;
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    let before = me(&app, &nurse).await;
    assert_eq!(before["organisation_id"], north.as_str());
    assert_eq!(before["membership"], "self_declared");
    assert_eq!(before["practice_only"], true);

    let practice = app.claim(&nurse, 30).await;
    assert_eq!(practice["practice_only"], true);
    assert_eq!(titles(&practice), ["Gold one", "Gold two"]);
    let results = answer_all(&app, &nurse, &practice).await;
    for result in &results {
        assert_eq!(result["credited_seconds"], 0, "{result}");
        assert_eq!(result["counts_towards_consensus"], false);
        assert_eq!(result["practice"], true);
        assert!(result["feedback"]["correct"].is_boolean(), "{result}");
    }
    assert_eq!(credited_seconds(&app, &nurse).await, 0);
    // Every practice task done: nothing more until the address is confirmed.
    let done = app.claim(&nurse, 30).await;
    assert_eq!(done["practice_only"], true);
    assert!(titles(&done).is_empty(), "{done}");

    confirm_through_store(&app, &nurse, "nurse@north.nhs.uk").await;
    let after = me(&app, &nurse).await;
    assert_eq!(after["membership"], "verified");
    assert_eq!(after["practice_only"], false);
    let work = app.claim(&nurse, 30).await;
    assert_eq!(work["practice_only"], false);
    assert_eq!(
        titles(&work),
        ["Study four", "Study one", "Study three", "Study two"]
    );
    let results = answer_all(&app, &nurse, &work).await;
    assert!(
        results.iter().all(|r| r["practice"] == false),
        "{results:?}"
    );
    assert!(credited_seconds(&app, &nurse).await > 0);
}

#[tokio::test]
async fn an_all_tasks_trust_lets_unconfirmed_members_work_on_everything() {
    let (app, _admin, _north) = trust(Some("all_tasks")).await;
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    assert_eq!(me(&app, &nurse).await["practice_only"], false);
    let work = app.claim(&nurse, 30).await;
    assert_eq!(work["practice_only"], false);
    assert_eq!(titles(&work).len(), 4, "{work}");
    assert!(titles(&work).iter().all(|title| title.starts_with("Study")));
    answer_all(&app, &nurse, &work).await;
    assert!(credited_seconds(&app, &nurse).await > 0);
}

#[tokio::test]
async fn an_admin_changing_the_policy_applies_to_the_next_claim() {
    let (app, admin, north) = trust(None).await;
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    // Someone at a domain no organisation records is not affected.
    let visitor = app.person("visitor@elsewhere.nhs.uk", &[]).await;
    assert_eq!(me(&app, &visitor).await["practice_only"], false);
    assert_eq!(titles(&app.claim(&visitor, 30).await).len(), 4);
    assert_eq!(app.claim(&nurse, 1).await["practice_only"], true);

    let changed = app
        .client
        .patch(app.url(&format!("/v1/admin/organisations/{north}")))
        .bearer_auth(&admin.access_token)
        .json(&json!({"unconfirmed_accounts": "all_tasks"}))
        .send()
        .await
        .expect("sent");
    let changed = expect_status(changed, StatusCode::OK).await;
    assert_eq!(changed["unconfirmed_accounts"], "all_tasks");
    assert_eq!(changed["email_domains"], json!(["north.nhs.uk"]));
    let listed = expect_status(app.get("/v1/organisations", None).await, StatusCode::OK).await;
    assert_eq!(
        listed["organisations"][0]["unconfirmed_accounts"],
        "all_tasks"
    );
    let work = app.claim(&nurse, 30).await;
    assert_eq!(work["practice_only"], false);
    assert!(
        titles(&work).iter().any(|title| title.starts_with("Study")),
        "{work}"
    );
}
