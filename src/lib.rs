//! Tessera: micro-tasks for NHS staff, consensus by redundancy, and signed
//! contribution certificates. `main.rs` wires the CLI to what lives here.

pub mod admin_cli;
pub mod api;
pub mod config;
pub mod console;
pub mod demo;
pub mod domain;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod security;
pub mod serve;
pub mod simulate_cli;
pub mod startup;
pub mod store;
pub mod telemetry;
