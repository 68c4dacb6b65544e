//! Batches: streamed uploads that never half-succeed, progress, and results.

use std::sync::Arc;

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::types::multipart::{JsonField, Upload};
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::{ApiError, ProblemField};
use super::projects::{managed_project, page_size};
use super::results::{ResultFormat, ResultsExport, results_body};
use super::state::SharedState;
use super::tags::ApiTags;
use super::upload::{self, Checked};
use super::upload_guard::guard_upload;
use crate::domain::export::Decision;
use crate::domain::field_error::FieldError;
use crate::domain::ingest::UploadFormat;
use crate::domain::kinds::{KindSettings, TaskKind};
use crate::domain::page::page;
use crate::domain::policy::BatchPolicy;
use crate::domain::project::WorkStatus;
use crate::store::{Batch, NewTask};

pub struct BatchesApi;

/// How the batch works. Only `name`, `kind` and `settings` are required.
#[derive(Object)]
pub struct BatchSpec {
    name: String,
    /// `screening`, `coding` or `observation`.
    kind: String,
    /// Kind settings: screening `{"inclusion_criteria": "..."}`; coding
    /// `{"codes": [{"code", "description"}], "multiple": false}`; observation
    /// `{"fields": [{"name", "label", "type", "required", ...}]}`.
    settings: serde_json::Value,
    /// Shown to contributors with every task.
    #[oai(default)]
    instructions: String,
    /// `csv`, `json` (JSON Lines or an array) or `ris`; otherwise taken from the file's type or name.
    format: Option<String>,
    /// Answers every task gets at least (default 3).
    min_answers: Option<u32>,
    /// Answers after which an unsettled task goes to the resolver queue (default 7).
    max_answers: Option<u32>,
    /// Posterior a consensus must reach to settle (default 0.95).
    target_confidence: Option<f64>,
    /// Share of a bundle drawn from gold tasks (default 0.1).
    gold_rate: Option<f64>,
    /// Your estimate of seconds per task; learned from answers afterwards (default 30).
    estimated_seconds: Option<u32>,
    /// How long a contributor holds a task (default 1800).
    lease_seconds: Option<u32>,
    /// Higher priority batches fill more of each bundle (default 1).
    priority: Option<u32>,
    /// Gold answers that must be right, of the first `qualify_out_of`, before answers count (default 0 of 0).
    qualify_correct: Option<u32>,
    qualify_out_of: Option<u32>,
}

/// A batch upload: `spec` (JSON) and the tasks `file`. An observation
/// batch may leave out the file (or send it empty): staff then log the
/// observations on its form.
#[derive(Multipart)]
pub struct BatchUpload {
    spec: JsonField<BatchSpec>,
    file: Option<Upload>,
}

/// A duplicate dropped from a screening upload.
#[derive(Object)]
pub struct DuplicateView {
    line: u64,
    /// The line of the record it duplicates.
    first_line: u64,
    /// `doi`, `pmid` or `title`.
    reason: String,
}

/// The stored batch.
#[derive(Object)]
pub struct BatchCreated {
    batch_id: Uuid,
    tasks_stored: u64,
    gold_tasks: u64,
    duplicates_dropped: Vec<DuplicateView>,
}

/// A batch's progress.
#[derive(Object)]
pub struct BatchView {
    id: Uuid,
    project_id: Uuid,
    name: String,
    kind: String,
    status: WorkStatus,
    tasks: u64,
    gold_tasks: u64,
    /// Not yet answered.
    open: u64,
    /// Answered, still collecting answers.
    in_progress: u64,
    settled: u64,
    /// Waiting in the resolver queue.
    escalated: u64,
    resolved: u64,
    answers: u64,
    /// Learned median seconds per answer.
    median_seconds: f64,
    /// Shown to contributors with every task.
    instructions: String,
    /// The answer form contributors fill in (the same description sessions
    /// carry); a researcher's resolution is an answer in this shape.
    answer_schema: serde_json::Value,
}

