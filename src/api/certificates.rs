//! Contribution certificates: issued for a period, signed with the
//! service's Ed25519 key, rendered as PDF for their owner, and verifiable by
//! anyone, without an account, online or offline.

mod pdf_name;
mod views;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use self::pdf_name::PdfName;
use self::views::{
    ALGORITHM, CertificateRequest, CertificateView, PublicKeyView, PublicKeysView, RevokeRequest,
    VerificationView,
};
use super::auth::Caller;
use super::error::ApiError;
use super::state::{AppState, SharedState};
use super::tags::ApiTags;
use crate::domain::account::{Role, bounded_text};
use crate::domain::certificate::compromise::stands;
use crate::domain::certificate::{
    CertificateContent, CertificateInput, Contributor, Period, QualityIndicators,
    SignedCertificate, VerifyReason, render_pdf_with_credential, sign,
};
use crate::domain::credits::erased::{ErasedCertificate, erased};
use crate::domain::credits::{
    DateRange, RecordCheck, activity_rows, certificate_contributor, certificate_period,
    check_record, has_credited_time, no_overlap, record_text, tally,
};
use crate::store::StoredCertificate;

pub struct CertificatesApi;

#[derive(ApiResponse)]
pub enum CertificateCreated {
    /// The certificate, signed and stored; it can no longer be changed.
    #[oai(status = 201)]
    Created(Json<CertificateView>),
}

#[derive(ApiResponse)]
pub enum VerificationResponse {
    /// The verdict and the certificate's content.
    #[oai(status = 200)]
    Ok(Json<VerificationView>),
}

