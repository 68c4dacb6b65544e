//! Tests of the rendered PDF: its text, its pagination and that a real
//! renderer (poppler's pdftoppm, when installed) opens it.

use std::path::PathBuf;
use std::process::Command;

use super::fonts::Fonts;
use super::test_support::{
    VERIFY_URL, date, sample_input, sample_rows, sample_signed, signing_key,
};
use super::{
    ActivityRow, CertificateContent, CertificateError, TaskKind, key_id, render_pdf, sections, sign,
};

/// Page texts as pdf-extract reads them, whitespace runs collapsed to one space.
fn page_texts(pdf: &[u8]) -> Vec<String> {
    let pages = pdf_extract::extract_text_from_mem_by_pages(pdf).unwrap();
    pages
        .iter()
        .map(|page| page.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// `text` without any whitespace: pdf-extract joins wrapped lines with no
/// space, so text that may wrap is compared this way.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect()
}

/// A directory under the system temp dir for this test's files.
fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir()
        .join("tessera-certificate-tests")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The sample certificate with `count` extra generated activity rows.
fn signed_with_rows(count: u32) -> super::SignedCertificate {
    let mut rows = sample_rows();
    for index in 0..count {
        rows.push(ActivityRow {
            project_title: format!("Generated study number {index} on discharge planning"),
            task_kind: TaskKind::DataCoding,
            first_activity_on: date(2025, 1, 2),
            last_activity_on: date(2025, 3, 30),
            answers: 10,
            credited_seconds: 900,
        });
    }
    let content = CertificateContent::new(sample_input(rows)).unwrap();
    let key = signing_key(7);
    sign(&content, &key, &key_id(&key.verifying_key())).unwrap()
}

#[test]
fn the_pdf_text_shows_the_name_total_hours_and_verification_url() {
    let signed = sample_signed();
    let pdf = render_pdf(&signed).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = page_texts(&pdf).join(" ");
    assert!(text.contains("Contribution certificate"), "{text}");
    assert!(text.contains("Aoife O'Sullivan-Ndlovu"), "{text}");
    assert!(text.contains("NMC 12A3456E"), "{text}");
    assert!(text.contains("7.50 credited hours"), "{text}");
    assert!(text.contains("Total 339 7.50"), "{text}");
    assert!(squashed(&text).contains(VERIFY_URL), "{text}");
    assert!(text.contains(&signed.key_id), "{text}");
    assert!(
        text.contains("88% (291 of 327 answers agreed with the consensus)"),
        "{text}"
    );
    assert!(text.contains("NMC · Revalidation"), "{text}");
    assert!(text.contains("Reflection"), "{text}");
}

#[test]
fn the_signature_is_printed_in_full_across_wrapped_lines() {
    let signed = sample_signed();
    let text = page_texts(&render_pdf(&signed).unwrap()).concat();
    assert!(squashed(&text).contains(&signed.signature_b64), "{text}");
}

#[test]
fn many_activity_rows_flow_onto_extra_pages_and_every_row_is_printed() {
    let signed = signed_with_rows(80);
    let fonts = Fonts::load().unwrap();
    let layout_pages = sections::lay_out(&signed, &fonts).unwrap().len();
    let texts = page_texts(&render_pdf(&signed).unwrap());
    assert_eq!(texts.len(), layout_pages);
    assert!(texts.len() >= 4, "only {} pages", texts.len());
    let all = texts.join(" ");
    for index in [0, 41, 79] {
        let title = format!("Generated study number {index} on discharge planning");
        assert!(
            squashed(&all).contains(&squashed(&title)),
            "row {index} missing: {all}"
        );
    }
    // 339 + 80 × 10 answers; 7.5 h + 80 × 0.25 h.
    assert!(all.contains("Total 1139 27.50"), "{all}");
    let last = texts.len();
    assert!(texts[last - 1].contains(&format!("Page {last} of {last}")));
    // The table header repeats on the page the table continues on.
    assert!(
        texts[1].contains("Project Task kind First activity"),
        "{}",
        texts[1]
    );
    assert!(texts[1].contains("Contribution certificate · Aoife O'Sullivan-Ndlovu · continued"));
}

#[test]
fn content_whose_totals_disagree_with_its_rows_is_not_rendered() {
    let mut signed = sample_signed();
    signed.content.totals.answers += 1;
    let error = render_pdf(&signed).unwrap_err();
    let expected = CertificateError::InvalidContent("totals do not match the activity rows".into());
    assert_eq!(error, expected);
}

#[test]
fn rendering_is_deterministic_for_the_same_certificate() {
    let signed = sample_signed();
    assert_eq!(render_pdf(&signed).unwrap(), render_pdf(&signed).unwrap());
}

#[test]
fn poppler_renders_every_page_to_png_when_pdftoppm_is_installed() {
    let dir = scratch_dir("preview");
    for (name, signed) in [
        ("certificate", sample_signed()),
        ("long", signed_with_rows(30)),
    ] {
        let pdf = render_pdf(&signed).unwrap();
        let pdf_path = dir.join(format!("{name}.pdf"));
        std::fs::write(&pdf_path, &pdf).unwrap();
        let run = Command::new("pdftoppm")
            .args(["-png", "-r", "110"])
            .arg(&pdf_path)
            .arg(dir.join(name))
            .output();
        let Ok(output) = run else {
            eprintln!("pdftoppm is not installed; skipping the PNG check");
            return;
        };
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let pages = page_texts(&pdf).len();
        for page in 1..=pages {
            let png = std::fs::read(dir.join(format!("{name}-{page}.png"))).unwrap();
            assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
            assert!(png.len() > 10_000, "{name} page {page} looks blank");
        }
    }
    eprintln!("preview PNGs in {}", dir.display());
    // When zbar is installed, prove the printed QR code scans to the URL.
    let scan = Command::new("zbarimg")
        .args(["-q", "--raw"])
        .arg(dir.join("certificate-1.png"))
        .output();
    if let Ok(output) = scan {
        let decoded = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            decoded.lines().next(),
            Some(VERIFY_URL),
            "zbarimg read {decoded:?}"
        );
    }
}

#[test]
fn names_with_accents_and_non_english_letters_survive_into_the_pdf_text() {
    let mut input = sample_input(sample_rows());
    input.contributor.name = "Zoë Łukasiewicz-Nguyễn Ó Briain".to_owned();
    let content = CertificateContent::new(input).unwrap();
    let key = signing_key(7);
    let signed = sign(&content, &key, &key_id(&key.verifying_key())).unwrap();
    let text = page_texts(&render_pdf(&signed).unwrap()).join(" ");
    assert!(text.contains("Zoë Łukasiewicz-Nguyễn Ó Briain"), "{text}");
}
