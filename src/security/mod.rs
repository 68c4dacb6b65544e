//! Keys, tokens, password hashes and rate limits.

pub mod keys;
pub mod passwords;
pub mod ratelimit;
pub mod tokens;
