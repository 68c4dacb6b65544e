//! `tessera simulate screening`: reads a labelled screening CSV, replays it
//! through the real screening order, redundancy and stopping rule
//! ([`crate::domain::screening::replay`]) and prints what it cost.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::domain::screening::order::OrderPolicy;
use crate::domain::screening::replay::{LabelledRecord, ReplayOptions, ReplayReport, replay};
use crate::domain::screening::tfidf::RecordText;

/// What to simulate.
#[derive(Debug, clap::Subcommand)]
pub enum SimulateCommand {
    /// Replay a labelled literature-screening set with simulated contributors.
    Screening(ScreeningArgs),
}

/// The set and the crowd.
#[derive(Debug, clap::Args)]
pub struct ScreeningArgs {
    /// CSV with a header holding title, abstract, keywords (optional) and
    /// the label column.
    #[arg(long)]
    pub input: PathBuf,
    /// The 0/1 column that says whether a record is relevant.
    #[arg(long, default_value = "label_abstract_screening")]
    pub label: String,
    /// Probability that a simulated contributor answers rightly.
    #[arg(long, default_value_t = 0.9)]
    pub accuracy: f64,
    /// Seeds the batch's random order and the contributors' answers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Rows (0 is the first record) known before screening, as gold tasks;
    /// repeat for more.
    #[arg(long = "prior-idx")]
    pub priors: Vec<usize>,
    /// Also print one `summary key=value ...` line for scripts.
    #[arg(long)]
    pub summary: bool,
}

/// Runs the command and returns what to print.
pub fn run(command: SimulateCommand) -> anyhow::Result<String> {
    let SimulateCommand::Screening(args) = command;
    if !(0.5..1.0).contains(&args.accuracy) {
        bail!("--accuracy must be at least 0.5 and below 1");
    }
    let file = std::fs::File::open(&args.input)
        .with_context(|| format!("cannot open {}", args.input.display()))?;
    let records = read_records(file, &args.label)?;
    if let Some(&bad) = args.priors.iter().find(|&&p| p >= records.len()) {
        bail!(
            "--prior-idx {bad} is past the last record ({})",
            records.len()
        );
    }
    let options = ReplayOptions {
        order: OrderPolicy {
            seed: args.seed,
            ..OrderPolicy::default()
        },
        accuracy: args.accuracy,
        seed: args.seed,
        priors: args.priors.clone(),
        ..ReplayOptions::default()
    };
    let report = replay(&records, &options);
    Ok(render(&report, &options, args.summary))
}

/// Reads the records of a labelled CSV.
pub fn read_records(
    reader: impl std::io::Read,
    label: &str,
) -> anyhow::Result<Vec<LabelledRecord>> {
    let mut csv = csv::Reader::from_reader(reader);
    let headers = csv.headers().context("cannot read the CSV header")?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let title = column("title").context("the CSV has no title column")?;
    let abstract_text = column("abstract").context("the CSV has no abstract column")?;
    let keywords = column("keywords");
    let label_at = column(label).with_context(|| format!("the CSV has no {label} column"))?;
    let mut records = Vec::new();
    for (i, row) in csv.records().enumerate() {
        let line = i + 2;
        let row = row.with_context(|| format!("line {line}: unreadable row"))?;
        let cell = |at: usize| row.get(at).unwrap_or("").to_string();
        let relevant = match row.get(label_at).map(str::trim) {
            Some("1") => true,
            Some("0") => false,
            other => bail!("line {line}: {label} must be 0 or 1, not {other:?}"),
        };
        records.push(LabelledRecord {
            text: RecordText {
                title: cell(title),
                abstract_text: cell(abstract_text),
                keywords: keywords.map(cell).unwrap_or_default(),
            },
            relevant,
        });
    }
    if !records.iter().any(|r| r.relevant) {
        bail!("no record has {label} = 1");
    }
    Ok(records)
}

fn share(part: usize, whole: usize) -> String {
    format!("{:.1}%", 100.0 * part as f64 / whole.max(1) as f64)
}

