//! Who is calling. Holding a `Caller` proves the request carried a genuine,
//! unexpired access token *and* that its account exists now: roles,
//! organisation and staff group come from the stored account, never from
//! the token, so a deleted account or a removed role stops working at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::Request;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::Bearer;
use uuid::Uuid;

use super::error::ApiError;
use super::state::SharedState;
use crate::domain::account::Role;
use crate::store::{Account, Answerer, Store, StoreResult};

/// An access token from `POST /v1/auth/login`, sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_token")]
pub struct Caller(pub Arc<Account>);

async fn check_token(req: &Request, bearer: Bearer) -> Option<Arc<Account>> {
    account_for_token(req, &bearer.token).await
}

/// The caller of a request that has not reached its handler yet (a guard
/// that must refuse before the body is read), from its bearer token.
pub async fn current_account(req: &Request) -> Option<Arc<Account>> {
    let header = req.headers().get(poem::http::header::AUTHORIZATION)?;
    let token = header.to_str().ok()?.strip_prefix("Bearer ")?;
    account_for_token(req, token.trim()).await
}

async fn account_for_token(req: &Request, token: &str) -> Option<Arc<Account>> {
    let state = req.data::<SharedState>()?;
    let claims = state.tokens.verify(token)?;
    match state
        .accounts
        .current(state.store.as_ref(), claims.sub)
        .await
    {
        Ok(account) => account,
        Err(err) => {
            // Refusing is the safe side; the store being down shows on /readyz.
            tracing::error!(error = %err, "reading the caller's account failed");
            None
        }
    }
}

impl Caller {
    pub fn account_id(&self) -> Uuid {
        self.0.id
    }

    pub fn account(&self) -> &Account {
        &self.0
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.0.roles.contains(&role)
    }

    /// The caller as the answer path sees them.
    pub fn answerer(&self) -> Answerer {
        Answerer {
            id: self.0.id,
            member: crate::store::Member::of(&self.0),
        }
    }

    /// Forbids the call unless the caller holds `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.has_role(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "This needs the {} role.",
                role.as_str()
            )))
        }
    }
}

/// Accounts as stored, kept for a short time so the hot endpoints do not
/// read the account on every request. Every change made through this
/// process (roles, erasure) calls [`AccountCache::forget`], so it applies at
/// once here; other replicas see it within the time to live.
pub struct AccountCache {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, (Instant, Arc<Account>)>>,
}

/// Entries kept before the cache starts afresh; bounds its memory.
const MAX_CACHED_ACCOUNTS: usize = 50_000;

impl AccountCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The account as stored now (within the time to live); `None` when it
    /// no longer exists.
    pub async fn current(&self, store: &dyn Store, id: Uuid) -> StoreResult<Option<Arc<Account>>> {
        let now = Instant::now();
        if let Some(found) = self.entries.lock().ok().and_then(|entries| {
            entries
                .get(&id)
                .filter(|(read_at, _)| now.duration_since(*read_at) < self.ttl)
                .map(|(_, account)| account.clone())
        }) {
            return Ok(Some(found));
        }
        let Some(account) = store.account(id).await?.map(Arc::new) else {
            self.forget(id);
            return Ok(None);
        };
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED_ACCOUNTS {
                entries.clear();
            }
            entries.insert(id, (now, account.clone()));
        }
        Ok(Some(account))
    }

    /// Drops the cached copy; the next request reads the store.
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }

    /// Drops every entry: a change touched many accounts at once.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
