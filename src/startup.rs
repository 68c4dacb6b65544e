//! Builds the application from settings: the store, the keys, the routes.
//! Binding happens here, before serving, so callers (and tests on port 0)
//! learn the real address first.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use sha2::Digest;
use tokio::net::TcpListener;

use crate::api::{self, state::AppState};
use crate::config::Settings;
use crate::security::certificate_keys::CertificateKeys;
use crate::security::{hash_pool::HashPool, keys, ratelimit::RateLimiter, tokens::TokenService};
use crate::store::{self, Store};

/// A bound, not yet serving, instance of the service.
pub struct Application {
    address: SocketAddr,
    listener: TcpListener,
    state: Arc<AppState>,
}

impl Application {
    /// Opens the store, loads the keys and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating {}", settings.data_dir.display()))?;
        let store = store::open(&settings).await?;
        let signing_key = keys::load_or_generate(&settings.signing_key_path())?;
        let tokens = Arc::new(TokenService::new(&signing_key, settings.access_token_ttl)?);
        // A store with data may hold certificates signed with the token key.
        let legacy = (!store.is_empty().await?).then(|| signing_key.verifying_key());
        let certificate_keys =
            CertificateKeys::open(&settings.certificate_key_paths(), legacy.as_ref())?;
        crate::serve::raise_open_file_limit();
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("binding {}", settings.bind))?;
        let address = listener
            .local_addr()
            .context("the listener has no TCP address")?;
        // Made from the token key the first time (as every earlier version
        // did, so pseudonyms already exported stay the same) and kept.
        let pseudonym_key = keys::load_or_keep(
            &settings.pseudonym_key_path(),
            sha2::Sha256::new()
                .chain_update(b"tessera pseudonyms")
                .chain_update(signing_key.to_bytes())
                .finalize()
                .into(),
        )?;
        if !crate::domain::certificate::verifiable_address(&settings.public_url) {
            tracing::warn!(
                public_url = %settings.public_url,
                "certificates cannot be issued until TESSERA_PUBLIC_URL is an https (or local loopback) address"
            );
        }
        let state = Arc::new(AppState {
            certificate_keys,
            pseudonym_key,
            kind_settings: Default::default(),
            accounts: api::auth::AccountCache::new(settings.account_cache_ttl),
            login_limiter: RateLimiter::new(settings.login_attempts, settings.login_window),
            login_client_limiter: RateLimiter::new(
                settings.login_client_failures,
                settings.login_window,
            ),
            register_limiter: RateLimiter::new(
                settings.register_attempts,
                settings.register_window,
            ),
            // Generous: a ward behind one NAT address signs in at shift start.
            sign_on_limiter: RateLimiter::new(600, std::time::Duration::from_secs(300)),
            providers: crate::security::oidc::Providers::new()
                .context("setting up the sign-on HTTP client")?,
            hasher: HashPool::start(settings.hash_threads).context("starting hash threads")?,
            upload_limiter: RateLimiter::new(settings.upload_attempts, settings.upload_window),
            confirmation_limiter: RateLimiter::new(5, std::time::Duration::from_secs(3600)),
            mailer: crate::mail::Mailer::new(settings.smtp.as_ref())
                .context("setting up the SMTP client")?,
            settings,
            store,
            tokens,
        });
        Ok(Self {
            address,
            listener,
            state,
        })
    }

    /// The address actually bound (useful when the port was 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn store(&self) -> Arc<dyn Store> {
        self.state.store.clone()
    }

    /// Serves until the process is told to stop.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let every = self.state.settings.reestimate_every;
        if !every.is_zero() {
            crate::jobs::spawn_reestimation(self.state.store.clone(), every);
        }
        let limits = crate::serve::ConnectionLimits {
            header_time: self.state.settings.header_time,
            max_connections: self.state.settings.max_connections,
        };
        tracing::info!(address = %self.address, "listening");
        crate::serve::serve(self.listener, api::routes(self.state), limits)
            .await
            .context("serving")
    }
}
