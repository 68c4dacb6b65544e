//! Screening that saves staff time: a relevance model trained on a batch's
//! settled records orders what is handed out next, the model and the crowd
//! together decide how many answers a record needs, and a stopping rule
//! says, with a stated confidence, when recall has reached the target.
//!
//! Everything here is pure. `tessera simulate screening` ([`replay`]) runs
//! exactly this code; the stores and the re-estimation job do not call it
//! yet (a stored per-task priority that claims read is the next step).

pub mod model;
pub mod order;
pub mod random;
pub mod redundancy;
pub mod replay;
pub mod stopping;
pub mod text;
pub mod tfidf;

pub use model::{Example, RelevanceModel, TrainingOptions};
pub use order::{OrderPolicy, OrderState, Phase, PickKind};
pub use redundancy::{RecordVerdict, RedundancyRule};
pub use stopping::{RandomDraw, RecallTest, Sample, StoppingRule};
pub use tfidf::{Features, RecordText, SparseVector, tfidf};
