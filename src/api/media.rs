//! Observation photos: served only to the people who need to see them, with
//! validators and cache headers so a phone downloads each one once.

use chrono::Utc;
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Binary;
use poem_openapi::{ApiResponse, Enum, OpenApi};
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::state::SharedState;
use super::tags::ApiTags;
use crate::domain::account::Role;
use crate::store::{MediaRecord, MediaSize};

pub struct MediaApi;

/// The bytes never change for a media id, so clients may keep them a day
/// without asking again; `private` keeps shared caches out of it.
const CACHE_CONTROL: &str = "private, max-age=86400, immutable";

/// Which rendition of a photo to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SizeParam {
    /// At most 320 px on the longest edge, for lists.
    Thumb,
    /// At most 1,280 px on the longest edge (the default).
    Display,
}

#[derive(ApiResponse)]
pub enum MediaResponse {
    /// The photo as a JPEG without metadata. `ETag` is the SHA-256 of these bytes.
    #[oai(status = 200, content_type = "image/jpeg")]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
    /// The copy named in `If-None-Match` is current; use it.
    #[oai(status = 304)]
    NotModified(
        #[oai(header = "ETag")] String,
        #[oai(header = "Cache-Control")] String,
    ),
}

#[OpenApi(tag = "ApiTags::Observations")]
impl MediaApi {
    /// A photo attached to an observation. Visible to the project's
    /// researchers, to whoever uploaded it, and to contributors who hold a
    /// lease on (or have answered) the task that shows it; 404 for everyone
    /// else. Send the `ETag` back in `If-None-Match` to get a 304.
    #[oai(
        path = "/v1/media/:media_id",
        method = "get",
        operation_id = "get_media"
    )]
    async fn get(
        &self,
        state: Data<&SharedState>,
        caller: Caller,
        media_id: Path<Uuid>,
        /// `thumb` or `display` (default).
        size: Query<Option<SizeParam>>,
        /// The `ETag` of a copy you already hold.
        #[oai(name = "If-None-Match")]
        if_none_match: Header<Option<String>>,
    ) -> Result<MediaResponse, ApiError> {
        let media = visible_media(&state, &caller, media_id.0).await?;
        let size = match size.0.unwrap_or(SizeParam::Display) {
            SizeParam::Thumb => MediaSize::Thumb,
            SizeParam::Display => MediaSize::Display,
        };
        let etag = format!("\"{}\"", media.sha256(size));
        if if_none_match
            .0
            .as_deref()
            .is_some_and(|header| matches_etag(header, &etag))
        {
            return Ok(MediaResponse::NotModified(etag, CACHE_CONTROL.to_owned()));
        }
        let bytes = state
            .store
            .media_bytes(&media, size)
            .await?
            .ok_or_else(|| {
                ApiError::internal(format!("the file of media {} is missing", media.id))
            })?;
        Ok(MediaResponse::Ok(
            Binary(bytes),
            etag,
            CACHE_CONTROL.to_owned(),
        ))
    }
}

/// The photo, if the caller may see it. Every refusal is the same 404, so
/// the answer never reveals whether a media id exists.
async fn visible_media(
    state: &SharedState,
    caller: &Caller,
    id: Uuid,
) -> Result<MediaRecord, ApiError> {
    let hidden = || ApiError::not_found("There is no photo with this id.");
    let media = state.store.media(id).await?.ok_or_else(hidden)?;
    let me = caller.account_id();
    if media.uploader_id == me || caller.has_role(Role::Admin) {
        return Ok(media);
    }
    let runs_project = state
        .store
        .project(media.project_id)
        .await?
        .is_some_and(|project| project.owner_id == me);
    if runs_project || state.store.media_shown_to(id, me, Utc::now()).await? {
        return Ok(media);
    }
    Err(hidden())
}

/// `If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): `W/` is
/// ignored, and `*` matches any current representation.
fn matches_etag(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

#[cfg(test)]
mod tests {
    use super::matches_etag;

    const ETAG: &str = "\"9f86d081\"";

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_star() {
        assert!(matches_etag("\"9f86d081\"", ETAG));
        assert!(matches_etag("\"other\", W/\"9f86d081\"", ETAG));
        assert!(matches_etag("*", ETAG));
        assert!(!matches_etag("\"other\"", ETAG));
        assert!(
            !matches_etag("9f86d081", ETAG),
            "an unquoted tag is a different tag"
        );
    }
}
