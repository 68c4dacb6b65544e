//! Which of a task's content fields a spreadsheet export shows, one column
//! each: the upload's own columns for kinds uploaded as tables, and for an
//! observation every field of the form plus a link to its photo.

use serde_json::Value;

use crate::domain::kinds::KindSettings;

/// One content column: its header and where its value sits in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentColumn {
    pub header: String,
    path: Vec<String>,
    photo: bool,
}

/// The content columns of a batch's export, in upload or form order.
pub fn content_columns(settings: &KindSettings) -> Vec<ContentColumn> {
    let column = |header: String, path: Vec<String>, photo| ContentColumn {
        header,
        path,
        photo,
    };
    if let KindSettings::Observation(form) = settings {
        let mut columns: Vec<ContentColumn> = form
            .fields
            .iter()
            .map(|field| {
                column(
                    field.name.clone(),
                    vec!["observation".into(), field.name.clone()],
                    false,
                )
            })
            .collect();
        columns.push(column("photo".into(), vec!["media_id".into()], true));
        return columns;
    }
    settings
        .table_layout()
        .map(|layout| {
            layout
                .columns
                .iter()
                .map(|c| column(c.name.to_owned(), vec![c.name.to_owned()], false))
                .collect()
        })
        .unwrap_or_default()
}

/// The column's cell for one task's content: text as is, lists joined with
/// "; " as they were uploaded, a photo as the API path that serves it (to
/// the project's researchers only), empty when absent.
pub fn cell(column: &ContentColumn, content: &Value) -> String {
    let value = column
        .path
        .iter()
        .fold(content, |value, key| &value[key.as_str()]);
    match value {
        Value::Null => String::new(),
        Value::String(text) if column.photo => format!("/v1/media/{text}"),
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map_or_else(|| item.to_string(), str::to_owned)
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::kinds::TaskKind;

    #[test]
    fn an_observation_exports_every_form_field_and_its_photo_link() {
        let form = json!({"fields": [
            {"name": "ward", "label": "Ward", "type": "short_text", "required": true},
            {"name": "minutes", "label": "Minutes", "type": "number", "required": false}
        ]});
        let settings = KindSettings::parse(TaskKind::Observation, &form).unwrap();
        let columns = content_columns(&settings);
        let headers: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(headers, ["ward", "minutes", "photo"]);
        let content = json!({"observation": {"ward": "7B", "minutes": 12}, "media_id": "m-1"});
        let cells: Vec<String> = columns.iter().map(|c| cell(c, &content)).collect();
        assert_eq!(cells, ["7B", "12", "/v1/media/m-1"]);
        let without_photo = json!({"observation": {"ward": "7B"}});
        assert_eq!(cell(&columns[2], &without_photo), "");
    }

    #[test]
    fn a_screening_record_exports_its_upload_columns_with_lists_joined() {
        let settings =
            KindSettings::parse(TaskKind::Screening, &json!({"inclusion_criteria": "RCTs"}))
                .unwrap();
        let columns = content_columns(&settings);
        assert_eq!(columns[0].header, "title");
        let authors = columns.iter().find(|c| c.header == "authors").unwrap();
        let content = json!({"title": "T", "authors": ["Smith, J", "Ng, L"]});
        assert_eq!(cell(authors, &content), "Smith, J; Ng, L");
    }
}
