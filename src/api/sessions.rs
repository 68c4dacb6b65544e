//! The five-minute loop: claim a bundle of leased tasks, then send answers.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::field_error::FieldError;
use crate::domain::kinds::TaskKind;
use crate::store::{ClaimRequest, LeasedTask};

pub struct SessionsApi;

/// Ask for a bundle of work.
#[derive(Object)]
pub struct SessionRequest {
    /// Minutes you have, 1 to 30 (default 5).
    minutes: Option<u32>,
    /// Only tasks from this project.
    project_id: Option<Uuid>,
}

/// One task with everything needed to show and answer it offline.
#[derive(Object)]
pub struct SessionTask {
    task_id: Uuid,
    batch_id: Uuid,
    project_id: Uuid,
    project_title: String,
    /// `screening`, `coding` or `observation`.
    kind: String,
    /// The researcher's instructions for this batch.
    instructions: String,
    /// What to look at: screening `{title, abstract, ...}`, coding `{text, context?}`,
    /// observation `{observation, media_id?}`. An observation's photo is
    /// `GET /v1/media/{media_id}?size=display` (or `thumb`), which opens for
    /// you while the task is leased to you and after you have answered it.
    content: serde_json::Value,
    /// How to render the answer form and what to send back in `answer`.
    answer_schema: serde_json::Value,
    /// Typical seconds this task takes.
    estimated_seconds: u32,
    /// Answer before this to be sure your place is kept; later answers are still stored and credited.
    lease_expires_at: DateTime<Utc>,
}

/// A bundle of leased tasks that fits the minutes asked for.
#[derive(Object)]
pub struct Session {
    session_id: Uuid,
    minutes: u32,
    /// Empty when there is nothing for you right now.
    tasks: Vec<SessionTask>,
    /// True while your address is not confirmed and your organisation lets
    /// unconfirmed accounts practise only: the bundle holds only practice
    /// tasks (gold tasks with known answers, each answered once, with
    /// feedback and for no credit), so it is empty once you have done them
    /// all. Confirming your address (the link sent to it, or
    /// `POST /v1/me/email-confirmation` for a new one) opens regular tasks.
    practice_only: bool,
}

#[derive(ApiResponse)]
pub enum SessionResponse {
    /// The bundle.
    #[oai(status = 201)]
    Created(Json<Session>),
}

impl From<LeasedTask> for SessionTask {
    fn from(task: LeasedTask) -> Self {
        let kind = task.answer_schema["kind"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // Only what the person needs to answer: a screening task's original
        // RIS record stays with the researcher.
        let content = match kind.parse::<TaskKind>() {
            Ok(parsed) => parsed.contributor_content(task.content),
            Err(_) => task.content,
        };
        Self {
            kind,
            task_id: task.task_id,
            batch_id: task.batch_id,
            project_id: task.project_id,
            project_title: task.project_title,
            instructions: task.instructions,
            content,
            answer_schema: task.answer_schema,
            estimated_seconds: task.estimated_seconds,
            lease_expires_at: task.lease_expires_at,
        }
    }
}

#[OpenApi(tag = "ApiTags::Sessions")]
impl SessionsApi {
    /// Start a session: a bundle of tasks whose estimated times fit the
    /// minutes asked for, each leased to you, mixed across the live projects
    /// you may join by priority, with some gold tasks. Until your address
    /// is confirmed, your organisation may hand you practice tasks only
    /// (see `practice_only`).
    #[oai(
        path = "/v1/sessions",
        method = "post",
        operation_id = "create_session"
    )]
    async fn create(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        body: Json<SessionRequest>,
    ) -> Result<SessionResponse, ApiError> {
        let minutes = body.0.minutes.unwrap_or(5);
        if !(1..=30).contains(&minutes) {
            return Err(FieldError::new("minutes", "must be between 1 and 30").into());
        }
        let session_id = Uuid::new_v4();
        let tasks = state
            .store
            .claim(ClaimRequest {
                session_id,
                contributor_id: caller.account_id(),
                member: caller.member(),
                budget_seconds: minutes * 60,
                project_id: body.0.project_id,
                now: Utc::now(),
            })
            .await?;
        Ok(SessionResponse::Created(Json(Session {
            session_id,
            minutes,
            tasks: tasks.into_iter().map(SessionTask::from).collect(),
            practice_only: caller.practice_only(),
        })))
    }
}
