//! What every handler shares, built once at start-up.

use std::sync::Arc;

use crate::config::Settings;
use crate::security::ratelimit::RateLimiter;
use crate::security::tokens::TokenService;
use crate::store::Store;

pub struct AppState {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub tokens: Arc<TokenService>,
    pub login_limiter: RateLimiter,
}

pub type SharedState = Arc<AppState>;
