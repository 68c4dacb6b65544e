//! `Allow` on every 405, as RFC 9110 asks: the methods the spec declares
//! for the path that was called, worked out once from the published spec.

use std::sync::OnceLock;

use poem::http::HeaderValue;
use poem::http::header::ALLOW;
use poem::{Endpoint, IntoResponse, Request, Response, Result};

/// One path template of the spec, split into segments, with its methods.
struct Template {
    segments: Vec<Segment>,
    allow: HeaderValue,
}

enum Segment {
    Literal(String),
    /// `{id}` or `{id}.pdf`: anything, ending in this suffix.
    Parameter {
        suffix: String,
    },
}

impl Segment {
    fn parse(segment: &str) -> Self {
        match segment
            .strip_prefix('{')
            .and_then(|rest| rest.split_once('}'))
        {
            Some((_, suffix)) => Segment::Parameter {
                suffix: suffix.to_owned(),
            },
            None => Segment::Literal(segment.to_owned()),
        }
    }

    fn matches(&self, part: &str) -> bool {
        match self {
            Segment::Literal(literal) => literal == part,
            Segment::Parameter { suffix } => {
                part.len() > suffix.len() && part.ends_with(suffix.as_str())
            }
        }
    }
}

fn templates() -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        let spec: serde_json::Value = serde_json::from_str(&super::spec_json()).unwrap_or_default();
        let Some(paths) = spec["paths"].as_object() else {
            return Vec::new();
        };
        paths
            .iter()
            .filter_map(|(path, item)| {
                let methods: Vec<String> =
                    item.as_object()?.keys().map(|m| m.to_uppercase()).collect();
                Some(Template {
                    segments: path.split('/').map(Segment::parse).collect(),
                    allow: HeaderValue::from_str(&methods.join(", ")).ok()?,
                })
            })
            .collect()
    })
}

/// The `Allow` value for a request path, if the spec knows the path.
fn allowed(path: &str) -> Option<&'static HeaderValue> {
    let parts: Vec<&str> = path.split('/').collect();
    templates()
        .iter()
        .find(|template| {
            template.segments.len() == parts.len()
                && template
                    .segments
                    .iter()
                    .zip(&parts)
                    .all(|(segment, part)| segment.matches(part))
        })
        .map(|template| &template.allow)
}

/// Adds `Allow` to a 405 answer.
pub async fn add_allow<E: Endpoint>(next: E, req: Request) -> Result<Response> {
    let path = req.uri().path().to_owned();
    let mut response = next.call(req).await?.into_response();
    if response.status() == poem::http::StatusCode::METHOD_NOT_ALLOWED
        && let Some(allow) = allowed(&path)
    {
        response.headers_mut().insert(ALLOW, allow.clone());
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_gets_the_methods_its_template_declares() {
        let allow = |path| allowed(path).map(|value| value.to_str().unwrap().to_owned());
        assert_eq!(allow("/v1/me").as_deref(), Some("GET, PATCH, DELETE"));
        let batch = "/v1/batches/0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(allow(batch).as_deref(), Some("GET, PATCH"));
        let pdf = "/v1/certificates/0f8fad5b-d9cb-469f-a165-70867728950e.pdf";
        assert_eq!(allow(pdf).as_deref(), Some("GET"));
        assert_eq!(allow("/v1/nowhere"), None);
    }
}
