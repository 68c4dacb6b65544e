//! Format sniffing and bounded decoding.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};

use super::{PhotoError, PhotoLimits};

/// Bytes of the copies `resize::flatten_onto_white` makes of an image of
/// this colour type: an RGBA copy when it has alpha but is not RGBA8 yet,
/// and the RGB result unless it already is RGB8.
fn flattened_bytes(color: image::ColorType, width: u32, height: u32) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    let rgba = if color.has_alpha() && color != image::ColorType::Rgba8 {
        4 * pixels
    } else {
        0
    };
    let rgb = if color == image::ColorType::Rgb8 {
        0
    } else {
        3 * pixels
    };
    rgba + rgb
}

/// The most pixels one byte of JPEG can stand for. Even a flat grey JPEG
/// spends about a byte per 8x8 block at common quality settings (1:64); a
/// real photo spends far more. 1:1024 leaves a wide margin.
const JPEG_PIXELS_PER_BYTE: u64 = 1024;

/// A decoded photo plus the EXIF orientation that still has to be applied.
pub(crate) struct Decoded {
    pub(crate) image: DynamicImage,
    pub(crate) orientation: Orientation,
}

/// Identifies the format from the file's magic bytes alone.
///
/// The client's filename and content type are never consulted: they are
/// attacker-controlled and phones get them wrong anyway.
pub(crate) fn sniff(bytes: &[u8]) -> Result<ImageFormat, PhotoError> {
    match image::guess_format(bytes) {
        Ok(
            format @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif),
        ) => Ok(format),
        _ => Err(PhotoError::UnsupportedFormat),
    }
}

/// Decodes `bytes` as `format`, refusing oversized images before any pixel
/// data is read.
pub(crate) fn decode(
    bytes: &[u8],
    format: ImageFormat,
    limits: &PhotoLimits,
) -> Result<Decoded, PhotoError> {
    let max = (limits.max_width, limits.max_height);

    // Only the memory budget goes to the decoder; the width/height check is
    // done by us below so that the error can report the declared size.
    let mut budget = Limits::default();
    budget.max_alloc = Some(limits.max_decode_bytes);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(budget.clone());
    // Building the decoder parses headers only (for PNG, up to the first
    // IDAT chunk, bounded by the same budget); no pixels are decoded yet.
    let mut decoder = reader
        .into_decoder()
        .map_err(|err| PhotoError::from_decode(err, None, max))?;

    let (width, height) = decoder.dimensions();
    if width > limits.max_width || height > limits.max_height {
        return Err(PhotoError::DimensionsTooLarge {
            width,
            height,
            max_width: limits.max_width,
            max_height: limits.max_height,
        });
    }
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt {
            reason: format!("image declares a {width}x{height} size"),
        });
    }

    // A JPEG spends at least a few bits on every 8x8 block of every
    // component; one that declares far more pixels than its bytes can
    // describe is a decompression bomb, refused before it is decoded.
    if format == ImageFormat::Jpeg
        && (bytes.len() as u64) < u64::from(width) * u64::from(height) / JPEG_PIXELS_PER_BYTE
    {
        return Err(PhotoError::Corrupt {
            reason: format!(
                "a {}-byte JPEG cannot hold {width}x{height} pixels",
                bytes.len()
            ),
        });
    }
    if format == ImageFormat::Jpeg && !super::jpeg::has_end_marker(bytes) {
        return Err(PhotoError::Corrupt {
            reason: "JPEG has no end-of-image marker after its scan data".into(),
        });
    }

    // The output buffer comes out of the budget first, so a header within the
    // pixel limits that needs e.g. 16-bit RGBA is still refused before any
    // allocation. PNG and GIF also keep their scratch space within what is
    // left; in image 0.25.9 the JPEG and WebP decoders ignore `max_alloc`, so
    // for them this reservation (plus the pixel cap) is the whole guard.
    let dims = Some((width, height));
    let fail = |err| PhotoError::from_decode(err, dims, max);
    // The budget covers the copies flattening makes too: a grey 8,000 x
    // 8,000 PNG is 61 MiB decoded but 183 MiB once it is RGB.
    let copies = flattened_bytes(decoder.color_type(), width, height);
    budget
        .reserve(decoder.total_bytes().saturating_add(copies))
        .map_err(fail)?;
    decoder.set_limits(budget).map_err(fail)?;

    // A malformed EXIF block should not cost staff their photo; the worst
    // outcome of ignoring it is a sideways image, not a security problem.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);

    let image = DynamicImage::from_decoder(decoder).map_err(fail)?;
    Ok(Decoded { image, orientation })
}
