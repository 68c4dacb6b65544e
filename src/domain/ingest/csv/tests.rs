use std::io::{self, BufReader, Read};

use serde_json::json;

use crate::domain::ingest::tests::{coding, errors, observation, read, records, screening};
use crate::domain::ingest::{Gold, UploadFormat, read_records};

const CSV: UploadFormat = UploadFormat::Csv;

#[test]
fn screening_csv_with_quoted_commas_and_newlines_keeps_later_line_numbers_right() {
    let input = concat!(
        "\u{feff}Title,abstract,authors,journal,year,doi,pmid,id,gold_answer,gold_explanation\r\n",
        "\"Steroids, inhaled: a trial\",\"Line one,\nline two\n\nline four\",Smith J; Okafor A,BMJ,2019,https://doi.org/10.1136/BMJ.1,31452104,r1,Include,\"Adults, RCT\"\r\n",
        "Second paper,,,,,,,r2,,\r\n",
        "\"Third \"\"quoted\"\" title\",\"x\ny\",,,,,,r3,,\r\n",
        "Fourth,,,,2021,,,r4,,\r\n",
    );
    let items = read(CSV, &screening(), input.as_bytes());
    assert!(errors(&items).is_empty(), "{items:?}");
    let found = records(&items);
    assert_eq!(
        found.iter().map(|record| record.line).collect::<Vec<_>>(),
        [2, 6, 7, 9]
    );
    assert_eq!(
        found[0].content,
        json!({
            "title": "Steroids, inhaled: a trial",
            "abstract": "Line one,\nline two\n\nline four",
            "authors": ["Smith J", "Okafor A"],
            "journal": "BMJ",
            "year": 2019,
            "doi": "10.1136/bmj.1",
            "pmid": "31452104",
        })
    );
    assert_eq!(
        found[0].gold,
        Some(Gold {
            answer: json!({"decision": "include"}),
            explanation: "Adults, RCT".into()
        })
    );
    assert_eq!(found[1].content, json!({"title": "Second paper"}));
    assert_eq!(found[1].gold, None);
    assert_eq!(found[2].content["title"], "Third \"quoted\" title");
    assert_eq!(found[3].external_id.as_deref(), Some("r4"));
}

#[test]
fn malformed_screening_rows_report_their_line_and_column() {
    let input = concat!(
        "title,year,gold_answer,gold_explanation\n",
        ",2019,,\n",
        "\"Multi\nline\",20x9,,\n",
        "Fine,2020,maybe,why\n",
        "Unsure gold,2020,unsure,why\n",
        "No explanation,2020,exclude,\n",
        "Too,many,columns,here,now\n",
        "Last,2022,,\n",
    );
    let items = read(CSV, &screening(), input.as_bytes());
    assert_eq!(
        errors(&items),
        [
            (2, "title".into()),
            (3, "year".into()),
            (5, "gold_answer".into()),
            (6, "gold_answer".into()),
            (7, "gold_explanation".into()),
            (8, String::new()),
        ]
    );
    let maybe = items[2].as_ref().expect_err("unknown gold answer");
    assert_eq!(
        maybe.message,
        "must be one of: include, exclude, unsure (got \"maybe\")"
    );
    assert_eq!(
        records(&items)
            .iter()
            .map(|record| record.line)
            .collect::<Vec<_>>(),
        [9]
    );
}

#[test]
fn header_problems_are_all_reported_on_line_one_and_end_the_upload() {
    let items = read(
        CSV,
        &screening(),
        b"abstract,keywords,year,year\nx,y,2019,2019\n",
    );
    assert_eq!(
        errors(&items),
        [
            (1, "keywords".into()),
            (1, "year".into()),
            (1, "title".into())
        ]
    );
    assert_eq!(items.len(), 3);
    let unknown = items[0].as_ref().expect_err("unknown column");
    assert!(
        unknown
            .message
            .starts_with("is not a recognised column; expected: title, abstract")
    );
    let missing = items[2].as_ref().expect_err("missing title");
    assert_eq!(missing.message, "required column is missing");
}

