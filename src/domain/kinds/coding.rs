//! Data coding: apply codes from a codebook to a piece of text, such as an
//! interview excerpt or a free-text survey response.
//!
//! Content: `{text, context?}`. Answer: `{"codes": ["A", ...]}`.

use serde::Serialize;
use serde_json::{Value, json};

use super::error::index_path;
use super::json::{
    check_count, compact_object, get, object, opt_bool, opt_text, req_text, text_at,
};
use super::table::{TableColumn, TableLayout, split_list};
use super::{Answer, FieldError, KindSpec, Question, Vote, schema};

/// Longest text to code, in characters.
pub const MAX_TEXT: usize = 20_000;
/// Longest context shown alongside the text, in characters.
pub const MAX_CONTEXT: usize = 5_000;
/// Longest code, in characters.
pub const MAX_CODE: usize = 64;
/// Longest code description, in characters.
pub const MAX_DESCRIPTION: usize = 1_000;
/// Fewest codes a codebook may have: one code is not a choice.
pub const MIN_CODES: usize = 2;
/// Most codes a codebook may have: more will not fit on a phone screen.
pub const MAX_CODES: usize = 50;

/// One entry in a codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    /// The short code stored in answers, e.g. `A` or `pain`.
    pub code: String,
    /// What the code means, shown to the person coding.
    pub description: String,
}

/// The CSV content columns, in the order a template spreadsheet lists them.
pub const TABLE_COLUMNS: &[TableColumn] = &[
    TableColumn::text("text", true),
    TableColumn::text("context", false),
];

/// Batch settings for coding: the codebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Codebook {
    /// The codes, in the order they are shown and voted on.
    pub codes: Vec<Code>,
    /// Whether an answer may pick several codes (otherwise exactly one).
    pub multiple: bool,
}

impl Codebook {
    /// Position of `code` in the codebook. Matching ignores letter case
    /// (codes are unique regardless of case), so hand-typed gold answers work.
    pub fn position(&self, code: &str) -> Option<usize> {
        let wanted = code.to_lowercase();
        self.codes
            .iter()
            .position(|entry| entry.code.to_lowercase() == wanted)
    }

    fn code_list(&self) -> String {
        let codes: Vec<&str> = self.codes.iter().map(|entry| entry.code.as_str()).collect();
        codes.join(", ")
    }
}

