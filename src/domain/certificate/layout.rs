//! Page layout as plain data: positioned drawing operations split into pages.
//!
//! Laying out first and drawing afterwards keeps pagination testable without
//! a PDF, lets footers say "page 2 of 3", and avoids juggling krilla's borrowed
//! page and surface handles across page breaks.
//!
//! Layout also records the document's structure for the tagged PDF: each
//! text run belongs to a [`Block`] (a heading, a paragraph, a table cell),
//! blocks are created in reading order, and anything without a block
//! (rules, tints, running heads, footers) is drawn as an artifact.

use super::fonts::{Face, Fonts};
use super::wrap::{fit_line, wrap};

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

/// The running head atop continuation pages.
pub(super) const RUNNING_HEAD: Style = Style::new(8.0, Face::Regular, MUTED);

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

/// What a piece of the document is, for the tagged PDF's structure tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Block {
    /// The document's title (level 1 heading).
    Title,
    /// A section heading (level 2).
    Heading,
    /// A heading inside a section (level 3).
    Subheading,
    /// A paragraph, or a label with its value.
    Paragraph,
    /// A picture with a description for people who cannot see it.
    Figure(String),
    /// A link to a web address: the printed address and its link area.
    Link(String),
    /// A table: holds rows only.
    Table,
    /// A table row: holds cells only.
    Row,
    /// A column header cell.
    HeaderCell,
    /// A data cell.
    Cell,
}

/// A block and the container it sits in (`None` at the top level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BlockNode {
    /// What it is.
    pub kind: Block,
    /// Index of the enclosing container block.
    pub parent: Option<usize>,
}

/// Pages of drawing operations and the blocks their text belongs to, in
/// reading order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Layout {
    /// Each page's operations, in drawing order.
    pub pages: Vec<Vec<Op>>,
    /// Every block, in reading order; operations refer to them by index.
    pub blocks: Vec<BlockNode>,
}

/// One thing to draw, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Op {
    /// A single line of text; `y` is the baseline. `block` is `None` for
    /// running heads and footers.
    Text {
        x: f32,
        y: f32,
        style: Style,
        text: String,
        block: Option<usize>,
    },
    /// A clickable area opening `url` (drawn as nothing).
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        url: String,
        block: Option<usize>,
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
        block: Option<usize>,
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
    blocks: Vec<BlockNode>,
    /// The block text now being laid out belongs to.
    current: Option<usize>,
    /// Open containers (a table, a row), innermost last.
    containers: Vec<usize>,
}

impl<'f> Pager<'f> {
    /// Starts the first page; `running_head` is printed atop later pages.
    pub(super) fn new(fonts: &'f Fonts, running_head: String) -> Self {
        Pager {
            fonts,
            y: TOP,
            pages: vec![Vec::new()],
            running_head,
            blocks: Vec::new(),
            current: None,
            containers: Vec::new(),
        }
    }

    /// Starts a block inside the innermost open container; the text laid
    /// out next belongs to it. Returns its index.
    pub(super) fn open(&mut self, kind: Block) -> usize {
        let parent = self.containers.last().copied();
        self.blocks.push(BlockNode { kind, parent });
        let index = self.blocks.len() - 1;
        self.current = Some(index);
        index
    }

    /// Starts a container (a table, a row) that the next blocks sit in.
    pub(super) fn enter(&mut self, kind: Block) {
        let index = self.open(kind);
        self.containers.push(index);
        self.current = None;
    }

    /// Closes the innermost container.
    pub(super) fn leave(&mut self) {
        self.containers.pop();
        self.current = None;
    }

    /// Text laid out next is decoration (a repeated table header), not content.
    pub(super) fn decoration(&mut self) {
        self.current = None;
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
        let style = RUNNING_HEAD;
        let text = fit_line(self.fonts, &self.running_head, style, CONTENT_WIDTH);
        self.push(Op::Text {
            x: MARGIN,
            y: TOP,
            style,
            text,
            block: None,
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
        let block = self.current;
        self.push(Op::Text {
            x,
            y,
            style,
            text: text.to_owned(),
            block,
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

    /// Writes wrapped text at the cursor as a paragraph of its own,
    /// breaking pages between lines.
    pub(super) fn paragraph(&mut self, text: &str, style: Style, x: f32, width: f32) {
        self.open(Block::Paragraph);
        for line in self.wrap(text, style, width) {
            self.ensure(style.leading);
            self.text_at(x, self.y, style, &line);
            self.y += style.leading;
        }
    }

    /// Finishes layout, adding `footer(page, pages)` at the foot of every page.
    pub(super) fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Layout {
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
                block: None,
            });
        }
        Layout {
            pages: self.pages,
            blocks: self.blocks,
        }
    }
}

/// Distance from a line's top to its baseline, centring cap height in the leading.
pub(super) fn baseline_offset(style: Style) -> f32 {
    // DejaVu's cap height is 0.73 em; split the spare leading above and below.
    (style.leading - 0.73 * style.size) / 2.0 + 0.73 * style.size
}
