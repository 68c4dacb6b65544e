//! Credit for logging an observation.
//!
//! The server cannot watch someone observe care, and the time a phone
//! reports is the phone's word, so logging is credited a fixed estimate
//! worked out from what was recorded: [`BASE_SECONDS`] for opening the form
//! and sending it, plus a typical time per filled-in field by its type, plus
//! [`PHOTO_SECONDS`] for a photo, never more than [`MAX_LOGGING_SECONDS`].
//! The same values always earn the same time, whoever sends them and
//! however long they take, and the day's ceiling
//! ([`DAILY_CREDIT_CEILING_SECONDS`]) covers logging and answering together.
//!
//! The estimate is fixed when the observation is stored, from what was sent
//! then: a photo attached afterwards
//! (`PUT /v1/projects/{project_id}/observations/{client_id}/photo`) earns
//! nothing more. Logging credit is one append-only entry per observation,
//! written in the logging transaction, and a top-up would need a second
//! entry counted against a later day's ceiling; a phone that wants the
//! photo's [`PHOTO_SECONDS`] sends the photo with the observation.

use serde_json::Value;

#[cfg(doc)]
use crate::domain::answering::DAILY_CREDIT_CEILING_SECONDS;
use crate::domain::answering::day_headroom;
use crate::domain::kinds::observation::{FieldInput, FormDefinition};

/// Seconds for choosing the form, checking it and sending it.
pub const BASE_SECONDS: u32 = 15;
/// Seconds for taking and attaching a photo.
pub const PHOTO_SECONDS: u32 = 20;
/// The most one observation earns, however long its form.
pub const MAX_LOGGING_SECONDS: u32 = 300;

/// Typical seconds to fill in one field of this type.
fn field_seconds(input: &FieldInput) -> u32 {
    match input {
        FieldInput::YesNo => 3,
        FieldInput::Choice { .. } => 5,
        FieldInput::Time => 6,
        FieldInput::MultiChoice { .. } | FieldInput::Number { .. } => 8,
        FieldInput::ShortText { .. } => 15,
    }
}

/// The estimate for one validated observation (`values` as
/// `validate_observation` returned them: only filled-in fields appear).
pub fn logging_estimate(form: &FormDefinition, values: &Value, with_photo: bool) -> u32 {
    let fields: u32 = form
        .fields
        .iter()
        .filter(|field| values.get(&field.name).is_some())
        .map(|field| field_seconds(&field.input))
        .sum();
    let photo = if with_photo { PHOTO_SECONDS } else { 0 };
    (BASE_SECONDS + fields + photo).min(MAX_LOGGING_SECONDS)
}

/// What logging earns given the seconds already credited today (answers
/// and logging): the estimate, cut to what the day's ceiling leaves.
pub fn logging_credit(estimate_seconds: u32, credited_today_seconds: i64) -> u32 {
    estimate_seconds
        .min(MAX_LOGGING_SECONDS)
        .min(day_headroom(credited_today_seconds))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::answering::DAILY_CREDIT_CEILING_SECONDS;

    fn form() -> FormDefinition {
        FormDefinition::parse(&json!({"fields": [
            {"name": "moment", "label": "Moment", "type": "choice", "required": true,
             "options": ["before", "after"]},
            {"name": "performed", "label": "Performed", "type": "yes_no", "required": true},
            {"name": "seconds", "label": "Seconds", "type": "number"},
            {"name": "note", "label": "Note", "type": "short_text"},
        ]}))
        .expect("valid form")
    }

    #[test]
    fn the_estimate_counts_the_filled_in_fields_and_the_photo() {
        let values = json!({"moment": "before", "performed": true, "seconds": 20});
        assert_eq!(logging_estimate(&form(), &values, false), 15 + 5 + 3 + 8);
        assert_eq!(
            logging_estimate(&form(), &values, true),
            15 + 5 + 3 + 8 + 20
        );
        let fewer = json!({"moment": "before", "performed": true});
        assert_eq!(logging_estimate(&form(), &fewer, false), 15 + 5 + 3);
    }

    #[test]
    fn a_long_form_earns_at_most_five_minutes() {
        let fields: Vec<Value> = (0..40)
            .map(|i| json!({"name": format!("f{i}"), "label": "x", "type": "short_text"}))
            .collect();
        let form = FormDefinition::parse(&json!({ "fields": fields })).expect("valid");
        let values: serde_json::Map<String, Value> =
            (0..40).map(|i| (format!("f{i}"), json!("seen"))).collect();
        assert_eq!(
            logging_estimate(&form, &Value::Object(values), true),
            MAX_LOGGING_SECONDS
        );
    }

    #[test]
    fn logging_never_passes_the_days_ceiling() {
        let ceiling = i64::from(DAILY_CREDIT_CEILING_SECONDS);
        assert_eq!(logging_credit(31, 0), 31);
        assert_eq!(logging_credit(31, ceiling - 10), 10);
        assert_eq!(logging_credit(31, ceiling), 0);
        assert_eq!(logging_credit(31, ceiling + 500), 0);
    }
}
