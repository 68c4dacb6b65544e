//! Projects: researchers create and run them; staff browse what they may join.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::{FieldError, Role, StaffGroup, bounded_text};
use crate::domain::admission::{Viewer, may_see_project, parse_audience};
use crate::domain::page::{DEFAULT_PAGE, page};
use crate::domain::project::{Audience, WorkStatus};
use crate::store::Project;

pub struct ProjectsApi;

/// Who may take part; leave the lists empty for all staff.
#[derive(Object, Clone, Default)]
pub struct AudienceBody {
    /// Organisations by name, as people typed them at registration (a
    /// claim anyone can make); prefer `organisation_ids`.
    #[oai(default)]
    organisations: Vec<String>,
    /// Organisation records (`GET /v1/organisations`) whose members may join.
    #[oai(default)]
    organisation_ids: Vec<Uuid>,
    /// Staff groups who may join.
    #[oai(default)]
    staff_groups: Vec<StaffGroup>,
    /// Only verified members (a confirmed address at their organisation's
    /// domain) may join.
    #[oai(default)]
    verified_only: bool,
}

/// A new project.
#[derive(Object)]
pub struct NewProjectBody {
    /// A short title staff will see.
    title: String,
    /// Why a nurse on a Friday night should care, in plain words (no jargon).
    summary: String,
    /// What the answers will be used for.
    purpose: String,
    #[oai(default)]
    audience: AudienceBody,
    /// Starts as `draft` unless given; only `live` projects are handed out.
    status: Option<WorkStatus>,
}

/// Changes to a project; absent fields stay as they are.
#[derive(Object)]
pub struct ProjectChanges {
    status: Option<WorkStatus>,
    summary: Option<String>,
    /// An update for contributors on what the project has produced.
    outcome_note: Option<String>,
}

/// A project as staff and researchers see it.
#[derive(Object)]
pub struct ProjectView {
    id: Uuid,
    title: String,
    summary: String,
    purpose: String,
    status: WorkStatus,
    organisations: Vec<String>,
    /// Organisation records whose members may join.
    organisation_ids: Vec<Uuid>,
    staff_groups: Vec<StaffGroup>,
    /// Only verified members may join.
    verified_only: bool,
    #[oai(skip_serializing_if_is_none)]
    outcome_note: Option<String>,
    /// Tasks (excluding gold) across the project's batches.
    tasks: u64,
    /// Tasks settled by consensus or resolved by the researcher.
    settled: u64,
    /// Typical seconds a task takes (the batches' learned medians).
    seconds_per_task: f64,
    /// How many tasks you have answered here.
    your_answers: u64,
    created_at: DateTime<Utc>,
}

/// Live projects you may join.
#[derive(Object)]
pub struct ProjectList {
    projects: Vec<ProjectView>,
}

/// One page of the projects you run, newest first.
#[derive(Object)]
pub struct OwnedProjectPage {
    projects: Vec<ProjectView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum ProjectResponse {
    /// The project.
    #[oai(status = 200)]
    Ok(Json<ProjectView>),
    /// The project was created.
    #[oai(status = 201)]
    Created(Json<ProjectView>),
}

#[derive(ApiResponse)]
pub enum ProjectListResponse {
    #[oai(status = 200)]
    Ok(Json<ProjectList>),
}

#[derive(ApiResponse)]
pub enum OwnedProjectsResponse {
    #[oai(status = 200)]
    Ok(Json<OwnedProjectPage>),
}

/// The page size a caller asked for, or the default.
pub fn page_size(limit: Option<u32>) -> usize {
    limit.map_or(DEFAULT_PAGE, |limit| limit as usize)
}

/// Loads a project the caller may manage: its owner, or an admin.
pub async fn managed_project(
    state: &SharedState,
    caller: &Caller,
    id: Uuid,
) -> Result<Project, ApiError> {
    let project = state
        .store
        .project(id)
        .await?
        .ok_or_else(|| ApiError::not_found("There is no project with this id."))?;
    if project.owner_id != caller.account_id() && !caller.has_role(Role::Admin) {
        return Err(ApiError::forbidden(
            "Only the project's researcher can do this.",
        ));
    }
    Ok(project)
}

/// The audience a researcher asked for, every organisation it names known.
async fn audience(state: &SharedState, body: AudienceBody) -> Result<Audience, ApiError> {
    let audience = parse_audience(
        body.organisations,
        body.organisation_ids,
        body.staff_groups,
        body.verified_only,
    )?;
    for (index, id) in audience.organisation_ids.iter().enumerate() {
        if state.store.organisation(*id).await?.is_none() {
            return Err(FieldError::new(
                format!("audience.organisation_ids[{index}]"),
                "is not an organisation (see GET /v1/organisations)",
            )
            .into());
        }
    }
    Ok(audience)
}

async fn view(
    state: &SharedState,
    project: Project,
    viewer: Uuid,
) -> Result<ProjectView, ApiError> {
    let progress = state.store.project_progress(project.id, viewer).await?;
    Ok(ProjectView {
        id: project.id,
        title: project.title,
        summary: project.summary,
        purpose: project.purpose,
        status: project.status,
        organisations: project.audience.organisations,
        organisation_ids: project.audience.organisation_ids,
        staff_groups: project.audience.staff_groups,
        verified_only: project.audience.verified_only,
        outcome_note: project.outcome_note,
        tasks: progress.tasks,
        settled: progress.settled,
        seconds_per_task: (progress.seconds_per_task * 10.0).round() / 10.0,
        your_answers: progress.answered_by_contributor,
        created_at: project.created_at,
    })
}

#[OpenApi(tag = "ApiTags::Projects")]
impl ProjectsApi {
    /// Live projects you may join, each with its plain-language pitch, progress and your own count.
    #[oai(path = "/v1/projects", method = "get", operation_id = "list_projects")]
    async fn list(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<ProjectListResponse, ApiError> {
        let account = caller.account();
        let mut projects = Vec::new();
        for project in state.store.projects().await? {
            let joinable =
                project.status == WorkStatus::Live && project.audience.admits(&account.worker());
            if joinable {
                projects.push(view(&state, project, account.id).await?);
            }
        }
        Ok(ProjectListResponse::Ok(Json(ProjectList { projects })))
    }

    /// The projects you run (researchers), drafts and audience-restricted
    /// ones included, newest first, a page at a time.
    #[oai(
        path = "/v1/me/projects",
        method = "get",
        operation_id = "list_my_projects"
    )]
    async fn mine(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// `next_cursor` of the page before; absent for the first page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
        /// Projects per page (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<OwnedProjectsResponse, ApiError> {
        caller.require(Role::Researcher)?;
        let owned = state.store.owned_projects(caller.account_id()).await?;
        let page = page(owned, |p| p.id, cursor.0.as_deref(), page_size(limit.0))?;
        let mut projects = Vec::with_capacity(page.items.len());
        for project in page.items {
            projects.push(view(&state, project, caller.account_id()).await?);
        }
        Ok(OwnedProjectsResponse::Ok(Json(OwnedProjectPage {
            projects,
            next_cursor: page.next_cursor,
        })))
    }