#[test]
fn coding_csv_reads_text_context_and_gold_codes() {
    let input = concat!(
        "id,text,context,gold_codes,gold_explanation\n",
        "c1,\"I can't sleep, it hurts\",Ward 4,pain; SLEEP,Both are mentioned.\n",
        "c2,Feeling low,,,\n",
        "c3,Hungry,,HUNGER,x\n",
        "c4,,,,\n",
    );
    let items = read(CSV, &coding(true), input.as_bytes());
    let found = records(&items);
    assert_eq!(
        found[0].content,
        json!({"text": "I can't sleep, it hurts", "context": "Ward 4"})
    );
    assert_eq!(
        found[0].gold.as_ref().map(|gold| &gold.answer),
        Some(&json!({"codes": ["PAIN", "SLEEP"]}))
    );
    assert_eq!(found[1].external_id.as_deref(), Some("c2"));
    assert_eq!(
        errors(&items),
        [(4, "gold_codes".into()), (5, "text".into())]
    );
    let unknown = items[2].as_ref().expect_err("unknown code");
    assert_eq!(
        unknown.message,
        "\"HUNGER\" is not in the codebook (PAIN, SLEEP, MOOD)"
    );
}

#[test]
fn single_choice_gold_codes_must_name_exactly_one_code() {
    let input = "text,gold_codes,gold_explanation\nHurts,PAIN;MOOD,x\nHurts,PAIN,x\n";
    let items = read(CSV, &coding(false), input.as_bytes());
    assert_eq!(errors(&items), [(2, "gold_codes".into())]);
    assert_eq!(records(&items).len(), 1);
}

#[test]
fn windows_1252_cells_are_decoded_not_rejected() {
    let input = b"title,authors\nCaf\xE9 study,Jos\xE9 Garc\xEDa;M\xFCller K\n";
    let items = read(CSV, &screening(), input);
    let found = records(&items);
    assert_eq!(found[0].content["title"], "Café study");
    assert_eq!(
        found[0].content["authors"],
        json!(["José García", "Müller K"])
    );
}

#[test]
fn unnamed_trailing_columns_are_fine_until_they_hold_a_value() {
    let input = "text,,\nfirst,,\nsecond,,oops\n";
    let items = read(CSV, &coding(false), input.as_bytes());
    assert_eq!(records(&items).len(), 1);
    assert_eq!(errors(&items), [(3, "column 3".into())]);
}

#[test]
fn observation_batches_have_no_csv_upload() {
    let items = read(CSV, &observation(), b"position\nLying\n");
    assert_eq!(errors(&items), [(0, String::new())]);
    assert_eq!(items.len(), 1);
}

#[test]
fn an_unclosed_quote_cannot_swallow_the_file_into_memory() {
    let mut input = String::from("title\nFirst\n\"Never closed\n");
    let row = format!("{}\n", "x".repeat(1_000));
    for _ in 0..1_200 {
        input.push_str(&row);
    }
    let items = read(CSV, &screening(), input.as_bytes());
    assert_eq!(records(&items).len(), 1);
    assert_eq!(errors(&items), [(3, String::new())]);
    let error = items[1].as_ref().expect_err("runaway record");
    assert!(
        error.message.contains("larger than the limit"),
        "{}",
        error.message
    );
}

/// Produces a large CSV on demand, so the test never holds the file itself.
struct GeneratedCsv {
    rows: u64,
    next: u64,
    pending: Vec<u8>,
}

impl Read for GeneratedCsv {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            if self.next == 0 {
                self.pending
                    .extend_from_slice(b"id,title,abstract,year,doi\n");
            } else if self.next <= self.rows {
                let n = self.next;
                let row =
                    format!("r{n},\"Trial {n}, a study\",\"Abstract {n}\",2020,10.1000/{n}\n");
                self.pending.extend_from_slice(row.as_bytes());
            } else {
                return Ok(0);
            }
            self.next += 1;
        }
        let count = buf.len().min(self.pending.len());
        buf[..count].copy_from_slice(&self.pending[..count]);
        self.pending.drain(..count);
        Ok(count)
    }
}

#[test]
fn one_hundred_thousand_generated_rows_stream_through() {
    let settings = screening();
    let source = BufReader::new(GeneratedCsv {
        rows: 100_000,
        next: 0,
        pending: Vec::new(),
    });
    let mut count = 0u64;
    let mut last_line = 0;
    for item in read_records(CSV, &settings, source) {
        let record = item.expect("every generated row is valid");
        count += 1;
        last_line = record.line;
    }
    assert_eq!(count, 100_000);
    assert_eq!(last_line, 100_001);
}
