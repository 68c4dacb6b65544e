//! The standard plain-language text of a certificate.
//!
//! Wording is deliberately modest: regulators and appraisers decide what counts,
//! so the text says what the time *can be recorded as*, never what it *is*.

use chrono::NaiveDate;

use super::content::format_hours;
use super::content::{ActivityRow, Contributor, CpdMapping, Period, TaskKind, Totals};

/// A date the way UK appraisal paperwork writes it, e.g. "3 March 2025".
pub(super) fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A short date for table cells, e.g. "03 Mar 2025".
pub(super) fn short_date(date: NaiveDate) -> String {
    date.format("%d %b %Y").to_string()
}

/// What each kind of task involves, for someone who has never seen the platform.
fn task_explanation(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::LiteratureScreening => {
            "literature screening (reading study titles and abstracts and deciding \
             whether they meet a systematic review's inclusion criteria)"
        }
        TaskKind::DataCoding => {
            "data coding (assigning free-text responses or records to the \
             categories of a study's coding frame)"
        }
        TaskKind::ObservationLogging => {
            "observation logging (recording what is seen in observational material \
             against a structured protocol)"
        }
    }
}

/// Joins items as "a", "a and b" or "a, b and c".
fn join_naturally(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// One paragraph describing the activity for an appraiser.
pub(super) fn activity_description(
    contributor: &Contributor,
    period: &Period,
    rows: &[ActivityRow],
    totals: &Totals,
) -> String {
    let mut kinds: Vec<TaskKind> = Vec::new();
    for row in rows {
        if !kinds.contains(&row.task_kind) {
            kinds.push(row.task_kind);
        }
    }
    let explained: Vec<&str> = kinds.iter().map(|kind| task_explanation(*kind)).collect();
    let mut projects: Vec<&str> = rows.iter().map(|row| row.project_title.as_str()).collect();
    projects.sort_unstable();
    projects.dedup();
    let project_word = if projects.len() == 1 {
        "project"
    } else {
        "projects"
    };
    let work = if explained.is_empty() {
        "no tasks were credited in this period".to_owned()
    } else {
        format!("the work consisted of {}", join_naturally(&explained))
    };
    format!(
        "Between {from} and {to}, {name} contributed to {count} health research \
         {project_word} on Tessera, submitting {answers} answers with {hours} hours of \
         credited time; {work}. Each micro-task is a short, self-contained piece of work \
         for a real study, done online in sessions of about five minutes. Every task is \
         answered independently by several contributors and the answers are combined into \
         a consensus, so the quality indicators on this certificate compare this contributor's answers \
         with that consensus and with tasks whose answers were already known. Credited \
         time is the time Tessera recorded for completed tasks; it does not include \
         reading this certificate or writing a reflection.",
        from = long_date(period.from),
        to = long_date(period.to),
        name = contributor.name,
        count = projects.len(),
        answers = totals.answers,
        hours = format_hours(totals.credited_seconds),
    )
}

/// How NMC revalidation, GMC appraisal and HCPC CPD audit can use the time.
pub(super) fn cpd_mapping(credited_seconds: u64) -> Vec<CpdMapping> {
    let hours = format_hours(credited_seconds);
    vec![
        CpdMapping {
            regulator: "NMC".to_owned(),
            scheme: "Revalidation".to_owned(),
            text: format!(
                "These {hours} hours can be recorded in your CPD log as individual \
                 (self-directed) learning towards the 35 hours of CPD needed for \
                 revalidation, provided they are relevant to your scope of practice. \
                 The tasks are done alone, so they are not participatory learning. \
                 Record the method, topic, dates and hours, keep this certificate as \
                 evidence, and consider using it for one of your written reflective \
                 accounts."
            ),
        },
        CpdMapping {
            regulator: "GMC".to_owned(),
            scheme: "Appraisal and revalidation".to_owned(),
            text: format!(
                "Under the usual convention of one credit per hour of CPD activity, this \
                 time may support up to {hours} CPD credits, if you and your appraiser agree \
                 it is relevant to your practice. Credits count towards appraisal only with \
                 reflection on what you learned and any change to your practice."
            ),
        },
        CpdMapping {
            regulator: "HCPC".to_owned(),
            scheme: "CPD standards and audit".to_owned(),
            text: "This certificate is a record of CPD activity with dates and hours. If \
                   you are selected for CPD audit, add a statement of how the activity \
                   contributed to the quality of your practice and service delivery, and \
                   how it benefited service users."
                .to_owned(),
        },
    ]
}

/// Questions that help turn the time into a reflective account.
pub(super) fn reflection_prompts() -> Vec<String> {
    [
        "What did the tasks show you about how research evidence is gathered, \
         screened or coded?",
        "Where did your answers differ from the consensus or the known answers, \
         and what did you learn from that?",
        "How might this change your practice, or the care and service you give?",
        "Which part of your professional standards (the NMC Code, Good medical \
         practice or the HCPC standards) does this relate to?",
    ]
    .iter()
    .map(|prompt| (*prompt).to_owned())
    .collect()
}
