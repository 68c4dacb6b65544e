use std::sync::Arc;

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tessera::config::Settings;
use tessera::domain::account::Role;
use tessera::startup::Application;
use tessera::store::Store;

/// A running instance with its own data directory, deleted on drop.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub data_dir: tempfile::TempDir,
}

/// A registered, logged-in person.
pub struct Person {
    pub id: String,
    pub email: String,
    pub access_token: String,
    pub refresh_token: String,
}

pub const PASSWORD: &str = "a long enough password";

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings::for_tests(data_dir.path().to_path_buf());
        adjust(&mut settings);
        let app = Application::build(settings).await.expect("app builds");
        let base = format!("http://{}", app.address());
        let store = app.store();
        tokio::spawn(app.run_until_stopped());
        Self {
            base,
            client: reqwest::Client::new(),
            store,
            data_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post(&self, path: &str, body: &Value, token: Option<&str>) -> Response {
        let mut request = self.client.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        let mut request = self.client.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    pub async fn register(&self, email: &str) -> Response {
        self.post(
            "/v1/auth/register",
            &json!({
                "email": email,
                "password": PASSWORD,
                "display_name": "Ada Nurse",
                "staff_group": "nursing_and_midwifery",
                "organisation": "Test Trust",
                "registration_number": "12A3456B"
            }),
            None,
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post(
            "/v1/auth/login",
            &json!({"email": email, "password": password}),
            None,
        )
        .await
    }

    /// Registers and logs in someone with the given roles.
    pub async fn person(&self, email: &str, roles: &[Role]) -> Person {
        let registered: Value =
            expect_status(self.register(email).await, StatusCode::CREATED).await;
        let id = registered["id"].as_str().expect("id").to_owned();
        if !roles.is_empty() {
            let uuid = uuid::Uuid::parse_str(&id).expect("uuid");
            let roles = tessera::domain::account::normalise_roles(roles.iter().copied());
            self.store.set_roles(uuid, &roles).await.expect("roles set");
        }
        let tokens: Value = expect_status(self.login(email, PASSWORD).await, StatusCode::OK).await;
        Person {
            id,
            email: email.to_owned(),
            access_token: tokens["access_token"].as_str().expect("access").to_owned(),
            refresh_token: tokens["refresh_token"]
                .as_str()
                .expect("refresh")
                .to_owned(),
        }
    }
}

/// Asserts the status and returns the JSON body.
pub async fn expect_status(response: Response, status: StatusCode) -> Value {
    let actual = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(actual, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Asserts a problem+json error with the given status and returns its body.
pub async fn expect_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = expect_status(response, status).await;
    assert_eq!(content_type, "application/problem+json", "body: {body}");
    assert_eq!(body["status"], status.as_u16(), "body: {body}");
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|kind| kind.starts_with("/problems/"))
    );
    body
}
