//! Tests of the rendered PDF: its text, its pagination and that a real
//! renderer (poppler's pdftoppm, when installed) opens it.

use std::path::PathBuf;
use std::process::Command;

use super::fonts::Fonts;
use super::layout::{Block, MARGIN, Op, PAGE_WIDTH};
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
    assert!(text.contains("7 h 30 min credited time"), "{text}");
    assert!(text.contains("Total 339 7 h 30 min"), "{text}");
    assert!(
        text.contains("7 hours 30 minutes of credited time"),
        "{text}"
    );
    assert!(!text.contains("7.50"), "hours as decimals: {text}");
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
fn the_pdf_says_whether_the_organisation_is_verified_or_self_declared() {
    let verified = page_texts(&render_pdf(&sample_signed()).unwrap()).concat();
    assert!(
        squashed(&verified).contains(&squashed(
            "Leeds Teaching Hospitals NHS Trust (verified member)"
        )),
        "{verified}"
    );
    let mut input = sample_input(sample_rows());
    input.contributor.membership = Some("self-declared".to_owned());
    let key = signing_key(7);
    let signed = sign(
        &CertificateContent::new(input).unwrap(),
        &key,
        &key_id(&key.verifying_key()),
    )
    .unwrap();
    let declared = page_texts(&render_pdf(&signed).unwrap()).concat();
    assert!(
        squashed(&declared).contains("(self-declared)"),
        "{declared}"
    );
    assert!(
        !squashed(&declared).contains("verifiedmember"),
        "{declared}"
    );
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
    let layout_pages = sections::lay_out(&signed, &fonts).unwrap().pages.len();
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
    assert!(all.contains("Total 1139 27 h 30 min"), "{all}");
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

#[test]
fn a_pharmacists_pdf_gives_gphc_guidance_and_no_other_regulators() {
    let mut input = sample_input(sample_rows());
    input.contributor.registration = Some(super::Registration {
        body: "GPhC".to_owned(),
        number: "2012345".to_owned(),
    });
    input.contributor.staff_group = "Pharmacy".to_owned();
    let content = CertificateContent::new(input).unwrap();
    let key = signing_key(7);
    let signed = sign(&content, &key, &key_id(&key.verifying_key())).unwrap();
    let text = page_texts(&render_pdf(&signed).unwrap()).join(" ");
    assert!(text.contains("GPhC 2012345"), "{text}");
    assert!(text.contains("GPhC · Revalidation"), "{text}");
    assert!(
        text.contains("GPhC standards for pharmacy professionals"),
        "{text}"
    );
    for other in ["NMC", "GMC", "HCPC"] {
        assert!(!text.contains(other), "{other} guidance printed: {text}");
    }
}

/// One word's box on a page, in points from the top-left corner, as
/// poppler's `pdftotext -bbox` reports it.
#[derive(Debug)]
struct Word {
    x_min: f32,
    y_min: f32,
    x_max: f32,
    y_max: f32,
    text: String,
}

impl Word {
    fn overlaps(&self, (left, top, right, bottom): (f32, f32, f32, f32)) -> bool {
        self.x_min < right && self.x_max > left && self.y_min < bottom && self.y_max > top
    }
}

/// Whether poppler's tools are here; without them the check is skipped,
/// unless `TESSERA_REQUIRE_POPPLER` is set (as `.ci/run` does).
fn poppler(tool: &str) -> bool {
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("TESSERA_REQUIRE_POPPLER").is_none(),
            "{tool} is required but not installed"
        );
        eprintln!("{tool} is not installed; skipping");
    }
    found
}

