//! What every handler shares, built once at start-up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use super::error::ApiError;
use crate::config::Settings;
use crate::domain::kinds::KindSettings;
use crate::security::ratelimit::RateLimiter;
use crate::security::tokens::TokenService;
use crate::store::Store;

pub struct AppState {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub tokens: Arc<TokenService>,
    /// Accounts as stored, for checking every caller against the account as it is now.
    pub accounts: super::auth::AccountCache,
    /// Failed logins per (client address, account) pair.
    pub login_limiter: RateLimiter,
    /// Failed logins per client address, whatever the account.
    pub login_client_limiter: RateLimiter,
    /// Registrations per client address.
    pub register_limiter: RateLimiter,
    /// Single sign-ins started per client address.
    pub sign_on_limiter: RateLimiter,
    /// Organisations' OpenID Connect providers, their metadata cached.
    pub providers: crate::security::oidc::Providers,
    /// Where password hashes are computed, a bounded number at once.
    pub hasher: crate::security::hash_pool::HashPool,
    /// Confirmation links asked for, per account.
    pub confirmation_limiter: RateLimiter,
    /// Sends confirmation links (or logs them when no SMTP server is set).
    pub mailer: crate::mail::Mailer,
    /// Per-account budget for batch uploads and logged observations.
    pub upload_limiter: RateLimiter,
    /// Signs contribution certificates: the service's Ed25519 key, the one
    /// that also signs access tokens, published at `/v1/certificates/public-key`.
    /// Signs new certificates and verifies every certificate ever issued.
    pub certificate_keys: crate::security::certificate_keys::CertificateKeys,
    /// Keys the per-project contributor pseudonyms in exports.
    pub pseudonym_key: [u8; 32],
    /// A batch's kind settings never change after upload, so the answer path
    /// reads them from here instead of the store.
    pub kind_settings: Mutex<HashMap<Uuid, Arc<KindSettings>>>,
}

impl AppState {
    /// Counts one upload by the caller; 429 with `Retry-After` once the
    /// account's budget for the window is spent.
    pub fn count_upload(&self, account: Uuid) -> Result<(), ApiError> {
        let key = format!("upload:{account}");
        self.upload_limiter
            .attempt(&[&key], std::time::Instant::now())
            .map_err(ApiError::too_many_requests)
    }

    /// The kind settings of a batch, from the cache or the store.
    pub async fn kind_settings(&self, batch_id: Uuid) -> Result<Arc<KindSettings>, ApiError> {
        if let Some(found) = self
            .kind_settings
            .lock()
            .ok()
            .and_then(|cache| cache.get(&batch_id).cloned())
        {
            return Ok(found);
        }
        let batch = self
            .store
            .batch(batch_id)
            .await?
            .ok_or_else(|| ApiError::not_found("There is no batch with this id."))?;
        let settings = Arc::new(batch.settings);
        if let Ok(mut cache) = self.kind_settings.lock() {
            cache.insert(batch_id, settings.clone());
        }
        Ok(settings)
    }
}

pub type SharedState = Arc<AppState>;
