//! The closing sections: the verification block and the reflection worksheet.

use super::badge::credential_url;
use super::content::CertificateContent;
use super::fonts::Face;
use super::layout::{
    ACCENT, Block, CONTENT_WIDTH, INK, MARGIN, MUTED, Op, PAGE_WIDTH, Pager, RULE, Style,
    baseline_offset,
};
use super::sections::{BODY, BODY_BOLD, LABEL, LABEL_WIDTH, field, heading};
use super::signing::SignedCertificate;
use super::wrap::wrap_url;

/// A worksheet page: prompts, each followed by ruled lines to write on. It
/// always starts a fresh page so it can be printed and filled in on its own,
/// and the writing lines are spread to use the page.
pub(super) fn reflection(pager: &mut Pager<'_>, content: &CertificateContent) {
    const LINE_GAP: f32 = 22.0;
    const PROMPT_GAP: f32 = 10.0;
    pager.new_page();
    heading(pager, "Reflection", 0.0);
    let intro = "Write a few lines against each prompt, or use them to structure a \
                 reflective account in your portfolio.";
    pager.paragraph(
        intro,
        Style::new(9.0, Face::Regular, MUTED),
        MARGIN,
        CONTENT_WIDTH,
    );
    let prompts: Vec<Vec<String>> = content
        .reflection_prompts
        .iter()
        .map(|prompt| pager.wrap(prompt, BODY_BOLD, CONTENT_WIDTH - 16.0))
        .collect();
    let text_height: f32 = prompts
        .iter()
        .map(|lines| lines.len() as f32 * BODY_BOLD.leading + PROMPT_GAP)
        .sum();
    let spare = pager.remaining() - text_height - 8.0;
    let per_prompt = spare / (prompts.len().max(1) as f32 * LINE_GAP);
    let writing_lines = (per_prompt.floor() as usize).clamp(3, 8);
    for (index, lines) in prompts.iter().enumerate() {
        pager.gap(PROMPT_GAP);
        pager.ensure(lines.len() as f32 * BODY_BOLD.leading + 3.0 * LINE_GAP);
        pager.open(Block::Paragraph);
        pager.text_at(MARGIN, pager.y, BODY_BOLD, &format!("{}.", index + 1));
        for line in lines {
            pager.text_at(MARGIN + 16.0, pager.y, BODY_BOLD, line);
            pager.y += BODY_BOLD.leading;
        }
        for _ in 0..writing_lines {
            pager.y += LINE_GAP;
            let (x1, x2, y) = (MARGIN + 16.0, PAGE_WIDTH - MARGIN, pager.y);
            pager.push(Op::Line {
                x1,
                y1: y,
                x2,
                y2: y,
                width: 0.5,
                colour: RULE,
            });
        }
    }
}

/// The verification URL, key id and signature, kept together on one page.
pub(super) fn verification(pager: &mut Pager<'_>, signed: &SignedCertificate) {
    let small = Style::new(7.5, Face::Regular, INK);
    let signature = pager.wrap(&signed.signature_b64, small, CONTENT_WIDTH - LABEL_WIDTH);
    let needed = 190.0 + signature.len() as f32 * small.leading;
    heading(pager, "Verification", needed);
    let url_style = Style::new(9.0, Face::Regular, ACCENT);
    link_field(
        pager,
        "Verify online",
        &signed.content.verification_url,
        url_style,
    );
    if let Some(credential) = credential_url(&signed.content.verification_url) {
        pager.gap(2.0);
        link_field(pager, "Open Badges 3.0 credential", &credential, url_style);
        let note = "The same certificate as a signed digital credential for portfolios \
                    and wallets; the holder downloads it while signed in to Tessera.";
        pager.paragraph(
            note,
            LABEL,
            MARGIN + LABEL_WIDTH,
            CONTENT_WIDTH - LABEL_WIDTH,
        );
        pager.gap(2.0);
    }
    field(pager, "Signing key ID", &signed.key_id, BODY, CONTENT_WIDTH);
    let label_top = pager.y + (small.leading - LABEL.leading) / 2.0;
    pager.open(Block::Paragraph);
    pager.text_at(MARGIN, label_top, LABEL, "Signature (Ed25519)");
    for line in signature {
        pager.text_at(MARGIN + LABEL_WIDTH, pager.y, small, &line);
        pager.y += small.leading;
    }
    pager.gap(6.0);
    let note = "Tessera signs the certificate's content with an Ed25519 digital \
                signature. The verification page shows whether the details above match \
                the certificate Tessera issued; any change to them makes the signature fail.";
    pager.paragraph(note, LABEL, MARGIN, CONTENT_WIDTH);
}

/// A labelled web address, wrapped only after a `/` and clickable on every
/// line it takes.
pub(super) fn link_field(pager: &mut Pager<'_>, label: &str, url: &str, style: Style) {
    let width = CONTENT_WIDTH - LABEL_WIDTH;
    let lines = wrap_url(pager.fonts, url, style, width);
    pager.ensure(style.leading * lines.len() as f32);
    let label_top = pager.y + (style.leading - LABEL.leading) / 2.0;
    pager.open(Block::Paragraph);
    pager.text_at(MARGIN, label_top, LABEL, label);
    let block = Some(pager.open(Block::Link(url.to_owned())));
    for line in lines {
        let x = MARGIN + LABEL_WIDTH;
        pager.text_at(x, pager.y, style, &line);
        // The clickable area covers the line's glyphs, ascender to descender.
        let baseline = pager.y + baseline_offset(style);
        pager.push(Op::Link {
            x,
            y: baseline - 0.93 * style.size,
            w: pager.fonts.width(style.face, &line, style.size),
            h: 1.17 * style.size,
            url: url.to_owned(),
            block,
        });
        pager.y += style.leading;
    }
}
