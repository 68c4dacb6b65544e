//! Pure domain logic: no I/O, no clocks read, no storage. Everything here is
//! unit-tested next to the code.

pub mod account;
pub mod admission;
pub mod affiliation;
pub mod answering;
pub mod bundle;
pub mod certificate;
pub mod consensus;
pub mod credits;
pub mod disclosure;
pub mod export;
pub mod field_error;
pub mod ingest;
pub mod kinds;
pub mod organisation;
pub mod pace;
pub mod page;
pub mod policy;
pub mod practice;
pub mod project;
pub mod quality;
pub mod reestimate;
pub mod regulator;
pub mod report;
pub mod screening;
pub mod sign_on;
