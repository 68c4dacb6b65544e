//! A verification task's content and the photo it shows.
//!
//! A phone on ward Wi-Fi sends an observation's values first and its photo
//! afterwards, so a photo can join a task that already exists. Both stores
//! follow the rule here, so a photo that came later is shown exactly as one
//! that came with the observation: as `media_id` in the task's content.

use serde_json::{Map, Value};
use uuid::Uuid;

/// The content of an observation's verification task:
/// `{observation, media_id?}`.
pub fn observation_content(values: Value, media_id: Option<Uuid>) -> Value {
    let mut content = Map::new();
    content.insert("observation".into(), values);
    if let Some(media_id) = media_id {
        content.insert("media_id".into(), media_id.to_string().into());
    }
    Value::Object(content)
}

/// `content` now showing the photo `media_id`; everything else is kept.
pub fn content_with_photo(content: &Value, media_id: Uuid) -> Value {
    let mut content = content.as_object().cloned().unwrap_or_default();
    content.insert("media_id".into(), media_id.to_string().into());
    Value::Object(content)
}

/// What to do with a photo sent for an observation that is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoAttachment {
    /// The observation has no photo yet: attach this one.
    Attach,
    /// This very photo is attached already (a retry): store nothing.
    AlreadyAttached,
    /// Another photo is attached: store nothing. An observation keeps the
    /// one photo its verifiers may already have judged it by.
    OtherPhoto,
}

/// Decides by the SHA-256 of the display-size JPEG, which the photo
/// pipeline derives from the uploaded bytes alone: the same upload sent
/// again (with the POST or a retried attach) gives the same hash.
pub fn photo_attachment(attached_sha256: Option<&str>, sent_sha256: &str) -> PhotoAttachment {
    match attached_sha256 {
        None => PhotoAttachment::Attach,
        Some(attached) if attached == sent_sha256 => PhotoAttachment::AlreadyAttached,
        Some(_) => PhotoAttachment::OtherPhoto,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn content_shows_the_photo_only_when_there_is_one() {
        let id = Uuid::from_u128(7);
        let values = json!({"performed": true});
        assert_eq!(
            observation_content(values.clone(), None),
            json!({"observation": {"performed": true}})
        );
        assert_eq!(
            observation_content(values, Some(id)),
            json!({"observation": {"performed": true}, "media_id": id.to_string()})
        );
    }

    #[test]
    fn a_later_photo_gives_the_content_it_would_have_had_from_the_start() {
        let id = Uuid::from_u128(7);
        let values = json!({"moment": "before", "seconds": 20});
        let later = content_with_photo(&observation_content(values.clone(), None), id);
        assert_eq!(later, observation_content(values, Some(id)));
    }

    #[test]
    fn only_the_same_photo_counts_as_a_retry() {
        assert_eq!(photo_attachment(None, "ab"), PhotoAttachment::Attach);
        assert_eq!(
            photo_attachment(Some("ab"), "ab"),
            PhotoAttachment::AlreadyAttached
        );
        assert_eq!(
            photo_attachment(Some("ab"), "cd"),
            PhotoAttachment::OtherPhoto
        );
    }
}
