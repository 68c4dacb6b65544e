//! Liveness, readiness and Prometheus metrics for operators.

use std::sync::Arc;

use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::error::ApiError;
use super::observe::Metrics;
use super::state::SharedState;
use super::tags::ApiTags;
use poem::web::Data;

pub struct OpsApi;

/// A health summary.
#[derive(Object)]
pub struct Health {
    /// `ok` when healthy.
    status: String,
    /// The storage backend: `sqlite` or `mongodb`.
    #[oai(skip_serializing_if_is_none)]
    store: Option<String>,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// Healthy.
    #[oai(status = 200)]
    Ok(Json<Health>),
}

#[derive(ApiResponse)]
pub enum MetricsResponse {
    /// Prometheus text exposition format.
    #[oai(status = 200)]
    Ok(PlainText<String>),
}

#[OpenApi(tag = "ApiTags::Operations")]
impl OpsApi {
    /// Liveness: the process is serving requests.
    #[oai(path = "/healthz", method = "get", operation_id = "get_health")]
    async fn healthz(&self) -> Result<HealthResponse, ApiError> {
        Ok(HealthResponse::Ok(Json(Health {
            status: "ok".into(),
            store: None,
        })))
    }

    /// Readiness: the store answers. 503 when it does not.
    #[oai(path = "/readyz", method = "get", operation_id = "get_readiness")]
    async fn readyz(&self, state: Data<&SharedState>) -> Result<HealthResponse, ApiError> {
        match state.store.ping().await {
            Ok(()) => Ok(HealthResponse::Ok(Json(Health {
                status: "ok".into(),
                store: Some(state.store.backend_name().into()),
            }))),
            Err(err) => {
                tracing::warn!(error = %err, "store not ready");
                Err(ApiError::unavailable("The store is not reachable."))
            }
        }
    }

    /// Request counts and latencies in Prometheus text format.
    #[oai(path = "/metrics", method = "get", operation_id = "get_metrics")]
    async fn metrics(&self, metrics: Data<&Arc<Metrics>>) -> Result<MetricsResponse, ApiError> {
        Ok(MetricsResponse::Ok(PlainText(metrics.render())))
    }
}
