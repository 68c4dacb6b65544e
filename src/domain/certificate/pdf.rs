//! Turns the laid-out pages into a tagged PDF with krilla: every text run
//! is marked as content of its block, the blocks form the structure tree in
//! reading order, and rules, tints, running heads and footers are artifacts.

use std::sync::Arc;

use chrono::{Datelike as _, Timelike as _};
use krilla::Document;
use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::rgb;
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::Identifier;
use krilla::text::{Font, TextDirection};

use super::CertificateError;
use super::fonts::{BOLD_TTF, Face, Fonts, REGULAR_TTF, visual_runs};
use super::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Rgb};
use super::qr::dark_runs;
use super::sections;
use super::signing::SignedCertificate;
use super::tags::{draw_marked, tag_tree};

/// Renders a signed certificate as an A4 PDF with embedded DejaVu Sans.
///
/// It takes the signed certificate rather than bare content because the key
/// id and signature are printed. The content is validated first, so totals
/// that disagree with the rows are refused instead of printed.
pub fn render_pdf(signed: &SignedCertificate) -> Result<Vec<u8>, CertificateError> {
    render(signed, None)
}

/// The name of the credential attached to a certificate's PDF.
pub const CREDENTIAL_ATTACHMENT: &str = "tessera-credential.json";

/// The same PDF with the certificate's Open Badges credential (the JSON a
/// holder downloads, with its VC-JWT) attached, so whoever is handed the
/// PDF can check it at `/verify/` without the certificate's id. The file is
/// stored uncompressed, so the VC-JWT can be found in the PDF's bytes
/// without a PDF reader.
pub fn render_pdf_with_credential(
    signed: &SignedCertificate,
    credential_json: &[u8],
) -> Result<Vec<u8>, CertificateError> {
    render(signed, Some(credential_json))
}

fn render(
    signed: &SignedCertificate,
    attachment: Option<&[u8]>,
) -> Result<Vec<u8>, CertificateError> {
    let content = &signed.content;
    content.validate()?;
    let fonts = Fonts::load()?;
    let layout = sections::lay_out(signed, &fonts)?;
    let faces = KrillaFonts {
        regular: load_font(REGULAR_TTF, "DejaVuSans.ttf")?,
        bold: load_font(BOLD_TTF, "DejaVuSans-Bold.ttf")?,
        metrics: fonts,
    };

    let mut document = Document::new();
    let mut metadata = Metadata::new()
        .title(format!(
            "Contribution certificate – {}",
            content.contributor.name
        ))
        .authors(vec!["Tessera".to_owned()])
        .creator("Tessera".to_owned())
        .language("en-GB".to_owned())
        .document_id(content.certificate_id.to_string());
    if let Some(created) = pdf_date(content.issued_at) {
        metadata = metadata.creation_date(created);
    }
    document.set_metadata(metadata);
    let mut marked: Vec<Vec<Identifier>> = layout.blocks.iter().map(|_| Vec::new()).collect();
    for ops in &layout.pages {
        let mut page = document.start_page_with(PageSettings::new(PAGE_WIDTH, PAGE_HEIGHT));
        let mut surface = page.surface();
        let mut links = Vec::new();
        for op in ops {
            match op {
                Op::Link { .. } => links.push(op),
                _ => draw_marked(&mut surface, op, &faces, &mut marked),
            }
        }
        surface.finish();
        for op in links {
            let Op::Link {
                x,
                y,
                w,
                h,
                url,
                block,
            } = op
            else {
                continue;
            };
            let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else {
                continue;
            };
            let target = Target::Action(Action::Link(LinkAction::new(url.clone())));
            let annotation = Annotation::new_link(
                LinkAnnotation::new(rect, target),
                Some(format!("Open {url}")),
            );
            match block.and_then(|b| marked.get_mut(b)) {
                Some(ids) => ids.push(page.add_tagged_annotation(annotation)),
                None => page.add_annotation(annotation),
            }
        }
        page.finish();
    }
    document.set_tag_tree(tag_tree(&layout.blocks, marked));
    if let Some(json) = attachment {
        document
            .embed_file(EmbeddedFile {
                path: CREDENTIAL_ATTACHMENT.to_owned(),
                mime_type: MimeType::new("application/json"),
                description: Some(
                    "This certificate as an Open Badges 3.0 credential (VC-JWT); anyone can \
                     check it at the verification page."
                        .to_owned(),
                ),
                association_kind: AssociationKind::Alternative,
                data: json.to_vec().into(),
                modification_date: pdf_date(content.issued_at),
                compress: Some(false),
                location: None,
            })
            .ok_or_else(|| CertificateError::Pdf("the credential could not be attached".into()))?;
    }
    document
        .finish()
        .map_err(|err| CertificateError::Pdf(format!("{err:?}")))
}

