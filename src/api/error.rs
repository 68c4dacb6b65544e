//! The one error shape of the API: RFC 9457 `application/problem+json`.
//! Handlers return `ApiError` for expected failures; anything unexpected is
//! logged once here and becomes an opaque 500. Errors raised before a
//! handler runs (routing, extraction, auth) are converted by `problem_for`.

use poem::http::StatusCode;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};

use crate::domain::account::FieldError;
use crate::store::StoreError;

/// A problem report. `type` is stable and safe to switch on; `title` is a
/// short summary and `detail` explains this occurrence in plain English.
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A stable identifier of the kind of problem, e.g. `/problems/validation`.
    #[oai(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, in plain English.
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// For validation problems: every offending field (or upload line).
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<ProblemField>>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, Object)]
pub struct ProblemField {
    /// The field, e.g. `email` or `answers[1].answer.decision`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
    /// For uploads: the line (or record) number in the uploaded file.
    #[oai(skip_serializing_if_is_none)]
    pub line: Option<u64>,
}

impl From<FieldError> for ProblemField {
    fn from(err: FieldError) -> Self {
        Self {
            field: err.field,
            message: err.message,
            line: None,
        }
    }
}

/// Every error the API sends.
#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request is malformed: unreadable JSON, a wrong type, a missing parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid access token (or refresh token / password) was presented.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The caller is known but may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// No such resource, or not visible to the caller.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The method is not allowed on this path.
    #[oai(status = 405, content_type = "application/problem+json")]
    MethodNotAllowed(Json<Problem>),
    /// The request (its headers or body) did not arrive within the time allowed.
    #[oai(status = 408, content_type = "application/problem+json")]
    RequestTimeout(Json<Problem>),
    /// The request conflicts with what is stored (e.g. an email already registered).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// A request body must declare its length.
    #[oai(status = 411, content_type = "application/problem+json")]
    LengthRequired(Json<Problem>),
    /// The request body is too large.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body's media type is not accepted here.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The request is well-formed but its values are invalid; `errors` lists each one.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many attempts; wait `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] u64),
    /// Something failed on our side; it has been logged.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The store is unreachable.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(Json<Problem>),
}

/// The stable slug and title for each status this API uses.
fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status.as_u16() {
        400 => ("bad-request", "The request is malformed"),
        401 => ("unauthorized", "Authentication is required"),
        403 => ("forbidden", "You may not do this"),
        404 => ("not-found", "Not found"),
        405 => ("method-not-allowed", "Method not allowed"),
        408 => ("request-timeout", "The request took too long to arrive"),
        409 => ("conflict", "Conflict with the current state"),
        411 => ("length-required", "Content-Length is required"),
        413 => ("payload-too-large", "The request body is too large"),
        415 => ("unsupported-media-type", "Unsupported media type"),
        422 => ("validation", "The request has invalid values"),
        429 => ("rate-limited", "Too many requests"),
        503 => ("unavailable", "The service is temporarily unavailable"),
        _ => ("internal", "Internal error"),
    }
}

fn problem(status: StatusCode, detail: Option<String>) -> Json<Problem> {
    let (slug, title) = describe(status);
    Json(Problem {
        kind: format!("/problems/{slug}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail,
        errors: None,
    })
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(problem(StatusCode::BAD_REQUEST, Some(detail.into())))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::Unauthorized(problem(StatusCode::UNAUTHORIZED, Some(detail.into())))
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::Forbidden(problem(StatusCode::FORBIDDEN, Some(detail.into())))
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::NotFound(problem(StatusCode::NOT_FOUND, Some(detail.into())))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::Conflict(problem(StatusCode::CONFLICT, Some(detail.into())))
    }

    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::PayloadTooLarge(problem(StatusCode::PAYLOAD_TOO_LARGE, Some(detail.into())))
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::Unavailable(problem(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(detail.into()),
        ))
    }

    pub fn too_many_requests(retry_after: u64) -> Self {
        let detail = format!("Too many attempts. Try again in {retry_after} seconds.");
        Self::TooManyRequests(
            problem(StatusCode::TOO_MANY_REQUESTS, Some(detail)),
            retry_after,
        )
    }

    /// A 422 listing every invalid field.
    pub fn invalid(errors: impl IntoIterator<Item = impl Into<ProblemField>>) -> Self {
        let errors: Vec<ProblemField> = errors.into_iter().map(Into::into).collect();
        let detail = match errors.as_slice() {
            [only] => format!("{}: {}", only.field, only.message),
            many => format!("{} values are invalid; see `errors`.", many.len()),
        };
        let mut body = problem(StatusCode::UNPROCESSABLE_ENTITY, Some(detail));
        body.0.errors = Some(errors);
        Self::Unprocessable(body)
    }

    /// Logs the cause once and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal(problem(StatusCode::INTERNAL_SERVER_ERROR, None))
    }
}

impl From<FieldError> for ApiError {
    fn from(err: FieldError) -> Self {
        Self::invalid([err])
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(detail) => Self::conflict(detail),
            StoreError::Refused(refusal) => Self::conflict(format!("{refusal:?}")),
            StoreError::Backend(cause) => Self::internal(format!("{cause:#}")),
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(err: anyhow::Error) -> Self {
        Self::internal(format!("{err:#}"))
    }
}

/// Converts an error raised outside a handler (no route, bad JSON, missing
/// token) into the same problem shape, so no client ever sees `text/plain`.
pub fn problem_for(err: poem::Error) -> poem::Response {
    // Handler errors (`ApiError`) travel as ready-made problem responses.
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    if status.is_server_error() {
        tracing::error!(error = %err, "unhandled error");
    }
    // Server-side causes are never echoed; client-side ones explain themselves.
    let detail = (!status.is_server_error()).then(|| err.to_string());
    problem_response(status, detail)
}

/// A bare problem response, for middleware that refuses a request before
/// any handler runs.
pub fn problem_response(status: StatusCode, detail: Option<String>) -> poem::Response {
    let body = problem(status, detail);
    let mut response = poem::Response::builder()
        .status(status)
        .content_type("application/problem+json")
        .body(serde_json::to_vec(&body.0.to_json_value()).unwrap_or_default());
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            "www-authenticate",
            poem::http::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

impl Problem {
    fn to_json_value(&self) -> serde_json::Value {
        poem_openapi::types::ToJSON::to_json(self).unwrap_or_default()
    }
}
