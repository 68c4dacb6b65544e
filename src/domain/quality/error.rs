//! Errors raised when the engine is handed inputs it cannot interpret.

use std::fmt;

/// Why a model input was rejected.
///
/// These are caller bugs or corrupt stored state (a label outside the
/// project's class list, a confusion matrix of the wrong size), so they are
/// reported rather than silently skipped: skipping would quietly bias the
/// consensus.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelError {
    /// A question needs at least two possible answers to be aggregated.
    TooFewClasses {
        /// The number of classes that was asked for.
        classes: usize,
    },
    /// An answer or gold label is not one of `0..classes`.
    LabelOutOfRange {
        /// The offending label.
        label: u16,
        /// The number of classes of the question.
        classes: usize,
    },
    /// A class prior or confusion matrix does not match the class count.
    DimensionMismatch {
        /// The size required by the other inputs.
        expected: usize,
        /// The size that was supplied.
        found: usize,
    },
    /// Probabilities must be finite, non-negative and not all zero.
    InvalidProbabilities,
    /// The same task was given two different gold labels.
    ConflictingGold {
        /// The task whose gold labels disagree.
        task: u32,
    },
    /// A numeric option is outside its meaningful range.
    InvalidOption {
        /// Which option, and what range it needs.
        what: &'static str,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooFewClasses { classes } => {
                write!(f, "need at least 2 classes, got {classes}")
            }
            Self::LabelOutOfRange { label, classes } => {
                write!(f, "label {label} is outside 0..{classes}")
            }
            Self::DimensionMismatch { expected, found } => {
                write!(f, "expected {expected} values, found {found}")
            }
            Self::InvalidProbabilities => {
                write!(
                    f,
                    "probabilities must be finite, non-negative and not all zero"
                )
            }
            Self::ConflictingGold { task } => {
                write!(f, "task {task} has two different gold labels")
            }
            Self::InvalidOption { what } => write!(f, "invalid option: {what}"),
        }
    }
}

impl std::error::Error for ModelError {}