#[derive(ApiResponse)]
pub enum PdfResponse {
    /// The certificate as an A4 PDF with its verification QR code.
    #[oai(status = 200, content_type = "application/pdf")]
    Ok(
        Binary<Vec<u8>>,
        /// `inline`, with a file name to save it under.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

#[derive(ApiResponse)]
pub enum PublicKeysResponse {
    /// The public keys.
    #[oai(status = 200)]
    Ok(Json<PublicKeysView>),
}

/// Reads a stored certificate back and checks it against every key that
/// has signed certificates, current or retired. The record itself vouches
/// for a certificate signed with a key later reported compromised, unless
/// it was signed once the key was out.
fn check_stored(state: &AppState, record: &StoredCertificate) -> RecordCheck {
    let check = check_record(record.signed.as_bytes(), |id| {
        state.certificate_keys.lookup(id)
    });
    match check {
        RecordCheck::Checked { signed, outcome }
            if outcome.valid
                && state
                    .certificate_keys
                    .compromise(&signed.key_id)
                    .is_some_and(|key| !stands(key, true, signed.content.issued_at)) =>
        {
            RecordCheck::Checked {
                signed,
                outcome: VerifyReason::CompromisedKey.into(),
            }
        }
        other => other,
    }
}

/// What stays of a person's certificates when they erase their account:
/// each one's nameless trace, as checked now.
pub async fn erasure_traces(
    state: &SharedState,
    contributor: Uuid,
) -> Result<Vec<ErasedCertificate>, ApiError> {
    let now = Utc::now();
    Ok(state
        .store
        .certificates_of(contributor)
        .await?
        .into_iter()
        .filter_map(|record| {
            let check = check_stored(state, &record);
            erased(&check, record.revoked_at, record.revoke_reason, now)
        })
        .collect())
}

/// The caller's own certificate, if it still stands: not revoked and
/// still verifying. Anyone else's is a 404.
pub(super) async fn owned_standing(
    state: &SharedState,
    caller: &Caller,
    id: Uuid,
) -> Result<SignedCertificate, ApiError> {
    let record = stored(state, id).await?;
    if record.contributor_id != caller.account_id() {
        return Err(no_such_certificate());
    }
    standing_record(state, &record)
}

/// Anyone's certificate, if it still stands: what its id already shows
/// anyone at `/verify`. 404 when there is none (or its holder erased it).
pub(super) async fn standing(state: &SharedState, id: Uuid) -> Result<SignedCertificate, ApiError> {
    let record = stored(state, id).await?;
    standing_record(state, &record)
}

fn standing_record(
    state: &SharedState,
    record: &StoredCertificate,
) -> Result<SignedCertificate, ApiError> {
    if record.revoked_at.is_some() {
        return Err(ApiError::conflict(
            "This certificate was revoked; issue a new one.",
        ));
    }
    let check = check_stored(state, record);
    check
        .signed()
        .filter(|_| check.is_valid())
        .cloned()
        .ok_or_else(|| ApiError::conflict("This certificate no longer verifies; issue a new one."))
}

fn no_such_certificate() -> ApiError {
    ApiError::not_found("There is no certificate with this id.")
}

async fn stored(state: &SharedState, id: Uuid) -> Result<StoredCertificate, ApiError> {
    state
        .store
        .certificate(id)
        .await?
        .ok_or_else(no_such_certificate)
}

#[OpenApi(tag = "ApiTags::Credits")]
impl CertificatesApi {
    /// Issue a contribution certificate for a period (UTC days, both
    /// inclusive, finished days only, at most three years): your name and
    /// registration, organisation, credited hours by project and task kind
    /// with dates, quality indicators, how the time maps to your regulator's
    /// CPD expectations (NMC, GMC, HCPC or GPhC, read from your registration
    /// number; general guidance without one), reflection prompts, and a
    /// verification link.
    /// It is signed with Ed25519 and cannot be changed afterwards.
    #[oai(
        path = "/v1/me/certificates",
        method = "post",
        operation_id = "create_certificate"
    )]
    async fn issue(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        body: Json<CertificateRequest>,
    ) -> Result<CertificateCreated, ApiError> {
        let now = Utc::now();
        let period = certificate_period(body.0.from, body.0.to, now.date_naive())?;
        if !crate::domain::certificate::verifiable_address(&state.settings.public_url) {
            return Err(ApiError::unavailable(
                "Certificates cannot be issued until this server's public address \
                 (TESSERA_PUBLIC_URL) is an https (or local loopback) address.",
            ));
        }
        let account = caller.account();
        let certified: Vec<Period> = state
            .store
            .certificates_of(account.id)
            .await?
            .iter()
            .filter(|record| record.revoked_at.is_none())
            .filter_map(|record| serde_json::from_str::<SignedCertificate>(&record.signed).ok())
            .map(|signed| signed.content.period)
            .collect();
        no_overlap(&period, &certified)?;
        let range = DateRange {
            from: Some(period.from),
            to: Some(period.to),
        };
        let days = state.store.credit_days(account.id, range).await?;
        has_credited_time(&days)?;
        let quality = state.store.credit_quality(account.id, range).await?;
        let id = Uuid::new_v4();
        let content = CertificateContent::new(CertificateInput {
            certificate_id: id,
            issued_at: now,
            contributor: Contributor {
                membership: account
                    .membership()
                    .map(|membership| membership.as_str().to_owned()),
                ..certificate_contributor(
                    &account.display_name,
                    account.staff_group,
                    account.organisation.as_deref(),
                    account.registration_number.as_deref(),
                )
            },
            period,
            activities: activity_rows(&days),
            quality: QualityIndicators {
                consensus_agreement: tally(quality.consensus_agreement),
                gold_accuracy: tally(quality.gold_accuracy),
            },
            verification_url: format!("{}/v1/certificates/{id}/verify", state.settings.public_url),
        })
        .map_err(ApiError::internal)?;
        let (key, key_id) = state.certificate_keys.signer();
        let signed = sign(&content, key, key_id).map_err(ApiError::internal)?;
        state
            .store
            .insert_certificate(&StoredCertificate {
                id,
                contributor_id: account.id,
                signed: record_text(&signed).map_err(ApiError::internal)?,
                created_at: content.issued_at,
                revoked_at: None,
                revoke_reason: None,
            })
            .await?;
        Ok(CertificateCreated::Created(Json(CertificateView::new(
            &signed,
            &state.settings.public_url,
        ))))
    }

