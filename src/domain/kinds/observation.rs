//! Observation: staff log observations on a form the researcher defines;
//! verification tasks then ask other staff to confirm or reject one.
//!
//! Batch settings: the [`FormDefinition`]. Task content (a verification task):
//! `{observation: {...values...}, media_id?}`. Answer:
//! `{"verdict": "confirm" | "reject", "note"?}`.

mod form;
mod photo;
mod values;

use serde_json::{Value, json};

pub use form::{FieldInput, FormDefinition, FormField};
pub use form::{MAX_FIELD_NAME, MAX_FIELDS, MAX_LABEL, MAX_OPTIONS, MAX_SHORT_TEXT, MAX_UNIT};
pub use photo::{PhotoAttachment, content_with_photo, observation_content, photo_attachment};
pub use values::validate_observation;

use super::json::{compact_object, get, object, opt_text, req_text};
use super::{Answer, FieldError, KindSpec, Question, Vote, schema};

/// Longest media reference, in characters.
pub const MAX_MEDIA_ID: usize = 200;
/// Longest verification note, in characters.
pub const MAX_NOTE: usize = 1_000;
/// The verdicts, in label order of the consensus question.
pub const VERDICTS: &[&str] = &["confirm", "reject"];

impl KindSpec for FormDefinition {
    fn parse_settings(raw: &Value) -> Result<Self, FieldError> {
        FormDefinition::parse(raw)
    }

    fn parse_content(&self, raw: &Value) -> Result<Value, FieldError> {
        let map = object(raw, "", &["observation", "media_id"])?;
        let observation =
            get(map, "observation").ok_or_else(|| FieldError::new("observation", "is required"))?;
        // A task file reports one problem per line, so the first will do.
        let observation = validate_observation(self, observation).map_err(|errors| {
            errors
                .into_iter()
                .next()
                .unwrap_or_else(|| FieldError::new("", "is invalid"))
                .within("observation")
        })?;
        Ok(compact_object([
            ("observation", Some(observation)),
            (
                "media_id",
                opt_text(map, "", "media_id", MAX_MEDIA_ID)?.map(Value::from),
            ),
        ]))
    }

    fn parse_answer(&self, raw: &Value) -> Result<Answer, FieldError> {
        let map = object(raw, "", &["verdict", "note"])?;
        let verdict = req_text(map, "", "verdict", 20)?.to_lowercase();
        let position = VERDICTS
            .iter()
            .position(|known| *known == verdict)
            .ok_or_else(|| {
                FieldError::new(
                    "verdict",
                    format!("must be confirm or reject (got \"{verdict}\")"),
                )
            })?;
        let json = compact_object([
            ("verdict", Some(Value::from(verdict))),
            (
                "note",
                opt_text(map, "", "note", MAX_NOTE)?.map(Value::from),
            ),
        ]);
        let label = u16::try_from(position).ok();
        Ok(Answer::new(json, vec![Vote { question: 0, label }]))
    }

    fn answer_schema(&self) -> Value {
        let options = vec![
            schema::option("confirm", "Confirm"),
            schema::option("reject", "Reject"),
        ];
        json!({
            "kind": "observation",
            "instructions": "Check the observation below. Confirm it if it is correct; reject it if not.",
            "form": self,
            "fields": [
                schema::choice("verdict", "Verdict", options),
                schema::optional_text("note", "Note (optional)", MAX_NOTE),
            ],
        })
    }

    fn questions(&self) -> Vec<Question> {
        vec![Question::new(
            "verdict",
            "Is this observation correct?",
            VERDICTS,
        )]
    }
}

#[cfg(test)]
mod tests;
