//! A ward to log observations on: a live project with one observation
//! batch, its researcher and an observer, with helpers to post observations
//! and to look at what was stored.

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};
use tessera::domain::account::Role;

use crate::helpers::{Person, TestApp, expect_status};

/// An app with a live project that has one observation batch (a seed task
/// plus whatever the tests log), its researcher and an observer.
pub struct Ward {
    pub app: TestApp,
    pub researcher: Person,
    pub observer: Person,
    pub project: String,
    pub batch: String,
}

impl Ward {
    pub async fn open() -> Self {
        Self::in_app(TestApp::spawn_with(|settings| settings.login_attempts = 1000).await).await
    }

    /// The ward in an app started with other settings.
    pub async fn in_app(app: TestApp) -> Self {
        let researcher = app.person("researcher@nhs.net", &[Role::Researcher]).await;
        let project = app.live_project(&researcher).await;
        let spec = json!({
            "name": "Hand hygiene audit",
            "kind": "observation",
            "settings": {"fields": [
                {"name": "moment", "label": "Moment", "type": "choice", "required": true,
                 "options": ["before patient contact", "after patient contact"]},
                {"name": "performed", "label": "Hand hygiene performed", "type": "yes_no", "required": true},
                {"name": "seconds", "label": "Seconds of rubbing", "type": "number", "min": 0, "max": 120}
            ]},
            "instructions": "Watch one hand hygiene moment and record it.",
            "gold_rate": 0.0,
            "min_answers": 3,
            "max_answers": 5,
        });
        let seed = json!({"observation": {"moment": "after patient contact", "performed": false}});
        let created = expect_status(
            app.upload(
                &researcher,
                &project,
                spec,
                "seed.jsonl",
                seed.to_string().into_bytes(),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let batch = created["batch_id"].as_str().expect("batch id").to_owned();
        let observer = app.person("observer@nhs.net", &[]).await;
        Self {
            app,
            researcher,
            observer,
            project,
            batch,
        }
    }

    /// Posts the multipart upload: the `observation` JSON and an optional photo.
    pub async fn log(
        &self,
        person: &Person,
        observation: &Value,
        photo: Option<(&str, Vec<u8>)>,
    ) -> Response {
        let mut form = reqwest::multipart::Form::new().text("observation", observation.to_string());
        if let Some((name, bytes)) = photo {
            form = form.part(
                "photo",
                reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
            );
        }
        self.app
            .client
            .post(
                self.app
                    .url(&format!("/v1/projects/{}/observations", self.project)),
            )
            .bearer_auth(&person.access_token)
            .multipart(form)
            .send()
            .await
            .expect("observation sent")
    }

    /// Sends the photo of the observation logged as `client_id` on its own:
    /// a multipart `photo` part, to `project` (the ward's when `None`).
    pub async fn attach(
        &self,
        person: &Person,
        project: Option<&str>,
        client_id: uuid::Uuid,
        photo: (&str, Vec<u8>),
    ) -> Response {
        let (name, bytes) = photo;
        let form = reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
        let project = project.unwrap_or(&self.project);
        self.app
            .client
            .put(self.app.url(&format!(
                "/v1/projects/{project}/observations/{client_id}/photo"
            )))
            .bearer_auth(&person.access_token)
            .multipart(form)
            .send()
            .await
            .expect("photo sent")
    }

    /// What the researcher reads at `/v1/batches/{batch}{rest}`.
    pub async fn batch_view(&self, rest: &str) -> Value {
        let path = format!("/v1/batches/{}{rest}", self.batch);
        let response = self
            .app
            .get(&path, Some(&self.researcher.access_token))
            .await;
        expect_status(response, StatusCode::OK).await
    }

    /// The batch's task count, seed task included.
    pub async fn tasks_in_batch(&self) -> u64 {
        self.batch_view("").await["tasks"]
            .as_u64()
            .expect("task count")
    }

    /// Every file under the media directory.
    pub fn media_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, found);
                } else {
                    found.push(path);
                }
            }
        }
        let mut found = Vec::new();
        walk(&self.app.data_dir.path().join("media"), &mut found);
        found
    }

    /// A new contributor claims a session, finds `task` in it and answers
    /// it with `verdict`; returns the task as the session showed it.
    pub async fn verify(&self, email: &str, task: &str, verdict: &str) -> Value {
        let verifier = self.app.person(email, &[]).await;
        let session = self.app.claim(&verifier, 5).await;
        let shown = session["tasks"]
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["task_id"] == task)
            .expect("the observation is handed out")
            .clone();
        let answer = json!([{"client_id": uuid::Uuid::new_v4(), "task_id": task, "answer": {"verdict": verdict}}]);
        expect_status(self.app.answer(&verifier, answer).await, StatusCode::OK).await;
        shown
    }

    pub async fn media(&self, person: &Person, path: &str) -> Response {
        self.app.get(path, Some(&person.access_token)).await
    }
}

pub fn handwash(client_id: uuid::Uuid) -> Value {
    json!({
        "client_id": client_id,
        "values": {"moment": "Before patient contact", "performed": true, "seconds": 20}
    })
}
