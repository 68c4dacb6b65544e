//! Tests of text wrapping and pagination.

use super::fonts::{Face, Fonts};
use super::layout::{CONTENT_WIDTH, INK, MARGIN, Op, PAGE_HEIGHT, Pager, Style, wrap};

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
    let pages = pager.finish(|page, count| format!("Page {page} of {count}"));
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
