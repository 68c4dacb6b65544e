//! TF-IDF features over a batch's title, abstract and keywords. The
//! vocabulary comes from the whole batch, labelled or not (no label is
//! read), so features are fixed when the batch is and only the model moves.

use std::collections::HashMap;

use super::text::terms;

/// The text of one record the features are built from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordText {
    pub title: String,
    pub abstract_text: String,
    /// Keywords separated by `;` (as RIS `KW` lines and the CSV column are).
    pub keywords: String,
}

/// A sparse vector: term indices in increasing order with their weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVector {
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

impl SparseVector {
    pub fn dot(&self, dense: &[f64]) -> f64 {
        self.indices
            .iter()
            .zip(&self.values)
            .map(|(&i, &v)| dense.get(i as usize).copied().unwrap_or(0.0) * v)
            .sum()
    }
}

/// Every record's vector, in the records' order.
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub vectors: Vec<SparseVector>,
    pub dimensions: usize,
}

/// Terms found in fewer records than this are dropped: a word in one record
/// alone cannot help rank any other.
const MIN_DOCUMENT_FREQUENCY: usize = 2;

fn record_terms(record: &RecordText) -> HashMap<String, u32> {
    let mut counts = HashMap::new();
    let fields = [record.title.as_str(), record.abstract_text.as_str()]
        .into_iter()
        .chain(record.keywords.split(';'));
    for field in fields {
        for term in terms(field) {
            *counts.entry(term).or_insert(0) += 1;
        }
    }
    counts
}

/// Builds the features: sublinear term frequency (1 + ln tf), smoothed
/// inverse document frequency (ln((1 + n) / (1 + df)) + 1), each vector
/// scaled to unit length.
pub fn tfidf(records: &[RecordText]) -> Features {
    let counted: Vec<HashMap<String, u32>> = records.iter().map(record_terms).collect();
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for counts in &counted {
        for term in counts.keys() {
            *document_frequency.entry(term).or_insert(0) += 1;
        }
    }
    let mut vocabulary: Vec<(&str, usize)> = document_frequency
        .into_iter()
        .filter(|&(_, df)| df >= MIN_DOCUMENT_FREQUENCY)
        .collect();
    // Sorted so the same batch always gets the same term indices.
    vocabulary.sort_unstable();
    let n = records.len() as f64;
    let index: HashMap<&str, (u32, f64)> = vocabulary
        .iter()
        .enumerate()
        .map(|(i, &(term, df))| (term, (i as u32, ((1.0 + n) / (1.0 + df as f64)).ln() + 1.0)))
        .collect();
    let vectors = counted
        .iter()
        .map(|counts| {
            let mut entries: Vec<(u32, f64)> = counts
                .iter()
                .filter_map(|(term, &tf)| {
                    let &(i, idf) = index.get(term.as_str())?;
                    Some((i, (1.0 + f64::from(tf).ln()) * idf))
                })
                .collect();
            entries.sort_unstable_by_key(|&(i, _)| i);
            let norm = entries.iter().map(|(_, v)| v * v).sum::<f64>().sqrt();
            let scale = if norm > 0.0 { 1.0 / norm } else { 0.0 };
            SparseVector {
                indices: entries.iter().map(|&(i, _)| i).collect(),
                values: entries.iter().map(|&(_, v)| v * scale).collect(),
            }
        })
        .collect();
    Features {
        vectors,
        dimensions: vocabulary.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, abstract_text: &str) -> RecordText {
        RecordText {
            title: title.into(),
            abstract_text: abstract_text.into(),
            keywords: String::new(),
        }
    }

    #[test]
    fn vectors_have_unit_length_and_terms_in_one_record_are_dropped() {
        let features = tfidf(&[
            record("Clonidine for pain", "children after surgery"),
            record("Clonidine in children", "blood pressure"),
            record("Hand hygiene audit", "wards"),
        ]);
        // "clonidine" and "children" are the only terms in two records.
        assert_eq!(features.dimensions, 2);
        for vector in &features.vectors[..2] {
            let norm: f64 = vector.values.iter().map(|v| v * v).sum();
            assert!((norm - 1.0).abs() < 1e-9);
        }
        assert!(features.vectors[2].indices.is_empty());
    }

    #[test]
    fn rarer_terms_weigh_more() {
        let features = tfidf(&[
            record("alpha beta", ""),
            record("alpha beta", ""),
            record("alpha", ""),
        ]);
        // Term order is alphabetical: "alpha" (3 records), "alpha beta"
        // (2), "beta" (2).
        let first = &features.vectors[0];
        assert_eq!(first.indices, [0, 1, 2]);
        assert!(first.values[2] > first.values[0]);
    }

    #[test]
    fn keywords_are_separate_fields() {
        let features = tfidf(&[
            RecordText {
                keywords: "Pain; Child".into(),
                ..RecordText::default()
            },
            RecordText {
                keywords: "Pain; Child".into(),
                ..RecordText::default()
            },
        ]);
        // "pain child" would be a pair only if the keywords ran together.
        assert_eq!(features.dimensions, 2);
    }
}
