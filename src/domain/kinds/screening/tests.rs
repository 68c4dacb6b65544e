use serde_json::json;

use crate::domain::kinds::{FieldError, KindSettings, TaskKind, Vote};

fn settings() -> KindSettings {
    KindSettings::parse(
        TaskKind::Screening,
        &json!({"inclusion_criteria": "  RCTs in adults with asthma  "}),
    )
    .expect("valid settings")
}

fn error_field(result: Result<impl std::fmt::Debug, FieldError>) -> String {
    result.expect_err("should be rejected").field
}

#[test]
fn settings_keep_trimmed_criteria_and_require_them() {
    let KindSettings::Screening(parsed) = settings() else {
        panic!("wrong kind");
    };
    assert_eq!(parsed.inclusion_criteria, "RCTs in adults with asthma");
    let missing = KindSettings::parse(TaskKind::Screening, &json!({"inclusion_criteria": "  "}));
    assert_eq!(
        missing.unwrap_err(),
        FieldError::new("inclusion_criteria", "is required")
    );
    let unknown = KindSettings::parse(TaskKind::Screening, &json!({"criteria": "x"}));
    assert_eq!(error_field(unknown), "criteria");
}

#[test]
fn content_is_normalised_with_trimmed_title_lowercase_doi_and_numeric_year() {
    let content = settings()
        .parse_content(&json!({
            "title": "  Inhaled steroids in asthma \n",
            "abstract": "",
            "authors": [" Smith, J ", "", "Okafor, A"],
            "journal": "BMJ",
            "year": "2019",
            "doi": "https://doi.org/10.1136/BMJ.L1234",
            "pmid": "PMID: 31452104",
        }))
        .expect("valid content");
    assert_eq!(
        content,
        json!({
            "title": "Inhaled steroids in asthma",
            "authors": ["Smith, J", "Okafor, A"],
            "journal": "BMJ",
            "year": 2019,
            "doi": "10.1136/bmj.l1234",
            "pmid": "31452104",
        })
    );
}

#[test]
fn doi_prefixes_are_stripped_and_garbage_is_rejected() {
    let s = settings();
    for raw in [
        "doi:10.1/X",
        "DOI: 10.1/x",
        "http://dx.doi.org/10.1/x",
        "10.1/x [doi]",
    ] {
        let content = s
            .parse_content(&json!({"title": "t", "doi": raw}))
            .expect(raw);
        assert_eq!(content["doi"], "10.1/x", "{raw}");
    }
    let bad = s.parse_content(&json!({"title": "t", "doi": "not a doi"}));
    assert_eq!(error_field(bad), "doi");
}

#[test]
fn missing_title_bad_year_and_unknown_fields_name_the_field() {
    let s = settings();
    assert_eq!(
        s.parse_content(&json!({"abstract": "x"})).unwrap_err(),
        FieldError::new("title", "is required")
    );
    for year in [json!("20x9"), json!("19"), json!(1066), json!(true)] {
        assert_eq!(
            error_field(s.parse_content(&json!({"title": "t", "year": year}))),
            "year"
        );
    }
    assert_eq!(
        error_field(s.parse_content(&json!({"title": "t", "abstarct": "x"}))),
        "abstarct"
    );
    assert_eq!(
        error_field(s.parse_content(&json!({"title": "t", "authors": ["a", 3]}))),
        "authors[1]"
    );
    assert_eq!(
        error_field(s.parse_content(&json!({"title": "t", "pmid": "12a"}))),
        "pmid"
    );
    let long_title = "x".repeat(1_001);
    assert_eq!(
        error_field(s.parse_content(&json!({"title": long_title}))),
        "title"
    );
}

#[test]
fn answers_parse_to_normalised_json_and_one_vote() {
    let s = settings();
    let include = s
        .parse_answer(&json!({"decision": "Include", "reason": " meets criteria "}))
        .expect("valid");
    assert_eq!(
        include.to_json(),
        json!({"decision": "include", "reason": "meets criteria"})
    );
    assert_eq!(
        include.votes(),
        &[Vote {
            question: 0,
            label: Some(0)
        }]
    );
    let exclude = s
        .parse_answer(&json!({"decision": "exclude"}))
        .expect("valid");
    assert_eq!(
        exclude.votes(),
        &[Vote {
            question: 0,
            label: Some(1)
        }]
    );
    assert!(exclude.is_decisive());
}

#[test]
fn unsure_is_a_signal_not_a_vote() {
    let unsure = settings()
        .parse_answer(&json!({"decision": "unsure"}))
        .expect("valid");
    assert_eq!(
        unsure.votes(),
        &[Vote {
            question: 0,
            label: None
        }]
    );
    assert!(!unsure.is_decisive());
}

