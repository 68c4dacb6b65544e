//! A screening task written back as a RIS record that a reference manager
//! (EndNote, Zotero, Mendeley, ...) re-imports: the original record's tags
//! in their order, or, for tasks uploaded as CSV or JSON, tags built from the
//! content; then Tessera's decision as a keyword (`KW  - tessera:include`),
//! which reference managers can group by, and a note saying what it rests on.
//!
//! Lines are `XX  - value` ending in CRLF, as the RIS specification asks;
//! a record ends with `ER  - ` and a blank line.

use std::borrow::Cow;

use serde_json::Value;

use super::decision::{Basis, FinalDecision};
use crate::domain::consensus::TaskState;
use crate::domain::kinds::screening::ris_record::{self, one_line};

/// Starts the keyword Tessera adds, e.g. `tessera:include`.
pub const KEYWORD_PREFIX: &str = "tessera:";
/// Starts the note Tessera adds, e.g. `Tessera decision: include (...)`.
pub const NOTE_PREFIX: &str = "Tessera decision:";

/// The record for one task. Keywords and notes an earlier export added are
/// left out, so exporting a re-imported export carries one decision, the
/// current one.
pub fn record(content: &Value, external_id: Option<&str>, decision: &FinalDecision) -> String {
    let fields: Vec<(&str, Cow<'_, str>)> = match ris_record::pairs(content) {
        Some(pairs) => pairs
            .map(|(tag, value)| (tag, Cow::Borrowed(value)))
            .collect(),
        None => from_content(content, external_id),
    };
    let mut out = String::new();
    // TY must open the record, whatever the stored pairs say.
    let kind = fields
        .iter()
        .find(|(tag, _)| *tag == "TY")
        .map_or("JOUR", |(_, value)| value.as_ref());
    line(&mut out, "TY", kind);
    for (tag, value) in &fields {
        if !matches!(*tag, "TY" | "ER") && !is_tessera_line(tag, value) {
            line(&mut out, tag, value);
        }
    }
    let keyword = format!("{KEYWORD_PREFIX}{}", decision.decision.as_str());
    line(&mut out, "KW", &keyword);
    line(&mut out, "N1", &note(decision));
    out.push_str("ER  - \r\n\r\n");
    out
}

/// `Tessera decision: include (consensus, confidence 0.97)`.
fn note(decision: &FinalDecision) -> String {
    let basis = match &decision.basis {
        // Rounded down, so a 0.996 consensus never reads as certain.
        Basis::Consensus { confidence } => format!(
            "consensus, confidence {:.2}",
            (confidence * 100.0).floor() / 100.0
        ),
        Basis::Resolution { note: Some(note) } => format!("researcher's resolution: {note}"),
        Basis::Resolution { note: None } => "researcher's resolution".to_owned(),
        Basis::Pending(TaskState::Open) => "still collecting answers".to_owned(),
        Basis::Pending(TaskState::Escalated) => "waiting for the researcher".to_owned(),
        Basis::Pending(_) => "no decision recorded".to_owned(),
    };
    format!("{NOTE_PREFIX} {} ({basis})", decision.decision.as_str())
}

/// RIS tags for a task that was not uploaded as RIS. The journal goes in
/// `T2`, where EndNote and Zotero read a journal article's journal from.
fn from_content<'a>(
    content: &'a Value,
    external_id: Option<&'a str>,
) -> Vec<(&'a str, Cow<'a, str>)> {
    let mut fields = vec![("TY", Cow::Borrowed("JOUR"))];
    let mut put = |tag: &'a str, value: Option<Cow<'a, str>>| {
        if let Some(value) = value {
            fields.push((tag, value));
        }
    };
    put("TI", scalar(&content["title"]));
    put("AB", scalar(&content["abstract"]));
    for author in content["authors"].as_array().into_iter().flatten() {
        put("AU", scalar(author));
    }
    put("T2", scalar(&content["journal"]));
    put("PY", scalar(&content["year"]));
    put("DO", scalar(&content["doi"]));
    put("AN", scalar(&content["pmid"]));
    put("ID", external_id.map(Cow::Borrowed));
    fields
}

fn scalar(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(Cow::Borrowed(text.as_str())),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        _ => None,
    }
}

/// Whether a line is a decision an earlier Tessera export added.
fn is_tessera_line(tag: &str, value: &str) -> bool {
    let starts = |prefix: &str| {
        value
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    (tag == "KW" && starts(KEYWORD_PREFIX)) || (tag == "N1" && starts(NOTE_PREFIX))
}

fn line(out: &mut String, tag: &str, value: &str) {
    out.push_str(tag);
    out.push_str("  - ");
    out.push_str(one_line(value.trim()).as_ref());
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests;