/// A new status for a batch: pause, resume (`live`) or close.
#[derive(Object)]
pub struct BatchStatusChange {
    status: WorkStatus,
}

#[derive(ApiResponse)]
pub enum BatchCreatedResponse {
    /// Every task was stored.
    #[oai(status = 201)]
    Created(Json<BatchCreated>),
}

#[derive(ApiResponse)]
pub enum BatchResponse {
    #[oai(status = 200)]
    Ok(Json<BatchView>),
}

/// One page of a project's batches, oldest first.
#[derive(Object)]
pub struct BatchPage {
    batches: Vec<BatchView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[oai(skip_serializing_if_is_none)]
    next_cursor: Option<String>,
}

#[derive(ApiResponse)]
pub enum BatchPageResponse {
    #[oai(status = 200)]
    Ok(Json<BatchPage>),
}

#[derive(ApiResponse)]
pub enum ResultsResponse {
    /// The export in the `format` asked for: JSON and CSV one entry per task, `answers` one CSV row per answer, RIS one record per task with its final decision.
    #[oai(status = 200)]
    Ok(ResultsBody),
}

/// A results export, in the media type of its format.
#[derive(poem_openapi::ResponseContent)]
pub enum ResultsBody {
    /// `format=json`: an array of tasks.
    #[oai(content_type = "application/json")]
    Json(Binary<poem::Body>),
    /// `format=csv` (one row per task) and `format=answers` (one row per answer).
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(Binary<poem::Body>),
    /// `format=ris`: screening records for a reference manager.
    #[oai(content_type = "application/x-research-info-systems")]
    Ris(Binary<poem::Body>),
}

impl BatchSpec {
    fn parse(
        self,
    ) -> Result<(String, KindSettings, String, BatchPolicy, Option<String>), ApiError> {
        let defaults = BatchPolicy::default();
        let kind: TaskKind = self.kind.parse().map_err(|_| {
            ApiError::invalid([ProblemField::from(
                crate::domain::field_error::FieldError::new(
                    "spec.kind",
                    "must be screening, coding or observation",
                ),
            )])
        })?;
        let settings = KindSettings::parse(kind, &self.settings)
            .map_err(|e| ApiError::from(e.within("spec.settings")))?;
        let policy = BatchPolicy {
            min_answers: self.min_answers.unwrap_or(defaults.min_answers),
            max_answers: self
                .max_answers
                .unwrap_or(defaults.max_answers.max(self.min_answers.unwrap_or(0))),
            target_confidence: self.target_confidence.unwrap_or(defaults.target_confidence),
            gold_rate: self.gold_rate.unwrap_or(defaults.gold_rate),
            estimated_seconds: self.estimated_seconds.unwrap_or(defaults.estimated_seconds),
            lease_seconds: self.lease_seconds.unwrap_or(defaults.lease_seconds),
            priority: self.priority.unwrap_or(defaults.priority),
            qualify_correct: self.qualify_correct.unwrap_or(0),
            qualify_out_of: self.qualify_out_of.unwrap_or(0),
        }
        .validate()
        .map_err(|errors| ApiError::invalid(errors.into_iter().map(|e| e.within("spec"))))?;
        let name = crate::domain::account::bounded_text("spec.name", &self.name, 200)?;
        Ok((name, settings, self.instructions, policy, self.format))
    }
}

fn upload_format(requested: Option<&str>, file: &Upload) -> Result<UploadFormat, ApiError> {
    let from_name = || {
        file.file_name()
            .and_then(|name| name.rsplit_once('.'))
            .and_then(|(_, ext)| ext.parse().ok())
    };
    let chosen = match requested {
        Some(format) => format.parse().ok(),
        None => file
            .content_type()
            .and_then(UploadFormat::from_content_type)
            .or_else(from_name),
    };
    chosen.ok_or_else(|| {
        ApiError::from(crate::domain::field_error::FieldError::new(
            "spec.format",
            "say which format the file is in: csv, json or ris",
        ))
    })
}

