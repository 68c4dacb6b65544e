use serde_json::{Value, json};

use super::{FieldInput, FormDefinition, validate_observation};
use crate::domain::kinds::{FieldError, KindSettings, TaskKind, Vote};

fn form_json() -> Value {
    json!({"fields": [
        {"name": "position", "label": "Patient position", "type": "choice", "required": true,
         "options": ["Lying", "Sitting", "Standing"]},
        {"name": "symptoms", "label": "Symptoms", "type": "multi_choice",
         "options": ["Cough", "Fever", "Pain"]},
        {"name": "temperature", "label": "Temperature", "type": "number", "required": true,
         "min": 30, "max": 45, "unit": "°C"},
        {"name": "on_oxygen", "label": "On oxygen?", "type": "yes_no"},
        {"name": "comment", "label": "Comment", "type": "short_text", "max_length": 20},
        {"name": "taken_at", "label": "Time taken", "type": "time"},
    ]})
}

fn form() -> FormDefinition {
    FormDefinition::parse(&form_json()).expect("valid form")
}

fn settings() -> KindSettings {
    KindSettings::parse(TaskKind::Observation, &form_json()).expect("valid form")
}

fn error(result: Result<impl std::fmt::Debug, FieldError>) -> FieldError {
    result.expect_err("should be rejected")
}

#[test]
fn forms_parse_every_field_type() {
    let form = form();
    assert_eq!(form.fields.len(), 6);
    assert_eq!(
        form.fields[2].input,
        FieldInput::Number {
            min: Some(30.0),
            max: Some(45.0),
            unit: Some("°C".into())
        }
    );
    assert_eq!(
        form.fields[4].input,
        FieldInput::ShortText { max_length: 20 }
    );
    assert!(form.fields[0].required);
    assert!(!form.fields[3].required);
}

#[test]
fn form_mistakes_name_the_field_definition() {
    let parse = |fields: Value| FormDefinition::parse(&json!({ "fields": fields }));
    let cases = [
        (
            json!([{"name": "Bad Name", "label": "x", "type": "yes_no"}]),
            "fields[0].name",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "slider"}]),
            "fields[0].type",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "choice"}]),
            "fields[0].options",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "choice", "options": ["Yes", "yes"]}]),
            "fields[0].options[1]",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "number", "min": 5, "max": 1}]),
            "fields[0].max",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "short_text", "max_length": 501}]),
            "fields[0].max_length",
        ),
        (
            json!([{"name": "a", "label": "x", "type": "yes_no", "options": ["y", "n"]}]),
            "fields[0].options",
        ),
        (json!([{"name": "a", "type": "time"}]), "fields[0].label"),
        (
            json!([{"name": "a", "label": "x", "type": "time"}, {"name": "a", "label": "y", "type": "time"}]),
            "fields[1].name",
        ),
        (json!([]), "fields"),
    ];
    for (fields, field) in cases {
        assert_eq!(error(parse(fields.clone())).field, field, "{fields}");
    }
}

#[test]
fn short_text_max_length_defaults_to_five_hundred() {
    let form = FormDefinition::parse(
        &json!({"fields": [{"name": "note", "label": "Note", "type": "short_text"}]}),
    )
    .expect("valid");
    assert_eq!(
        form.fields[0].input,
        FieldInput::ShortText { max_length: 500 }
    );
}

#[test]
fn valid_observations_come_back_normalised() {
    let observation = validate_observation(
        &form(),
        &json!({
            "position": "sitting",
            "symptoms": ["Pain", "cough"],
            "temperature": 37.8,
            "on_oxygen": false,
            "comment": "  alert  ",
            "taken_at": "07:45",
        }),
    )
    .expect("valid");
    assert_eq!(
        observation,
        json!({
            "position": "Sitting",
            "symptoms": ["Cough", "Pain"],
            "temperature": 37.8,
            "on_oxygen": false,
            "comment": "alert",
            "taken_at": "07:45",
        })
    );
    let minimal = validate_observation(
        &form(),
        &json!({"position": "Lying", "temperature": 36, "comment": null}),
    );
    assert_eq!(
        minimal.expect("valid"),
        json!({"position": "Lying", "temperature": 36})
    );
}

