//! Spotting the same paper twice in a screening upload, which is common when
//! researchers merge exports from several databases.
//!
//! Only 64-bit hashes of the keys are kept, not the strings, so checking
//! 100,000 records costs a few megabytes. Two different keys sharing a hash is
//! possible in principle but vanishingly unlikely at these sizes (about one
//! chance in 10⁹ for 100,000 records).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::Serialize;
use serde_json::Value;

/// Why a record was judged a duplicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateReason {
    /// Same DOI (after normalisation).
    Doi,
    /// Same PubMed ID.
    Pmid,
    /// Same normalised title, and no DOI or PMID saying they differ.
    Title,
}

impl DuplicateReason {
    /// The reason's wire name: `doi`, `pmid` or `title`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Doi => "doi",
            Self::Pmid => "pmid",
            Self::Title => "title",
        }
    }
}

/// A record that repeats an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// Line of the repeated record.
    pub line: u64,
    /// Line of the earlier record it repeats.
    pub first_line: u64,
    /// What matched.
    pub reason: DuplicateReason,
}

/// Remembers the records seen so far in one upload and reports repeats.
#[derive(Debug, Default)]
pub struct DuplicateFinder {
    dois: HashMap<u64, u64>,
    pmids: HashMap<u64, u64>,
    titles: HashMap<u64, TitleSeen>,
}

/// What is remembered about a title's first record, so that two different
/// papers with the same title ("Correction", "Editorial") whose DOIs or
/// PMIDs differ are not reported.
#[derive(Debug, Clone, Copy)]
struct TitleSeen {
    first_line: u64,
    doi: Option<u64>,
    pmid: Option<u64>,
}

impl DuplicateFinder {
    /// An empty finder for one upload.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks screening content (as normalised by `parse_content`) from the
    /// record at `line`. Matches on DOI, then PMID, then normalised title.
    /// A record reported as a duplicate is not remembered, so later repeats
    /// point at the first occurrence.
    pub fn check(&mut self, line: u64, content: &Value) -> Option<Duplicate> {
        let doi = text(content, "doi").map(|doi| key("doi", &doi.to_lowercase()));
        let pmid = pmid(content).map(|pmid| key("pmid", &pmid));
        let title = text(content, "title")
            .map(normalise_title)
            .filter(|title| !title.is_empty())
            .map(|title| key("title", &title));
        let found = |first_line: u64, reason| Duplicate {
            line,
            first_line,
            reason,
        };
        if let Some(first) = doi.and_then(|doi| self.dois.get(&doi)) {
            return Some(found(*first, DuplicateReason::Doi));
        }
        if let Some(first) = pmid.and_then(|pmid| self.pmids.get(&pmid)) {
            return Some(found(*first, DuplicateReason::Pmid));
        }
        if let Some(seen) = title.and_then(|title| self.titles.get(&title)) {
            let differs =
                |a: Option<u64>, b: Option<u64>| matches!((a, b), (Some(a), Some(b)) if a != b);
            if !differs(seen.doi, doi) && !differs(seen.pmid, pmid) {
                return Some(found(seen.first_line, DuplicateReason::Title));
            }
        }
        if let Some(doi) = doi {
            self.dois.entry(doi).or_insert(line);
        }
        if let Some(pmid) = pmid {
            self.pmids.entry(pmid).or_insert(line);
        }
        if let Some(title) = title {
            self.titles.entry(title).or_insert(TitleSeen {
                first_line: line,
                doi,
                pmid,
            });
        }
        None
    }
}

/// Lower case, letters and digits only, single spaces: so "The effect of X:
/// a trial." and "the effect of x — a trial" compare equal.
pub fn normalise_title(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text<'a>(content: &'a Value, field: &str) -> Option<&'a str> {
    content.get(field).and_then(Value::as_str).map(str::trim)
}

fn pmid(content: &Value) -> Option<String> {
    match content.get("pmid")? {
        Value::String(text) => Some(text.trim().to_owned()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Hashes a key, salted with its kind so a DOI never matches a title.
/// `DefaultHasher::new()` uses fixed keys, so hashes are stable in a process.
fn key(kind: &str, value: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    kind.hash(&mut hasher);
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn same_doi_in_different_spellings_is_a_duplicate_of_the_first_line() {
        let mut finder = DuplicateFinder::new();
        assert_eq!(
            finder.check(2, &json!({"title": "A", "doi": "10.1/ABC"})),
            None
        );
        assert_eq!(finder.check(3, &json!({"title": "B"})), None);
        let duplicate = finder.check(9, &json!({"title": "C", "doi": "10.1/abc"}));
        assert_eq!(
            duplicate,
            Some(Duplicate {
                line: 9,
                first_line: 2,
                reason: DuplicateReason::Doi
            })
        );
        assert_eq!(duplicate.map(|found| found.reason.as_str()), Some("doi"));
    }

    #[test]
    fn same_pmid_is_a_duplicate_even_with_a_different_title() {
        let mut finder = DuplicateFinder::new();
        finder.check(1, &json!({"title": "Original title", "pmid": "31452104"}));
        let duplicate = finder.check(4, &json!({"title": "Retitled", "pmid": "31452104"}));
        assert_eq!(
            duplicate.map(|found| (found.first_line, found.reason)),
            Some((1, DuplicateReason::Pmid))
        );
    }

    #[test]
    fn titles_match_after_dropping_case_punctuation_and_extra_spaces() {
        assert_eq!(
            normalise_title("  The Effect of X: a   Trial. "),
            "the effect of x a trial"
        );
        let mut finder = DuplicateFinder::new();
        finder.check(2, &json!({"title": "The effect of X: a trial."}));
        let duplicate = finder.check(5, &json!({"title": "the effect of x — A TRIAL"}));
        assert_eq!(
            duplicate.map(|found| (found.first_line, found.reason)),
            Some((2, DuplicateReason::Title))
        );
    }

    #[test]
    fn same_title_with_different_dois_is_not_a_duplicate() {
        let mut finder = DuplicateFinder::new();
        finder.check(2, &json!({"title": "Correction", "doi": "10.1/one"}));
        assert_eq!(
            finder.check(3, &json!({"title": "Correction", "doi": "10.1/two"})),
            None
        );
        // A third "Correction" without identifiers still matches the first.
        let third = finder.check(4, &json!({"title": "Correction"}));
        assert_eq!(third.map(|found| found.first_line), Some(2));
    }

    #[test]
    fn a_reported_duplicate_is_not_remembered_so_later_repeats_point_at_the_first() {
        let mut finder = DuplicateFinder::new();
        finder.check(1, &json!({"title": "Alpha", "doi": "10.1/a"}));
        finder.check(2, &json!({"title": "Beta", "doi": "10.1/a", "pmid": "77"}));
        // pmid 77 was only on the duplicate, so it was not recorded.
        assert_eq!(
            finder.check(3, &json!({"title": "Gamma", "pmid": "77"})),
            None
        );
    }

    #[test]
    fn one_hundred_thousand_distinct_records_produce_no_duplicates() {
        let mut finder = DuplicateFinder::new();
        let flagged = (0..100_000u64)
            .filter_map(|n| {
                finder.check(
                    n + 2,
                    &json!({"title": format!("Trial number {n}"), "doi": format!("10.1/{n}")}),
                )
            })
            .count();
        assert_eq!(flagged, 0);
        assert_eq!(finder.titles.len(), 100_000);
    }
}
