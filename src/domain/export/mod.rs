//! What a results export says of a task beyond its raw answers: the final
//! decision, and the formats that carry it back to the researcher's tools.

pub mod content;
pub mod decision;
pub mod plain;
pub mod prisma;
pub mod ris;

pub use decision::{Basis, Decision, FinalDecision, screening_decision};
