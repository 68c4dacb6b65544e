//! Keys, tokens, password hashes and rate limits.

pub mod certificate_keys;
pub mod client_address;
pub mod hash_pool;
pub mod keys;
pub mod oidc;
pub mod passwords;
pub mod ratelimit;
pub mod tokens;