    /// Download your certificate as a PDF to file as CPD evidence. Only its
    /// owner can; anyone else gets 404. A revoked certificate, or one that
    /// no longer verifies, is not rendered (409). The PDF carries the
    /// certificate's Open Badges credential as an attached file
    /// (`tessera-credential.json`), so whoever is handed the PDF can check
    /// it at `/verify/` (or `POST /v1/credentials/verification`).
    #[oai(
        path = "/v1/certificates/:certificate_id.pdf",
        method = "get",
        operation_id = "get_certificate_pdf"
    )]
    async fn pdf(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// The certificate's id (the path ends in `.pdf`).
        certificate_id: Path<PdfName>,
    ) -> Result<PdfResponse, ApiError> {
        let signed = owned_standing(&state, &caller, certificate_id.0.0).await?;
        let id = signed.content.certificate_id;
        let credential = super::badges::badge(&state, &signed).await?.to_json_bytes();
        // Laying out and embedding fonts takes CPU time: off the async threads.
        let pdf =
            tokio::task::spawn_blocking(move || render_pdf_with_credential(&signed, &credential))
                .await
                .map_err(ApiError::internal)?
                .map_err(ApiError::internal)?;
        let disposition = format!("inline; filename=\"tessera-certificate-{id}.pdf\"");
        Ok(PdfResponse::Ok(Binary(pdf), disposition))
    }

    /// Check a certificate. Public: no account needed. Says whether it is
    /// genuine (the signature matches its content under Tessera's key and
    /// the stored certificate is unaltered), whether it was revoked, and
    /// what it says. `valid` is the one field an appraiser needs. A browser
    /// (a request whose `Accept` names `text/html`, as when the QR code is
    /// scanned) is sent with 303 to the readable page `/verify/?id={id}`.
    #[oai(
        path = "/v1/certificates/:certificate_id/verify",
        method = "get",
        operation_id = "verify_certificate"
    )]
    async fn verify(
        &self,
        state: Data<&SharedState>,
        /// The certificate's id, as printed on it.
        certificate_id: Path<Uuid>,
    ) -> Result<VerificationResponse, ApiError> {
        let Some(record) = state.store.certificate(certificate_id.0).await? else {
            // Its holder erased their account: what stays still answers.
            let trace = state
                .store
                .erased_certificate(certificate_id.0)
                .await?
                .ok_or_else(no_such_certificate)?;
            return Ok(VerificationResponse::Ok(Json(VerificationView::erased(
                &trace,
            ))));
        };
        let check = check_stored(&state, &record);
        Ok(VerificationResponse::Ok(Json(VerificationView::new(
            &record, &check,
        ))))
    }

    /// The public keys certificates are signed with, to verify them offline:
    /// the current key and every retired one. Public: no account needed. A
    /// certificate's signature is Ed25519 over its `content` as compact
    /// JSON, under the key whose id it names.
    #[oai(
        path = "/v1/certificates/public-key",
        method = "get",
        operation_id = "get_certificate_public_key"
    )]
    async fn public_key(&self, state: Data<&SharedState>) -> Result<PublicKeysResponse, ApiError> {
        let keys = state
            .certificate_keys
            .public_keys()
            .into_iter()
            .map(|(key_id, key, current)| {
                let compromise = state.certificate_keys.compromise(&key_id).cloned();
                PublicKeyView {
                    algorithm: ALGORITHM.to_owned(),
                    public_key: BASE64.encode(key.as_bytes()),
                    current,
                    compromised_since: compromise.as_ref().map(|c| c.since),
                    compromise_reason: compromise.map(|c| c.reason),
                    key_id,
                }
            })
            .collect();
        Ok(PublicKeysResponse::Ok(Json(PublicKeysView { keys })))
    }

    /// Withdraw a certificate, for example one issued for the wrong dates.
    /// Its owner or an administrator may. The certificate itself is kept
    /// unchanged; verification then reports it as revoked, with the reason
    /// and time. The first revocation stands.
    #[oai(
        path = "/v1/certificates/:certificate_id/revoke",
        method = "post",
        operation_id = "revoke_certificate"
    )]
    async fn revoke(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        /// The certificate's id.
        certificate_id: Path<Uuid>,
        body: Json<RevokeRequest>,
    ) -> Result<VerificationResponse, ApiError> {
        let record = stored(&state, certificate_id.0).await?;
        if record.contributor_id != caller.account_id() && !caller.has_role(Role::Admin) {
            return Err(no_such_certificate());
        }
        let reason = bounded_text("reason", &body.0.reason, 500)?;
        let record = state
            .store
            .revoke_certificate(record.id, Utc::now(), &reason)
            .await?
            .ok_or_else(no_such_certificate)?;
        let check = check_stored(&state, &record);
        Ok(VerificationResponse::Ok(Json(VerificationView::new(
            &record, &check,
        ))))
    }
}
