//! Contribution certificates: what a contributor did, signed so an appraiser
//! can check it, and rendered as a PDF they can file as CPD evidence.
//!
//! The [`CertificateContent`] is the single source of truth. The JSON export is
//! its serde form, the signature covers its canonical JSON bytes
//! ([`canonical_bytes`]), and the PDF prints only what the content holds plus
//! the signature block. Nothing here touches storage, clocks or the network,
//! so the module can be tested in isolation.

pub mod badge;
mod closing;
pub mod compromise;
mod content;
mod fonts;
pub mod handed;
mod layout;
mod pdf;
mod qr;
mod sections;
mod signing;
pub mod status_list;
mod table;
mod tags;
mod wording;
mod wrap;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests_content;
#[cfg(test)]
mod tests_layout;
#[cfg(test)]
mod tests_pdf;
#[cfg(test)]
mod tests_signing;

pub use content::{
    ActivityRow, CERTIFICATE_FORMAT, CertificateContent, CertificateInput, Contributor, CpdMapping,
    Period, QualityIndicators, Registration, Tally, TaskKind, Totals, format_duration,
    format_duration_short, format_hours, verifiable_address,
};
pub use pdf::{CREDENTIAL_ATTACHMENT, render_pdf, render_pdf_with_credential};
pub use signing::{
    SignedCertificate, VerifyOutcome, VerifyReason, canonical_bytes, content_from_canonical_json,
    key_id, sign, verify, verify_bytes,
};

/// Everything that can go wrong while building, signing or rendering a certificate.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CertificateError {
    /// The content breaks one of its own rules (dates out of order, totals that
    /// do not add up); the message says which.
    #[error("invalid certificate content: {0}")]
    InvalidContent(String),
    /// The content could not be turned into canonical JSON.
    #[error("could not serialise certificate content: {0}")]
    Serialise(String),
    /// A bundled font could not be read, which means the build shipped a broken asset.
    #[error("could not load the bundled font {0}")]
    Font(&'static str),
    /// The verification URL could not be encoded as a QR code (for example, too long).
    #[error("could not encode the verification URL as a QR code: {0}")]
    QrCode(String),
    /// krilla refused to write the PDF.
    #[error("could not write the PDF: {0}")]
    Pdf(String),
}