#[OpenApi(tag = "ApiTags::Batches")]
impl BatchesApi {
    /// Upload a batch of tasks (CSV, JSON or RIS) with its settings. Every
    /// problem is reported with its line and field, and any problem rejects
    /// the whole batch: nothing is stored. Screening duplicates (same DOI,
    /// PMID or normalised title) are dropped and listed.
    ///
    /// **CSV**: a header row names the columns (any order, case ignored),
    /// then one task per row; quoting per RFC 4180, so cells may hold commas
    /// and line breaks; UTF-8, or Windows-1252 as Excel writes it. Columns:
    /// screening `title` (required), `abstract`, `authors` (separated by
    /// `;`), `journal`, `year`, `doi`, `pmid`; coding `text` (required),
    /// `context`. Every kind also takes `id` (your reference, returned in
    /// every export), a gold column (screening `gold_answer`: include or
    /// exclude; coding `gold_codes`, separated by `;`) and
    /// `gold_explanation` (shown to staff after they answer a gold task).
    ///
    /// **RIS** (screening): records from `TY` to `ER`; `TI`/`T1` title,
    /// `AB`/`N2` abstract, every `AU`/`A1` author, `JF`/`T2`/`JO`/`JA`
    /// journal, `PY`/`Y1` year, `DO` DOI, `AN` PubMed id when it is one, `ID`
    /// your reference. Every tag is kept for the RIS export.
    ///
    /// **JSON**: JSON Lines or an array of objects with the same fields,
    /// plus `gold_answer` in the kind's answer shape.
    ///
    /// **Observation** batches need no file: staff log observations on the
    /// form in `settings.fields`. A file of `{"observation": {...}}` lines
    /// adds observations for staff to verify.
    ///
    /// Templates: `/console/templates/screening.csv`, `screening.ris`, `coding.csv`.
    #[oai(
        path = "/v1/projects/:project_id/batches",
        method = "post",
        operation_id = "create_batch",
        transform = "guard_upload"
    )]
    async fn upload(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
        body: BatchUpload,
    ) -> Result<BatchCreatedResponse, ApiError> {
        // `guard_upload` already refused strangers and counted the upload.
        let project = managed_project(&state, &caller, project_id.0).await?;
        let (name, settings, instructions, policy, format) = body.spec.0.parse()?;
        let settings = Arc::new(settings);
        let observation = settings.kind() == TaskKind::Observation;
        // An observation form may start with no observations at all.
        let file = body.file.filter(|file| file.size() > 0 || !observation);
        let (file, checked) = match file {
            Some(file) => {
                let (file, format, checked) =
                    checked_upload(&state, file, format, &settings).await?;
                (Some((file, format)), checked)
            }
            None if observation => (None, Checked::default()),
            None => {
                return Err(ApiError::from(FieldError::new(
                    "file",
                    "is required: the tasks staff will answer",
                )));
            }
        };
        let batch = Batch {
            id: Uuid::new_v4(),
            project_id: project.id,
            name,
            answer_schema: settings.answer_schema(),
            settings: settings.as_ref().clone(),
            instructions,
            policy,
            status: WorkStatus::Live,
            duplicates_dropped: checked.duplicates.len() as u64,
            created_at: Utc::now(),
        };
        let tasks: Box<dyn Iterator<Item = NewTask> + Send> = match file {
            Some((file, format)) => {
                Box::new(upload::tasks(file, format, settings).map_err(ApiError::internal)?)
            }
            None => Box::new(std::iter::empty()),
        };
        let stored = state.store.import_batch(&batch, tasks).await?;
        Ok(BatchCreatedResponse::Created(Json(BatchCreated {
            batch_id: batch.id,
            tasks_stored: stored,
            gold_tasks: checked.gold,
            duplicates_dropped: checked
                .duplicates
                .into_iter()
                .map(|d| DuplicateView {
                    line: d.line,
                    first_line: d.first_line,
                    reason: d.reason.as_str().to_owned(),
                })
                .collect(),
        })))
    }

    /// A project's batches with their progress (its researcher), oldest
    /// first, a page at a time.
    #[oai(
        path = "/v1/projects/:project_id/batches",
        method = "get",
        operation_id = "list_batches"
    )]
    async fn list(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
        /// `next_cursor` of the page before; absent for the first page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
        /// Batches per page (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
        limit: Query<Option<u32>>,
    ) -> Result<BatchPageResponse, ApiError> {
        let project = managed_project(&state, &caller, project_id.0).await?;
        let batches = state.store.project_batches(project.id).await?;
        let page = page(batches, |b| b.id, cursor.0.as_deref(), page_size(limit.0))?;
        let mut views = Vec::with_capacity(page.items.len());
        for batch in page.items {
            views.push(batch_view(&state, batch).await?);
        }
        Ok(BatchPageResponse::Ok(Json(BatchPage {
            batches: views,
            next_cursor: page.next_cursor,
        })))
    }

    /// A batch's progress: tasks by state, answers received and the learned median time.
    #[oai(
        path = "/v1/batches/:batch_id",
        method = "get",
        operation_id = "get_batch"
    )]
    async fn get(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        batch_id: Path<Uuid>,
    ) -> Result<BatchResponse, ApiError> {
        let batch = managed_batch(&state, &caller, batch_id.0).await?;
        Ok(BatchResponse::Ok(Json(batch_view(&state, batch).await?)))
    }

    /// Pause, resume or close a batch.
    #[oai(
        path = "/v1/batches/:batch_id",
        method = "patch",
        operation_id = "update_batch"
    )]
    async fn update(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        batch_id: Path<Uuid>,
        body: Json<BatchStatusChange>,
    ) -> Result<BatchResponse, ApiError> {
        let mut batch = managed_batch(&state, &caller, batch_id.0).await?;
        if !batch.status.can_become(body.0.status) {
            return Err(ApiError::conflict(format!(
                "A {} batch cannot become {}.",
                batch.status.as_str(),
                body.0.status.as_str()
            )));
        }
        state
            .store
            .set_batch_status(batch.id, body.0.status)
            .await?;
        batch.status = body.0.status;
        Ok(BatchResponse::Ok(Json(batch_view(&state, batch).await?)))
    }

    /// Results, streamed, as `json` (the default), `csv`, `answers` or `ris`.
    ///
    /// JSON gives per task its content as uploaded, status, consensus (per
    /// question: the label, its confidence and the posterior; a
    /// researcher's resolution in the same shape at certainty, with the
    /// resolution itself beside it), confidence, number of answers and the
    /// raw answers with pseudonymous contributor ids (stable within the
    /// project, never an account id or email).
    ///
    /// CSV gives one row per task: `task_id`, `external_id`, one column per
    /// upload column (screening: title, abstract, authors, journal, year,
    /// doi, pmid; coding: text, context), `gold`, `status`, the outcome in
    /// plain labels with one column per answer field (screening `decision`:
    /// include, exclude or unsure; coding `codes`: the codes chosen, joined
    /// with "; "; observation `verdict`), empty until the task is settled or
    /// resolved, then `decided_by` (`consensus` or `researcher`),
    /// `confidence`, `answer_count` and `resolution_note`.
    ///
    /// `answers` is CSV with one row per answer: `task_id`, `external_id`,
    /// `contributor` (the project pseudonym), `answered_at`, `counted` and
    /// the answer in the same plain-label columns.
    ///
    /// RIS (screening batches only, `application/x-research-info-systems`)
    /// is for importing back into a reference manager: one record per task,
    /// gold tasks left out, with every tag of the record as uploaded (or,
    /// for CSV and JSON uploads, tags built from the content), plus the
    /// final decision as a keyword `KW  - tessera:include` (`exclude`,
    /// `unsure`, `undecided`) and a note such as `N1  - Tessera decision:
    /// include (consensus, confidence 0.97)`. Keywords and notes from an
    /// earlier export are replaced, so re-importing and re-exporting keeps
    /// one decision.
    ///
    /// `decision` (screening batches only) keeps the tasks with that final
    /// decision, in any format: e.g. `format=ris&decision=include` for the
    /// papers to read in full.
    #[oai(
        path = "/v1/batches/:batch_id/results",
        method = "get",
        operation_id = "get_batch_results"
    )]
    async fn results(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        batch_id: Path<Uuid>,
        /// `json` (default), `csv`, `answers` or `ris` (screening batches only).
        format: Query<Option<ResultFormat>>,
        /// Only tasks with this final decision (screening batches only).
        decision: Query<Option<Decision>>,
    ) -> Result<ResultsResponse, ApiError> {
        let batch = managed_batch(&state, &caller, batch_id.0).await?;
        let format = format.0.unwrap_or(ResultFormat::Json);
        let export = ResultsExport::for_batch(&batch, format, decision.0)?;
        let body = results_body(&state, &batch, export).await?;
        let body = Binary(body);
        Ok(ResultsResponse::Ok(match format {
            ResultFormat::Json => ResultsBody::Json(body),
            ResultFormat::Csv | ResultFormat::Answers => ResultsBody::Csv(body),
            ResultFormat::Ris => ResultsBody::Ris(body),
        }))
    }
}

