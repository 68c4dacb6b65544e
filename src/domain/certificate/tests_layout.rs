//! Tests of text wrapping and pagination.

use super::fonts::{Face, Fonts};
use super::layout::{CONTENT_WIDTH, INK, MARGIN, Op, PAGE_HEIGHT, Pager, Style};
use super::wrap::{fit_line, wrap, wrap_url};

const BODY: Style = Style::new(10.0, Face::Regular, INK);

#[test]
fn wrapped_lines_fit_the_width_and_keep_every_word_in_order() {
    let fonts = Fonts::load().unwrap();
    let text = "Credited time is the time recorded for completed tasks in five minute sessions.";
    let lines = wrap(&fonts, text, BODY, 120.0);
    assert!(lines.len() >= 3, "{lines:?}");
    assert!(
        lines
            .iter()
            .all(|line| fonts.width(Face::Regular, line, 10.0) <= 120.0)
    );
    assert_eq!(lines.join(" "), text);
}

#[test]
fn a_word_longer_than_the_line_is_broken_between_characters() {
    let fonts = Fonts::load().unwrap();
    let signature = "A".repeat(200);
    let lines = wrap(&fonts, &signature, BODY, 100.0);
    assert!(lines.len() > 1);
    assert_eq!(lines.concat(), signature);
    assert!(
        lines
            .iter()
            .all(|line| fonts.width(Face::Regular, line, 10.0) <= 100.0)
    );
}

#[test]
fn paragraphs_that_overflow_continue_on_a_new_page_with_footers_on_each() {
    let fonts = Fonts::load().unwrap();
    let mut pager = Pager::new(&fonts, "Running head".to_owned());
    let long = "word ".repeat(3000);
    pager.paragraph(&long, BODY, MARGIN, CONTENT_WIDTH);
    let pages = pager
        .finish(|page, count| format!("Page {page} of {count}"))
        .pages;
    assert!(pages.len() >= 3);
    let last_text = |ops: &[Op]| match ops.last() {
        Some(Op::Text { text, .. }) => text.clone(),
        _ => String::new(),
    };
    assert_eq!(last_text(&pages[1]), format!("Page 2 of {}", pages.len()));
    assert!(pages.iter().flatten().all(|op| match op {
        Op::Text { y, .. } => *y <= PAGE_HEIGHT - 30.0,
        _ => true,
    }));
}

#[test]
fn a_web_address_breaks_only_after_a_slash() {
    let fonts = Fonts::load().unwrap();
    let url = "https://tessera.example.nhs.uk/v1/certificates/6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31/verify";
    let lines = wrap_url(&fonts, url, BODY, 300.0);
    assert!(lines.len() > 1, "{lines:?}");
    assert_eq!(lines.concat(), url);
    assert!(
        lines[..lines.len() - 1]
            .iter()
            .all(|line| line.ends_with('/'))
    );
    assert!(
        lines
            .iter()
            .any(|line| line.contains("6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31"))
    );
    // Greedy character breaking at the same width splits the id.
    let naive = wrap(&fonts, url, BODY, 300.0);
    assert!(
        !naive
            .iter()
            .any(|line| line.contains("6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31"))
    );
}

#[test]
fn long_words_break_between_whole_characters_and_emoji_sequences() {
    let fonts = Fonts::load().unwrap();
    let word = "Nguyễn🧑\u{200d}⚕\u{fe0f}".repeat(12);
    let lines = wrap(&fonts, &word, BODY, 60.0);
    assert!(lines.len() > 2);
    assert_eq!(lines.concat(), word);
    for line in &lines {
        assert!(fonts.width(Face::Regular, line, 10.0) <= 60.0, "{line}");
        // No line starts with a joiner, a variation selector or a bare accent.
        let first = line.chars().next().unwrap();
        assert!(
            !matches!(first, '\u{200d}' | '\u{fe0f}' | '\u{300}'..='\u{36f}'),
            "{line:?}"
        );
    }
}

#[test]
fn a_line_too_long_for_its_place_is_shortened_with_an_ellipsis() {
    let fonts = Fonts::load().unwrap();
    let name = "Αλεξάνδρα-Мария Nguyễn Thị Ó Dónaill-Kowalczyk".repeat(4);
    let line = fit_line(&fonts, &name, BODY, 150.0);
    assert!(line.ends_with('…'));
    assert!(fonts.width(Face::Regular, &line, 10.0) <= 150.0);
    assert_eq!(fit_line(&fonts, "Ada", BODY, 150.0), "Ada");
}
