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
use crate::domain::practice::UnconfirmedAccounts;
use crate::store::{Account, Answerer, Member, Store, StoreResult};

/// An access token from `POST /v1/auth/login`, sent as `Authorization: Bearer <token>`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_token")]
pub struct Caller(pub Arc<Current>);

/// An account as stored now, with what its organisation's policy for
/// unconfirmed accounts makes of it.
#[derive(Debug)]
pub struct Current {
    pub account: Account,
    /// Handed practice tasks only (`domain::practice`).
    pub practice_only: bool,
}

async fn check_token(req: &Request, bearer: Bearer) -> Option<Arc<Current>> {
    account_for_token(req, &bearer.token).await
}

/// The caller of a request that has not reached its handler yet (a guard
/// that must refuse before the body is read), from its bearer token.
pub async fn current_account(req: &Request) -> Option<Arc<Current>> {
    let header = req.headers().get(poem::http::header::AUTHORIZATION)?;
    let token = header.to_str().ok()?.strip_prefix("Bearer ")?;
    account_for_token(req, token.trim()).await
}

async fn account_for_token(req: &Request, token: &str) -> Option<Arc<Current>> {
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
        self.0.account.id
    }

    pub fn account(&self) -> &Account {
        &self.0.account
    }

    /// Whether the caller may only practise (`domain::practice`).
    pub fn practice_only(&self) -> bool {
        self.0.practice_only
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.0.account.roles.contains(&role)
    }

    /// The caller as claims see them.
    pub fn member(&self) -> Member {
        Member::of(&self.0.account, self.0.practice_only)
    }

    /// The caller as the answer path sees them.
    pub fn answerer(&self) -> Answerer {
        Answerer {
            id: self.0.account.id,
            member: self.member(),
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
/// once here; other replicas see it within the time to live. Organisations'
/// policies for unconfirmed accounts are kept the same way, read only for
/// accounts they apply to, and dropped by [`AccountCache::forget_all`].
pub struct AccountCache {
    ttl: Duration,
    entries: Mutex<HashMap<Uuid, (Instant, Arc<Current>)>>,
    policies: Mutex<HashMap<Uuid, (Instant, Option<UnconfirmedAccounts>)>>,
}

/// Entries kept before the cache starts afresh; bounds its memory.
const MAX_CACHED_ACCOUNTS: usize = 50_000;

/// Organisations' policies kept before that cache starts afresh.
const MAX_CACHED_POLICIES: usize = 10_000;

impl AccountCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
            policies: Mutex::new(HashMap::new()),
        }
    }

    /// The account as stored now (within the time to live); `None` when it
    /// no longer exists.
    pub async fn current(&self, store: &dyn Store, id: Uuid) -> StoreResult<Option<Arc<Current>>> {
        let now = Instant::now();
        if let Some(found) = self.entries.lock().ok().and_then(|entries| {
            entries
                .get(&id)
                .filter(|(read_at, _)| now.duration_since(*read_at) < self.ttl)
                .map(|(_, current)| current.clone())
        }) {
            return Ok(Some(found));
        }
        let Some(account) = store.account(id).await? else {
            self.forget(id);
            return Ok(None);
        };
        let practice_only = self.practice_only(store, &account).await?;
        let current = Arc::new(Current {
            account,
            practice_only,
        });
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_CACHED_ACCOUNTS {
                entries.clear();
            }
            entries.insert(id, (now, current.clone()));
        }
        Ok(Some(current))
    }

    /// Whether the account may only practise: its organisation's policy,
    /// read (or taken from this cache) only when one applies to it.
    pub async fn practice_only(&self, store: &dyn Store, account: &Account) -> StoreResult<bool> {
        let Some(organisation) = account.standing().deciding_organisation() else {
            return Ok(false);
        };
        let now = Instant::now();
        let cached = self.policies.lock().ok().and_then(|policies| {
            policies
                .get(&organisation)
                .filter(|(read_at, _)| now.duration_since(*read_at) < self.ttl)
                .map(|(_, policy)| *policy)
        });
        let policy = match cached {
            Some(policy) => policy,
            None => {
                let policy = store
                    .organisation(organisation)
                    .await?
                    .map(|found| found.unconfirmed_accounts);
                if let Ok(mut policies) = self.policies.lock() {
                    if policies.len() >= MAX_CACHED_POLICIES {
                        policies.clear();
                    }
                    policies.insert(organisation, (now, policy));
                }
                policy
            }
        };
        Ok(account.practice_only(policy))
    }

    /// Drops the cached copy; the next request reads the store.
    pub fn forget(&self, id: Uuid) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&id);
        }
    }

    /// Drops every entry, and every organisation's policy: a change touched
    /// many accounts at once.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
        if let Ok(mut policies) = self.policies.lock() {
            policies.clear();
        }
    }
}