/// Spools and checks an uploaded tasks file: every problem with its line,
/// or the file ready for the import pass.
async fn checked_upload(
    state: &SharedState,
    file: Upload,
    format: Option<String>,
    settings: &Arc<KindSettings>,
) -> Result<(std::fs::File, UploadFormat, Checked), ApiError> {
    let max = state.settings.upload_body_bytes;
    if file.size() as u64 > max {
        return Err(ApiError::payload_too_large(format!(
            "The file is larger than {} MB.",
            max >> 20
        )));
    }
    let format = upload_format(format.as_deref(), &file)?;
    let mut file = file.into_file().into_std().await;
    let checking = settings.clone();
    let (checked, file) = tokio::task::spawn_blocking(move || {
        upload::check(&mut file, format, &checking).map(|c| (c, file))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    if checked.errors.is_empty() {
        return Ok((file, format, checked));
    }
    let mut errors: Vec<ProblemField> = checked
        .errors
        .into_iter()
        .map(|e| ProblemField {
            field: e.field,
            message: e.message,
            line: Some(e.line),
        })
        .collect();
    if checked.errors_truncated {
        errors.push(ProblemField {
            field: "file".into(),
            message: format!(
                "more problems were found; only the first {} are listed",
                upload::MAX_REPORTED_ERRORS
            ),
            line: None,
        });
    }
    Err(ApiError::invalid(errors))
}

/// Loads a batch whose project the caller manages.
pub async fn managed_batch(
    state: &SharedState,
    caller: &Caller,
    id: Uuid,
) -> Result<Batch, ApiError> {
    let batch = state
        .store
        .batch(id)
        .await?
        .ok_or_else(|| ApiError::not_found("There is no batch with this id."))?;
    managed_project(state, caller, batch.project_id).await?;
    Ok(batch)
}

async fn batch_view(state: &SharedState, batch: Batch) -> Result<BatchView, ApiError> {
    let counts = state.store.batch_counts(batch.id).await?;
    Ok(BatchView {
        id: batch.id,
        project_id: batch.project_id,
        kind: batch.kind().as_str().to_owned(),
        name: batch.name,
        status: batch.status,
        tasks: counts.tasks - counts.gold_tasks,
        gold_tasks: counts.gold_tasks,
        open: counts.open,
        in_progress: counts.in_progress,
        settled: counts.settled,
        escalated: counts.escalated,
        resolved: counts.resolved,
        answers: counts.answers,
        median_seconds: (counts.median_seconds * 10.0).round() / 10.0,
        instructions: batch.instructions,
        answer_schema: batch.answer_schema,
    })
}
