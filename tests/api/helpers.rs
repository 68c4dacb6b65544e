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

    /// Logs in an account registered with [`PASSWORD`], with its id.
    pub async fn sign_in(&self, email: &str) -> Person {
        let tokens = expect_status(self.login(email, PASSWORD).await, StatusCode::OK).await;
        let me = expect_status(
            self.get("/v1/me", tokens["access_token"].as_str()).await,
            StatusCode::OK,
        )
        .await;
        Person {
            id: me["id"].as_str().expect("id").to_owned(),
            email: email.to_owned(),
            access_token: tokens["access_token"].as_str().expect("token").to_owned(),
            refresh_token: tokens["refresh_token"].as_str().expect("token").to_owned(),
        }
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

impl TestApp {
    /// Creates a live project owned by `researcher` and returns its id.
    pub async fn live_project(&self, researcher: &Person) -> String {
        let body = serde_json::json!({
            "title": "Falls review",
            "summary": "Help us find the studies that matter.",
            "purpose": "A systematic review.",
            "status": "live"
        });
        let project = expect_status(
            self.post("/v1/projects", &body, Some(&researcher.access_token))
                .await,
            StatusCode::CREATED,
        )
        .await;
        project["id"].as_str().expect("project id").to_owned()
    }

    /// Creates a live project open only to verified members of the
    /// organisation record `organisation_id`; returns the project as shown.
    pub async fn verified_only_project(&self, researcher: &Person, organisation_id: &str) -> Value {
        let body = serde_json::json!({
            "title": "Falls", "summary": "Find the trials.", "purpose": "A review.",
            "status": "live",
            "audience": {"organisation_ids": [organisation_id], "verified_only": true}
        });
        expect_status(
            self.post("/v1/projects", &body, Some(&researcher.access_token))
                .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// Uploads a batch file with its spec.
    pub async fn upload(
        &self,
        researcher: &Person,
        project: &str,
        spec: Value,
        file_name: &str,
        file: Vec<u8>,
    ) -> Response {
        let form = reqwest::multipart::Form::new()
            .text("spec", spec.to_string())
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name(file_name.to_owned()),
            );
        self.client
            .post(self.url(&format!("/v1/projects/{project}/batches")))
            .bearer_auth(&researcher.access_token)
            .multipart(form)
            .send()
            .await
            .expect("upload sent")
    }

    /// A screening batch of `tasks` generated rows, uploaded as CSV; returns the batch id.
    pub async fn screening_batch(
        &self,
        researcher: &Person,
        project: &str,
        tasks: usize,
        policy: Value,
    ) -> String {
        let mut csv = String::from("title,abstract\n");
        for i in 0..tasks {
            csv.push_str(&format!("Study number {i} of falls,Abstract {i}\n"));
        }
        let mut spec = serde_json::json!({
            "name": "Screening",
            "kind": "screening",
            "settings": {"inclusion_criteria": "Randomised trials only."},
            "gold_rate": 0.0,
            "estimated_seconds": 30
        });
        if let (Some(spec), Some(policy)) = (spec.as_object_mut(), policy.as_object()) {
            spec.extend(policy.clone());
        }
        let created = expect_status(
            self.upload(researcher, project, spec, "tasks.csv", csv.into_bytes())
                .await,
            StatusCode::CREATED,
        )
        .await;
        created["batch_id"].as_str().expect("batch id").to_owned()
    }

    /// The batch's progress as its researcher sees it.
    pub async fn batch_view(&self, researcher: &Person, batch: &str) -> Value {
        expect_status(
            self.get(
                &format!("/v1/batches/{batch}"),
                Some(&researcher.access_token),
            )
            .await,
            StatusCode::OK,
        )
        .await
    }

    pub async fn claim(&self, person: &Person, minutes: u32) -> Value {
        expect_status(
            self.post(
                "/v1/sessions",
                &serde_json::json!({"minutes": minutes}),
                Some(&person.access_token),
            )
            .await,
            StatusCode::CREATED,
        )
        .await
    }

    pub async fn answer(&self, person: &Person, answers: Value) -> Response {
        self.post(
            "/v1/answers",
            &serde_json::json!({"answers": answers}),
            Some(&person.access_token),
        )
        .await
    }
}

/// The task ids of a claimed session.
pub fn task_ids(session: &Value) -> Vec<String> {
    session["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .map(|task| task["task_id"].as_str().expect("task id").to_owned())
        .collect()
}
