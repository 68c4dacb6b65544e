//! The `{certificate_id}.pdf` path segment.
//!
//! poem-openapi routes a whole path segment to one parameter, so the route
//! `/v1/certificates/:certificate_id.pdf` hands this type `<uuid>.pdf`; it
//! is parsed here, once, into the id. The published spec shows the path as
//! `/v1/certificates/{certificate_id}.pdf` with a UUID parameter
//! (`api::suffixed_path_templates` rewrites poem-openapi's `{certificate_id.pdf}`).

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromParameter, ParseResult, Type};
use uuid::Uuid;

/// A certificate id followed by `.pdf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PdfName(pub Uuid);

impl Type for PdfName {
    const IS_REQUIRED: bool = true;

    type RawValueType = Uuid;

    type RawElementValueType = Uuid;

    fn name() -> Cow<'static, str> {
        "string_uuid".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "uuid")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromParameter for PdfName {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        let id = value
            .strip_suffix(".pdf")
            .ok_or_else(|| ParseError::custom("the path must end in `.pdf`"))?;
        id.parse()
            .map(PdfName)
            .map_err(|_| ParseError::custom("the certificate id must be a UUID"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uuid_with_the_pdf_suffix_parses_to_the_id() {
        let id = Uuid::from_u128(7);
        assert_eq!(
            PdfName::parse_from_parameter(&format!("{id}.pdf")).unwrap(),
            PdfName(id)
        );
    }

    #[test]
    fn a_bare_id_or_another_suffix_is_refused() {
        let id = Uuid::from_u128(7);
        assert!(PdfName::parse_from_parameter(&id.to_string()).is_err());
        assert!(PdfName::parse_from_parameter(&format!("{id}.png")).is_err());
        assert!(PdfName::parse_from_parameter("nope.pdf").is_err());
    }
}
