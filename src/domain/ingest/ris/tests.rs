use serde_json::json;

use super::year_of;
use crate::domain::ingest::tests::{coding, errors, read, records, screening};
use crate::domain::ingest::{MAX_RECORD_BYTES, UploadFormat};

const RIS: UploadFormat = UploadFormat::Ris;

/// Shaped like a real EndNote export merged with a Zotero one: a database
/// header before the first record, CRLF line ends, wrapped abstracts, several
/// authors, a Windows-1252 "é" (byte 0xE9), and both old and new tag sets.
fn real_world_export() -> Vec<u8> {
    let mut file: Vec<u8> = Vec::new();
    let mut line = |text: &[u8]| {
        file.extend_from_slice(text);
        file.extend_from_slice(b"\r\n");
    };
    line(b"Provider: Example Database");
    line(b"Content: text/plain; charset=\"windows-1252\"");
    line(b"");
    line(b"TY  - JOUR");
    line(b"AU  - Okafor, Adaeze");
    line(b"AU  - Ren\xE9, Jos\xE9");
    line(b"AU  - Smith, John");
    line(b"TI  - Inhaled corticosteroids for adults with mild asthma:");
    line(b"      a randomised controlled trial  ");
    line(b"T2  - BMJ Open Respiratory Research");
    line(b"JO  - BMJ Open Respir Res");
    line(b"PY  - 2019///");
    line(b"AB  - Background: Mild asthma is common.");
    line(b"Methods: We randomised 412 adults.");
    line(b"UK - based sites took part.");
    line(b"DO  - https://doi.org/10.1136/BMJRESP-2019-000123");
    line(b"AN  - 31452104");
    line(b"ID  - 17");
    line(b"ER  - ");
    line(b"");
    line(b"TY  - JOUR");
    line(b"T1  - Sleep after surgery");
    line(b"A1  - Ng, K.");
    line(b"A1  - Diaz, M.");
    line(b"JF  - Anaesthesia");
    line(b"Y1  - 2021/03/04/");
    line(b"N2  - A cohort study");
    line(b"DO  - doi:10.1111/ANAE.1");
    line(b"AN  - WOS:000123456700001");
    line(b"ER  -");
    file
}

#[test]
fn a_real_world_export_reads_with_wrapped_text_and_windows_1252_names() {
    let items = read(RIS, &screening(), &real_world_export());
    assert!(errors(&items).is_empty(), "{items:?}");
    let found = records(&items);
    assert_eq!(
        found.iter().map(|record| record.line).collect::<Vec<_>>(),
        [4, 21]
    );
    let without_original = |content: &serde_json::Value| {
        let mut content = content.clone();
        content.as_object_mut().expect("object").remove("ris");
        content
    };
    assert_eq!(
        without_original(&found[0].content),
        json!({
            "title": "Inhaled corticosteroids for adults with mild asthma: a randomised controlled trial",
            "abstract": "Background: Mild asthma is common. Methods: We randomised 412 adults. UK - based sites took part.",
            "authors": ["Okafor, Adaeze", "René, José", "Smith, John"],
            "journal": "BMJ Open Respiratory Research",
            "year": 2019,
            "doi": "10.1136/bmjresp-2019-000123",
            "pmid": "31452104",
        })
    );
    assert_eq!(found[0].external_id.as_deref(), Some("17"));
    assert_eq!(
        without_original(&found[1].content),
        json!({
            "title": "Sleep after surgery",
            "abstract": "A cohort study",
            "authors": ["Ng, K.", "Diaz, M."],
            "journal": "Anaesthesia",
            "year": 2021,
            "doi": "10.1111/anae.1",
        })
    );
}

#[test]
fn every_tag_of_the_record_is_kept_in_file_order_for_the_export() {
    let items = read(RIS, &screening(), &real_world_export());
    let found = records(&items);
    assert_eq!(
        found[0].content["ris"],
        json!([
            ["TY", "JOUR"],
            ["AU", "Okafor, Adaeze"],
            ["AU", "René, José"],
            ["AU", "Smith, John"],
            [
                "TI",
                "Inhaled corticosteroids for adults with mild asthma: a randomised controlled trial"
            ],
            ["T2", "BMJ Open Respiratory Research"],
            ["JO", "BMJ Open Respir Res"],
            ["PY", "2019///"],
            [
                "AB",
                "Background: Mild asthma is common. Methods: We randomised 412 adults. UK - based sites took part."
            ],
            ["DO", "https://doi.org/10.1136/BMJRESP-2019-000123"],
            ["AN", "31452104"],
            ["ID", "17"],
        ])
    );
    // Tags Tessera does not read are kept too.
    assert_eq!(
        found[1].content["ris"][8],
        json!(["AN", "WOS:000123456700001"])
    );
}

