//! The certificate's sections, laid out in reading order.

use super::CertificateError;
use super::closing;
use super::content::{CertificateContent, Tally, format_duration_short};
use super::fonts::{Face, Fonts};
use super::layout::{
    ACCENT, Block, CONTENT_WIDTH, INK, Layout, MARGIN, MUTED, Op, PAGE_WIDTH, Pager, RUNNING_HEAD,
    Style, TINT,
};
use super::qr;
use super::signing::SignedCertificate;
use super::table;
use super::wording::long_date;
use super::wrap::fit_line;

/// Body text.
pub(super) const BODY: Style = Style::new(9.5, Face::Regular, INK);
/// Bold body text.
pub(super) const BODY_BOLD: Style = Style::new(9.5, Face::Bold, INK);
/// Small grey labels and notes.
pub(super) const LABEL: Style = Style::new(8.0, Face::Regular, MUTED);
/// Section headings.
pub(super) const HEADING: Style = Style::new(12.0, Face::Bold, ACCENT);
/// Side of the QR code in points (about 3.2 cm: easy to scan from paper).
const QR_SIZE: f32 = 92.0;
/// Width of the label column in key/value blocks.
pub(super) const LABEL_WIDTH: f32 = 118.0;

/// Lays out the whole certificate into pages of drawing operations, in
/// reading order.
pub(super) fn lay_out(
    signed: &SignedCertificate,
    fonts: &Fonts,
) -> Result<Layout, CertificateError> {
    let content = &signed.content;
    // A long name is shortened in the running head, which has one line.
    let frame = |name: &str| format!("Contribution certificate · {name} · continued");
    let style = RUNNING_HEAD;
    let spare = CONTENT_WIDTH - fonts.width(style.face, &frame(""), style.size);
    let head = frame(&fit_line(fonts, &content.contributor.name, style, spare));
    let mut pager = Pager::new(fonts, head);
    title(&mut pager);
    details(&mut pager, content)?;
    summary(&mut pager, content);
    heading(&mut pager, "Research activity", 40.0);
    table::activities(&mut pager, content);
    quality(&mut pager, content);
    heading(&mut pager, "About this activity", 40.0);
    pager.paragraph(&content.activity_description, BODY, MARGIN, CONTENT_WIDTH);
    cpd(&mut pager, content);
    closing::verification(&mut pager, signed);
    closing::reflection(&mut pager, content);
    let id = content.certificate_id;
    Ok(pager.finish(|page, count| {
        format!("Tessera contribution certificate · {id} · Page {page} of {count}")
    }))
}

/// A section heading, kept with at least `keep` points of what follows.
pub(super) fn heading(pager: &mut Pager<'_>, text: &str, keep: f32) {
    pager.gap(14.0);
    pager.ensure(HEADING.leading + keep);
    pager.open(Block::Heading);
    pager.text_at(MARGIN, pager.y, HEADING, text);
    pager.y += HEADING.leading + 2.0;
}

/// The title block across the top of the first page.
fn title(pager: &mut Pager<'_>) {
    let kicker = Style::new(8.0, Face::Bold, ACCENT);
    pager.open(Block::Paragraph);
    pager.text_at(
        MARGIN,
        pager.y,
        kicker,
        "TESSERA · HEALTH RESEARCH MICRO-TASKS",
    );
    pager.y += kicker.leading;
    let big = Style {
        leading: 30.0,
        ..Style::new(24.0, Face::Bold, INK)
    };
    pager.open(Block::Title);
    pager.text_at(MARGIN, pager.y, big, "Contribution certificate");
    pager.y += big.leading;
    let sub = Style::new(9.5, Face::Regular, MUTED);
    let line = "A signed record of research contribution time for appraisal and CPD portfolios";
    pager.open(Block::Paragraph);
    pager.text_at(MARGIN, pager.y, sub, line);
    pager.y += sub.leading + 6.0;
    pager.push(Op::Rect {
        x: MARGIN,
        y: pager.y,
        w: 48.0,
        h: 3.0,
        colour: ACCENT,
    });
    pager.y += 16.0;
}

/// Writes `label` and a wrapped `value` side by side, moving the cursor below them.
pub(super) fn field(pager: &mut Pager<'_>, label: &str, value: &str, style: Style, width: f32) {
    let lines = pager.wrap(value, style, width - LABEL_WIDTH);
    field_lines(pager, label, lines, style);
}

/// Writes `label` beside lines already wrapped, moving the cursor below them.
pub(super) fn field_lines(pager: &mut Pager<'_>, label: &str, lines: Vec<String>, style: Style) {
    pager.ensure(style.leading * lines.len() as f32);
    let label_top = pager.y + (style.leading - LABEL.leading) / 2.0;
    pager.open(Block::Paragraph);
    pager.text_at(MARGIN, label_top, LABEL, label);
    for line in lines {
        pager.text_at(MARGIN + LABEL_WIDTH, pager.y, style, &line);
        pager.y += style.leading;
    }
}

