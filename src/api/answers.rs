//! Receiving answers: validated against each task's kind, stored once per
//! `client_id`, credited in the same transaction.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::admission::RefusalClass;
use crate::domain::field_error::FieldError;
use crate::store::{AnswerOutcome, AnswerStatus, AnswerSubmission, SubmitRefusal};

pub struct AnswersApi;

/// Most answers accepted in one request.
const MAX_ANSWERS: usize = 200;

/// One answer. Generate `client_id` once when the person answers and keep
/// it for every retry: the server stores each `client_id` once.
#[derive(Object)]
pub struct AnswerBody {
    client_id: Uuid,
    task_id: Uuid,
    /// Keyed by the answer schema's field names, e.g. `{"decision": "include"}`.
    answer: serde_json::Value,
    /// Seconds the person spent on the task, as measured on the phone.
    seconds_spent: Option<f64>,
}

/// Answers to store, 1 to 200.
#[derive(Object)]
pub struct AnswersRequest {
    answers: Vec<AnswerBody>,
}

/// What happened to one answer.
#[derive(Object)]
pub struct AnswerResult {
    client_id: Uuid,
    task_id: Uuid,
    /// `accepted`, `late` (after the lease; still stored and credited) or
    /// `extra` (the task had already settled; kept as evidence and credited).
    status: String,
    /// Seconds of credited time this answer earned.
    credited_seconds: u32,
    /// False until you pass the batch's gold questions, or if this gold answer was wrong.
    counts_towards_consensus: bool,
    /// For gold tasks: whether you were right, the right answer and why.
    #[oai(skip_serializing_if_is_none)]
    feedback: Option<Feedback>,
    /// Answered for practice, before your address was confirmed: it earns
    /// no credit and counts towards no consensus (see `practice_only` on
    /// the session).
    practice: bool,
}

/// Feedback on a gold task.
#[derive(Object)]
pub struct Feedback {
    correct: bool,
    correct_answer: serde_json::Value,
    explanation: String,
}

/// One result per answer, in the order sent.
#[derive(Object)]
pub struct AnswersResponseBody {
    results: Vec<AnswerResult>,
}

#[derive(ApiResponse)]
pub enum AnswersResponse {
    /// Stored (or already stored: a retry gets the original results).
    #[oai(status = 200)]
    Ok(Json<AnswersResponseBody>),
}

impl From<AnswerOutcome> for AnswerResult {
    fn from(outcome: AnswerOutcome) -> Self {
        let status = match outcome.status {
            AnswerStatus::Accepted => "accepted",
            AnswerStatus::Late => "late",
            AnswerStatus::Extra => "extra",
        };
        Self {
            client_id: outcome.client_id,
            task_id: outcome.task_id,
            status: status.to_owned(),
            credited_seconds: outcome.credited_seconds,
            counts_towards_consensus: outcome.counts_towards_consensus,
            practice: outcome.practice,
            feedback: outcome.feedback.map(|f| Feedback {
                correct: f.correct,
                correct_answer: f.correct_answer,
                explanation: f.explanation,
            }),
        }
    }
}

#[OpenApi(tag = "ApiTags::Sessions")]
impl AnswersApi {
    /// Send one or more answers, stored together in one transaction. Only
    /// tasks handed out to you in a session count: an answer to a task you
    /// never held is a 403, and nothing in the request is stored. Answers
    /// after a lease expired, or to tasks that have since settled, are still
    /// stored and credited. A second, different answer to the same task, or
    /// a `client_id` reused for another task or answer, is a 409; the same
    /// `client_id` twice in one request is a 422.
    #[oai(path = "/v1/answers", method = "post", operation_id = "create_answers")]
    async fn create(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        body: Json<AnswersRequest>,
    ) -> Result<AnswersResponse, ApiError> {
        let answers = body.0.answers;
        if answers.is_empty() || answers.len() > MAX_ANSWERS {
            return Err(FieldError::new(
                "answers",
                format!("send between 1 and {MAX_ANSWERS} answers"),
            )
            .into());
        }
        let mut seen = HashSet::with_capacity(answers.len());
        let repeated: Vec<FieldError> = answers
            .iter()
            .enumerate()
            .filter(|(_, answer)| !seen.insert(answer.client_id))
            .map(|(index, _)| {
                FieldError::new(
                    format!("answers[{index}].client_id"),
                    "repeats an earlier client_id in this request; each answer needs its own",
                )
            })
            .collect();
        if !repeated.is_empty() {
            return Err(ApiError::invalid(repeated));
        }
        let ids: Vec<Uuid> = answers.iter().map(|a| a.task_id).collect();
        let batch_of: HashMap<Uuid, Uuid> =
            state.store.task_batches(&ids).await?.into_iter().collect();
        let mut submissions = Vec::with_capacity(answers.len());
        let mut errors = Vec::new();
        for (index, answer) in answers.into_iter().enumerate() {
            let Some(batch_id) = batch_of.get(&answer.task_id) else {
                errors.push(FieldError::new(
                    format!("answers[{index}].task_id"),
                    "there is no such task",
                ));
                continue;
            };
            let settings = state.kind_settings(*batch_id).await?;
            match settings.parse_answer(&answer.answer) {
                Ok(parsed) => submissions.push(AnswerSubmission {
                    client_id: answer.client_id,
                    task_id: answer.task_id,
                    answer: parsed.to_json(),
                    votes: parsed.votes().to_vec(),
                    seconds_spent: answer.seconds_spent.filter(|s| s.is_finite() && *s >= 0.0),
                }),
                Err(err) => errors.push(err.within(&format!("answers[{index}].answer"))),
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::invalid(errors));
        }
        match state
            .store
            .submit_answers(&caller.answerer(), submissions, Utc::now())
            .await?
        {
            Ok(outcomes) => Ok(AnswersResponse::Ok(Json(AnswersResponseBody {
                results: outcomes.into_iter().map(AnswerResult::from).collect(),
            }))),
            Err(refusal) => Err(refused(&refusal)),
        }
    }
}

/// The problem for a refused submission, naming the answer that broke a rule.
fn refused(refusal: &SubmitRefusal) -> ApiError {
    let SubmitRefusal { index, reason } = refusal;
    let detail = format!(
        "answers[{index}]: {} Nothing in this request was stored.",
        reason.detail()
    );
    match reason.class() {
        RefusalClass::Invalid => {
            FieldError::new(format!("answers[{index}].task_id"), reason.detail()).into()
        }
        RefusalClass::Forbidden => ApiError::forbidden(detail),
        RefusalClass::Conflict => ApiError::conflict(detail),
    }
}