#[test]
fn invalid_answers_name_the_field() {
    let s = settings();
    let maybe = s.parse_answer(&json!({"decision": "maybe"})).unwrap_err();
    assert_eq!(maybe.field, "decision");
    assert_eq!(
        maybe.message,
        "must be one of: include, exclude, unsure (got \"maybe\")"
    );
    let long = s.parse_answer(&json!({"decision": "include", "reason": "r".repeat(1_001)}));
    assert_eq!(error_field(long), "reason");
    assert_eq!(error_field(s.parse_answer(&json!({}))), "decision");
    assert_eq!(
        error_field(s.parse_answer(&json!({"decision": "include", "why": "x"}))),
        "why"
    );
    assert_eq!(
        s.parse_answer(&json!({"decision": 1}))
            .unwrap_err()
            .within("answer")
            .to_string(),
        "answer.decision: must be text"
    );
}

#[test]
fn same_as_compares_decisions_and_ignores_reasons() {
    let s = settings();
    let answer = |raw| s.parse_answer(&raw).expect("valid");
    let a = answer(json!({"decision": "include", "reason": "adults"}));
    let b = answer(json!({"decision": "include", "reason": "different words"}));
    let c = answer(json!({"decision": "exclude", "reason": "adults"}));
    assert!(a.same_as(&b));
    assert!(!a.same_as(&c));
    let unsure = answer(json!({"decision": "unsure"}));
    assert!(unsure.same_as(&answer(json!({"decision": "unsure", "reason": "?"}))));
    assert!(!unsure.same_as(&a));
}

#[test]
fn questions_and_answer_schema_describe_include_and_exclude() {
    let s = settings();
    let questions = s.questions();
    assert_eq!(questions.len(), 1);
    assert_eq!(questions[0].key, "decision");
    assert_eq!(questions[0].labels, ["include", "exclude"]);
    let schema = s.answer_schema();
    assert_eq!(schema["kind"], "screening");
    assert_eq!(schema["instructions"], "RCTs in adults with asthma");
    assert_eq!(schema["fields"][0]["name"], "decision");
    assert_eq!(
        schema["fields"][0]["options"][2],
        json!({"value": "unsure", "label": "Unsure"})
    );
    assert_eq!(schema["fields"][1]["max_length"], 1_000);
}

#[test]
fn settings_round_trip_through_serde_with_validation() {
    let s = settings();
    let stored = serde_json::to_value(&s).expect("serialises");
    assert_eq!(
        stored,
        json!({"kind": "screening", "settings": {"inclusion_criteria": "RCTs in adults with asthma"}})
    );
    let back: KindSettings = serde_json::from_value(stored).expect("deserialises");
    assert_eq!(back, s);
    let invalid =
        serde_json::from_value::<KindSettings>(json!({"kind": "screening", "settings": {}}));
    let message = invalid.unwrap_err().to_string();
    assert!(
        message.contains("settings.inclusion_criteria: is required"),
        "{message}"
    );
}

#[test]
fn task_kinds_parse_from_their_names() {
    assert_eq!("screening".parse::<TaskKind>(), Ok(TaskKind::Screening));
    assert_eq!(" Coding ".parse::<TaskKind>(), Ok(TaskKind::Coding));
    assert_eq!(TaskKind::Observation.to_string(), "observation");
    assert_eq!(
        serde_json::to_value(TaskKind::Coding).expect("serialises"),
        json!("coding")
    );
    let unknown = "survey".parse::<TaskKind>().unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "unknown task kind \"survey\"; expected one of: screening, coding, observation"
    );
}

#[test]
fn the_original_ris_record_is_kept_on_one_line_per_value_and_checked() {
    let s = settings();
    let content = s
        .parse_content(&json!({
            "title": "t",
            "ris": [["TY", "JOUR"], ["AB", " wrapped\nabstract "], ["N1", ""], ["C1", "x"]],
        }))
        .expect("valid content");
    assert_eq!(
        content["ris"],
        json!([["TY", "JOUR"], ["AB", "wrapped abstract"], ["C1", "x"]])
    );
    for bad in [json!("TY JOUR"), json!([["TY"]]), json!([["TY", 1]])] {
        assert_eq!(
            error_field(s.parse_content(&json!({"title": "t", "ris": bad}))),
            if bad.is_string() { "ris" } else { "ris[0]" }
        );
    }
    let lower = s.parse_content(&json!({"title": "t", "ris": [["TY", "JOUR"], ["ty", "x"]]}));
    assert_eq!(
        lower.unwrap_err().message,
        "\"ty\" is not a RIS tag: two capitals, or a capital and a digit"
    );
    assert_eq!(
        s.parse_content(&json!({"title": "t", "ris": [["N1", " "]]}))
            .expect("valid")
            .get("ris"),
        None
    );
}

#[test]
fn contributors_see_the_content_without_the_original_ris_record() {
    let content = json!({"title": "t", "ris": [["TY", "JOUR"], ["TI", "t"]]});
    assert_eq!(
        TaskKind::Screening.contributor_content(content.clone()),
        json!({"title": "t"})
    );
    let coding = json!({"text": "kept", "ris": "not a screening field"});
    assert_eq!(TaskKind::Coding.contributor_content(coding.clone()), coding);
}