#[test]
fn invalid_observations_name_the_form_field() {
    let check = |raw: Value| {
        let errors = validate_observation(&form(), &raw).expect_err("should be rejected");
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].clone()
    };
    let base = |extra: Value| {
        let mut value = json!({"position": "Lying", "temperature": 37});
        if let (Some(map), Some(extra)) = (value.as_object_mut(), extra.as_object()) {
            map.extend(extra.clone());
        }
        value
    };
    assert_eq!(
        check(json!({"temperature": 37})),
        FieldError::new("position", "is required")
    );
    assert_eq!(
        check(base(json!({"temperature": 50}))),
        FieldError::new("temperature", "must be at most 45 °C")
    );
    assert_eq!(
        check(base(json!({"temperature": "37"}))).field,
        "temperature"
    );
    assert_eq!(
        check(base(json!({"position": "Kneeling"}))).message,
        "\"Kneeling\" is not one of: Lying, Sitting, Standing"
    );
    assert_eq!(
        check(base(json!({"symptoms": ["Fever", "fever"]}))).field,
        "symptoms[1]"
    );
    assert_eq!(check(base(json!({"on_oxygen": "yes"}))).field, "on_oxygen");
    assert_eq!(
        check(base(json!({"comment": "x".repeat(21)}))).field,
        "comment"
    );
    assert_eq!(check(base(json!({"taken_at": "24:00"}))).field, "taken_at");
    assert_eq!(check(base(json!({"taken_at": "7:45"}))).field, "taken_at");
    assert_eq!(
        check(base(json!({"pulse": 80}))),
        FieldError::new("pulse", "is not a field of this form")
    );
}

#[test]
fn every_invalid_value_is_reported_at_once_in_form_order() {
    let errors = validate_observation(
        &form(),
        &json!({"pulse": 80, "temperature": 50, "on_oxygen": "yes", "taken_at": "7:45"}),
    )
    .expect_err("should be rejected");
    let fields: Vec<&str> = errors.iter().map(|error| error.field.as_str()).collect();
    assert_eq!(
        fields,
        ["position", "temperature", "on_oxygen", "taken_at", "pulse"]
    );
    assert_eq!(errors[0].message, "is required");
    assert_eq!(errors[1].message, "must be at most 45 °C");
}

#[test]
fn verification_content_wraps_a_valid_observation() {
    let s = settings();
    let content = s
        .parse_content(&json!({"observation": {"position": "lying", "temperature": 36.5}, "media_id": " m-17 "}))
        .expect("valid");
    assert_eq!(
        content,
        json!({"observation": {"position": "Lying", "temperature": 36.5}, "media_id": "m-17"})
    );
    let bad = s.parse_content(&json!({"observation": {"position": "Lying", "temperature": 12}}));
    assert_eq!(error(bad).field, "observation.temperature");
    assert_eq!(
        error(s.parse_content(&json!({"media_id": "m"}))).field,
        "observation"
    );
}

#[test]
fn verdicts_vote_confirm_or_reject_and_ignore_notes_when_compared() {
    let s = settings();
    let confirm = s
        .parse_answer(&json!({"verdict": "confirm", "note": "matches chart"}))
        .expect("valid");
    assert_eq!(
        confirm.to_json(),
        json!({"verdict": "confirm", "note": "matches chart"})
    );
    assert_eq!(
        confirm.votes(),
        &[Vote {
            question: 0,
            label: Some(0)
        }]
    );
    let reject = s
        .parse_answer(&json!({"verdict": "REJECT"}))
        .expect("valid");
    assert_eq!(
        reject.votes(),
        &[Vote {
            question: 0,
            label: Some(1)
        }]
    );
    assert!(
        confirm.same_as(
            &s.parse_answer(&json!({"verdict": "confirm"}))
                .expect("valid")
        )
    );
    assert!(!confirm.same_as(&reject));
    assert_eq!(
        error(s.parse_answer(&json!({"verdict": "maybe"}))).field,
        "verdict"
    );
    assert_eq!(
        error(s.parse_answer(&json!({"verdict": "confirm", "note": "n".repeat(1_001)}))).field,
        "note"
    );
}

#[test]
fn questions_and_schema_carry_the_form_for_offline_rendering() {
    let s = settings();
    assert_eq!(s.questions()[0].labels, ["confirm", "reject"]);
    let schema = s.answer_schema();
    assert_eq!(schema["form"]["fields"][2]["type"], "number");
    assert_eq!(schema["form"]["fields"][2]["unit"], "°C");
    assert_eq!(
        schema["form"]["fields"][3],
        json!({"name": "on_oxygen", "label": "On oxygen?", "required": false, "type": "yes_no"})
    );
    assert_eq!(schema["fields"][0]["name"], "verdict");
}

#[test]
fn form_settings_round_trip_through_serde() {
    let s = settings();
    let stored = serde_json::to_value(&s).expect("serialises");
    assert_eq!(stored["kind"], "observation");
    assert_eq!(
        serde_json::from_value::<KindSettings>(stored).expect("valid"),
        s
    );
}
