//! Turning one raw record, whatever its format, into a validated
//! [`UploadRecord`]: id, content and gold answer.

use serde_json::Value;

use super::{Gold, MAX_EXPLANATION, MAX_EXTERNAL_ID, RecordError, UploadRecord};
use crate::domain::kinds::json::text_at;
use crate::domain::kinds::{FieldError, KindSettings};

/// Field names shared by every kind and format.
pub(crate) const ID: &str = "id";
pub(crate) const GOLD_ANSWER: &str = "gold_answer";
pub(crate) const GOLD_EXPLANATION: &str = "gold_explanation";

/// Where a gold answer came from, which decides how its errors are named.
#[derive(Clone, Copy)]
pub(crate) enum GoldSource {
    /// A JSON object under `gold_answer`: errors name the inner path,
    /// e.g. `gold_answer.decision`.
    Nested,
    /// A spreadsheet column such as `gold_codes`: errors name the column.
    Column(&'static str),
}

/// A record as read from the file, before validation.
pub(crate) struct Draft {
    pub(crate) line: u64,
    pub(crate) external_id: Option<Value>,
    pub(crate) content: Value,
    pub(crate) gold_answer: Option<Value>,
    pub(crate) gold_explanation: Option<Value>,
}

impl Draft {
    /// Splits a JSON upload object into the shared fields and the content.
    pub(crate) fn from_json(line: u64, value: Value) -> Result<Self, RecordError> {
        let Value::Object(mut map) = value else {
            return Err(RecordError::new(
                line,
                "",
                "each record must be a JSON object",
            ));
        };
        Ok(Self {
            line,
            external_id: map.remove(ID),
            gold_answer: map.remove(GOLD_ANSWER),
            gold_explanation: map.remove(GOLD_EXPLANATION),
            content: Value::Object(map),
        })
    }

    /// Validates the draft against the batch settings.
    pub(crate) fn finish(
        self,
        settings: &KindSettings,
        gold_source: GoldSource,
    ) -> Result<UploadRecord, RecordError> {
        let line = self.line;
        let at_line = |error: FieldError| RecordError::new(line, error.field, error.message);
        let external_id = match &self.external_id {
            Some(Value::Number(number)) => Some(number.to_string()),
            Some(value) => text_at(value, ID, MAX_EXTERNAL_ID).map_err(at_line)?,
            None => None,
        };
        let content = settings.parse_content(&self.content).map_err(at_line)?;
        let gold = gold(
            settings,
            self.gold_answer,
            self.gold_explanation,
            gold_source,
        )
        .map_err(at_line)?;
        Ok(UploadRecord {
            line,
            external_id,
            content,
            gold,
        })
    }
}

fn gold(
    settings: &KindSettings,
    answer: Option<Value>,
    explanation: Option<Value>,
    source: GoldSource,
) -> Result<Option<Gold>, FieldError> {
    let answer = answer.filter(|value| !value.is_null());
    let explanation = match explanation {
        Some(value) => text_at(&value, GOLD_EXPLANATION, MAX_EXPLANATION)?,
        None => None,
    };
    let answer_field = match source {
        GoldSource::Nested => GOLD_ANSWER,
        GoldSource::Column(column) => column,
    };
    let Some(answer) = answer else {
        return match explanation {
            Some(_) => Err(FieldError::new(
                GOLD_EXPLANATION,
                format!("is given but {answer_field} is empty"),
            )),
            None => Ok(None),
        };
    };
    let parsed = settings
        .parse_answer(&answer)
        .map_err(|error| match source {
            GoldSource::Nested => error.within(GOLD_ANSWER),
            GoldSource::Column(column) => FieldError::new(column, error.message),
        })?;
    if !parsed.is_decisive() {
        return Err(FieldError::new(
            answer_field,
            "must be a definite answer; a gold answer cannot be unsure",
        ));
    }
    let explanation = explanation.ok_or_else(|| {
        FieldError::new(
            GOLD_EXPLANATION,
            "is required for gold tasks: contributors see it after answering",
        )
    })?;
    Ok(Some(Gold {
        answer: parsed.to_json(),
        explanation,
    }))
}
