//! Every request is bounded before it is read: its body by size, the whole
//! request by time. Request bodies are never inflated (a gzip bomb is a
//! few kilobytes on the wire and gigabytes in memory), so a declared
//! `Content-Length` over the route's limit is refused before one byte of
//! the body is read, and hyper's framing makes sure a body never runs past
//! the length it declared.

use std::time::Duration;

use poem::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, TRANSFER_ENCODING};
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::error::problem_response;

/// What one route may take: body bytes and wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteLimits {
    /// `None` where the route checks its own body first, with a more
    /// specific problem (photos: `photo_upload::limit_photo_request`).
    pub body_bytes: Option<u64>,
    pub time: Duration,
}

/// The configured ceilings the routes draw on.
#[derive(Debug, Clone, Copy)]
pub struct Ceilings {
    /// JSON bodies: answers, logins, projects (`TESSERA_JSON_BODY_BYTES`).
    pub json_bytes: u64,
    /// Batch uploads (`TESSERA_UPLOAD_BODY_BYTES`).
    pub upload_bytes: u64,
    /// Time for an ordinary request, from its headers to its response.
    pub request_time: Duration,
    /// Time for an upload to arrive and be checked.
    pub upload_time: Duration,
}

impl Ceilings {
    /// The limits of the route `method path`.
    pub fn for_route(&self, method: &Method, path: &str) -> RouteLimits {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let ordinary = RouteLimits {
            body_bytes: Some(self.json_bytes),
            time: self.request_time,
        };
        let photo = RouteLimits {
            body_bytes: None,
            time: self.upload_time,
        };
        match (method, segments.as_slice()) {
            (&Method::POST, ["v1", "projects", _, "batches"]) => RouteLimits {
                body_bytes: Some(self.upload_bytes),
                time: self.upload_time,
            },
            (&Method::POST, ["v1", "projects", _, "observations"]) => photo,
            (&Method::PUT, ["v1", "projects", _, "observations", _, "photo"]) => photo,
            _ => ordinary,
        }
    }
}

/// Refuses what cannot be bounded, then runs the request under its time limit.
pub async fn bound<E: Endpoint>(
    next: E,
    req: Request,
    ceilings: &Ceilings,
) -> poem::Result<Response> {
    let limits = ceilings.for_route(req.method(), req.uri().path());
    if let Some(refusal) = refuse_body(&req, limits.body_bytes) {
        return Ok(refusal);
    }
    Ok(
        match tokio::time::timeout(limits.time, next.call(req)).await {
            Ok(Ok(response)) => response.into_response(),
            Ok(Err(err)) => err.into_response(),
            Err(_) => problem_response(
                StatusCode::REQUEST_TIMEOUT,
                Some(format!(
                    "The request did not complete within {} seconds; send it again on a \
                 steadier connection.",
                    limits.time.as_secs()
                )),
            ),
        },
    )
}

/// A body is admitted only uncompressed and with a declared length within
/// the route's limit; anything else gets the refusal returned.
fn refuse_body(req: &Request, limit: Option<u64>) -> Option<Response> {
    let encoding = req
        .headers()
        .get(CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .unwrap_or("identity");
    if !encoding.eq_ignore_ascii_case("identity") {
        return Some(problem_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some(format!(
                "Request bodies are not decompressed (Content-Encoding: {encoding}); send \
                 the body uncompressed."
            )),
        ));
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    let limit = limit?;
    match declared {
        Some(length) if length > limit => Some(problem_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            Some(format!(
                "The body is {length} bytes; this endpoint takes at most {limit} bytes."
            )),
        )),
        Some(_) => None,
        // A streamed body of unknown length could be any size.
        None if req.headers().contains_key(TRANSFER_ENCODING) => Some(problem_response(
            StatusCode::LENGTH_REQUIRED,
            Some("Send the body with a Content-Length header.".to_owned()),
        )),
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ceilings() -> Ceilings {
        Ceilings {
            json_bytes: 1_000,
            upload_bytes: 9_000,
            request_time: Duration::from_secs(30),
            upload_time: Duration::from_secs(600),
        }
    }

    #[test]
    fn uploads_and_photos_have_their_own_limits_and_the_rest_share_one() {
        let c = ceilings();
        let upload = c.for_route(&Method::POST, "/v1/projects/abc/batches");
        assert_eq!(upload.body_bytes, Some(9_000));
        assert_eq!(upload.time, Duration::from_secs(600));
        assert_eq!(
            c.for_route(&Method::POST, "/v1/projects/abc/observations")
                .body_bytes,
            None
        );
        let later_photo = c.for_route(&Method::PUT, "/v1/projects/abc/observations/def/photo");
        assert_eq!(later_photo.body_bytes, None);
        assert_eq!(later_photo.time, Duration::from_secs(600));
        for (method, path) in [
            (Method::POST, "/v1/answers"),
            (Method::POST, "/v1/projects/abc/observations/def/photo"),
            (Method::POST, "/v1/auth/login"),
            (Method::GET, "/v1/projects/abc/batches"),
            (Method::POST, "/v1/projects/abc/batches/extra"),
        ] {
            assert_eq!(c.for_route(&method, path).body_bytes, Some(1_000), "{path}");
        }
    }

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri_str("/v1/answers");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.finish()
    }

    #[test]
    fn compressed_oversized_and_unsized_bodies_are_refused_before_reading() {
        let status = |headers: &[(&str, &str)]| {
            refuse_body(&request(headers), Some(1_000)).map(|response| response.status())
        };
        assert_eq!(
            status(&[("content-encoding", "gzip"), ("content-length", "10")]),
            Some(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        );
        assert_eq!(
            status(&[("content-length", "1001")]),
            Some(StatusCode::PAYLOAD_TOO_LARGE)
        );
        assert_eq!(
            status(&[("transfer-encoding", "chunked")]),
            Some(StatusCode::LENGTH_REQUIRED)
        );
        assert_eq!(status(&[("content-length", "1000")]), None);
        assert_eq!(status(&[]), None);
    }
}
