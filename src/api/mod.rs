//! The HTTP API: one file per resource, each an `#[OpenApi]` struct whose
//! doc comments become the published spec.

pub mod accounts;
pub mod admin;
mod allow;
pub mod answers;
pub mod auth;
pub mod badges;
pub mod batches;
pub mod certificates;
pub mod confirmation;
pub mod credential_check;
pub mod credits;
pub mod error;
pub mod limits;
pub mod me;
pub mod media;
pub mod observations;
pub mod observe;
pub mod ops;
pub mod organisations;
mod photo_upload;
pub mod privacy;
pub mod projects;
pub mod quality;
pub mod results;
pub mod sessions;
pub mod sign_on;
pub mod state;
pub mod tags;
mod upload;
mod upload_guard;

use std::sync::Arc;

use poem::middleware::Compression;
use poem::{Endpoint, EndpointExt, IntoResponse, Route};
use poem_openapi::OpenApiService;

use self::observe::Metrics;
use self::state::SharedState;

/// The API description; also what `tessera openapi` prints.
pub fn service() -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    OpenApiService::new(
        (
            (
                accounts::AccountsApi,
                confirmation::ConfirmationApi,
                sign_on::SignOnApi,
            ),
            me::MeApi,
            privacy::PrivacyApi,
            projects::ProjectsApi,
            batches::BatchesApi,
            sessions::SessionsApi,
            answers::AnswersApi,
            (
                observations::ObservationsApi,
                observations::ObservationFormApi,
                observations::ObservationPhotoApi,
            ),
            media::MediaApi,
            quality::QualityApi,
            credits::CreditsApi,
            certificates::CertificatesApi,
            (badges::BadgesApi, credential_check::CredentialCheckApi),
            (admin::AdminApi, organisations::OrganisationsApi),
            ops::OpsApi,
        ),
        "Tessera",
        env!("CARGO_PKG_VERSION"),
    )
    .server("/")
    .license(poem_openapi::LicenseObject::new("MIT OR Apache-2.0"))
    .description(
        "Citizen science for NHS staff: researchers upload micro-tasks, staff answer them \
         in five-minute sessions on their phones, answers are combined into results with a \
         confidence, and credited time is exported as a signed certificate. Every error is \
         `application/problem+json` (RFC 9457) with a stable `type`.",
    )
}

/// The spec as pretty JSON with a trailing newline, exactly as committed in
/// `openapi/openapi.json` and served at `/openapi.json`.
pub fn spec_json() -> String {
    static SPEC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SPEC.get_or_init(build_spec).clone()
}

fn build_spec() -> String {
    let mut spec: serde_json::Value = serde_json::from_str(&service().spec()).unwrap_or_default();
    mark_public_operations(&mut spec);
    suffixed_path_templates(&mut spec);
    let mut text = serde_json::to_string_pretty(&spec).unwrap_or_default();
    text.push('\n');
    text
}

/// Operations without a security requirement are public on purpose; saying
/// so explicitly (`security: []`) lets linters and client generators tell
/// them from operations whose security was forgotten.
fn mark_public_operations(spec: &mut serde_json::Value) {
    let Some(paths) = spec
        .get_mut("paths")
        .and_then(|paths| paths.as_object_mut())
    else {
        return;
    };
    for operation in paths.values_mut().filter_map(|item| item.as_object_mut()) {
        for op in operation.values_mut().filter_map(|op| op.as_object_mut()) {
            op.entry("security")
                .or_insert_with(|| serde_json::json!([]));
        }
    }
}

/// poem-openapi hands a whole path segment to one parameter, so the route
/// `/v1/certificates/:certificate_id.pdf` is published as
/// `{certificate_id.pdf}` although its parameter is `certificate_id` (whose
/// type strips the suffix). Such templates become what the route really
/// accepts: `/v1/certificates/{certificate_id}.pdf`.
fn suffixed_path_templates(spec: &mut serde_json::Value) {
    let Some(paths) = spec
        .get_mut("paths")
        .and_then(|paths| paths.as_object_mut())
    else {
        return;
    };
    let suffixed = |segment: &str| -> Option<String> {
        let inner = segment.strip_prefix('{')?.strip_suffix('}')?;
        let (name, suffix) = inner.split_once('.')?;
        Some(format!("{{{name}}}.{suffix}"))
    };
    let renamed: Vec<(String, String)> = paths
        .keys()
        .filter_map(|path| {
            let segments: Vec<String> = path
                .split('/')
                .map(|segment| suffixed(segment).unwrap_or_else(|| segment.to_owned()))
                .collect();
            let fixed = segments.join("/");
            (fixed != *path).then(|| (path.clone(), fixed))
        })
        .collect();
    for (published, fixed) in renamed {
        if let Some(item) = paths.remove(&published) {
            paths.insert(fixed, item);
        }
    }
}

/// Every route with its middleware, ready to serve.
pub fn routes(state: SharedState) -> impl Endpoint {
    let service = service();
    let ceilings = state.settings.ceilings();
    let metrics = Arc::new(Metrics::default());
    let observed = metrics.clone();
    Route::new()
        .at(
            "/openapi.json",
            poem::endpoint::make_sync(|_| {
                poem::Response::builder()
                    .content_type("application/json")
                    .body(spec_json())
            }),
        )
        .nest("/docs", service.swagger_ui())
        .nest("/app", crate::console::app_endpoint())
        .nest("/console", crate::console::endpoint())
        .nest("/verify", crate::console::verify_endpoint())
        .nest("/confirm", crate::console::confirm_endpoint())
        .nest("/", service)
        .data(metrics)
        .data(state)
        .catch_all_error(|err| async move { error::problem_for(err) })
        .around(allow::add_allow)
        // A person who opens the server's bare address finds the apps and the docs.
        .around(|next, req| async move {
            if req.uri().path() == "/" && req.method() == poem::http::Method::GET {
                return Ok(crate::console::landing());
            }
            if let Some(page) = crate::console::browser_verification(&req) {
                return Ok(page);
            }
            next.call(req).await.map(IntoResponse::into_response)
        })
        .with(Compression::new())
        // Outside compression, so a compressed request body is refused
        // before the compression middleware could inflate it.
        .around(move |next, req| async move { limits::bound(next, req, &ceilings).await })
        // Phones and the example web app call from other origins with bearer
        // tokens (no cookies), so any origin may call.
        .with(poem::middleware::Cors::new())
        .around(move |next, req| {
            let metrics = observed.clone();
            async move { observe::observe(next, req, &metrics).await }
        })
}
