//! Privacy: a person can download everything linked to them (erasure is
//! `DELETE /v1/me` in `me.rs`, beside `GET /v1/me`).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::me::AccountView;
use super::state::SharedState;
use super::tags::ApiTags;

pub struct PrivacyApi;

/// One of your answers.
#[derive(Object)]
pub struct ExportedAnswerView {
    task_id: Uuid,
    batch_id: Uuid,
    answer: serde_json::Value,
    credited_seconds: u64,
    answered_at: DateTime<Utc>,
}

/// An observation you logged.
#[derive(Object)]
pub struct ExportedObservationView {
    client_id: Uuid,
    project_id: Uuid,
    batch_id: Uuid,
    /// The values you recorded.
    observation: serde_json::Value,
    /// Whether a photo is attached (download it from the app while the
    /// observation is open; photos are not copied into this file).
    photo_attached: bool,
    /// Credited for logging it; absent for observations logged before
    /// logging earned credit.
    #[oai(skip_serializing_if_is_none)]
    credited_seconds: Option<u32>,
    logged_at: DateTime<Utc>,
}

/// Everything Tessera holds that is linked to you.
#[derive(Object)]
pub struct PersonalExport {
    account: AccountView,
    answers: Vec<ExportedAnswerView>,
    observations: Vec<ExportedObservationView>,
    /// Your certificates, exactly as signed.
    certificates: Vec<serde_json::Value>,
    exported_at: DateTime<Utc>,
}

#[derive(ApiResponse)]
pub enum ExportResponse {
    #[oai(status = 200)]
    Ok(Json<PersonalExport>),
}

#[OpenApi(tag = "ApiTags::Me")]
impl PrivacyApi {
    /// Download everything linked to your account.
    #[oai(path = "/v1/me/export", method = "get", operation_id = "get_my_export")]
    async fn export(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
    ) -> Result<ExportResponse, ApiError> {
        let data = state
            .store
            .personal_data(caller.account_id())
            .await?
            .ok_or_else(|| ApiError::unauthorized("This account no longer exists."))?;
        Ok(ExportResponse::Ok(Json(PersonalExport {
            account: AccountView::new(data.account, caller.practice_only()),
            answers: data
                .answers
                .into_iter()
                .map(|a| ExportedAnswerView {
                    task_id: a.task_id,
                    batch_id: a.batch_id,
                    answer: a.answer,
                    credited_seconds: a.credited_seconds,
                    answered_at: a.created_at,
                })
                .collect(),
            observations: data
                .observations
                .into_iter()
                .map(|o| ExportedObservationView {
                    client_id: o.client_id,
                    project_id: o.project_id,
                    batch_id: o.batch_id,
                    observation: o.content["observation"].clone(),
                    photo_attached: o.media_id.is_some(),
                    credited_seconds: o.credited_seconds,
                    logged_at: o.created_at,
                })
                .collect(),
            certificates: data.certificates,
            exported_at: Utc::now(),
        })))
    }
}
