//! Literature screening: is this paper in or out, against the batch's
//! inclusion criteria?
//!
//! Content: `{title, abstract?, authors?, journal?, year?, doi?, pmid?, ris?}`,
//! where `ris` is the original RIS record, kept for exports and never shown to
//! contributors (see [`ris_record`]).
//! Answer: `{"decision": "include" | "exclude" | "unsure", "reason"?}`.

use serde::Serialize;
use serde_json::{Value, json};

use super::error::index_path;
use super::json::{compact_object, get, object, opt_array, opt_text, req_text, text_at};
use super::table::{TableColumn, TableLayout};
use super::{Answer, FieldError, KindSpec, Question, Vote, schema};

pub mod ris_record;

use ris_record::RIS_KEY;

/// Longest title accepted, in characters.
pub const MAX_TITLE: usize = 1_000;
/// Longest abstract accepted, in characters.
pub const MAX_ABSTRACT: usize = 20_000;
/// Longest single author name or journal name, in characters.
pub const MAX_NAME: usize = 500;
/// Most authors kept for one paper.
pub const MAX_AUTHORS: usize = 2_000;
/// Longest screening reason, in characters.
pub const MAX_REASON: usize = 1_000;
/// Longest inclusion criteria text, in characters.
pub const MAX_CRITERIA: usize = 10_000;

/// The content fields a screening task may carry.
pub const CONTENT_FIELDS: &[&str] = &[
    "title", "abstract", "authors", "journal", "year", "doi", "pmid", RIS_KEY,
];

/// The decisions a screener can give, in answer-UI order; the first two are
/// the labels of the consensus question, "unsure" casts no vote.
pub const DECISIONS: &[&str] = &["include", "exclude", "unsure"];

/// The CSV content columns, in the order a template spreadsheet lists them.
pub const TABLE_COLUMNS: &[TableColumn] = &[
    TableColumn::text("title", true),
    TableColumn::text("abstract", false),
    TableColumn::list("authors"),
    TableColumn::text("journal", false),
    TableColumn::text("year", false),
    TableColumn::text("doi", false),
    TableColumn::text("pmid", false),
];

/// Batch settings for screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScreeningSettings {
    /// The criteria a paper must meet to be included, shown with every task.
    pub inclusion_criteria: String,
}

impl KindSpec for ScreeningSettings {
    fn parse_settings(raw: &Value) -> Result<Self, FieldError> {
        let map = object(raw, "", &["inclusion_criteria"])?;
        Ok(Self {
            inclusion_criteria: req_text(map, "", "inclusion_criteria", MAX_CRITERIA)?,
        })
    }

    fn parse_content(&self, raw: &Value) -> Result<Value, FieldError> {
        let map = object(raw, "", CONTENT_FIELDS)?;
        let authors = match opt_array(map, "", "authors")? {
            None => None,
            Some(items) => parse_authors(items)?,
        };
        let year = get(map, "year").map(parse_year).transpose()?;
        let doi = opt_text(map, "", "doi", MAX_NAME)?
            .map(|raw| normalise_doi(&raw))
            .transpose()?;
        let pmid = get(map, "pmid").map(parse_pmid).transpose()?;
        let original = get(map, RIS_KEY).map(ris_record::parse).transpose()?;
        Ok(compact_object([
            ("title", Some(json!(req_text(map, "", "title", MAX_TITLE)?))),
            (
                "abstract",
                opt_text(map, "", "abstract", MAX_ABSTRACT)?.map(Value::from),
            ),
            ("authors", authors),
            (
                "journal",
                opt_text(map, "", "journal", MAX_NAME)?.map(Value::from),
            ),
            ("year", year.map(Value::from)),
            ("doi", doi.map(Value::from)),
            ("pmid", pmid.map(Value::from)),
            (RIS_KEY, original.flatten()),
        ]))
    }

    /// Everything but the original RIS record, which only exports need.
    fn contributor_content(mut content: Value) -> Value {
        if let Some(map) = content.as_object_mut() {
            map.remove(RIS_KEY);
        }
        content
    }

