//! A task's outcome and its answers in plain labels for a spreadsheet: one
//! cell per answer field (`decision` → `include`, `codes` → `staffing;
//! communication`), never a key=value list or JSON inside a cell.

use serde_json::Value;

use crate::domain::consensus::TaskState;
use crate::domain::kinds::KindSettings;

/// The answer fields a spreadsheet shows: the form's choices, in form order.
#[derive(Debug, Clone)]
pub struct PlainColumns {
    names: Vec<String>,
}

impl PlainColumns {
    /// The `choice` and `multi_choice` fields of a batch's answer form.
    pub fn of(answer_schema: &Value) -> Self {
        let fields = answer_schema["fields"]
            .as_array()
            .map_or(&[][..], Vec::as_slice);
        let names = fields
            .iter()
            .filter(|field| matches!(field["type"].as_str(), Some("choice" | "multi_choice")))
            .filter_map(|field| field["name"].as_str().map(str::to_owned))
            .collect();
        Self { names }
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// One cell per column: the label, or the labels joined with "; ";
    /// empty where the answer says nothing.
    pub fn cells(&self, answer: Option<&Value>) -> Vec<String> {
        self.names
            .iter()
            .map(|name| match answer.map(|answer| &answer[name.as_str()]) {
                Some(Value::String(label)) => label.clone(),
                Some(Value::Array(labels)) => labels
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => String::new(),
            })
            .collect()
    }
}

/// Who settled a task: `consensus`, `researcher`, or nobody yet.
pub fn decided_by(state: TaskState) -> &'static str {
    match state {
        TaskState::Settled => "consensus",
        TaskState::Resolved => "researcher",
        _ => "",
    }
}

/// The settled outcome of a task as an answer: the researcher's own answer
/// for a resolved task, the consensus read back as an answer for a settled
/// one, and nothing while the task is undecided.
pub fn settled_answer(
    settings: &KindSettings,
    state: TaskState,
    consensus: &Value,
) -> Option<Value> {
    match state {
        TaskState::Resolved => Some(consensus["answer"].clone()),
        TaskState::Settled => {
            let per_question = consensus.as_array()?;
            let labels: Vec<Option<usize>> = settings
                .questions()
                .iter()
                .map(|question| {
                    let entry = per_question
                        .iter()
                        .find(|entry| entry["question"] == question.key.as_str())?;
                    let label = entry["label"].as_str()?;
                    question.labels.iter().position(|known| known == label)
                })
                .collect();
            Some(settings.answer_from_labels(&labels))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::kinds::TaskKind;

    fn coding(multiple: bool) -> KindSettings {
        let settings = json!({
            "codes": [
                {"code": "staffing", "description": "Staff numbers"},
                {"code": "waiting", "description": "Waiting times"},
                {"code": "communication", "description": "Being told"}
            ],
            "multiple": multiple
        });
        KindSettings::parse(TaskKind::Coding, &settings).unwrap()
    }

    #[test]
    fn a_settled_codebook_reads_as_the_codes_chosen() {
        let settings = coding(true);
        let consensus = json!([
            {"question": "code:staffing", "label": "yes"},
            {"question": "code:waiting", "label": "no"},
            {"question": "code:communication", "label": "yes"}
        ]);
        let answer = settled_answer(&settings, TaskState::Settled, &consensus);
        let columns = PlainColumns::of(&settings.answer_schema());
        assert_eq!(columns.names(), ["codes"]);
        assert_eq!(columns.cells(answer.as_ref()), ["staffing; communication"]);
    }

    #[test]
    fn a_single_code_and_a_screening_decision_are_their_label() {
        let single = coding(false);
        let consensus = json!([{"question": "code", "label": "waiting"}]);
        let answer = settled_answer(&single, TaskState::Settled, &consensus);
        assert_eq!(answer, Some(json!({"codes": ["waiting"]})));

        let screening =
            KindSettings::parse(TaskKind::Screening, &json!({"inclusion_criteria": "RCTs"}))
                .unwrap();
        let consensus = json!([{"question": "decision", "label": "exclude", "confidence": 0.97}]);
        let answer = settled_answer(&screening, TaskState::Settled, &consensus);
        let columns = PlainColumns::of(&screening.answer_schema());
        assert_eq!(columns.cells(answer.as_ref()), ["exclude"]);
    }

    #[test]
    fn a_resolution_is_the_researchers_answer_and_undecided_tasks_are_blank() {
        let screening =
            KindSettings::parse(TaskKind::Screening, &json!({"inclusion_criteria": "RCTs"}))
                .unwrap();
        let resolution = json!({"answer": {"decision": "unsure"}, "note": "Full text needed"});
        let answer = settled_answer(&screening, TaskState::Resolved, &resolution);
        let columns = PlainColumns::of(&screening.answer_schema());
        assert_eq!(columns.cells(answer.as_ref()), ["unsure"]);
        assert_eq!(decided_by(TaskState::Resolved), "researcher");

        let open = settled_answer(&screening, TaskState::Open, &json!([]));
        assert_eq!(open, None);
        assert_eq!(columns.cells(open.as_ref()), [""]);
        assert_eq!(decided_by(TaskState::Escalated), "");
    }
}
