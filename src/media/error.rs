//! Errors the photo pipeline can return, each with a stable slug for the API.

use image::ImageError;
use image::error::LimitErrorKind;

/// Why a photo was refused or could not be processed.
///
/// The `Display` text is short plain English that is safe to show to staff;
/// it never includes decoder internals. Internal detail, where useful for
/// logs, is carried in a `reason` field instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// The upload is bigger than the byte limit (checked before anything else).
    #[error("The photo is too large: {size} bytes, over the {max}-byte limit.")]
    TooLarge {
        /// Size of the upload in bytes.
        size: usize,
        /// The limit it exceeded.
        max: usize,
    },

    /// The bytes are not a JPEG, PNG, WebP or GIF image.
    #[error("The file is not a supported photo type (JPEG, PNG, WebP or GIF).")]
    UnsupportedFormat,

    /// The image header declares a width or height over the limit.
    #[error("The photo is {width}x{height} pixels, over the {max_width}x{max_height} limit.")]
    DimensionsTooLarge {
        /// Declared width in pixels.
        width: u32,
        /// Declared height in pixels.
        height: u32,
        /// Maximum allowed width.
        max_width: u32,
        /// Maximum allowed height.
        max_height: u32,
    },

    /// Decoding would need more memory than the decoder is allowed.
    #[error("The photo needs too much memory to process.")]
    TooComplex,

    /// The file is truncated, damaged or internally inconsistent.
    #[error("The photo file is damaged or incomplete.")]
    Corrupt {
        /// Decoder detail, for logs only.
        reason: String,
    },

    /// Re-encoding failed. This is a server-side fault, not the uploader's.
    #[error("The photo could not be processed.")]
    Processing {
        /// Encoder detail, for logs only.
        reason: String,
    },
}

impl PhotoError {
    /// Stable machine-readable slug, used as the API problem type.
    ///
    /// These strings are a public contract: change a message freely, never a slug.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "photo-too-large",
            Self::UnsupportedFormat => "photo-unsupported-format",
            Self::DimensionsTooLarge { .. } => "photo-dimensions-too-large",
            Self::TooComplex => "photo-too-complex",
            Self::Corrupt { .. } => "photo-corrupt",
            Self::Processing { .. } => "photo-processing-failed",
        }
    }

    /// The HTTP status the API should answer with for this error.
    ///
    /// 413 for an oversized upload, 500 for our own encoder failing, and 422
    /// for every other problem with the photo's content.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::TooLarge { .. } => 413,
            Self::Processing { .. } => 500,
            _ => 422,
        }
    }

    /// Classifies an error raised while reading headers or decoding pixels.
    ///
    /// `dims` is the size from the header when already known, so a dimension
    /// limit hit inside a decoder can still report real numbers.
    pub(crate) fn from_decode(err: ImageError, dims: Option<(u32, u32)>, max: (u32, u32)) -> Self {
        match err {
            ImageError::Limits(limit) => match (limit.kind(), dims) {
                (LimitErrorKind::DimensionError, Some((width, height))) => {
                    Self::DimensionsTooLarge {
                        width,
                        height,
                        max_width: max.0,
                        max_height: max.1,
                    }
                }
                // Out of memory budget, a limit the decoder cannot honour, or
                // a size complaint before we know the size: refuse either way
                // rather than risk the allocation.
                _ => Self::TooComplex,
            },
            // A sniffed-supported container whose inner coding we can't read
            // (e.g. arithmetic-coded JPEG) is, to the user, an unsupported type.
            ImageError::Unsupported(_) => Self::UnsupportedFormat,
            other => Self::Corrupt {
                reason: other.to_string(),
            },
        }
    }
}