/// Who, when and which certificate, with the verification QR code on the right.
fn details(pager: &mut Pager<'_>, content: &CertificateContent) -> Result<(), CertificateError> {
    let top = pager.y;
    let width = CONTENT_WIDTH - QR_SIZE - 16.0;
    let who = &content.contributor;
    let name_style = Style {
        leading: 18.0,
        ..Style::new(13.0, Face::Bold, INK)
    };
    field(pager, "Name", &who.name, name_style, width);
    if let Some(registration) = &who.registration {
        let value = format!("{} {}", registration.body, registration.number);
        field(pager, "Professional registration", &value, BODY, width);
    }
    if let Some(organisation) = &who.organisation {
        let shown = match who.membership.as_deref() {
            Some("verified") => format!("{organisation} (verified member)"),
            Some(other) => format!("{organisation} ({other})"),
            None => organisation.clone(),
        };
        field(pager, "Organisation", &shown, BODY, width);
    }
    field(pager, "Staff group", &who.staff_group, BODY, width);
    let period = format!(
        "{} to {}",
        long_date(content.period.from),
        long_date(content.period.to)
    );
    field(pager, "Period covered", &period, BODY, width);
    field(
        pager,
        "Issued",
        &long_date(content.issued_at.date_naive()),
        BODY,
        width,
    );
    field(
        pager,
        "Certificate ID",
        &content.certificate_id.to_string(),
        BODY,
        width,
    );
    // The code sits beside the details but is read after them.
    let matrix = qr::encode(&content.verification_url)?;
    let qr_x = PAGE_WIDTH - MARGIN - QR_SIZE;
    let module = QR_SIZE / matrix.width as f32;
    let alt = format!(
        "QR code linking to the verification page, {}",
        content.verification_url
    );
    let block = Some(pager.open(Block::Figure(alt)));
    pager.push(Op::Qr {
        x: qr_x,
        y: top,
        module,
        width: matrix.width,
        dark: matrix.dark,
        block,
    });
    let caption = "Scan to verify";
    let caption_width = pager.fonts.width(LABEL.face, caption, LABEL.size);
    let caption_x = qr_x + (QR_SIZE - caption_width) / 2.0;
    pager.open(Block::Paragraph);
    pager.text_at(caption_x, top + QR_SIZE + 3.0, LABEL, caption);
    pager.y = pager.y.max(top + QR_SIZE + 16.0) + 10.0;
    Ok(())
}

/// Three headline figures in tinted boxes.
fn summary(pager: &mut Pager<'_>, content: &CertificateContent) {
    let figures = [
        (
            format_duration_short(content.totals.credited_seconds),
            "credited time",
        ),
        (content.totals.answers.to_string(), "answers submitted"),
        (content.project_count().to_string(), "research projects"),
    ];
    let (gap, height) = (10.0, 50.0);
    let width = (CONTENT_WIDTH - 2.0 * gap) / 3.0;
    pager.ensure(height);
    let figure = Style {
        leading: 26.0,
        ..Style::new(19.0, Face::Bold, ACCENT)
    };
    for (index, (value, caption)) in figures.iter().enumerate() {
        let x = MARGIN + index as f32 * (width + gap);
        // Large totals ("1234 h 59 min") shrink rather than leave their box.
        let natural = pager.fonts.width(figure.face, value, figure.size);
        let room = width - 24.0;
        let figure = if natural > room {
            Style {
                size: figure.size * room / natural,
                ..figure
            }
        } else {
            figure
        };
        pager.push(Op::Rect {
            x,
            y: pager.y,
            w: width,
            h: height,
            colour: TINT,
        });
        pager.open(Block::Paragraph);
        pager.text_at(x + 12.0, pager.y + 6.0, figure, value);
        pager.text_at(x + 12.0, pager.y + 31.0, LABEL, caption);
    }
    pager.y += height;
}

/// "87% (174 of 200 …)" or a plain statement that there is too little data.
fn tally_text(tally: Option<Tally>, what: &str) -> String {
    match tally.and_then(|t| t.percent_floor().map(|percent| (percent, t))) {
        Some((percent, t)) => format!("{percent}% ({} of {} {what})", t.matched, t.total),
        None => "Not enough data in this period".to_owned(),
    }
}

/// Agreement with consensus and accuracy on known-answer tasks.
fn quality(pager: &mut Pager<'_>, content: &CertificateContent) {
    heading(pager, "Quality indicators", 44.0);
    let agreement = tally_text(
        content.quality.consensus_agreement,
        "answers agreed with the consensus",
    );
    field(
        pager,
        "Agreement with consensus",
        &agreement,
        BODY,
        CONTENT_WIDTH,
    );
    let gold = tally_text(content.quality.gold_accuracy, "known-answer tasks correct");
    field(pager, "Known-answer accuracy", &gold, BODY, CONTENT_WIDTH);
    let note = "Percentages are rounded down. Known-answer tasks are checks whose \
                correct answer was set in advance by the research team.";
    pager.gap(2.0);
    pager.paragraph(
        note,
        LABEL,
        MARGIN + LABEL_WIDTH,
        CONTENT_WIDTH - LABEL_WIDTH,
    );
}

/// The CPD guidance the content carries: the holder's regulator's, or the general form.
fn cpd(pager: &mut Pager<'_>, content: &CertificateContent) {
    heading(pager, "Using this for CPD", 50.0);
    for mapping in &content.cpd_mapping {
        pager.ensure(BODY_BOLD.leading + 2.0 * BODY.leading);
        let title = format!("{} · {}", mapping.regulator, mapping.scheme);
        pager.open(Block::Subheading);
        pager.text_at(MARGIN, pager.y, BODY_BOLD, &title);
        pager.y += BODY_BOLD.leading;
        pager.paragraph(&mapping.text, BODY, MARGIN, CONTENT_WIDTH);
        pager.gap(5.0);
    }
}