    fn parse_answer(&self, raw: &Value) -> Result<Answer, FieldError> {
        let map = object(raw, "", &["decision", "reason"])?;
        let decision = req_text(map, "", "decision", 20)?.to_lowercase();
        let position = DECISIONS
            .iter()
            .position(|known| *known == decision)
            .ok_or_else(|| {
                FieldError::new(
                    "decision",
                    format!(
                        "must be one of: {} (got \"{decision}\")",
                        DECISIONS.join(", ")
                    ),
                )
            })?;
        let reason = opt_text(map, "", "reason", MAX_REASON)?;
        // "unsure" sits after the two votable labels, so it maps to no vote.
        let label = u16::try_from(position).ok().filter(|index| *index < 2);
        let json = compact_object([
            ("decision", Some(Value::from(decision))),
            ("reason", reason.map(Value::from)),
        ]);
        Ok(Answer::new(json, vec![Vote { question: 0, label }]))
    }

    fn answer_schema(&self) -> Value {
        let options = DECISIONS
            .iter()
            .map(|value| schema::option(value, &capitalise(value)))
            .collect();
        json!({
            "kind": "screening",
            "instructions": self.inclusion_criteria,
            "fields": [
                schema::choice("decision", "Decision", options),
                schema::optional_text("reason", "Reason (optional)", MAX_REASON),
            ],
        })
    }

    fn questions(&self) -> Vec<Question> {
        vec![Question::new(
            "decision",
            "Does this paper meet the inclusion criteria?",
            &DECISIONS[..2],
        )]
    }

    fn table_layout(&self) -> Option<TableLayout> {
        Some(TableLayout {
            columns: TABLE_COLUMNS,
            gold_column: "gold_answer",
            gold_answer: |cell| json!({ "decision": cell }),
        })
    }
}

fn parse_authors(items: &[Value]) -> Result<Option<Value>, FieldError> {
    if items.len() > MAX_AUTHORS {
        return Err(FieldError::new(
            "authors",
            format!("must list at most {MAX_AUTHORS} authors"),
        ));
    }
    let mut authors = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if let Some(name) = text_at(item, &index_path("authors", index), MAX_NAME)? {
            authors.push(Value::from(name));
        }
    }
    Ok((!authors.is_empty()).then_some(Value::Array(authors)))
}

/// Accepts a year as a number or as text (spreadsheets and RIS give text).
fn parse_year(raw: &Value) -> Result<u16, FieldError> {
    let bad = || FieldError::new("year", "must be a four-digit year such as 2019");
    let year = match raw {
        Value::Number(number) => number.as_u64().ok_or_else(bad)?,
        Value::String(text) => {
            let text = text.trim();
            if text.len() != 4 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(bad());
            }
            text.parse().map_err(|_| bad())?
        }
        _ => return Err(bad()),
    };
    // The range only guards against typos; anything older than print is one.
    match u16::try_from(year) {
        Ok(year) if (1400..=2200).contains(&year) => Ok(year),
        _ => Err(bad()),
    }
}

/// Accepts a PubMed ID as a number or as digits, optionally prefixed `PMID:`.
fn parse_pmid(raw: &Value) -> Result<String, FieldError> {
    let text = match raw {
        Value::Number(number) if number.is_u64() => number.to_string(),
        Value::String(text) => text.trim().to_owned(),
        _ => String::new(),
    };
    let digits = strip_prefix_ignore_case(&text, "pmid:").trim();
    if is_pmid(digits) {
        Ok(digits.trim_start_matches('0').to_owned())
    } else {
        Err(FieldError::new(
            "pmid",
            "must be a PubMed ID: digits only, such as 31452104",
        ))
    }
}

/// Whether `text` looks like a PubMed ID: 1 to 9 digits, not all zero.
pub fn is_pmid(text: &str) -> bool {
    (1..=9).contains(&text.len())
        && text.bytes().all(|byte| byte.is_ascii_digit())
        && text.bytes().any(|byte| byte != b'0')
}

/// Normalises a DOI: lower case, without `https://doi.org/`, `doi:` or a
/// trailing ` [doi]`, so the same paper from two databases compares equal.
pub fn normalise_doi(raw: &str) -> Result<String, FieldError> {
    let lowered = raw.trim().to_lowercase();
    let mut doi = lowered.trim_end_matches("[doi]").trim();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
    ] {
        doi = doi.strip_prefix(prefix).unwrap_or(doi).trim_start();
    }
    if doi.starts_with("10.") && doi.contains('/') && !doi.contains(char::is_whitespace) {
        Ok(doi.to_owned())
    } else {
        Err(FieldError::new(
            "doi",
            "must be a DOI such as 10.1136/bmj.n71",
        ))
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> &'a str {
    match text.get(..prefix.len()) {
        Some(head) if head.eq_ignore_ascii_case(prefix) => &text[prefix.len()..],
        _ => text,
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