/// Every page's words with their boxes, read back by `pdftotext -bbox`.
fn poppler_words(pdf: &[u8], name: &str) -> Vec<Vec<Word>> {
    let dir = scratch_dir("bbox");
    let path = dir.join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap();
    let output = Command::new("pdftotext")
        .args(["-bbox", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    // Lossy: poppler writes the title's emoji as UTF-16 surrogate halves.
    let html = String::from_utf8_lossy(&output.stdout).into_owned();
    let attribute = |line: &str, key: &str| -> f32 {
        let start = line.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
        let end = start + line[start..].find('"').unwrap();
        line[start..end].parse().unwrap()
    };
    let mut pages: Vec<Vec<Word>> = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            pages.push(Vec::new());
        } else if line.starts_with("<word ") {
            let text_start = line.find('>').unwrap() + 1;
            let text_end = line.rfind("</word>").unwrap();
            pages.last_mut().unwrap().push(Word {
                x_min: attribute(line, "xMin"),
                y_min: attribute(line, "yMin"),
                x_max: attribute(line, "xMax"),
                y_max: attribute(line, "yMax"),
                text: line[text_start..text_end].to_owned(),
            });
        }
    }
    pages
}

/// The QR code's box on the first page, from the layout the PDF was drawn from.
fn qr_box(signed: &super::SignedCertificate) -> (f32, f32, f32, f32) {
    let fonts = Fonts::load().unwrap();
    let layout = sections::lay_out(signed, &fonts).unwrap();
    layout.pages[0]
        .iter()
        .find_map(|op| match op {
            Op::Qr {
                x,
                y,
                module,
                width,
                ..
            } => {
                let side = module * *width as f32;
                Some((*x, *y, x + side, y + side))
            }
            _ => None,
        })
        .expect("the first page has the QR code")
}

/// The sample certificate for `name`, from `organisation`, checked at `url`.
fn signed_for(name: &str, organisation: &str, url: &str) -> super::SignedCertificate {
    let mut input = sample_input(sample_rows());
    input.contributor.name = name.to_owned();
    input.contributor.organisation = Some(organisation.to_owned());
    input.verification_url = url.to_owned();
    let content = CertificateContent::new(input).unwrap();
    let key = signing_key(7);
    sign(&content, &key, &key_id(&key.verifying_key())).unwrap()
}

/// Checks that no word leaves the margins, crosses the QR code or covers
/// another word, on any page.
fn assert_text_stays_in_place(signed: &super::SignedCertificate, label: &str) {
    let pdf = render_pdf(signed).unwrap();
    let pages = poppler_words(&pdf, label);
    assert!(!pages.is_empty(), "{label}: poppler read no pages");
    let qr = qr_box(signed);
    let tolerance = 0.5;
    for (index, words) in pages.iter().enumerate() {
        for word in words {
            assert!(
                word.x_min >= MARGIN - tolerance && word.x_max <= PAGE_WIDTH - MARGIN + tolerance,
                "{label}: page {} word {word:?} leaves the margins",
                index + 1
            );
            if index == 0 {
                assert!(
                    !word.overlaps(qr),
                    "{label}: word {word:?} overlaps the QR code at {qr:?}"
                );
            }
        }
        for (i, a) in words.iter().enumerate() {
            let shrunk = (
                a.x_min + tolerance,
                a.y_min + tolerance,
                a.x_max - tolerance,
                a.y_max - tolerance,
            );
            for b in &words[i + 1..] {
                assert!(
                    !b.overlaps(shrunk),
                    "{label}: page {}: {a:?} and {b:?} overlap",
                    index + 1
                );
            }
        }
    }
}

/// 80 characters in Greek, Cyrillic, Vietnamese Latin, CJK, Arabic, Irish
/// and Georgian, then an emoji DejaVu draws and one it does not have.
const MIXED_NAME: &str = "Αλεξάνδρα-Мария Nguyễn Thị 中村美咲 محمد Ó Dónaill-Kowalczyk Ελένη Шевченко ქეთევანი 😀🧑\u{200d}⚕\u{fe0f}";

/// A verification address long enough to need two lines at 9 pt.
const LONG_URL: &str = "https://tessera.leeds-teaching-hospitals.example.nhs.uk/v1/certificates/6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31/verify";

#[test]
fn a_long_mixed_script_name_with_emoji_never_overlaps_the_qr_code_or_other_text() {
    let (letters, emoji) = MIXED_NAME.rsplit_once(' ').unwrap();
    assert_eq!(
        (letters.chars().count(), emoji.chars().next()),
        (80, Some('😀'))
    );
    if !poppler("pdftotext") {
        return;
    }
    let signed = signed_for(MIXED_NAME, "Leeds Teaching Hospitals NHS Trust", LONG_URL);
    assert_text_stays_in_place(&signed, "mixed-name");
}

