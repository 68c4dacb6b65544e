//! Bounded under abuse and under a shift-start rush: request bodies are
//! refused before they are read, slow clients are cut off, and login
//! throttling counts failures per account and client so that neither a
//! hospital's NAT nor a stranger locks staff out.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use tessera::domain::account::Role;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{PASSWORD, TestApp, expect_problem, expect_status};

/// A server that believes `X-Forwarded-For` from loopback, as one behind an
/// ingress on the same host would.
async fn behind_proxy() -> TestApp {
    TestApp::spawn_with(|settings| {
        settings.trusted_proxies = "127.0.0.1".parse().expect("proxies");
        settings.login_attempts = 10;
    })
    .await
}

async fn login_from(app: &TestApp, client: &str, email: &str, password: &str) -> StatusCode {
    app.client
        .post(app.url("/v1/auth/login"))
        .header("x-forwarded-for", client)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn a_shift_start_burst_of_logins_through_one_proxy_all_succeed() {
    let app = behind_proxy().await;
    // Accounts are made in the store with one shared hash: the burst is
    // about logins, and 1,000 registrations would only slow the test.
    let hash = tessera::security::passwords::hash_raw(PASSWORD).expect("hash");
    for i in 0..1000 {
        let account = tessera::store::Account {
            id: uuid::Uuid::new_v4(),
            email: format!("staff{i}@nhs.net"),
            display_name: "Staff".into(),
            staff_group: tessera::domain::account::StaffGroup::Other,
            organisation: None,
            organisation_id: None,
            email_confirmed: false,
            signed_in_through: None,
            registration_number: None,
            roles: vec![Role::Contributor],
            created_at: chrono::Utc::now(),
        };
        app.store
            .create_account(&account, &hash)
            .await
            .expect("account");
    }
    // Staff arrive over the minute, not in one instant: at most 64 at once.
    let arriving = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let logins = (0..1000).map(|i| {
        let (app, email, arriving) = (&app, format!("staff{i}@nhs.net"), arriving.clone());
        async move {
            let _arrived = arriving.acquire().await.expect("semaphore");
            login_from(app, "198.51.100.20", &email, PASSWORD).await
        }
    });
    let statuses = futures_util::future::join_all(logins).await;
    let refused = statuses.iter().filter(|s| **s != StatusCode::OK).count();
    assert_eq!(
        refused, 0,
        "{refused} of 1,000 logins from one NAT were refused"
    );
}

#[tokio::test]
async fn a_strangers_wrong_passwords_do_not_lock_the_owner_out() {
    let app = behind_proxy().await;
    expect_status(app.register("ada@nhs.net").await, StatusCode::CREATED).await;
    let mut throttled = false;
    for _ in 0..15 {
        let status = login_from(&app, "203.0.113.66", "ada@nhs.net", "not her password").await;
        throttled |= status == StatusCode::TOO_MANY_REQUESTS;
    }
    assert!(throttled, "the stranger is throttled");
    let owner = login_from(&app, "198.51.100.7", "ada@nhs.net", PASSWORD).await;
    assert_eq!(
        owner,
        StatusCode::OK,
        "the owner, from her own address, gets in"
    );
    // Without a trusted proxy the header proves nothing and is ignored.
    let plain = TestApp::spawn_with(|settings| settings.login_attempts = 2).await;
    expect_status(plain.register("bo@nhs.net").await, StatusCode::CREATED).await;
    for forged in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
        login_from(&plain, forged, "bo@nhs.net", "wrong password!").await;
    }
    assert_eq!(
        login_from(&plain, "4.4.4.4", "bo@nhs.net", "wrong password!").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// Sends raw request headers and returns what the server answers, without
/// ever sending the body they declare.
async fn headers_only(app: &TestApp, head: &str) -> String {
    let address = app.base.trim_start_matches("http://");
    let mut socket = TcpStream::connect(address).await.expect("connect");
    socket.write_all(head.as_bytes()).await.expect("headers");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), socket.read(&mut answer))
        .await
        .expect("the server answers before any body arrives")
        .expect("read");
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

#[tokio::test]
async fn an_upload_by_a_non_owner_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
    let project = app.live_project(&researcher).await;
    let other = app.person("other@nhs.net", &[Role::Researcher]).await;
    let head = format!(
        "POST /v1/projects/{project}/batches HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: 100000000\r\n\r\n",
        other.access_token
    );
    let answer = headers_only(&app, &head).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    let nowhere = head.replace(&project, &uuid::Uuid::new_v4().to_string());
    assert!(
        headers_only(&app, &nowhere)
            .await
            .starts_with("HTTP/1.1 404")
    );
}

#[tokio::test]
async fn compressed_and_oversized_bodies_are_refused_unread() {
    let app = TestApp::spawn().await;
    let gzip = app
        .client
        .post(app.url("/v1/auth/login"))
        .header("content-encoding", "gzip")
        .header("content-type", "application/json")
        .body(vec![0x1f, 0x8b, 0x08, 0x00])
        .send()
        .await
        .expect("sent");
    expect_problem(gzip, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let head = "POST /v1/answers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 104857600\r\n\r\n";
    let answer = headers_only(&app, head).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
}

#[tokio::test]
async fn slow_headers_and_bodies_that_never_arrive_are_cut_off() {
    let app = TestApp::spawn_with(|settings| {
        settings.header_time = Duration::from_secs(1);
        settings.request_time = Duration::from_secs(2);
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    let mut slow = TcpStream::connect(&address).await.expect("connect");
    let mut closed = false;
    for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
        .iter()
        .cycle()
        .take(40)
    {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !closed {
        let mut rest = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
        closed = read.is_ok();
    }
    assert!(closed, "a client dribbling its headers is cut off");
    assert!(started.elapsed() < Duration::from_secs(10));

    let head = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\n\r\n{\"email\":";
    let answer = headers_only(&app, head).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The server itself kept answering.
    let health = app.get("/healthz", None).await;
    assert_eq!(health.status(), StatusCode::OK);
}
