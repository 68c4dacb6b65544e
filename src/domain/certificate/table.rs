//! The activity table: hours by project and task kind, repeating its header
//! row on every page it spans.

use super::content::{CertificateContent, format_duration_short};
use super::fonts::Face;
use super::layout::{Block, CONTENT_WIDTH, INK, MARGIN, MUTED, Op, Pager, RULE, Style, TINT};
use super::wording::short_date;

/// Table body text.
const CELL: Style = Style {
    leading: 11.5,
    ..Style::new(8.5, Face::Regular, INK)
};
/// Column headers.
const HEAD: Style = Style {
    leading: 11.5,
    ..Style::new(7.5, Face::Bold, MUTED)
};
/// The totals row.
const TOTAL: Style = Style {
    leading: 11.5,
    ..Style::new(8.5, Face::Bold, INK)
};
/// Space above and below the text in each row.
const PAD_Y: f32 = 4.0;
/// Space between a cell's edge and its text.
const PAD_X: f32 = 4.0;

/// Horizontal alignment of a column.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

/// Header text, width in points and alignment of each column. The project
/// column takes whatever the fixed columns leave.
const FIXED: [(&str, f32, Align); 5] = [
    ("Task kind", 92.0, Align::Left),
    ("First activity", 62.0, Align::Left),
    ("Last activity", 62.0, Align::Left),
    ("Answers", 44.0, Align::Right),
    ("Time", 62.0, Align::Right),
];

/// Column lefts and widths, project column first.
fn columns() -> Vec<(f32, f32, Align)> {
    let fixed: f32 = FIXED.iter().map(|(_, width, _)| width).sum();
    let mut x = MARGIN;
    let mut out = vec![(x, CONTENT_WIDTH - fixed, Align::Left)];
    x += CONTENT_WIDTH - fixed;
    for (_, width, align) in FIXED {
        out.push((x, width, align));
        x += width;
    }
    out
}

/// Draws one row of cells, wrapping each, starting a page (and repeating the
/// header) if the row does not fit. `tinted` shades the row's background;
/// `tagged` rows are content, the others (a repeated header) decoration.
fn row(pager: &mut Pager<'_>, cells: &[String], style: Style, tinted: bool, tagged: bool) {
    let columns = columns();
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(&columns)
        .map(|(cell, (_, width, _))| pager.wrap(cell, style, width - 2.0 * PAD_X))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1);
    let height = lines as f32 * style.leading + 2.0 * PAD_Y;
    if pager.ensure(height) && style != HEAD {
        header(pager, false);
    }
    if tagged {
        pager.enter(Block::Row);
    } else {
        pager.decoration();
    }
    let top = pager.y;
    if tinted {
        pager.push(Op::Rect {
            x: MARGIN,
            y: top,
            w: CONTENT_WIDTH,
            h: height,
            colour: TINT,
        });
    }
    for (cell_lines, (x, width, align)) in wrapped.iter().zip(&columns) {
        if tagged {
            pager.open(if style == HEAD {
                Block::HeaderCell
            } else {
                Block::Cell
            });
        }
        for (index, line) in cell_lines.iter().enumerate() {
            let line_top = top + PAD_Y + index as f32 * style.leading;
            match align {
                Align::Left => pager.text_at(x + PAD_X, line_top, style, line),
                Align::Right => pager.text_right(x + width - PAD_X, line_top, style, line),
            }
        }
    }
    if tagged {
        pager.leave();
    }
    pager.y = top + height;
}

/// The header row, on a tinted band; repeated on later pages as decoration.
fn header(pager: &mut Pager<'_>, tagged: bool) {
    let mut cells = vec!["Project".to_owned()];
    cells.extend(FIXED.iter().map(|(name, _, _)| (*name).to_owned()));
    row(pager, &cells, HEAD, true, tagged);
}

/// A hairline across the table at the cursor.
fn rule(pager: &mut Pager<'_>, width: f32, colour: super::layout::Rgb) {
    let (x1, x2, y) = (MARGIN, MARGIN + CONTENT_WIDTH, pager.y);
    pager.push(Op::Line {
        x1,
        y1: y,
        x2,
        y2: y,
        width,
        colour,
    });
}

/// The whole table: header, one row per activity, and a totals row.
pub(super) fn activities(pager: &mut Pager<'_>, content: &CertificateContent) {
    // Keep the header with at least two rows so it never sits alone at a page foot.
    pager.ensure(4.0 * CELL.leading + 6.0 * PAD_Y);
    pager.enter(Block::Table);
    header(pager, true);
    if content.activities.is_empty() {
        let none = ["No credited activity in this period".to_owned()];
        row(pager, &none, CELL, false, true);
    }
    for activity in &content.activities {
        let cells = [
            activity.project_title.clone(),
            activity.task_kind.label().to_owned(),
            short_date(activity.first_activity_on),
            short_date(activity.last_activity_on),
            activity.answers.to_string(),
            format_duration_short(activity.credited_seconds),
        ];
        row(pager, &cells, CELL, false, true);
        rule(pager, 0.4, RULE);
    }
    let totals = [
        "Total".to_owned(),
        String::new(),
        String::new(),
        String::new(),
        content.totals.answers.to_string(),
        format_duration_short(content.totals.credited_seconds),
    ];
    pager.ensure(TOTAL.leading + 2.0 * PAD_Y);
    rule(pager, 0.9, MUTED);
    row(pager, &totals, TOTAL, false, true);
    pager.leave();
}