    /// Create a project (researchers).
    #[oai(
        path = "/v1/projects",
        method = "post",
        operation_id = "create_project"
    )]
    async fn create(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        body: Json<NewProjectBody>,
    ) -> Result<ProjectResponse, ApiError> {
        caller.require(Role::Researcher)?;
        let body = body.0;
        let fields = [
            bounded_text("title", &body.title, 200),
            bounded_text("summary", &body.summary, 2000),
            bounded_text("purpose", &body.purpose, 2000),
        ];
        let errors: Vec<_> = fields.iter().filter_map(|f| f.clone().err()).collect();
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        let [title, summary, purpose] = fields.map(|f| f.unwrap_or_default());
        let project = Project {
            id: Uuid::new_v4(),
            owner_id: caller.account_id(),
            title,
            summary,
            purpose,
            audience: audience(&state, body.audience).await?,
            status: body.status.unwrap_or(WorkStatus::Draft),
            outcome_note: None,
            created_at: Utc::now(),
        };
        state.store.create_project(&project).await?;
        Ok(ProjectResponse::Created(Json(
            view(&state, project, caller.account_id()).await?,
        )))
    }

    /// One project.
    #[oai(
        path = "/v1/projects/:project_id",
        method = "get",
        operation_id = "get_project"
    )]
    async fn get(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
    ) -> Result<ProjectResponse, ApiError> {
        let account = caller.account();
        let project = state
            .store
            .project(project_id.0)
            .await?
            .filter(|p| {
                let viewer = Viewer {
                    owns: p.owner_id == account.id,
                    admin: caller.has_role(Role::Admin),
                    worker: account.worker(),
                };
                may_see_project(p.status, &p.audience, &viewer)
            })
            .ok_or_else(|| ApiError::not_found("There is no project with this id."))?;
        Ok(ProjectResponse::Ok(Json(
            view(&state, project, caller.account_id()).await?,
        )))
    }

    /// Change a project's status, summary or outcome note (its researcher).
    #[oai(
        path = "/v1/projects/:project_id",
        method = "patch",
        operation_id = "update_project"
    )]
    async fn update(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
        body: Json<ProjectChanges>,
    ) -> Result<ProjectResponse, ApiError> {
        let mut project = managed_project(&state, &caller, project_id.0).await?;
        if let Some(status) = body.0.status {
            if !project.status.can_become(status) {
                return Err(ApiError::conflict(format!(
                    "A {} project cannot become {}.",
                    project.status.as_str(),
                    status.as_str()
                )));
            }
            project.status = status;
        }
        if let Some(summary) = body.0.summary {
            project.summary = bounded_text("summary", &summary, 2000)?;
        }
        if let Some(note) = body.0.outcome_note {
            project.outcome_note = Some(bounded_text("outcome_note", &note, 4000)?);
        }
        state.store.update_project(&project).await?;
        Ok(ProjectResponse::Ok(Json(
            view(&state, project, caller.account_id()).await?,
        )))
    }
}
