use serde_json::json;

use super::record;
use crate::domain::consensus::TaskState;
use crate::domain::export::{Basis, Decision, FinalDecision};

fn decided(decision: Decision, basis: Basis) -> FinalDecision {
    FinalDecision { decision, basis }
}

fn lines(record: &str) -> Vec<&str> {
    record.split("\r\n").collect()
}

#[test]
fn an_uploaded_record_keeps_every_tag_in_order_and_gains_the_decision() {
    let content = json!({
        "title": "Early mobilisation",
        "ris": [["TY", "CHAP"], ["TI", "Early mobilisation"], ["AU", "Smith, Jane"],
                ["VL", "12"], ["KW", "falls"], ["N1", "From Ovid"], ["AU", "Ng, Lee"]],
    });
    let written = record(
        &content,
        Some("ignored: the record has its own tags"),
        &decided(Decision::Include, Basis::Consensus { confidence: 0.976 }),
    );
    assert_eq!(
        lines(&written),
        [
            "TY  - CHAP",
            "TI  - Early mobilisation",
            "AU  - Smith, Jane",
            "VL  - 12",
            "KW  - falls",
            "N1  - From Ovid",
            "AU  - Ng, Lee",
            "KW  - tessera:include",
            "N1  - Tessera decision: include (consensus, confidence 0.97)",
            "ER  - ",
            "",
            "",
        ]
    );
}

#[test]
fn a_re_export_replaces_the_previous_decision_and_keeps_other_notes() {
    let content = json!({"ris": [
        ["TI", "Sleep after surgery"],
        ["KW", "tessera:include"],
        ["N1", "Tessera decision: include (consensus, confidence 0.97)"],
        ["N1", "Checked by a librarian"],
        ["ER", ""],
    ]});
    let resolution = Basis::Resolution {
        note: Some("Not randomised\non full text".into()),
    };
    let written = record(&content, None, &decided(Decision::Exclude, resolution));
    assert_eq!(
        lines(&written),
        [
            "TY  - JOUR",
            "TI  - Sleep after surgery",
            "N1  - Checked by a librarian",
            "KW  - tessera:exclude",
            "N1  - Tessera decision: exclude (researcher's resolution: Not randomised on full text)",
            "ER  - ",
            "",
            "",
        ]
    );
}

#[test]
fn a_csv_task_is_written_from_its_content_fields() {
    let content = json!({
        "title": "Chlorhexidine bathing\nin ICU",
        "abstract": "A cluster trial.",
        "authors": ["Renée, Marie", "Okafor, A"],
        "journal": "Critical Care",
        "year": 2021,
        "doi": "10.1000/cc.2",
        "pmid": "31452104",
    });
    let written = record(
        &content,
        Some("ref-7"),
        &decided(Decision::Undecided, Basis::Pending(TaskState::Open)),
    );
    assert_eq!(
        lines(&written),
        [
            "TY  - JOUR",
            "TI  - Chlorhexidine bathing in ICU",
            "AB  - A cluster trial.",
            "AU  - Renée, Marie",
            "AU  - Okafor, A",
            "T2  - Critical Care",
            "PY  - 2021",
            "DO  - 10.1000/cc.2",
            "AN  - 31452104",
            "ID  - ref-7",
            "KW  - tessera:undecided",
            "N1  - Tessera decision: undecided (still collecting answers)",
            "ER  - ",
            "",
            "",
        ]
    );
}

#[test]
fn no_value_ever_breaks_a_line() {
    let content = json!({"ris": [["TY", "JOUR"], ["AB", "one\r\ntwo\rthree\u{2028}four"]]});
    let written = record(
        &content,
        None,
        &decided(Decision::Unsure, Basis::Resolution { note: None }),
    );
    assert!(
        written.contains("AB  - one two three four\r\n"),
        "{written}"
    );
    assert!(
        written.contains("(researcher's resolution)\r\n"),
        "{written}"
    );
    for line in lines(&written) {
        assert!(!line.contains(['\r', '\n']), "{line:?}");
    }
}
