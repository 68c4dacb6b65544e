//! Photo pipeline for care observations.
//!
//! Staff attach photos from their phones. Those files can carry GPS position,
//! device identifiers and capture time, may be huge, and are untrusted input.
//! [`process_photo`] turns one upload into two clean JPEGs (display size and
//! thumbnail) with every piece of metadata removed and the picture upright.
//!
//! The work is CPU-bound and synchronous; run it on a blocking thread pool.
//! One call can briefly hold up to [`PhotoLimits::max_decode_bytes`] (the
//! decoded image and its flattened copies), so callers should cap how many
//! run at once (e.g. a semaphore).

mod decode;
mod encode;
mod error;
mod jpeg;
mod resize;

#[cfg(test)]
mod tests;

use std::fmt;

use image::DynamicImage;

pub use error::PhotoError;

/// Longest edge, in pixels, of the display-size output.
pub const DISPLAY_MAX_EDGE: u32 = 1280;

/// Longest edge, in pixels, of the thumbnail output.
pub const THUMB_MAX_EDGE: u32 = 320;

/// JPEG quality (1–100) for both outputs: the usual web compromise, with no
/// visible artefacts at these sizes and much smaller files than 90+.
pub const JPEG_QUALITY: u8 = 82;

/// Resource limits applied to every upload before and during decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoLimits {
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: usize,
    /// Largest accepted width declared in the image header, in pixels.
    pub max_width: u32,
    /// Largest accepted height declared in the image header, in pixels.
    pub max_height: u32,
    /// Most memory the decoder may allocate, output buffer included, in bytes.
    pub max_decode_bytes: u64,
}

impl Default for PhotoLimits {
    /// 10 MiB uploads, 8,000 px per side, 96 MiB decode budget.
    ///
    /// The budget covers the decoded pixels and every copy flattening makes
    /// (`decode::flattened_bytes`), and only one decode runs at a time
    /// (`api::photo_upload`), so photos never hold more than 96 MiB: what
    /// fits the shipped 512 MiB pod with everything else. It takes any phone
    /// camera's default output (a 12 MP JPEG is 36 MiB as RGB, a 12 MP PNG
    /// with alpha 84 MiB in all) and refuses an 8,000 x 8,000 image (183 MiB
    /// as RGB) before a single pixel is decoded.
    fn default() -> Self {
        Self {
            max_upload_bytes: 10 * 1024 * 1024,
            max_width: 8_000,
            max_height: 8_000,
            max_decode_bytes: 96 * 1024 * 1024,
        }
    }
}

/// The clean outputs of one upload.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// Display-size JPEG, longest edge at most [`DISPLAY_MAX_EDGE`].
    pub display: Vec<u8>,
    /// Thumbnail JPEG, longest edge at most [`THUMB_MAX_EDGE`].
    pub thumb: Vec<u8>,
    /// Width of the display image in pixels, after orientation.
    pub width: u32,
    /// Height of the display image in pixels, after orientation.
    pub height: u32,
    /// Lower-case hex SHA-256 of `display`, for content-addressed storage.
    pub sha256_hex: String,
}

impl fmt::Debug for ProcessedPhoto {
    // Byte counts rather than contents: a derived Debug would dump megabytes
    // into any log or failed assertion.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("display_len", &self.display.len())
            .field("thumb_len", &self.thumb.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("sha256_hex", &self.sha256_hex)
            .finish()
    }
}

/// Validates, decodes, orients, strips and re-encodes one uploaded photo.
///
/// Checks run cheapest first: byte size, then magic bytes, then the header's
/// declared dimensions, JPEG completeness and memory need, and only then the
/// pixel decode.
pub fn process_photo(bytes: &[u8], limits: &PhotoLimits) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.len() > limits.max_upload_bytes {
        return Err(PhotoError::TooLarge {
            size: bytes.len(),
            max: limits.max_upload_bytes,
        });
    }
    let format = decode::sniff(bytes)?;
    let decoded = decode::decode(bytes, format, limits)?;

    let opaque = resize::flatten_onto_white(decoded.image);
    // Shrink first, rotate second: a 90° turn copies every pixel, and the
    // longest-edge fit gives the same result in either order.
    let mut display = DynamicImage::ImageRgb8(resize::shrink_to_fit(opaque, DISPLAY_MAX_EDGE));
    display.apply_orientation(decoded.orientation);
    let display = display.into_rgb8();

    let display_jpeg = encode::encode_jpeg(&display, JPEG_QUALITY)?;
    let (width, height) = display.dimensions();

    // The thumbnail comes from the display image: it is already upright and
    // flattened, and shrinking 1,280 px is far cheaper than the original.
    let thumb = resize::shrink_to_fit(display, THUMB_MAX_EDGE);
    let thumb_jpeg = encode::encode_jpeg(&thumb, JPEG_QUALITY)?;

    Ok(ProcessedPhoto {
        sha256_hex: encode::sha256_hex(&display_jpeg),
        display: display_jpeg,
        thumb: thumb_jpeg,
        width,
        height,
    })
}