impl KindSpec for Codebook {
    fn parse_settings(raw: &Value) -> Result<Self, FieldError> {
        let map = object(raw, "", &["codes", "multiple"])?;
        let items = get(map, "codes")
            .ok_or_else(|| FieldError::new("codes", "is required"))?
            .as_array()
            .ok_or_else(|| FieldError::new("codes", "must be a list"))?;
        check_count(items.len(), "codes", MIN_CODES, MAX_CODES)?;
        let mut codes: Vec<Code> = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let path = index_path("codes", index);
            let entry = object(item, &path, &["code", "description"])?;
            let code = req_text(entry, &path, "code", MAX_CODE)?;
            if code.contains(';') {
                // `;` separates codes in CSV gold answers.
                return Err(FieldError::new(
                    format!("{path}.code"),
                    "must not contain ';'",
                ));
            }
            if codes
                .iter()
                .any(|seen| seen.code.to_lowercase() == code.to_lowercase())
            {
                return Err(FieldError::new(
                    format!("{path}.code"),
                    format!("\"{code}\" appears more than once"),
                ));
            }
            let description = req_text(entry, &path, "description", MAX_DESCRIPTION)?;
            codes.push(Code { code, description });
        }
        let multiple = opt_bool(map, "", "multiple")?.unwrap_or(false);
        Ok(Self { codes, multiple })
    }

    fn parse_content(&self, raw: &Value) -> Result<Value, FieldError> {
        let map = object(raw, "", &["text", "context"])?;
        Ok(compact_object([
            (
                "text",
                Some(Value::from(req_text(map, "", "text", MAX_TEXT)?)),
            ),
            (
                "context",
                opt_text(map, "", "context", MAX_CONTEXT)?.map(Value::from),
            ),
        ]))
    }

    fn parse_answer(&self, raw: &Value) -> Result<Answer, FieldError> {
        let map = object(raw, "", &["codes"])?;
        let items = get(map, "codes")
            .ok_or_else(|| FieldError::new("codes", "is required"))?
            .as_array()
            .ok_or_else(|| FieldError::new("codes", "must be a list of codes"))?;
        let mut chosen = vec![false; self.codes.len()];
        for (index, item) in items.iter().enumerate() {
            let path = index_path("codes", index);
            let code = text_at(item, &path, MAX_CODE)?
                .ok_or_else(|| FieldError::new(&path, "must not be empty"))?;
            let position = self.position(&code).ok_or_else(|| {
                FieldError::new(
                    &path,
                    format!("\"{code}\" is not in the codebook ({})", self.code_list()),
                )
            })?;
            if std::mem::replace(&mut chosen[position], true) {
                return Err(FieldError::new(path, format!("\"{code}\" is given twice")));
            }
        }
        let count = chosen.iter().filter(|picked| **picked).count();
        if count == 0 {
            return Err(FieldError::new("codes", "must contain at least one code"));
        }
        if !self.multiple && count > 1 {
            return Err(FieldError::new("codes", "must contain exactly one code"));
        }
        let votes = if self.multiple {
            // One yes/no question per code: label 1 is "yes".
            (0..chosen.len())
                .map(|question| Vote {
                    question,
                    label: Some(u16::from(chosen[question])),
                })
                .collect()
        } else {
            let position = chosen.iter().position(|picked| *picked);
            vec![Vote {
                question: 0,
                label: position.and_then(|index| u16::try_from(index).ok()),
            }]
        };
        // Codes come back in codebook order, so equal sets look equal.
        let codes: Vec<Value> = self
            .codes
            .iter()
            .zip(&chosen)
            .filter(|(_, picked)| **picked)
            .map(|(entry, _)| Value::from(entry.code.clone()))
            .collect();
        Ok(Answer::new(json!({ "codes": codes }), votes))
    }

    fn answer_schema(&self) -> Value {
        let options = self
            .codes
            .iter()
            .map(|entry| {
                let mut option = schema::option(&entry.code, &entry.code);
                option["description"] = Value::from(entry.description.clone());
                option
            })
            .collect();
        let max = if self.multiple { self.codes.len() } else { 1 };
        json!({
            "kind": "coding",
            "fields": [schema::multi_choice("codes", "Codes", options, max)],
        })
    }

    /// The codes chosen: the single question's label, or every code whose
    /// yes/no question settled on "yes".
    fn answer_from_labels(&self, labels: &[Option<usize>]) -> Value {
        let codes: Vec<Value> = if self.multiple {
            self.codes
                .iter()
                .zip(labels)
                .filter(|(_, label)| **label == Some(1))
                .map(|(entry, _)| Value::from(entry.code.clone()))
                .collect()
        } else {
            labels
                .first()
                .copied()
                .flatten()
                .and_then(|index| self.codes.get(index))
                .map(|entry| Value::from(entry.code.clone()))
                .into_iter()
                .collect()
        };
        json!({ "codes": codes })
    }

    fn questions(&self) -> Vec<Question> {
        if !self.multiple {
            let labels: Vec<&str> = self.codes.iter().map(|entry| entry.code.as_str()).collect();
            return vec![Question::new("code", "Which code fits this text?", &labels)];
        }
        self.codes
            .iter()
            .map(|entry| {
                Question::new(
                    format!("code:{}", entry.code),
                    format!("Does code {} ({}) apply?", entry.code, entry.description),
                    &["no", "yes"],
                )
            })
            .collect()
    }

    fn table_layout(&self) -> Option<TableLayout> {
        Some(TableLayout {
            columns: TABLE_COLUMNS,
            gold_column: "gold_codes",
            gold_answer: |cell| json!({ "codes": split_list(cell) }),
        })
    }
}

#[cfg(test)]
mod tests;
