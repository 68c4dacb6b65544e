use serde_json::json;

use crate::domain::ingest::tests::{coding, errors, observation, read, records, screening};
use crate::domain::ingest::{Gold, MAX_RECORD_BYTES, UploadFormat};

const JSON: UploadFormat = UploadFormat::Json;

#[test]
fn json_lines_records_carry_their_physical_line_and_skip_blank_lines() {
    let input = concat!(
        r#"{"title": " First ", "year": 2019, "id": "rec-1"}"#,
        "\n",
        r#"{"title": "Second", "doi": "doi:10.1/ABC", "id": 42}"#,
        "\n",
        "\n",
        "   \r\n",
        r#"{"title": "Third", "authors": ["Ng, K", "Diaz, M"]}"#,
        "\n",
    );
    let items = read(JSON, &screening(), input.as_bytes());
    let found = records(&items);
    assert_eq!(
        found.iter().map(|record| record.line).collect::<Vec<_>>(),
        [1, 2, 5]
    );
    assert_eq!(found[0].content, json!({"title": "First", "year": 2019}));
    assert_eq!(found[0].external_id.as_deref(), Some("rec-1"));
    assert_eq!(found[1].external_id.as_deref(), Some("42"));
    assert_eq!(found[1].content["doi"], "10.1/abc");
    assert_eq!(found[2].content["authors"], json!(["Ng, K", "Diaz, M"]));
    assert!(errors(&items).is_empty());
}

#[test]
fn bad_json_on_line_three_is_reported_and_the_following_lines_are_still_read() {
    let input = concat!(
        r#"{"title": "One"}"#,
        "\n",
        r#"{"title": "Two"}"#,
        "\n",
        r#"{"title": "Three",}"#,
        "\n",
        r#"{"title": "Four"}"#,
        "\n",
    );
    let items = read(JSON, &screening(), input.as_bytes());
    assert_eq!(items.len(), 4);
    let error = items[2].as_ref().expect_err("line 3 is broken");
    assert_eq!((error.line, error.field.as_str()), (3, ""));
    assert_eq!(
        error.message,
        "is not valid JSON: trailing comma (column 19)"
    );
    assert_eq!(items[3].as_ref().map(|record| record.line), Ok(4));
}

#[test]
fn content_errors_name_the_field_and_line() {
    let input = concat!(
        r#"{"abstract": "no title here"}"#,
        "\n",
        r#"{"title": "t", "year": "20x9"}"#,
        "\n",
        r#"{"title": "t", "keywords": "x"}"#,
        "\n",
        r#"["not", "an", "object"]"#,
        "\n",
    );
    let items = read(JSON, &screening(), input.as_bytes());
    assert_eq!(
        errors(&items),
        [
            (1, "title".into()),
            (2, "year".into()),
            (3, "keywords".into()),
            (4, String::new())
        ]
    );
}

#[test]
fn gold_answers_are_validated_and_must_be_decisive_with_an_explanation() {
    let input = concat!(
        r#"{"title": "A", "gold_answer": {"decision": "include"}, "gold_explanation": "Adult RCT."}"#,
        "\n",
        r#"{"title": "B", "gold_answer": {"decision": "maybe"}, "gold_explanation": "x"}"#,
        "\n",
        r#"{"title": "C", "gold_answer": {"decision": "unsure"}, "gold_explanation": "x"}"#,
        "\n",
        r#"{"title": "D", "gold_answer": {"decision": "exclude"}}"#,
        "\n",
        r#"{"title": "E", "gold_explanation": "orphan"}"#,
        "\n",
    );
    let items = read(JSON, &screening(), input.as_bytes());
    let gold = items[0].as_ref().map(|record| record.gold.clone());
    assert_eq!(
        gold,
        Ok(Some(Gold {
            answer: json!({"decision": "include"}),
            explanation: "Adult RCT.".into()
        }))
    );
    assert_eq!(
        errors(&items),
        [
            (2, "gold_answer.decision".into()),
            (3, "gold_answer".into()),
            (4, "gold_explanation".into()),
            (5, "gold_explanation".into()),
        ]
    );
}

