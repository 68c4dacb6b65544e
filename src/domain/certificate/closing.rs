//! The closing sections: the verification block and the reflection worksheet.

use super::content::CertificateContent;
use super::fonts::Face;
use super::layout::{
    ACCENT, CONTENT_WIDTH, INK, MARGIN, MUTED, Op, PAGE_WIDTH, Pager, RULE, Style,
};
use super::sections::{BODY, BODY_BOLD, LABEL, LABEL_WIDTH, field, heading};
use super::signing::SignedCertificate;

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
    let needed = 150.0 + signature.len() as f32 * small.leading;
    heading(pager, "Verification", needed);
    let url_style = Style::new(9.0, Face::Regular, ACCENT);
    field(
        pager,
        "Verify online",
        &signed.content.verification_url,
        url_style,
        CONTENT_WIDTH,
    );
    field(pager, "Signing key ID", &signed.key_id, BODY, CONTENT_WIDTH);
    let label_top = pager.y + (small.leading - LABEL.leading) / 2.0;
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