#[test]
fn long_unbroken_words_wrap_inside_their_column() {
    if !poppler("pdftotext") {
        return;
    }
    let word = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch";
    let name = format!("{word}{word}{word}");
    let organisation = format!("{word}{word}{word}{word}NHSFoundationTrust");
    let signed = signed_for(&name, &organisation, LONG_URL);
    assert_text_stays_in_place(&signed, "long-words");
}

#[test]
fn the_verification_url_breaks_only_after_a_slash_never_inside_the_id() {
    if !poppler("pdftotext") {
        return;
    }
    let signed = signed_for(MIXED_NAME, "Leeds Teaching Hospitals NHS Trust", LONG_URL);
    let pages = poppler_words(&render_pdf(&signed).unwrap(), "url");
    let words: Vec<&str> = pages.iter().flatten().map(|w| w.text.as_str()).collect();
    let id = "6f1c2a9e-3b7d-4c1e-9a55-0d2f7e8b4c31";
    // The address is too long for one line: the first ends at a slash, and
    // the rest (the whole id with it) is the next line.
    let first = words
        .iter()
        .find(|w| w.starts_with("https://tessera.leeds"))
        .expect("the address is printed");
    assert!(first.len() < LONG_URL.len(), "it wrapped: {first}");
    assert!(first.ends_with('/'), "broken after a slash: {first}");
    let rest = &LONG_URL[first.len()..];
    assert!(rest.contains(id), "{rest}");
    assert!(words.contains(&rest), "{rest} on one line: {words:?}");
}

#[test]
fn the_pdf_is_tagged_and_its_structure_follows_reading_order() {
    let signed = sample_signed();
    let fonts = Fonts::load().unwrap();
    let layout = sections::lay_out(&signed, &fonts).unwrap();
    let kinds: Vec<&Block> = layout.blocks.iter().map(|b| &b.kind).collect();
    assert_eq!(kinds[1], &Block::Title, "{kinds:?}");
    // The QR code is read after the details beside it, before the summary.
    let figure = kinds
        .iter()
        .position(|k| matches!(k, Block::Figure(_)))
        .unwrap();
    let name = layout.pages[0]
        .iter()
        .find_map(|op| match op {
            Op::Text { text, block, .. } if text == "Certificate ID" => *block,
            _ => None,
        })
        .unwrap();
    assert!(name < figure, "certificate id {name}, figure {figure}");
    // Every text run is content of a block except running heads, footers
    // and repeated table headers.
    let untagged: Vec<&str> = layout
        .pages
        .iter()
        .flatten()
        .filter_map(|op| match op {
            Op::Text {
                text, block: None, ..
            } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        untagged
            .iter()
            .all(|t| t.starts_with("Tessera contribution certificate ·")
                || t.starts_with("Contribution certificate ·")),
        "{untagged:?}"
    );
    // Links to the verification page and the credential are link blocks.
    assert!(kinds.contains(&&Block::Link(VERIFY_URL.to_owned())));
    // With the address the API gives, the credential is linked beside it.
    let api_shaped = signed_for("Ada Nurse", "Leeds", LONG_URL);
    let links: Vec<Block> = sections::lay_out(&api_shaped, &fonts)
        .unwrap()
        .blocks
        .into_iter()
        .map(|b| b.kind)
        .filter(|kind| matches!(kind, Block::Link(_)))
        .collect();
    let credential = LONG_URL.replace("/verify", "/credential");
    assert_eq!(
        links,
        [Block::Link(LONG_URL.to_owned()), Block::Link(credential)]
    );

    if !poppler("pdfinfo") {
        return;
    }
    let path = scratch_dir("tagged").join("certificate.pdf");
    std::fs::write(&path, render_pdf(&signed).unwrap()).unwrap();
    let output = Command::new("pdfinfo").arg(&path).output().unwrap();
    let info = String::from_utf8_lossy(&output.stdout);
    let tagged = info.lines().find(|line| line.starts_with("Tagged:"));
    assert_eq!(
        tagged.map(|line| line.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["Tagged:", "yes"]),
        "{info}"
    );
}
