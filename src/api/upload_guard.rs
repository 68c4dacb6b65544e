//! The gate in front of a batch upload. The multipart body is spooled to a
//! temporary file before the handler runs, so who may upload where is
//! checked here, on the headers alone: a stranger's upload, or one to a
//! project that does not exist, is refused before one byte is written to
//! disk. At most [`MAX_CONCURRENT_UPLOADS`] bodies are spooled at once, so
//! the temporary directory needs room for that many uploads of the largest
//! size (see `k8s/README.md`).

use poem::http::StatusCode;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::auth::current_account;
use super::error::problem_response;
use super::state::SharedState;
use crate::domain::account::Role;

/// Upload bodies spooled at once, in this process.
pub const MAX_CONCURRENT_UPLOADS: usize = 2;

static SPOOLING: Semaphore = Semaphore::const_new(MAX_CONCURRENT_UPLOADS);

/// Used as the upload operation's `transform`.
pub fn guard_upload<E: Endpoint + 'static>(ep: E) -> impl Endpoint {
    ep.around(|ep, req| async move {
        if let Err(refusal) = admit(&req).await {
            return Ok(*refusal);
        }
        // Held until the upload has been checked and stored.
        let _spooling = SPOOLING.acquire().await.map_err(|err| {
            poem::Error::from_string(err.to_string(), StatusCode::SERVICE_UNAVAILABLE)
        })?;
        Ok(ep.call(req).await?.into_response())
    })
}

async fn admit(req: &Request) -> Result<(), Box<Response>> {
    let refuse = |status, detail: &str| Box::new(problem_response(status, Some(detail.to_owned())));
    let state = req
        .data::<SharedState>()
        .ok_or_else(|| refuse(StatusCode::SERVICE_UNAVAILABLE, "Starting up."))?;
    let caller = current_account(req)
        .await
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "Sign in to upload a batch."))?;
    // `/v1/projects/{project_id}/batches`, the only route this guards.
    let project_id = req
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .nth(2)
        .and_then(|raw| Uuid::parse_str(raw).ok())
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "There is no project with this id."))?;
    let project = state
        .store
        .project(project_id)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "reading a project for an upload failed");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try the upload again shortly.",
            )
        })?
        .ok_or_else(|| refuse(StatusCode::NOT_FOUND, "There is no project with this id."))?;
    let caller = &caller.account;
    if project.owner_id != caller.id && !caller.roles.contains(&Role::Admin) {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            "Only the project's researcher can upload batches to it.",
        ));
    }
    state
        .count_upload(caller.id)
        .map_err(|refusal| Box::new(refusal.into_response()))
}
