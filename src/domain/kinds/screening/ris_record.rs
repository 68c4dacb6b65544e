//! The original RIS record kept with a screening task.
//!
//! Tessera reads only a few tags of an uploaded RIS record (title, abstract,
//! authors, ...), but a researcher exporting results back into EndNote or
//! Zotero expects every field they sent (volume, pages, keywords, notes) to
//! come back. So the RIS reader also stores the record's tag/value pairs in
//! the content under [`RIS_KEY`], as `[["TY", "JOUR"], ["TI", "..."], ...]`
//! in file order, wrapped lines already joined, without the closing `ER`.
//!
//! Contributors never see it: it is the researcher's bibliographic data, of
//! no use when screening on a phone, and it would double the bundle's size
//! (see `ScreeningSettings::contributor_content`).

use std::borrow::Cow;

use serde_json::Value;

use crate::domain::kinds::FieldError;
use crate::domain::kinds::error::index_path;

/// The content key holding the original record.
pub const RIS_KEY: &str = "ris";
/// Most tag/value pairs kept for one record (authors are capped lower).
pub const MAX_RIS_FIELDS: usize = 10_000;
/// Longest single value, in characters; upload records are bounded anyway.
pub const MAX_RIS_VALUE: usize = 100_000;

/// Whether `tag` is a RIS tag: an upper-case letter, then an upper-case
/// letter or a digit (`TY`, `A1`, `KW`).
pub fn is_ris_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    bytes.len() == 2
        && bytes[0].is_ascii_uppercase()
        && (bytes[1].is_ascii_uppercase() || bytes[1].is_ascii_digit())
}

/// `text` on one line: every line break becomes a space, since a RIS value
/// cannot span lines and a break inside one would start a bogus tag.
pub fn one_line(text: &str) -> Cow<'_, str> {
    let breaks = [
        '\r', '\n', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{2029}',
    ];
    if text.contains(breaks) {
        Cow::Owned(text.replace("\r\n", " ").replace(breaks, " "))
    } else {
        Cow::Borrowed(text)
    }
}

/// Validates the `ris` content field: a list of `[tag, value]` pairs. Values
/// are trimmed and put on one line; pairs with empty values are dropped, and
/// an empty list counts as absent.
pub(super) fn parse(raw: &Value) -> Result<Option<Value>, FieldError> {
    let items = raw
        .as_array()
        .ok_or_else(|| FieldError::new(RIS_KEY, "must be a list of [tag, value] pairs"))?;
    if items.len() > MAX_RIS_FIELDS {
        return Err(FieldError::new(
            RIS_KEY,
            format!("must have at most {MAX_RIS_FIELDS} pairs"),
        ));
    }
    let mut pairs = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let path = index_path(RIS_KEY, index);
        let bad = || {
            FieldError::new(
                &path,
                "must be a [tag, value] pair such as [\"VL\", \"12\"]",
            )
        };
        let [Value::String(tag), Value::String(value)] =
            item.as_array().ok_or_else(bad)?.as_slice()
        else {
            return Err(bad());
        };
        if !is_ris_tag(tag) {
            return Err(FieldError::new(
                &path,
                format!("\"{tag}\" is not a RIS tag: two capitals, or a capital and a digit"),
            ));
        }
        let value = one_line(value.trim());
        if value.chars().count() > MAX_RIS_VALUE {
            return Err(FieldError::new(
                &path,
                format!("the value must be at most {MAX_RIS_VALUE} characters"),
            ));
        }
        if !value.is_empty() {
            pairs.push(Value::Array(vec![
                Value::from(tag.as_str()),
                Value::from(value.into_owned()),
            ]));
        }
    }
    Ok((!pairs.is_empty()).then_some(Value::Array(pairs)))
}

/// The pairs of a stored `ris` field, skipping anything malformed so an
/// export never writes a broken line.
pub fn pairs(content: &Value) -> Option<impl Iterator<Item = (&str, &str)>> {
    let items = content.get(RIS_KEY)?.as_array()?;
    Some(
        items
            .iter()
            .filter_map(|item| match item.as_array()?.as_slice() {
                [Value::String(tag), Value::String(value)] if is_ris_tag(tag) => {
                    Some((tag.as_str(), value.as_str()))
                }
                _ => None,
            }),
    )
}
