use serde_json::{Value, json};

use crate::domain::kinds::{FieldError, KindSettings, TaskKind, Vote};

fn codebook(multiple: bool) -> Value {
    json!({
        "codes": [
            {"code": "PAIN", "description": "Mentions pain"},
            {"code": "SLEEP", "description": "Mentions sleep"},
            {"code": "MOOD", "description": "Mentions mood"},
        ],
        "multiple": multiple,
    })
}

fn settings(multiple: bool) -> KindSettings {
    KindSettings::parse(TaskKind::Coding, &codebook(multiple)).expect("valid codebook")
}

fn error(result: Result<impl std::fmt::Debug, FieldError>) -> FieldError {
    result.expect_err("should be rejected")
}

#[test]
fn codebooks_need_two_to_fifty_unique_codes() {
    let parse = |raw| KindSettings::parse(TaskKind::Coding, &raw);
    let one = parse(json!({"codes": [{"code": "A", "description": "a"}]}));
    assert_eq!(
        error(one),
        FieldError::new(
            "codes",
            "must have between 2 and 50 entries (this one has 1)"
        )
    );
    let repeated = parse(json!({"codes": [
        {"code": "A", "description": "a"},
        {"code": "B", "description": "b"},
        {"code": "a", "description": "again"},
    ]}));
    assert_eq!(error(repeated).field, "codes[2].code");
    let semicolon = parse(json!({"codes": [
        {"code": "A;B", "description": "a"},
        {"code": "C", "description": "c"},
    ]}));
    assert_eq!(error(semicolon).field, "codes[0].code");
    let no_description =
        parse(json!({"codes": [{"code": "A"}, {"code": "B", "description": "b"}]}));
    assert_eq!(error(no_description).field, "codes[0].description");
    let many: Vec<Value> = (0..51)
        .map(|n| json!({"code": format!("C{n}"), "description": "d"}))
        .collect();
    assert_eq!(error(parse(json!({"codes": many}))).field, "codes");
}

#[test]
fn multiple_defaults_to_single_choice() {
    let KindSettings::Coding(book) = KindSettings::parse(
        TaskKind::Coding,
        &json!({"codes": [{"code": "A", "description": "a"}, {"code": "B", "description": "b"}]}),
    )
    .expect("valid") else {
        panic!("wrong kind");
    };
    assert!(!book.multiple);
    assert_eq!(book.codes[1].code, "B");
}

#[test]
fn content_requires_text_of_at_most_twenty_thousand_characters() {
    let s = settings(false);
    let content = s
        .parse_content(
            &json!({"text": " I can't sleep for the pain. ", "context": "Ward 4 interview"}),
        )
        .expect("valid");
    assert_eq!(
        content,
        json!({"text": "I can't sleep for the pain.", "context": "Ward 4 interview"})
    );
    assert_eq!(
        error(s.parse_content(&json!({"context": "x"}))),
        FieldError::new("text", "is required")
    );
    let long = s.parse_content(&json!({"text": "x".repeat(20_001)}));
    assert_eq!(
        error(long).message,
        "must be at most 20000 characters (this one has 20001)"
    );
    assert!(
        s.parse_content(&json!({"text": "x".repeat(20_000)}))
            .is_ok()
    );
}

#[test]
fn single_choice_answers_need_exactly_one_known_code() {
    let s = settings(false);
    let answer = s.parse_answer(&json!({"codes": ["sleep"]})).expect("valid");
    assert_eq!(answer.to_json(), json!({"codes": ["SLEEP"]}));
    assert_eq!(
        answer.votes(),
        &[Vote {
            question: 0,
            label: Some(1)
        }]
    );
    assert_eq!(
        error(s.parse_answer(&json!({"codes": ["PAIN", "MOOD"]}))),
        FieldError::new("codes", "must contain exactly one code")
    );
    assert_eq!(error(s.parse_answer(&json!({"codes": []}))).field, "codes");
    assert_eq!(
        error(s.parse_answer(&json!({"codes": "PAIN"}))).field,
        "codes"
    );
}

#[test]
fn unknown_and_repeated_codes_name_their_position() {
    let s = settings(true);
    let unknown = error(s.parse_answer(&json!({"codes": ["PAIN", "HUNGER"]})));
    assert_eq!(unknown.field, "codes[1]");
    assert_eq!(
        unknown.message,
        "\"HUNGER\" is not in the codebook (PAIN, SLEEP, MOOD)"
    );
    assert_eq!(unknown.within("answer").field, "answer.codes[1]");
    let repeated = error(s.parse_answer(&json!({"codes": ["MOOD", "PAIN", "mood"]})));
    assert_eq!(repeated.field, "codes[2]");
    assert_eq!(
        error(s.parse_answer(&json!({"codes": ["PAIN", ""]}))).field,
        "codes[1]"
    );
}

#[test]
fn multiple_choice_answers_vote_yes_or_no_on_every_code() {
    let s = settings(true);
    let answer = s
        .parse_answer(&json!({"codes": ["MOOD", "PAIN"]}))
        .expect("valid");
    assert_eq!(answer.to_json(), json!({"codes": ["PAIN", "MOOD"]}));
    assert_eq!(
        answer.votes(),
        &[
            Vote {
                question: 0,
                label: Some(1)
            },
            Vote {
                question: 1,
                label: Some(0)
            },
            Vote {
                question: 2,
                label: Some(1)
            },
        ]
    );
    assert!(answer.is_decisive());
}

#[test]
fn same_as_ignores_order_but_not_membership() {
    let s = settings(true);
    let answer = |raw| s.parse_answer(&raw).expect("valid");
    let a = answer(json!({"codes": ["PAIN", "MOOD"]}));
    assert!(a.same_as(&answer(json!({"codes": ["mood", "pain"]}))));
    assert!(!a.same_as(&answer(json!({"codes": ["PAIN"]}))));
}

#[test]
fn questions_are_one_per_batch_or_one_per_code() {
    let single = settings(false).questions();
    assert_eq!(single.len(), 1);
    assert_eq!(single[0].labels, ["PAIN", "SLEEP", "MOOD"]);
    let multiple = settings(true).questions();
    assert_eq!(multiple.len(), 3);
    assert_eq!(multiple[1].key, "code:SLEEP");
    assert_eq!(
        multiple[1].prompt,
        "Does code SLEEP (Mentions sleep) apply?"
    );
    assert_eq!(multiple[1].labels, ["no", "yes"]);
}

#[test]
fn answer_schema_lists_codes_with_descriptions_and_selection_limits() {
    let schema = settings(false).answer_schema();
    let field = &schema["fields"][0];
    assert_eq!(field["name"], "codes");
    assert_eq!(field["type"], "multi_choice");
    assert_eq!(field["max_selected"], 1);
    assert_eq!(
        field["options"][0],
        json!({"value": "PAIN", "label": "PAIN", "description": "Mentions pain"})
    );
    assert_eq!(
        settings(true).answer_schema()["fields"][0]["max_selected"],
        3
    );
}

#[test]
fn codebook_round_trips_through_serde() {
    let s = settings(true);
    let stored = serde_json::to_value(&s).expect("serialises");
    assert_eq!(stored["kind"], "coding");
    assert_eq!(stored["settings"], codebook(true));
    assert_eq!(
        serde_json::from_value::<KindSettings>(stored).expect("valid"),
        s
    );
}