fn render(report: &ReplayReport, options: &ReplayOptions, summary: bool) -> String {
    let target = options.stopping.target_recall;
    let n = report.records;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{n} records, {} relevant; contributors {:.0}% accurate; seed {}; {} prior records",
        report.relevant,
        options.accuracy * 100.0,
        options.seed,
        options.priors.len()
    );
    let _ = writeln!(out, "\nrecall by share of records screened:");
    for tenth in 1..=10 {
        let at = f64::from(tenth) / 10.0;
        let _ = writeln!(out, "  {:>4.0}%  {:.3}", at * 100.0, report.recall_at(at));
    }
    let screened = report.screened_to(target);
    let answers = report.answers_to(target);
    match (screened, answers, report.wss(target)) {
        (Some(s), Some(a), Some(wss)) => {
            let _ = writeln!(
                out,
                "\n{:.0}% recall after {s} records ({}), {a} answers; WSS@{:.0} {wss:.3}",
                target * 100.0,
                share(s, n),
                target * 100.0
            );
        }
        _ => {
            let _ = writeln!(out, "\n{:.0}% recall never reached", target * 100.0);
        }
    }
    let fixed = report.fixed_answers_to_target;
    let _ = writeln!(
        out,
        "fixed redundancy ({} answers a record, upload order) needs {fixed} answers for {:.0}% recall{}",
        options.policy.min_answers,
        target * 100.0,
        answers.map_or(String::new(), |a| format!(
            "; this run used {:.1}% of that",
            100.0 * a as f64 / fixed.max(1) as f64
        ))
    );
    let _ = writeln!(
        out,
        "crowd: {} relevant records excluded, {} irrelevant included, {} escalated",
        report.missed, report.false_includes, report.escalated
    );
    match (report.test_started, report.stop) {
        (Some(start), Some(stop)) => {
            let _ = writeln!(
                out,
                "stopping rule: test started after {start} records; recall >= {:.0}% held at {:.0}% \
                 confidence after {} records ({}), {} answers (p = {:.4}); true recall there {:.3}; \
                 estimated relevant left {}",
                target * 100.0,
                options.stopping.confidence * 100.0,
                stop.screened,
                share(stop.screened, n),
                stop.answers,
                stop.p_value,
                stop.recall,
                stop.estimated_left
                    .map_or("n/a".to_string(), |e| format!("{:.1}", e.max(0.0)))
            );
        }
        (Some(start), None) => {
            let _ = writeln!(
                out,
                "stopping rule: test started after {start} records; never passed"
            );
        }
        _ => {
            let _ = writeln!(out, "stopping rule: the ranked picks never ran dry");
        }
    }
    if summary {
        let stop_at = report.stop.map_or(n, |s| s.screened);
        let stop_recall = report.stop.map_or(1.0, |s| s.recall);
        let _ = writeln!(
            out,
            "summary records={n} relevant={} wss95={:.4} screened95={} answers95={} \
             stop_at={stop_at} stop_recall={stop_recall:.4} fixed_answers={fixed}",
            report.relevant,
            report.wss(target).unwrap_or(f64::NAN),
            screened.unwrap_or(n),
            answers.unwrap_or(0),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_other_than_zero_or_one_names_its_line() {
        let csv = "title,abstract,label_abstract_screening\na,b,1\nc,d,yes\n";
        let err = read_records(csv.as_bytes(), "label_abstract_screening").unwrap_err();
        assert!(err.to_string().contains("line 3"), "{err}");
    }

    #[test]
    fn keywords_are_optional_and_the_label_column_is_chosen() {
        let csv = "title,abstract,label_a,label_b\nx,y,1,0\nz,w,0,0\n";
        let records = read_records(csv.as_bytes(), "label_a").unwrap();
        assert_eq!(records.len(), 2);
        assert!(records[0].relevant && !records[1].relevant);
        assert!(records[0].text.keywords.is_empty());
        assert!(read_records(csv.as_bytes(), "label_b").is_err());
    }
}
