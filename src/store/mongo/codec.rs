//! Conversions between domain values and BSON.
//!
//! `uuid::Uuid` and `chrono` values are never put into documents directly:
//! their serde forms differ between the driver's raw serialiser (bytes) and
//! `bson::to_bson` (strings), so a filter built one way would miss documents
//! written the other. BSON's own `Uuid` and `DateTime` are the same both ways.

use chrono::{DateTime, Utc};
use mongodb::bson::{self, Bson};
use serde::Serialize;

use super::documents::OutcomeDoc;
use crate::store::{AnswerOutcome, StoreError};

/// A domain id as a BSON UUID (binary subtype 4).
pub fn id(value: uuid::Uuid) -> bson::Uuid {
    bson::Uuid::from_bytes(value.into_bytes())
}

/// A BSON UUID back as a domain id.
pub fn uuid(value: bson::Uuid) -> uuid::Uuid {
    uuid::Uuid::from_bytes(value.bytes())
}

/// A time as a BSON date (millisecond precision, as SQLite stores it).
pub fn at(time: DateTime<Utc>) -> bson::DateTime {
    bson::DateTime::from_millis(time.timestamp_millis())
}

/// A BSON date back as a time.
pub fn time(value: bson::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(value.timestamp_millis()).unwrap_or_default()
}

/// Converts a serialisable value for an update or a filter.
pub fn to_bson<T: Serialize>(value: &T) -> Result<Bson, StoreError> {
    bson::to_bson(value).map_err(|err| StoreError::Backend(err.into()))
}

impl OutcomeDoc {
    /// Stores an outcome so a retried submission gets it back unchanged.
    pub fn from_outcome(outcome: &AnswerOutcome) -> Self {
        Self {
            client_id: id(outcome.client_id),
            task_id: id(outcome.task_id),
            status: outcome.status,
            credited_seconds: i64::from(outcome.credited_seconds),
            counts_towards_consensus: outcome.counts_towards_consensus,
            feedback: outcome.feedback.clone(),
            practice: outcome.practice,
        }
    }

    /// The outcome as first returned.
    pub fn into_outcome(self) -> AnswerOutcome {
        AnswerOutcome {
            client_id: uuid(self.client_id),
            task_id: uuid(self.task_id),
            status: self.status,
            credited_seconds: u32::try_from(self.credited_seconds.max(0)).unwrap_or(u32::MAX),
            counts_towards_consensus: self.counts_towards_consensus,
            feedback: self.feedback,
            practice: self.practice,
        }
    }
}
