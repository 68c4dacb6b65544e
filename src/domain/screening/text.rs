//! Words out of a record's title, abstract and keywords: lower case, split
//! on anything that is not a letter or digit, common English function words
//! and bare numbers dropped, and adjacent word pairs added so that phrases
//! such as "randomized controlled" count as one feature.

/// Words too common in abstracts to say anything about relevance.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "during", "each", "for",
    "from", "had", "has", "have", "he", "her", "his", "how", "however", "if", "in", "into", "is",
    "it", "its", "may", "more", "most", "no", "nor", "not", "of", "on", "or", "other", "our",
    "over", "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "under", "up", "was", "we", "were",
    "what", "when", "which", "while", "who", "will", "with", "within", "would",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.binary_search(&word).is_ok()
}

/// The words of one field, in order.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| !is_stop_word(w))
        .collect()
}

/// The terms of one field: its words, then each adjacent pair joined by a
/// space. Pairs never cross fields (a title's last word and an abstract's
/// first are not a phrase).
pub fn terms(text: &str) -> Vec<String> {
    let words = words(text);
    let pairs = words
        .windows(2)
        .map(|pair| format!("{} {}", pair[0], pair[1]));
    let mut out: Vec<String> = pairs.collect();
    out.extend(words);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_the_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn words_are_lower_case_without_stop_words_numbers_or_single_letters() {
        assert_eq!(
            words("The Effect of Clonidine, in 120 children (a RCT)."),
            ["effect", "clonidine", "children", "rct"]
        );
    }

    #[test]
    fn terms_add_adjacent_pairs_within_the_field() {
        let t = terms("Randomized controlled trial");
        assert!(t.contains(&"randomized controlled".to_string()));
        assert!(t.contains(&"controlled trial".to_string()));
        assert!(t.contains(&"trial".to_string()));
        assert_eq!(t.len(), 5);
    }
}
