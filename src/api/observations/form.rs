//! The form a phone builds before logging: each live observation batch of a
//! project with its fields, so staff can log without first being handed a
//! verification task.

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use uuid::Uuid;

use super::{is_live_observation, joinable_project};
use crate::api::auth::Caller;
use crate::api::error::ApiError;
use crate::api::photo_upload;
use crate::api::state::SharedState;
use crate::api::tags::ApiTags;
use crate::domain::kinds::KindSettings;
use crate::domain::kinds::observation::{FieldInput, FormField};
use crate::media::DISPLAY_MAX_EDGE;

pub struct ObservationFormApi;

/// What kind of input a form field takes, and so what its value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum FieldType {
    /// Pick one of `options`; the value is the option's text.
    Choice,
    /// Pick any of `options`; the value is a list of option texts.
    MultiChoice,
    /// A number within `min` and `max` (each inclusive, when given).
    Number,
    /// Yes or no; the value is `true` or `false`.
    YesNo,
    /// Free text of at most `max_length` characters.
    ShortText,
    /// A time of day, `HH:MM` on the 24-hour clock.
    Time,
}

/// One field of an observation form, in the order the phone shows them.
#[derive(Object)]
pub struct FormFieldView {
    /// The key of this field's value in `values` when logging, e.g. `seconds`.
    name: String,
    /// What to show next to the input.
    label: String,
    /// The input to show.
    #[oai(rename = "type")]
    field_type: FieldType,
    /// Whether an observation must have a value for this field.
    required: bool,
    /// `choice` and `multi_choice`: the options, in order (matched ignoring case).
    #[oai(skip_serializing_if_is_none)]
    options: Option<Vec<String>>,
    /// `number`: the smallest accepted value, inclusive.
    #[oai(skip_serializing_if_is_none)]
    min: Option<f64>,
    /// `number`: the largest accepted value, inclusive.
    #[oai(skip_serializing_if_is_none)]
    max: Option<f64>,
    /// `number`: the unit to show after the input, e.g. `mmHg`.
    #[oai(skip_serializing_if_is_none)]
    unit: Option<String>,
    /// `short_text`: the longest accepted value, in characters.
    #[oai(skip_serializing_if_is_none)]
    max_length: Option<u32>,
}

/// What a photo sent with an observation may be.
#[derive(Object)]
pub struct PhotoRules {
    /// The largest file accepted, in bytes.
    max_bytes: u64,
    /// The longest edge, in pixels, the server keeps: resizing to this on the
    /// phone before upload loses nothing and saves the staff member's data.
    display_max_edge: u32,
}

/// One live observation batch and the form its observations follow.
#[derive(Object)]
pub struct ObservationFormView {
    /// Send this as `batch_id` when logging (required when there are several).
    batch_id: Uuid,
    /// The batch's name, e.g. "Hand hygiene audit".
    name: String,
    /// The researcher's instructions.
    instructions: String,
    /// The fields to fill in.
    fields: Vec<FormFieldView>,
    /// Limits on the optional photo.
    photo: PhotoRules,
}

/// The forms of a project's live observation batches.
#[derive(Object)]
pub struct ObservationForms {
    /// The project.
    project_id: Uuid,
    /// One per live observation batch, oldest first; empty when the project
    /// has nothing to log right now.
    batches: Vec<ObservationFormView>,
}

#[derive(ApiResponse)]
pub enum ObservationFormResponse {
    /// The forms.
    #[oai(status = 200)]
    Ok(Json<ObservationForms>),
}

#[OpenApi(tag = "ApiTags::Observations")]
impl ObservationFormApi {
    /// The observation forms of a project: each live observation batch with
    /// its fields (types, options, bounds, which are required) and the photo
    /// limits, so a phone can build the form before logging to
    /// `POST /v1/projects/{project_id}/observations`. Visible to whoever may
    /// log there (a live project whose audience admits you, or one you run);
    /// 404 otherwise.
    #[oai(
        path = "/v1/projects/:project_id/observation-form",
        method = "get",
        operation_id = "get_observation_form"
    )]
    async fn get(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        project_id: Path<Uuid>,
    ) -> Result<ObservationFormResponse, ApiError> {
        let project = joinable_project(&state, &caller, project_id.0).await?;
        let mut batches = state.store.project_batches(project.id).await?;
        batches.retain(is_live_observation);
        batches.sort_by_key(|batch| batch.created_at);
        let limits = photo_upload::limits();
        let forms = batches
            .into_iter()
            .filter_map(|batch| {
                let KindSettings::Observation(form) = batch.settings else {
                    return None;
                };
                Some(ObservationFormView {
                    batch_id: batch.id,
                    name: batch.name,
                    instructions: batch.instructions,
                    fields: form.fields.into_iter().map(field_view).collect(),
                    photo: PhotoRules {
                        max_bytes: limits.max_upload_bytes as u64,
                        display_max_edge: DISPLAY_MAX_EDGE,
                    },
                })
            })
            .collect();
        Ok(ObservationFormResponse::Ok(Json(ObservationForms {
            project_id: project.id,
            batches: forms,
        })))
    }
}

fn field_view(field: FormField) -> FormFieldView {
    let mut view = FormFieldView {
        name: field.name,
        label: field.label,
        field_type: FieldType::YesNo,
        required: field.required,
        options: None,
        min: None,
        max: None,
        unit: None,
        max_length: None,
    };
    view.field_type = match field.input {
        FieldInput::Choice { options } => {
            view.options = Some(options);
            FieldType::Choice
        }
        FieldInput::MultiChoice { options } => {
            view.options = Some(options);
            FieldType::MultiChoice
        }
        FieldInput::Number { min, max, unit } => {
            (view.min, view.max, view.unit) = (min, max, unit);
            FieldType::Number
        }
        FieldInput::YesNo => FieldType::YesNo,
        FieldInput::ShortText { max_length } => {
            view.max_length = Some(u32::try_from(max_length).unwrap_or(u32::MAX));
            FieldType::ShortText
        }
        FieldInput::Time => FieldType::Time,
    };
    view
}
