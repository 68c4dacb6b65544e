//! Page layout as plain data: positioned drawing operations split into pages.
//!
//! Laying out first and drawing afterwards keeps pagination testable without
//! a PDF, lets footers say "page 2 of 3", and avoids juggling krilla's borrowed
//! page and surface handles across page breaks.

use super::fonts::{Face, Fonts};

/// A4 width in points.
pub(super) const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub(super) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin (2 cm).
pub(super) const MARGIN: f32 = 56.7;
/// Width available between the margins.
pub(super) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where content starts on the first page.
const TOP: f32 = 52.0;
/// Content must end above this line, leaving room for the footer.
const BOTTOM: f32 = PAGE_HEIGHT - 62.0;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rgb(pub u8, pub u8, pub u8);

/// Body text.
pub(super) const INK: Rgb = Rgb(0x1f, 0x29, 0x33);
/// Labels, captions and footers.
pub(super) const MUTED: Rgb = Rgb(0x52, 0x60, 0x6d);
/// Title, headings and accents: a deep teal, so no NHS identity is implied.
pub(super) const ACCENT: Rgb = Rgb(0x0b, 0x55, 0x63);
/// Hairlines and writing lines.
pub(super) const RULE: Rgb = Rgb(0xc5, 0xcd, 0xd5);
/// Light backgrounds behind table headers and summary boxes.
pub(super) const TINT: Rgb = Rgb(0xec, 0xf3, 0xf4);

/// A font choice for a run of text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Style {
    /// Font size in points.
    pub size: f32,
    /// Regular or bold.
    pub face: Face,
    /// Text colour.
    pub colour: Rgb,
    /// Distance between baselines in points.
    pub leading: f32,
}

impl Style {
    /// A style with leading 1.4 times the size, comfortable for body text.
    pub(super) const fn new(size: f32, face: Face, colour: Rgb) -> Self {
        Style {
            size,
            face,
            colour,
            leading: size * 1.4,
        }
    }
}

/// One thing to draw, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    /// A single line of text; `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
    },
    /// A filled rectangle.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: Rgb,
    },
    /// A straight stroked line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        colour: Rgb,
    },
    /// A QR code: `dark` is row-major, `width` modules square, each `module` points.
    Qr {
        x: f32,
        y: f32,
        module: f32,
        width: usize,
        dark: Vec<bool>,
    },
}

/// Lays content out top to bottom, starting new pages as space runs out.
pub(super) struct Pager<'f> {
    /// Used to measure text.
    pub fonts: &'f Fonts,
    /// Top of the next free space on the current page.
    pub y: f32,
    pages: Vec<Vec<Op>>,
    running_head: String,
}

impl<'f> Pager<'f> {
    /// Starts the first page; `running_head` is printed atop later pages.
    pub(super) fn new(fonts: &'f Fonts, running_head: String) -> Self {
        Pager {
            fonts,
            y: TOP,
            pages: vec![Vec::new()],
            running_head,
        }
    }

    /// Adds an operation to the current page.
    pub(super) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page whose top carries the running head.
    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        let style = Style::new(8.0, Face::Regular, MUTED);
        let text = self.running_head.clone();
        self.push(Op::Text {
            x: MARGIN,
            y: TOP,
            style,
            text,
        });
        self.hairline(TOP + 6.0);
        self.y = TOP + 22.0;
    }

    /// Makes sure `height` points fit on this page; returns true if a page was started.
    pub(super) fn ensure(&mut self, height: f32) -> bool {
        let fresh = self.y + height > BOTTOM;
        if fresh {
            self.new_page();
        }
        fresh
    }

    /// Points left on the current page.
    pub(super) fn remaining(&self) -> f32 {
        BOTTOM - self.y
    }

    /// Moves down by `height` points.
    pub(super) fn gap(&mut self, height: f32) {
        self.y += height;
    }

    /// A full-width hairline at `y`.
    pub(super) fn hairline(&mut self, y: f32) {
        let (x1, x2) = (MARGIN, PAGE_WIDTH - MARGIN);
        self.push(Op::Line {
            x1,
            y1: y,
            x2,
            y2: y,
            width: 0.6,
            colour: RULE,
        });
    }

    /// Text on one line with its top at `top` (the baseline sits below it).
    pub(super) fn text_at(&mut self, x: f32, top: f32, style: Style, text: &str) {
        let y = top + baseline_offset(style);
        self.push(Op::Text {
            x,
            y,
            style,
            text: text.to_owned(),
        });
    }

    /// Text on one line whose right edge is at `right`.
    pub(super) fn text_right(&mut self, right: f32, top: f32, style: Style, text: &str) {
        let width = self.fonts.width(style.face, text, style.size);
        self.text_at(right - width, top, style, text);
    }

    /// Splits `text` into lines no wider than `width` points.
    pub(super) fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        wrap(self.fonts, text, style, width)
    }

    /// Writes wrapped text at the cursor, breaking pages between lines.
    pub(super) fn paragraph(&mut self, text: &str, style: Style, x: f32, width: f32) {
        for line in self.wrap(text, style, width) {
            self.ensure(style.leading);
            self.text_at(x, self.y, style, &line);
            self.y += style.leading;
        }
    }

    /// Finishes layout, adding `footer(page, pages)` at the foot of every page.
    pub(super) fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Vec<Vec<Op>> {
        let count = self.pages.len();
        let style = Style::new(7.5, Face::Regular, MUTED);
        let foot = PAGE_HEIGHT - 34.0;
        for (index, page) in self.pages.iter_mut().enumerate() {
            let (x1, x2, y) = (MARGIN, PAGE_WIDTH - MARGIN, foot - 12.0);
            page.push(Op::Line {
                x1,
                y1: y,
                x2,
                y2: y,
                width: 0.6,
                colour: RULE,
            });
            let text = footer(index + 1, count);
            page.push(Op::Text {
                x: MARGIN,
                y: foot,
                style,
                text,
            });
        }
        self.pages
    }
}

/// Distance from a line's top to its baseline, centring cap height in the leading.
pub(super) fn baseline_offset(style: Style) -> f32 {
    // DejaVu's cap height is 0.73 em; split the spare leading above and below.
    (style.leading - 0.73 * style.size) / 2.0 + 0.73 * style.size
}

/// Greedy word wrap by measured width; words wider than a line (URLs,
/// signatures) are broken between characters. Newlines force breaks.
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
            for ch in word.chars() {
                line.push(ch);
                if !fits(&line) && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::replace(&mut line, ch.to_string()));
                }
            }
        }
        lines.push(line);
    }
    lines
}