#[test]
fn a_utf8_bom_and_loose_tag_spacing_are_tolerated() {
    let input = "\u{feff}TY - JOUR\nTI - Café culture   \nAU  - Müller, K\nER  -\n";
    let items = read(RIS, &screening(), input.as_bytes());
    let found = records(&items);
    assert_eq!(found[0].line, 1);
    assert_eq!(
        found[0].content,
        json!({"title": "Café culture", "authors": ["Müller, K"], "ris": [
            ["TY", "JOUR"], ["TI", "Café culture"], ["AU", "Müller, K"],
        ]})
    );
}

#[test]
fn a_record_without_a_title_is_an_error_at_its_ty_line() {
    let input =
        "TY  - JOUR\nTI  - Fine\nER  - \n\nTY  - JOUR\nAU  - Nobody, A\nPY  - 2020\nER  - \n";
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(errors(&items), [(5, "title".into())]);
    let error = items[1].as_ref().expect_err("no title");
    assert_eq!(error.message, "is required (RIS tag TI or T1)");
}

#[test]
fn a_year_without_four_digits_names_the_year_field() {
    let input = "TY  - JOUR\nTI  - Undated\nPY  - n.d.\nER  - \n";
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(errors(&items), [(1, "year".into())]);
    assert_eq!(year_of("2019///"), "2019");
    assert_eq!(year_of("Spring 2018"), "2018");
    assert_eq!(year_of("20190"), "20190");
}

#[test]
fn an_unterminated_record_at_the_end_of_the_file_is_an_error_at_its_ty_line() {
    let input = "TY  - JOUR\nTI  - Closed\nER  - \nTY  - JOUR\nTI  - Never closed\nAB  - The file was cut off\n";
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(records(&items).len(), 1);
    assert_eq!(errors(&items), [(4, String::new())]);
    let error = items[1].as_ref().expect_err("unterminated");
    assert_eq!(
        error.message,
        "this record has no ER line: the file ends before the record is closed"
    );
}

#[test]
fn a_missing_er_before_the_next_ty_reports_the_first_record_and_keeps_the_second() {
    let input = "TY  - JOUR\nTI  - First\nTY  - JOUR\nTI  - Second\nER  - \n";
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(errors(&items), [(1, String::new())]);
    assert_eq!(
        records(&items)
            .iter()
            .map(|record| record.line)
            .collect::<Vec<_>>(),
        [3]
    );
}

#[test]
fn stray_tags_outside_records_are_reported_once_per_block() {
    let input = "TI  - Orphan\nAU  - Someone\nER  - \nTY  - JOUR\nTI  - Real\nER  - \n";
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(errors(&items), [(1, "TI".into())]);
    let lone_er = read(RIS, &screening(), b"ER  - \n");
    assert_eq!(errors(&lone_er), [(1, String::new())]);
    assert_eq!(records(&items).len(), 1);
}

#[test]
fn an_ris_upload_for_a_coding_batch_is_refused() {
    let items = read(RIS, &coding(false), b"TY  - JOUR\nTI  - x\nER  - \n");
    assert_eq!(errors(&items), [(0, String::new())]);
    let error = items[0].as_ref().expect_err("wrong kind");
    assert_eq!(
        error.message,
        "RIS upload is only available for screening batches, not coding"
    );
}

#[test]
fn an_oversized_record_is_rejected_and_the_next_one_still_reads() {
    let mut input = String::from("TY  - JOUR\nTI  - Huge\nAB  - start\n");
    let chunk = format!("{}\n", "x".repeat(1_000));
    for _ in 0..(MAX_RECORD_BYTES / 1_000 + 2) {
        input.push_str(&chunk);
    }
    input.push_str("ER  - \nTY  - JOUR\nTI  - Small\nER  - \n");
    let items = read(RIS, &screening(), input.as_bytes());
    assert_eq!(errors(&items), [(1, String::new())]);
    assert_eq!(
        records(&items)
            .iter()
            .map(|record| record.content["title"].clone())
            .collect::<Vec<_>>(),
        ["Small"]
    );
}
