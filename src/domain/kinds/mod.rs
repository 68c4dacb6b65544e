//! Task kinds: what a micro-task looks like, how it is answered, and how
//! answers turn into votes.
//!
//! Each kind lives in its own module and implements [`KindSpec`] on its batch
//! settings type. The `task_kinds!` list at the bottom of this file is the
//! only place that names them all, so adding a kind means writing one module
//! and adding one line there.

mod answer;
pub mod coding;
pub(crate) use super::field_error as error;
pub(crate) mod json;
pub mod observation;
mod schema;
pub mod screening;
mod table;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use answer::{Answer, Question, Vote};
pub use error::FieldError;
pub use table::{TableColumn, TableLayout, split_list};

/// What every task kind provides. Implemented by the kind's batch settings
/// type, because every rule (valid codes, form fields) depends on them.
pub trait KindSpec {
    /// Validates the batch settings a researcher submitted.
    fn parse_settings(raw: &Value) -> Result<Self, FieldError>
    where
        Self: Sized;

    /// Validates one task's content and returns it normalised.
    fn parse_content(&self, raw: &Value) -> Result<Value, FieldError>;

    /// Validates an answer to one of this batch's tasks.
    fn parse_answer(&self, raw: &Value) -> Result<Answer, FieldError>;

    /// A small JSON description the phone uses to render the answer UI
    /// offline; see [`KindSettings::answer_schema`] for its shape.
    fn answer_schema(&self) -> Value;

    /// The categorical questions consensus runs on, in vote order.
    fn questions(&self) -> Vec<Question>;

    /// The CSV layout for this kind, or `None` if CSV upload is not offered.
    fn table_layout(&self) -> Option<TableLayout> {
        None
    }

    /// A consensus read back as the answer a person would have given:
    /// `labels[i]` is the settled label of question `i`, `None` where no
    /// label has settled. By default each question is an answer field of
    /// its own name (`{"decision": "include"}`).
    fn answer_from_labels(&self, labels: &[Option<usize>]) -> Value {
        let questions = self.questions();
        let fields = questions
            .iter()
            .zip(labels)
            .filter_map(|(question, label)| {
                let label = question.labels.get((*label)?)?;
                Some((question.key.clone(), Value::from(label.clone())))
            });
        Value::Object(fields.collect())
    }

    /// The part of a task's content contributors are shown; the rest (a
    /// screening task's original RIS record) is kept for the researcher's
    /// exports. All of it unless a kind says otherwise.
    fn contributor_content(content: Value) -> Value
    where
        Self: Sized,
    {
        content
    }
}

/// The error for a kind name that Tessera does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown task kind \"{0}\"; expected one of: {list}", list = TaskKind::names().join(", "))]
pub struct UnknownKind(pub String);

/// Generates [`TaskKind`], [`KindSettings`] and their dispatch from one list,
/// so the set of kinds is written down exactly once.
macro_rules! task_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal => $settings:ty),+ $(,)?) => {
        /// The kind of a batch and of every task in it. Serialised as its
        /// name: `screening`, `coding` or `observation`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum TaskKind {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)+
        }

        impl TaskKind {
            /// Every kind, in a stable order.
            pub const ALL: &'static [TaskKind] = &[$(TaskKind::$variant),+];

            /// The kind's wire name, e.g. `screening`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(TaskKind::$variant => $name,)+
                }
            }

            /// What contributors are shown of a task's content; see
            /// [`KindSpec::contributor_content`].
            pub fn contributor_content(self, content: Value) -> Value {
                match self {
                    $(TaskKind::$variant => <$settings as KindSpec>::contributor_content(content),)+
                }
            }
        }

        /// A batch's kind-specific settings; the kind is implied by the variant.
        /// Serialised as `{"kind": "coding", "settings": {...}}`; deserialising
        /// runs the same validation as [`KindSettings::parse`].
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "settings", try_from = "SettingsEnvelope")]
        pub enum KindSettings {
            $($(#[$doc])* #[serde(rename = $name)] $variant($settings),)+
        }

        impl KindSettings {
            /// Validates raw settings JSON for `kind`.
            pub fn parse(kind: TaskKind, raw: &Value) -> Result<Self, FieldError> {
                match kind {
                    $(TaskKind::$variant => {
                        <$settings as KindSpec>::parse_settings(raw).map(KindSettings::$variant)
                    })+
                }
            }

            /// The kind these settings belong to.
            pub fn kind(&self) -> TaskKind {
                match self {
                    $(KindSettings::$variant(_) => TaskKind::$variant,)+
                }
            }

            fn spec(&self) -> &dyn KindSpec {
                match self {
                    $(KindSettings::$variant(settings) => settings,)+
                }
            }
        }
    };
}