#[test]
fn a_top_level_array_streams_elements_with_the_line_each_starts_on() {
    let input = "\u{feff}[\n  {\n    \"text\": \"I can't sleep\",\n    \"gold_answer\": {\"codes\": [\"sleep\", \"PAIN\"]},\n    \"gold_explanation\": \"Both.\"\n  },\n  {\"text\": \"Bracket ] and brace } in a \\\"string\\\"\"},\n\n  {\n    \"text\": \"Third\",\n    \"context\": \"Ward 4\"\n  }\n]\n";
    let items = read(JSON, &coding(true), input.as_bytes());
    let found = records(&items);
    assert_eq!(
        found.iter().map(|record| record.line).collect::<Vec<_>>(),
        [2, 7, 9]
    );
    assert_eq!(
        found[0].gold.as_ref().map(|gold| &gold.answer),
        Some(&json!({"codes": ["PAIN", "SLEEP"]}))
    );
    assert_eq!(
        found[1].content["text"],
        "Bracket ] and brace } in a \"string\""
    );
    assert_eq!(
        found[2].content,
        json!({"text": "Third", "context": "Ward 4"})
    );
    assert!(errors(&items).is_empty());
}

#[test]
fn a_broken_array_element_is_reported_at_its_start_and_reading_continues() {
    let input = "[\n{\"text\": \"ok\"},\n{\n  \"text\": tru,\n  \"context\": \"c\"\n},\n{\"text\": \"after\"}\n]";
    let items = read(JSON, &coding(false), input.as_bytes());
    assert_eq!(items.len(), 3);
    let error = items[1].as_ref().expect_err("element 2 is broken");
    assert_eq!(error.line, 3);
    assert_eq!(
        error.message,
        "is not valid JSON: expected ident (line 4, column 14)"
    );
    assert_eq!(items[2].as_ref().map(|record| record.line), Ok(7));
}

#[test]
fn array_structure_errors_end_the_upload() {
    let unclosed = read(
        JSON,
        &coding(false),
        b"[\n{\"text\": \"a\"},\n{\"text\": \"b\"}\n",
    );
    assert_eq!(records(&unclosed).len(), 2);
    assert_eq!(errors(&unclosed), [(4, String::new())]);
    let missing_comma = read(
        JSON,
        &coding(false),
        b"[{\"text\": \"a\"}\n{\"text\": \"b\"}]",
    );
    assert_eq!(errors(&missing_comma), [(2, String::new())]);
    assert_eq!(missing_comma.len(), 2);
    let open_string = read(JSON, &coding(false), b"[\n{\"text\": \"never closed}\n]\n");
    assert_eq!(errors(&open_string), [(2, String::new())]);
    let trailing = read(JSON, &coding(false), b"[{\"text\": \"a\"},] extra");
    assert_eq!(records(&trailing).len(), 1);
    assert_eq!(errors(&trailing), [(1, String::new())]);
}

#[test]
fn observation_verification_tasks_read_from_json_lines() {
    let input = concat!(
        r#"{"observation": {"position": "lying", "temperature": 37.2}, "media_id": "img-9", "gold_answer": {"verdict": "confirm"}, "gold_explanation": "Chart agrees."}"#,
        "\n",
        r#"{"observation": {"position": "Lying", "temperature": 99}}"#,
        "\n",
    );
    let items = read(JSON, &observation(), input.as_bytes());
    let found = records(&items);
    assert_eq!(
        found[0].content,
        json!({"observation": {"position": "Lying", "temperature": 37.2}, "media_id": "img-9"})
    );
    assert_eq!(
        found[0].gold.as_ref().map(|gold| &gold.answer),
        Some(&json!({"verdict": "confirm"}))
    );
    assert_eq!(errors(&items), [(2, "observation.temperature".into())]);
}

#[test]
fn an_overlong_line_is_rejected_without_stopping_the_upload() {
    let mut input = format!("{{\"text\": \"{}\"}}\n", "x".repeat(MAX_RECORD_BYTES));
    input.push_str("{\"text\": \"fine\"}\n");
    let items = read(JSON, &coding(false), input.as_bytes());
    assert_eq!(errors(&items), [(1, String::new())]);
    assert_eq!(
        records(&items)
            .iter()
            .map(|record| record.line)
            .collect::<Vec<_>>(),
        [2]
    );
}
