//! The standard plain-language text of a certificate.
//!
//! Wording is deliberately modest: regulators and appraisers decide what counts,
//! so the text says what the time *can be recorded as*, never what it *is*.

use chrono::NaiveDate;

use crate::domain::regulator::Regulator;

use super::content::format_duration;
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
        TaskKind::Verification => {
            "verification (checking observations logged by other staff against \
             their protocol and confirming or rejecting each)"
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
         {project_word} on Tessera, submitting {answers} answers with {time} of \
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
        time = format_duration(totals.credited_seconds),
    )
}

/// How the holder's regulator's CPD scheme can use the time: the holder's
/// own regulator only, or the general form for staff without one of the
/// four (a list with one entry, so certificates from before, which carried
/// every regulator's text, keep their shape).
pub(super) fn cpd_mapping(regulator: Option<Regulator>, credited_seconds: u64) -> Vec<CpdMapping> {
    let time = format_duration(credited_seconds);
    let mapping = |regulator: &str, scheme: &str, text: String| CpdMapping {
        regulator: regulator.to_owned(),
        scheme: scheme.to_owned(),
        text,
    };
    let whole_hours = credited_seconds / 3600;
    let credits = match whole_hours {
        0 => "less than one CPD credit".to_owned(),
        1 => "up to 1 CPD credit".to_owned(),
        n => format!("up to {n} CPD credits"),
    };
    vec![match regulator {
        Some(Regulator::Nmc) => mapping(
            "NMC",
            "Revalidation",
            format!(
                "This time ({time}) can be recorded in your CPD log as individual \
                 (self-directed) learning towards the 35 hours of CPD needed for \
                 revalidation, provided it is relevant to your scope of practice. \
                 The tasks are done alone, so they are not participatory learning. \
                 Record the method, topic, dates and time, keep this certificate as \
                 evidence, and consider using it for one of your written reflective \
                 accounts."
            ),
        ),
        Some(Regulator::Gmc) => mapping(
            "GMC",
            "Appraisal and revalidation",
            format!(
                "Under the usual convention of one credit per hour of CPD activity, this \
                 time ({time}) may support {credits}, if you and your appraiser agree \
                 it is relevant to your practice. Credits count towards appraisal only with \
                 reflection on what you learned and any change to your practice."
            ),
        ),
        Some(Regulator::Hcpc) => mapping(
            "HCPC",
            "CPD standards and audit",
            format!(
                "This certificate is a record of CPD activity with dates and time \
                 ({time}). If you are selected for CPD audit, add a statement of how the \
                 activity contributed to the quality of your practice and service \
                 delivery, and how it benefited service users."
            ),
        ),
        Some(Regulator::Gphc) => mapping(
            "GPhC",
            "Revalidation",
            format!(
                "This time ({time}) can be written up as one of the CPD records you \
                 submit each year for revalidation. Record it as planned learning if you \
                 took the tasks on to meet a learning need you had identified, otherwise \
                 as unplanned learning. Say what you learned and how it benefits the \
                 people who use your services, and keep this certificate as evidence; it \
                 can also start your reflective account or peer discussion."
            ),
        ),
        None => mapping(
            "General",
            "Appraisal and personal development review",
            format!(
                "This certificate records {time} of research activity with its dates. \
                 Bring it to your appraisal or personal development review as evidence of \
                 learning and of taking part in research, for example against the NHS \
                 Knowledge and Skills Framework. Note what you did, what you learned and \
                 how it relates to your role. If you are on a professional register, add \
                 your registration number to your Tessera profile to have your \
                 regulator's guidance printed instead."
            ),
        ),
    }]
}

/// Questions that help turn the time into a reflective account; the last
/// names the standards the holder works to.
pub(super) fn reflection_prompts(regulator: Option<Regulator>) -> Vec<String> {
    let standards = match regulator {
        Some(Regulator::Nmc) => "the NMC Code",
        Some(Regulator::Gmc) => "Good medical practice",
        Some(Regulator::Hcpc) => "the HCPC standards of conduct, performance and ethics",
        Some(Regulator::Gphc) => "the GPhC standards for pharmacy professionals",
        None => "your job description or the NHS Knowledge and Skills Framework",
    };
    vec![
        "What did the tasks show you about how research evidence is gathered, \
         screened or coded?"
            .to_owned(),
        "Where did your answers differ from the consensus or the known answers, \
         and what did you learn from that?"
            .to_owned(),
        "How might this change your practice, or the care and service you give?".to_owned(),
        format!("Which part of {standards} does this relate to?"),
    ]
}
