//! Tessera's quality engine: turns redundant volunteer answers into a
//! consensus label with a confidence, decides when a task has enough
//! answers, and measures how much volunteers agree.
//!
//! Pure domain code: no I/O except the offline CSV tool in [`offline`], no
//! global state, deterministic for a given input and seed. Two paths share
//! one model:
//! - batch: [`dawid_skene::fit`] re-estimates every worker's confusion matrix
//!   and every task's posterior from all stored answers;
//! - per answer: [`incremental::TaskPosterior`] updates one task from the
//!   latest confusion matrices, and [`decision::decide`] says whether to
//!   settle, keep asking or escalate.
//!
//! Only `super::`/`self::` paths are used inside, so the folder can be moved
//! to another place in a crate unchanged.

pub mod agreement;
pub mod confusion;
mod csv_input;
pub mod dawid_skene;
pub mod decision;
mod e_step;
mod em;
pub mod error;
mod hyper;
pub mod incremental;
mod layout;
pub mod multi_code;
pub mod offline;
pub mod priors;
pub mod replay;
pub mod report;
pub mod synthetic;

#[cfg(test)]
mod dawid_skene_tests;

pub use self::confusion::{ConfusionMatrix, worker_weight};
pub use self::dawid_skene::{FitOptions, FittedModel, Observation, fit, refit};
pub use self::decision::{Decision, Qualification, QualificationRule, decide, qualification};
pub use self::error::ModelError;
pub use self::incremental::{TaskPosterior, task_posterior};
pub use self::priors::{Priors, Strength};
