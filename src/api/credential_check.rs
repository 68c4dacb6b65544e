//! Checking a credential someone was handed, without the server's record
//! of it: the holder's downloaded JSON (or just its VC-JWT) is pasted or
//! uploaded on the verify page, or posted by any program.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::FieldError;
use crate::domain::certificate::SignedCertificate;
use crate::domain::certificate::badge::{jwt_claims, open_badge};
use crate::domain::certificate::compromise::stands;
use crate::domain::certificate::handed::{HandedCredential, Verdict, verdict};
use crate::security::certificate_keys::JwtRefusal;

pub struct CredentialCheckApi;

/// A credential to check.
#[derive(Object)]
pub struct CredentialCheckRequest {
    /// The credential's VC-JWT: the `jwt` of the JSON its holder downloaded
    /// (`GET /v1/certificates/{id}/credential`).
    #[oai(validator(max_length = 65536))]
    jwt: String,
}

/// Whether a handed credential is genuine, and what it says.
#[derive(Object)]
pub struct CredentialCheckView {
    /// True only when the signature holds under one of Tessera's keys, it
    /// names this server as issuer and it has not been withdrawn.
    valid: bool,
    /// Withdrawn by the issuer after it was issued.
    revoked: bool,
    /// The verdict in words.
    summary: String,
    /// What the credential says; only when its signature holds.
    #[oai(skip_serializing_if_is_none)]
    certificate_id: Option<Uuid>,
    #[oai(skip_serializing_if_is_none)]
    holder: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    activity_from: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    activity_to: Option<String>,
    /// Credited hours, as the credential's `creditsEarned`.
    #[oai(skip_serializing_if_is_none)]
    credits_earned: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    valid_from: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    verification_url: Option<String>,
    checked_at: chrono::DateTime<Utc>,
}

impl CredentialCheckView {
    fn refused(summary: &str) -> Self {
        Self::from_claims(false, false, summary.to_owned(), None)
    }

    fn from_claims(
        valid: bool,
        revoked: bool,
        summary: String,
        read: Option<HandedCredential>,
    ) -> Self {
        let read = read.unwrap_or_default();
        Self {
            valid,
            revoked,
            summary,
            certificate_id: read.certificate_id,
            holder: read.holder,
            activity_from: read.activity_from,
            activity_to: read.activity_to,
            credits_earned: read.credits_earned,
            valid_from: read.valid_from,
            verification_url: read.verification_url,
            checked_at: Utc::now(),
        }
    }
}

/// Whether Tessera's record of the certificate makes exactly these claims:
/// its credential, rebuilt from the stored signed content, is the same.
async fn record_says(
    state: &SharedState,
    certificate_id: Uuid,
    claims: &serde_json::Value,
) -> Result<bool, ApiError> {
    let Some(record) = state.store.certificate(certificate_id).await? else {
        return Ok(false);
    };
    let Ok(signed) = serde_json::from_str::<SignedCertificate>(&record.signed) else {
        return Ok(false);
    };
    let place = state.store.status_index(certificate_id).await?;
    let credential = open_badge(&signed.content, &state.settings.public_url, place);
    Ok(&jwt_claims(&credential, &signed.content) == claims)
}

#[derive(ApiResponse)]
pub enum CredentialCheckResponse {
    /// The verdict; `valid` says whether to trust it.
    #[oai(status = 200)]
    Ok(Json<CredentialCheckView>),
}

#[OpenApi(tag = "ApiTags::Credits")]
impl CredentialCheckApi {
    /// Check a credential you were handed, without its id: its signature
    /// against every key Tessera ever signed with (current and retired),
    /// its issuer, and its place in the revocation list. Public: no account
    /// needed. 422 when the text is not a VC-JWT at all.
    #[oai(
        path = "/v1/credentials/verification",
        method = "post",
        operation_id = "create_credential_verification"
    )]
    async fn check(
        &self,
        state: Data<&SharedState>,
        body: Json<CredentialCheckRequest>,
    ) -> Result<CredentialCheckResponse, ApiError> {
        let (key_id, claims) = match state.certificate_keys.verify_jwt(body.jwt.trim()) {
            Ok(verified) => verified,
            Err(JwtRefusal::Malformed) => {
                return Err(ApiError::invalid([FieldError::new(
                    "jwt",
                    "must be a credential's VC-JWT (three dot-separated parts, signed with EdDSA)",
                )]));
            }
            Err(JwtRefusal::UnknownKey) => {
                return Ok(CredentialCheckResponse::Ok(Json(
                    CredentialCheckView::refused(
                        "Not genuine: it was not signed with any key Tessera has used.",
                    ),
                )));
            }
            Err(JwtRefusal::BadSignature) => {
                return Ok(CredentialCheckResponse::Ok(Json(
                    CredentialCheckView::refused(
                        "Not genuine: its content was changed after it was signed.",
                    ),
                )));
            }
        };
        let read = HandedCredential::read(&claims);
        if let Some(compromise) = state.certificate_keys.compromise(&key_id) {
            let recorded_same = match read.certificate_id {
                Some(id) => record_says(&state, id, &claims).await?,
                None => false,
            };
            let issued = read
                .valid_from
                .as_deref()
                .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
                .map(|at| at.with_timezone(&Utc));
            if !issued.is_some_and(|at| stands(compromise, recorded_same, at)) {
                return Ok(CredentialCheckResponse::Ok(Json(
                    CredentialCheckView::refused(&format!(
                        "Not genuine: it is signed with a key Tessera reported compromised on                          {} ({}), and Tessera's own record does not vouch for it. Ask the                          holder for a new certificate.",
                        compromise.since.format("%-d %B %Y"),
                        compromise.reason
                    )),
                )));
            }
        }
        let revoked = state.store.revoked_status_indexes().await?;
        let (valid, withdrawn, summary) = match verdict(&read, &state.settings.public_url, &revoked)
        {
            Verdict::Genuine => (
                true,
                false,
                "Genuine: signed by Tessera, unaltered and not withdrawn.".to_owned(),
            ),
            Verdict::Revoked => (
                false,
                true,
                "Withdrawn: Tessera signed it, but it has since been revoked. Ask the holder \
                 why; the verification address may say more."
                    .to_owned(),
            ),
            Verdict::OtherIssuer => (
                false,
                false,
                "Not genuine here: it names another issuer than this server.".to_owned(),
            ),
        };
        Ok(CredentialCheckResponse::Ok(Json(
            CredentialCheckView::from_claims(valid, withdrawn, summary, Some(read)),
        )))
    }
}
