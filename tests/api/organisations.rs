//! Standing a trust up: organisations as records, verified membership by a
//! confirmed address at one of their domains, and audiences that require it.
//! The walk-through sends its mail through a real SMTP server (Python's
//! aiosmtpd, storing into a Maildir); `.ci/run` installs it and runs it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera::domain::account::Role;
use tessera::mail::{SmtpSecurity, SmtpSettings};

use crate::helpers::{Person, TestApp, expect_problem, expect_status, task_ids};

const NORTH: &str = "North Hospitals NHS Foundation Trust";

async fn organisation(app: &TestApp, admin: &Person, body: Value) -> reqwest::Response {
    app.post("/v1/admin/organisations", &body, Some(&admin.access_token))
        .await
}

#[tokio::test]
async fn admins_record_organisations_that_anyone_may_list() {
    let app = TestApp::spawn().await;
    let admin = app.person("admin@north.nhs.uk", &[Role::Admin]).await;
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    let body = json!({"name": NORTH, "ods_code": "rj1", "email_domains": ["North.NHS.uk"]});
    expect_problem(
        organisation(&app, &nurse, body.clone()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let created = expect_status(
        organisation(&app, &admin, body.clone()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(created["ods_code"], "RJ1");
    assert_eq!(created["email_domains"], json!(["north.nhs.uk"]));

    let again = json!({"name": "Another", "email_domains": ["north.nhs.uk"]});
    expect_problem(
        organisation(&app, &admin, again).await,
        StatusCode::CONFLICT,
    )
    .await;
    let shared = json!({"name": "Anyone", "ods_code": "x", "email_domains": ["nhs.net"]});
    let problem = expect_problem(
        organisation(&app, &admin, shared).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["ods_code", "email_domains[0]"]);

    let listed = expect_status(app.get("/v1/organisations", None).await, StatusCode::OK).await;
    assert_eq!(listed["organisations"][0]["id"], created["id"]);

    let path = format!(
        "/v1/admin/organisations/{}",
        created["id"].as_str().unwrap()
    );
    let renamed = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&admin.access_token)
        .json(&json!({"name": "North Hospitals", "ods_code": ""}))
        .send()
        .await
        .expect("sent");
    let renamed = expect_status(renamed, StatusCode::OK).await;
    assert_eq!(renamed["name"], "North Hospitals");
    assert!(renamed.get("ods_code").is_none(), "{renamed}");
    assert_eq!(renamed["email_domains"], json!(["north.nhs.uk"]));
}

#[tokio::test]
async fn a_sign_on_keeps_its_secret_through_edits_and_null_removes_it() {
    let app = TestApp::spawn().await;
    let admin = app.person("admin@nhs.net", &[Role::Admin]).await;
    let created = expect_status(
        organisation(
            &app,
            &admin,
            json!({"name": NORTH, "sign_on": {
                "issuer": "https://login.north.nhs.uk", "client_id": "tessera", "client_secret": "s3cret"
            }}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let patch = |body: Value| {
        app.client
            .patch(app.url(&format!("/v1/admin/organisations/{id}")))
            .bearer_auth(&admin.access_token)
            .json(&body)
            .send()
    };
    // A new client id without a secret keeps the stored secret.
    let edited = patch(
        json!({"sign_on": {"issuer": "https://login.north.nhs.uk", "client_id": "tessera-2"}}),
    )
    .await
    .expect("sent");
    let edited = expect_status(edited, StatusCode::OK).await;
    assert_eq!(edited["sign_on"]["client_id"], "tessera-2");
    assert_eq!(edited["sign_on"]["client_secret_set"], true);
    // Other edits leave the sign-on alone; a bad issuer is named by field.
    let renamed = expect_status(
        patch(json!({"name": "North"})).await.expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["sign_on"]["client_id"], "tessera-2");
    let refused = expect_problem(
        patch(json!({"sign_on": {"issuer": "http://login.north.nhs.uk", "client_id": "x"}}))
            .await
            .expect("sent"),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(refused["errors"][0]["field"], "sign_on.issuer", "{refused}");
    let removed = expect_status(
        patch(json!({"sign_on": null})).await.expect("sent"),
        StatusCode::OK,
    )
    .await;
    assert!(removed.get("sign_on").is_none(), "{removed}");
}

#[tokio::test]
async fn an_audience_names_only_organisations_that_exist() {
    let app = TestApp::spawn().await;
    let researcher = app.person("r@north.nhs.uk", &[Role::Researcher]).await;
    let body = json!({
        "title": "Falls", "summary": "s", "purpose": "p",
        "audience": {"organisation_ids": [uuid::Uuid::new_v4()], "verified_only": true}
    });
    let problem = expect_problem(
        app.post("/v1/projects", &body, Some(&researcher.access_token))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        problem["errors"][0]["field"],
        "audience.organisation_ids[0]"
    );
}

#[tokio::test]
async fn admins_page_through_accounts_by_email_and_organisation() {
    let app = TestApp::spawn().await;
    let admin = app.person("admin@south.nhs.uk", &[Role::Admin]).await;
    for name in ["a", "b", "c"] {
        app.person(&format!("{name}.ward@north.nhs.uk"), &[]).await;
    }
    let mut seen = Vec::new();
    let mut path = "/v1/admin/users?email=.ward@&limit=2".to_owned();
    loop {
        let page = expect_status(
            app.get(&path, Some(&admin.access_token)).await,
            StatusCode::OK,
        )
        .await;
        for account in page["accounts"].as_array().expect("accounts") {
            seen.push(account["email"].as_str().expect("email").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/v1/admin/users?email=.ward@&limit=2&cursor={cursor}"),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "a.ward@north.nhs.uk",
            "b.ward@north.nhs.uk",
            "c.ward@north.nhs.uk"
        ]
    );
    let by_organisation = format!("/v1/admin/users?organisation_id={}", uuid::Uuid::new_v4());
    let none = expect_status(
        app.get(&by_organisation, Some(&admin.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(none["accounts"], json!([]));
}

#[tokio::test]
async fn a_token_that_is_not_a_confirmation_link_is_refused() {
    let app = TestApp::spawn().await;
    let nurse = app.person("nurse@north.nhs.uk", &[]).await;
    let problem = expect_problem(
        app.post(
            "/v1/auth/email-confirmation",
            &json!({"token": nurse.access_token}),
            None,
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "token");
    let me = expect_status(
        app.get("/v1/me", Some(&nurse.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["email_confirmed"], false);
    assert_eq!(me["membership"], "self_declared");
}

/// A real SMTP server on loopback that stores every message in a Maildir.
struct MailServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl MailServer {
    /// Starts aiosmtpd with the Python named by `TESSERA_TEST_AIOSMTPD_PYTHON`.
    fn start() -> Self {
        let python = std::env::var("TESSERA_TEST_AIOSMTPD_PYTHON")
            .expect("TESSERA_TEST_AIOSMTPD_PYTHON names a Python with aiosmtpd (see .ci/run)");
        let dir = tempfile::tempdir().expect("temp dir");
        let maildir = dir.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .spawn()
            .expect("aiosmtpd starts");
        let deadline = Instant::now() + Duration::from_secs(15);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        Self {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    fn settings(&self) -> SmtpSettings {
        SmtpSettings {
            host: "127.0.0.1".into(),
            port: self.port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Tessera <tessera@north.nhs.uk>".into(),
        }
    }

    /// The confirmation token in the newest message to `to`, waiting for it.
    async fn token_for(&self, to: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(token) = newest_token(&self.maildir.join("new"), to) {
                return token;
            }
            assert!(Instant::now() < deadline, "no confirmation email to {to}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn newest_token(dir: &Path, to: &str) -> Option<String> {
    let mut messages: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let modified = entry.metadata().ok()?.modified().ok()?;
            let raw = std::fs::read(entry.path()).ok()?;
            let parsed = mailparse::parse_mail(&raw).ok()?;
            let addressed = parsed
                .headers
                .iter()
                .any(|header| header.get_key_ref() == "To" && header.get_value().contains(to));
            if !addressed {
                return None;
            }
            Some((modified, parsed.get_body().ok()?))
        })
        .collect();
    messages.sort();
    let (_, body) = messages.pop()?;
    let after = body.split("#token=").nth(1)?;
    Some(after.split_whitespace().next()?.to_owned())
}

async fn register(app: &TestApp, email: &str, organisation: &str) -> Value {
    let body = json!({
        "email": email,
        "password": crate::helpers::PASSWORD,
        "display_name": "Sam Ward",
        "staff_group": "nursing_and_midwifery",
        "organisation": organisation,
    });
    expect_status(
        app.post("/v1/auth/register", &body, None).await,
        StatusCode::CREATED,
    )
    .await
}

async fn confirm(app: &TestApp, token: &str) -> reqwest::Response {
    app.post(
        "/v1/auth/email-confirmation",
        &json!({ "token": token }),
        None,
    )
    .await
}

fn tessera_admin(app: &TestApp, args: &[&str]) {
    let (ok, said) = crate::admin_cli::admin_cli(app, args);
    assert!(ok, "{said}");
}

#[tokio::test]
#[ignore = "needs a real SMTP server (aiosmtpd); .ci/run installs it and runs this"]
async fn a_trust_goes_from_an_empty_store_to_a_verified_only_project() {
    let mail = MailServer::start();
    let app = TestApp::spawn_with(|settings| {
        settings.smtp = Some(mail.settings());
        settings.account_cache_ttl = Duration::ZERO;
    })
    .await;
    assert!(app.store.is_empty().await.expect("store answers"));

    // The IT lead records the trust from the shell, registers, and is made
    // admin from the shell (the README's steps).
    tessera_admin(
        &app,
        &[
            "organisation",
            "--name",
            NORTH,
            "--ods",
            "RJ1",
            "--domain",
            "north.nhs.uk",
        ],
    );
    let listed = expect_status(app.get("/v1/organisations", None).await, StatusCode::OK).await;
    assert_eq!(listed["organisations"][0]["name"], NORTH);
    let north_id = listed["organisations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    register(&app, "it.lead@north.nhs.uk", "North").await;
    tessera_admin(
        &app,
        &[
            "grant",
            "--email",
            "it.lead@north.nhs.uk",
            "--role",
            "admin",
        ],
    );
    let lead = app.sign_in("it.lead@north.nhs.uk").await;

    // A researcher, found by the admin's search and given the role.
    register(&app, "researcher@north.nhs.uk", "North").await;
    let found = expect_status(
        app.get(
            "/v1/admin/users?email=researcher@",
            Some(&lead.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let researcher_id = found["accounts"][0]["id"].as_str().expect("id");
    let roles = app
        .client
        .put(app.url(&format!("/v1/admin/users/{researcher_id}/roles")))
        .bearer_auth(&lead.access_token)
        .json(&json!({"roles": ["researcher"]}))
        .send()
        .await
        .expect("sent");
    expect_status(roles, StatusCode::OK).await;
    let researcher = app.sign_in("researcher@north.nhs.uk").await;
    let project = app.verified_only_project(&researcher, &north_id).await;
    let project_id = project["id"].as_str().expect("id").to_owned();
    assert_eq!(project["verified_only"], true);
    app.screening_batch(&researcher, &project_id, 20, json!({}))
        .await;

    // A nurse at the trust's domain: named by the record, not yet verified.
    let registered = register(&app, "nurse@north.nhs.uk", "Typed Anything").await;
    assert_eq!(registered["organisation"], NORTH);
    assert_eq!(registered["organisation_id"], north_id.as_str());
    assert_eq!(registered["membership"], "self_declared");
    let nurse = app.sign_in("nurse@north.nhs.uk").await;
    assert!(task_ids(&app.claim(&nurse, 5).await).is_empty());

    let token = mail.token_for("nurse@north.nhs.uk").await;
    let confirmed = expect_status(confirm(&app, &token).await, StatusCode::OK).await;
    assert_eq!(confirmed["membership"], "verified");
    assert_eq!(confirmed["email_confirmed"], true);
    expect_problem(confirm(&app, &token).await, StatusCode::CONFLICT).await;
    assert!(!task_ids(&app.claim(&nurse, 5).await).is_empty());
    expect_status(
        app.get(
            &format!("/v1/projects/{project_id}"),
            Some(&nurse.access_token),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // She moves to a new address at the trust: self-declared, so the
    // verified-only project closes, until she opens the link sent there.
    let moved = app
        .client
        .patch(app.url("/v1/me"))
        .bearer_auth(&nurse.access_token)
        .json(&json!({"email": "nurse.ward@north.nhs.uk", "current_password": crate::helpers::PASSWORD}))
        .send()
        .await
        .expect("sent");
    let moved = expect_status(moved, StatusCode::OK).await;
    assert_eq!(moved["membership"], "self_declared");
    assert_eq!(moved["practice_only"], true);
    assert!(task_ids(&app.claim(&nurse, 5).await).is_empty());
    let token = mail.token_for("nurse.ward@north.nhs.uk").await;
    let confirmed = expect_status(confirm(&app, &token).await, StatusCode::OK).await;
    assert_eq!(confirmed["membership"], "verified");
    assert_eq!(confirmed["email"], "nurse.ward@north.nhs.uk");
    assert!(!task_ids(&app.claim(&nurse, 5).await).is_empty());

    // Someone at another domain who types the trust's name stays outside,
    // confirmed or not.
    let claimed = register(&app, "visitor@south.nhs.uk", NORTH).await;
    assert!(claimed.get("organisation_id").is_none(), "{claimed}");
    let visitor = app.sign_in("visitor@south.nhs.uk").await;
    let token = mail.token_for("visitor@south.nhs.uk").await;
    let confirmed = expect_status(confirm(&app, &token).await, StatusCode::OK).await;
    assert_eq!(confirmed["membership"], "self_declared");
    assert!(task_ids(&app.claim(&visitor, 5).await).is_empty());
    expect_problem(
        app.get(
            &format!("/v1/projects/{project_id}"),
            Some(&visitor.access_token),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A new link replaces the old one; a confirmed address asks for none.
    let resend = app
        .post(
            "/v1/me/email-confirmation",
            &json!({}),
            Some(&lead.access_token),
        )
        .await;
    assert_eq!(resend.status(), StatusCode::ACCEPTED);
    expect_problem(
        app.post(
            "/v1/me/email-confirmation",
            &json!({}),
            Some(&nurse.access_token),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;

    // The trust drops the domain: the nurse's membership is self-declared
    // again, and the verified-only project closes to her.
    let dropped = app
        .client
        .patch(app.url(&format!("/v1/admin/organisations/{north_id}")))
        .bearer_auth(&lead.access_token)
        .json(&json!({"email_domains": ["north-hospitals.nhs.uk"]}))
        .send()
        .await
        .expect("sent");
    expect_status(dropped, StatusCode::OK).await;
    let me = expect_status(
        app.get("/v1/me", Some(&nurse.access_token)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(me["membership"], "self_declared");
    assert!(task_ids(&app.claim(&nurse, 5).await).is_empty());
}
