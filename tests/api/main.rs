//! Black-box tests: each test starts the real application on port 0 with a
//! fresh data directory and talks to it over HTTP.

mod accounts;
mod admin_cli;
mod authz;
mod badges;
mod batches;
mod bounds;
mod certificate_erasure;
mod certificate_keys;
mod certificates;
mod claims;
mod contract;
mod credits;
mod errors;
mod helpers;
mod listing;
mod observation_credit;
mod observation_form;
mod observation_photo_later;
mod observation_photos;
mod observation_verifiers;
mod observations;
mod openapi;
mod organisations;
mod practice;
mod practice_store;
mod prisma;
mod quality;
mod reverify;
mod ris_export;
mod sessions;
mod sign_on;
mod sign_on_store;
mod tokens;
mod trust;
mod ward;
