//! Breaking text into lines by measured width: words, long words, web
//! addresses, and single lines shortened with an ellipsis.

use unicode_segmentation::UnicodeSegmentation as _;

use super::fonts::Fonts;
use super::layout::Style;

/// Greedy word wrap by measured width; words wider than a line (long names,
/// signatures) are broken between user-perceived characters, so an emoji
/// sequence or a letter and its accent stay together. Newlines force breaks.
pub(super) fn wrap(fonts: &Fonts, text: &str, style: Style, width: f32) -> Vec<String> {
    let fits = |candidate: &str| fonts.width(style.face, candidate, style.size) <= width;
    let mut lines = Vec::new();
    for source_line in text.split('\n') {
        let mut line = String::new();
        for word in source_line.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if fits(&candidate) {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            break_word(word, &fits, &mut lines, &mut line);
        }
        lines.push(line);
    }
    lines
}

/// Appends `word` to `line`, moving full lines to `lines` whenever the next
/// character would not fit (a single character wider than the line stands
/// alone on its line rather than being lost).
fn break_word(word: &str, fits: &dyn Fn(&str) -> bool, lines: &mut Vec<String>, line: &mut String) {
    for grapheme in word.graphemes(true) {
        let before = line.len();
        line.push_str(grapheme);
        if !fits(line) && before > 0 {
            line.truncate(before);
            lines.push(std::mem::replace(line, grapheme.to_owned()));
        }
    }
}

/// Wraps a web address only after a `/`, so the certificate id in it is
/// never split across lines; a part still wider than a line (which no
/// address Tessera prints has) falls back to breaking between characters.
pub(super) fn wrap_url(fonts: &Fonts, url: &str, style: Style, width: f32) -> Vec<String> {
    let fits = |candidate: &str| fonts.width(style.face, candidate, style.size) <= width;
    let mut lines = Vec::new();
    let mut line = String::new();
    for part in url.split_inclusive('/') {
        let candidate = format!("{line}{part}");
        if fits(&candidate) {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if fits(part) {
            line.push_str(part);
        } else {
            break_word(part, &fits, &mut lines, &mut line);
        }
    }
    lines.push(line);
    lines
}

/// `text` on one line no wider than `width`: as it is if it fits, else cut
/// between characters and ended with an ellipsis.
pub(super) fn fit_line(fonts: &Fonts, text: &str, style: Style, width: f32) -> String {
    if fonts.width(style.face, text, style.size) <= width {
        return text.to_owned();
    }
    let mut kept = String::new();
    for grapheme in text.graphemes(true) {
        let candidate = format!("{kept}{grapheme}…");
        if fonts.width(style.face, &candidate, style.size) > width {
            break;
        }
        kept.push_str(grapheme);
    }
    format!("{}…", kept.trim_end())
}
