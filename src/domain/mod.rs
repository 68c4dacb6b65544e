//! Pure domain logic: no I/O, no clocks read, no storage. Everything here is
//! unit-tested next to the code.

pub mod account;
pub mod certificate;
pub mod consensus;
pub mod field_error;
pub mod ingest;
pub mod kinds;
pub mod pace;
pub mod policy;
pub mod project;
pub mod quality;
