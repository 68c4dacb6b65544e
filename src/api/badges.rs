//! A certificate as an Open Badges 3.0 credential, for portfolios and
//! wallets: the same facts as the certificate, with a VC-JWT proof.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::certificates::owned_standing;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::certificate::badge::{jwt_claims, open_badge};

pub struct BadgesApi;

/// An Open Badges 3.0 `OpenBadgeCredential` and its proof.
#[derive(Object)]
pub struct BadgeView {
    /// The credential (VC Data Model 2.0, Open Badges 3.0 context): the
    /// achievement, the hours as `creditsEarned`, the period, the holder
    /// by name (and registration), and the verification URL as evidence.
    credential: serde_json::Value,
    /// The credential as a VC-JWT (Open Badges 3.0 §8.2): EdDSA, `kid` names
    /// the key in `GET /v1/certificates/public-key`; the payload is the
    /// credential with `iss`, `jti` and `nbf`.
    jwt: String,
}

#[derive(ApiResponse)]
pub enum BadgeResponse {
    #[oai(status = 200)]
    Ok(Json<BadgeView>),
}

#[OpenApi(tag = "ApiTags::Credits")]
impl BadgesApi {
    /// Your certificate as an Open Badges 3.0 credential, to import into a
    /// portfolio or wallet. Only its owner can fetch it (404 for anyone
    /// else); a revoked certificate has none (409).
    #[oai(
        path = "/v1/certificates/:certificate_id/credential",
        method = "get",
        operation_id = "get_certificate_credential"
    )]
    async fn credential(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// The certificate's id.
        certificate_id: Path<Uuid>,
    ) -> Result<BadgeResponse, ApiError> {
        let signed = owned_standing(&state, &caller, certificate_id.0).await?;
        let credential = open_badge(&signed.content, &state.settings.public_url, None);
        let jwt = state
            .certificate_keys
            .sign_jwt(&jwt_claims(&credential, &signed.content))
            .map_err(ApiError::internal)?;
        Ok(BadgeResponse::Ok(Json(BadgeView { credential, jwt })))
    }
}