impl TaskKind {
    /// The wire names of all kinds, for error messages and API docs.
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|kind| kind.as_str()).collect()
    }
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskKind {
    type Err = UnknownKind;

    /// Parses a wire name; surrounding spaces and letter case are ignored.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let wanted = raw.trim().to_ascii_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == wanted)
            .ok_or_else(|| UnknownKind(raw.to_owned()))
    }
}

/// The serialised form of [`KindSettings`], validated on the way in.
#[derive(Deserialize)]
struct SettingsEnvelope {
    kind: TaskKind,
    #[serde(default)]
    settings: Value,
}

impl TryFrom<SettingsEnvelope> for KindSettings {
    type Error = FieldError;

    fn try_from(envelope: SettingsEnvelope) -> Result<Self, Self::Error> {
        KindSettings::parse(envelope.kind, &envelope.settings)
            .map_err(|error| error.within("settings"))
    }
}

impl KindSettings {
    /// Validates one task's content and returns it normalised (trimmed text,
    /// normalised DOIs, absent optional fields left out). Error paths are
    /// relative to the content object, e.g. `title`.
    pub fn parse_content(&self, raw: &Value) -> Result<Value, FieldError> {
        self.spec().parse_content(raw)
    }

    /// Validates an answer. Error paths are relative to the answer object,
    /// e.g. `codes[1]`; use [`FieldError::within`] to show `answer.codes[1]`.
    pub fn parse_answer(&self, raw: &Value) -> Result<Answer, FieldError> {
        self.spec().parse_answer(raw)
    }

    /// A JSON description the phone renders the answer UI from, offline:
    /// `{"kind", "instructions"?, "fields": [...], "form"?}` where each field
    /// is `{"name", "type", "label", "required", ...}` with `type` one of
    /// `choice` (`options: [{value, label}]`), `multi_choice` (`options`,
    /// `min_selected`, `max_selected`) or `short_text` (`max_length`). The
    /// answer the phone sends back is an object keyed by field `name`.
    pub fn answer_schema(&self) -> Value {
        self.spec().answer_schema()
    }

    /// The categorical questions consensus runs on; [`Vote::question`]
    /// indexes into this list.
    /// A consensus as an answer; see [`KindSpec::answer_from_labels`].
    pub fn answer_from_labels(&self, labels: &[Option<usize>]) -> Value {
        self.spec().answer_from_labels(labels)
    }

    pub fn questions(&self) -> Vec<Question> {
        self.spec().questions()
    }

    /// The CSV columns this kind accepts, or `None` if it has no CSV upload.
    pub fn table_layout(&self) -> Option<TableLayout> {
        self.spec().table_layout()
    }
}

task_kinds! {
    /// Literature screening: include or exclude a paper against the batch's
    /// inclusion criteria.
    Screening = "screening" => screening::ScreeningSettings,
    /// Data coding: assign codes from the batch's codebook to a piece of text.
    Coding = "coding" => coding::Codebook,
    /// Observation: staff log observations on a form; verification tasks ask
    /// others to confirm or reject a logged observation.
    Observation = "observation" => observation::FormDefinition,
}
