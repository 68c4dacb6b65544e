//! JPEG output and content hashing.

use image::RgbImage;
use image::codecs::jpeg::JpegEncoder;
use sha2::{Digest, Sha256};

use super::PhotoError;

/// Encodes pixels as a baseline JPEG carrying no metadata.
///
/// The encoder writes only a JFIF APP0 header; EXIF, XMP and ICC segments
/// appear only if explicitly set, and we never set them, so GPS position,
/// device and capture time from the original cannot survive.
pub(crate) fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .map_err(|err| PhotoError::Processing {
            reason: err.to_string(),
        })?;
    Ok(out)
}

/// Lower-case hex SHA-256, used as the content address in storage.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
