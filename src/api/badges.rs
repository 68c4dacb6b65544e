//! A certificate as an Open Badges 3.0 credential, for portfolios and
//! wallets: the same facts as the certificate, with a VC-JWT proof, and the
//! revocation status list its `credentialStatus` points at.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::certificates::standing;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::certificate::SignedCertificate;
use crate::domain::certificate::badge::{jwt_claims, open_badge};
use crate::domain::certificate::status_list::{revocation_list, revocation_list_claims};

pub struct BadgesApi;

/// An Open Badges 3.0 `OpenBadgeCredential` and its proof.
#[derive(Object)]
pub struct BadgeView {
    /// The credential (VC Data Model 2.0, Open Badges 3.0 context): the
    /// achievement, the hours as `creditsEarned`, the period, the holder
    /// by name (and registration), the verification URL as evidence, and
    /// `credentialStatus`: a `BitstringStatusListEntry` (purpose
    /// `revocation`) giving the credential's place in the list at
    /// `GET /v1/status-lists/revocation`.
    credential: serde_json::Value,
    /// The credential as a VC-JWT (Open Badges 3.0 §8.2): EdDSA, `kid` names
    /// the key in `GET /v1/certificates/public-key`; the payload is the
    /// credential with `iss`, `jti` and `nbf`.
    jwt: String,
}

/// A standing certificate's credential, signed now with the current key.
pub(super) async fn badge(
    state: &SharedState,
    signed: &SignedCertificate,
) -> Result<BadgeView, ApiError> {
    let id = signed.content.certificate_id;
    let place = state.store.status_index(id).await?;
    let credential = open_badge(&signed.content, &state.settings.public_url, place);
    let jwt = state
        .certificate_keys
        .sign_jwt(&jwt_claims(&credential, &signed.content))
        .map_err(ApiError::internal)?;
    Ok(BadgeView { credential, jwt })
}

impl BadgeView {
    /// The JSON a holder downloads, as attached to the PDF.
    pub(super) fn to_json_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(&serde_json::json!({
            "credential": self.credential,
            "jwt": self.jwt,
        }))
        .unwrap_or_default()
    }
}

#[derive(ApiResponse)]
pub enum BadgeResponse {
    #[oai(status = 200)]
    Ok(Json<BadgeView>),
}

#[derive(ApiResponse)]
pub enum StatusListResponse {
    /// The status list credential as a VC-JWT (compact JWS, EdDSA).
    #[oai(status = 200, content_type = "application/vc+jwt")]
    Ok(
        Binary<Vec<u8>>,
        /// `no-cache`: a revocation shows at once, so verifiers ask again.
        #[oai(header = "Cache-Control")]
        String,
    ),
}

#[OpenApi(tag = "ApiTags::Credits")]
impl BadgesApi {
    /// A certificate as an Open Badges 3.0 credential, to import into a
    /// portfolio or wallet. Public, like `/v1/certificates/{id}/verify`:
    /// whoever holds the certificate's id (printed on it) may fetch it, so
    /// the link on the PDF works for an appraiser too. A revoked
    /// certificate has none (409); an erased holder's none either (404).
    #[oai(
        path = "/v1/certificates/:certificate_id/credential",
        method = "get",
        operation_id = "get_certificate_credential"
    )]
    async fn credential(
        &self,
        state: Data<&SharedState>,
        /// The certificate's id.
        certificate_id: Path<Uuid>,
    ) -> Result<BadgeResponse, ApiError> {
        let signed = standing(&state, certificate_id.0).await?;
        Ok(BadgeResponse::Ok(Json(badge(&state, &signed).await?)))
    }

    /// The revocation list every credential's `credentialStatus` points at,
    /// as a W3C Bitstring Status List v1.0 credential
    /// (`BitstringStatusListCredential`, purpose `revocation`) signed as a
    /// VC-JWT like the credentials (`kid` names the key in
    /// `GET /v1/certificates/public-key`). Public: no account needed. The bit
    /// at a credential's `statusListIndex` (bit 0 leftmost) of the GZIP
    /// bitstring in `encodedList` is 1 once its certificate is revoked.
    #[oai(
        path = "/v1/status-lists/revocation",
        method = "get",
        operation_id = "get_revocation_status_list"
    )]
    async fn revocation_list(
        &self,
        state: Data<&SharedState>,
    ) -> Result<StatusListResponse, ApiError> {
        let now = Utc::now();
        let revoked = state.store.revoked_status_indexes().await?;
        let list = revocation_list(&state.settings.public_url, &revoked, now);
        let jwt = state
            .certificate_keys
            .sign_jwt(&revocation_list_claims(&list, now))
            .map_err(ApiError::internal)?;
        Ok(StatusListResponse::Ok(
            Binary(jwt.into_bytes()),
            "no-cache".to_owned(),
        ))
    }
}