/// The issue time as a PDF date, or `None` for a year krilla cannot store
/// (outside 0..=65535), in which case the date is simply left out.
fn pdf_date(issued: chrono::DateTime<chrono::Utc>) -> Option<DateTime> {
    let part = |value: u32| u8::try_from(value).ok();
    Some(
        DateTime::new(u16::try_from(issued.year()).ok()?)
            .month(part(issued.month())?)
            .day(part(issued.day())?)
            .hour(part(issued.hour())?)
            .minute(part(issued.minute())?)
            .second(part(issued.second())?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}

/// krilla handles for the two bundled faces.
pub(super) struct KrillaFonts {
    regular: Font,
    bold: Font,
    /// The same faces' measurements, to place runs of one direction.
    metrics: Fonts,
}

/// Wraps static font bytes for krilla without copying them.
fn load_font(bytes: &'static [u8], name: &'static str) -> Result<Font, CertificateError> {
    let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
    Font::new(data.into(), 0).ok_or(CertificateError::Font(name))
}

/// A solid fill in `colour`.
fn fill(colour: Rgb) -> Fill {
    Fill {
        paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// Draws one laid-out operation.
pub(super) fn draw(surface: &mut Surface<'_>, op: &Op, fonts: &KrillaFonts) {
    match op {
        Op::Text {
            x, y, style, text, ..
        } => {
            let font = match style.face {
                Face::Regular => fonts.regular.clone(),
                Face::Bold => fonts.bold.clone(),
            };
            surface.set_stroke(None);
            surface.set_fill(Some(fill(style.colour)));
            // Each run in its own direction, placed left to right as measured.
            let mut left = *x;
            for (run, rtl) in visual_runs(text) {
                let direction = if rtl {
                    TextDirection::RightToLeft
                } else {
                    TextDirection::LeftToRight
                };
                let start = Point::from_xy(left, *y);
                surface.draw_text(start, font.clone(), style.size, run, false, direction);
                left += fonts.metrics.run_width(style.face, run, rtl, style.size);
            }
        }
        Op::Rect { x, y, w, h, colour } => {
            let mut builder = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                builder.push_rect(rect);
            }
            fill_path(surface, builder, *colour);
        }
        Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            colour,
        } => {
            let mut builder = PathBuilder::new();
            builder.move_to(*x1, *y1);
            builder.line_to(*x2, *y2);
            if let Some(path) = builder.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(colour.0, colour.1, colour.2).into(),
                    width: *width,
                    ..Default::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Qr {
            x,
            y,
            module,
            width,
            dark,
            ..
        } => {
            let mut builder = PathBuilder::new();
            for (row, column, length) in dark_runs(*width, dark) {
                let left = x + column as f32 * module;
                let top = y + row as f32 * module;
                // A hair of overlap between rows hides anti-aliasing seams.
                let rect = Rect::from_xywh(left, top, length as f32 * module, module + 0.05);
                if let Some(rect) = rect {
                    builder.push_rect(rect);
                }
            }
            fill_path(surface, builder, Rgb(0, 0, 0));
        }
        // Links are page annotations, added once the page's content is drawn.
        Op::Link { .. } => {}
    }
}

/// Fills whatever the builder holds; an empty builder draws nothing.
fn fill_path(surface: &mut Surface<'_>, builder: PathBuilder, colour: Rgb) {
    if let Some(path) = builder.finish() {
        surface.set_stroke(None);
        surface.set_fill(Some(fill(colour)));
        surface.draw_path(&path);
    }
}
