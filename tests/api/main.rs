//! Black-box tests: each test starts the real application on port 0 with a
//! fresh data directory and talks to it over HTTP.

mod accounts;
mod batches;
mod claims;
mod contract;
mod errors;
mod helpers;
mod openapi;
mod quality;
mod sessions;
mod tokens;
