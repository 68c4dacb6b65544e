//! Builders for the test images, made in code so no fixture files are needed.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

/// Quadrant colours of [`quadrants`]: top-left, top-right, bottom-left, bottom-right.
pub(crate) const RED: [u8; 3] = [255, 0, 0];
pub(crate) const GREEN: [u8; 3] = [0, 255, 0];
pub(crate) const BLUE: [u8; 3] = [0, 0, 255];
pub(crate) const WHITE: [u8; 3] = [255, 255, 255];
const PALETTE: [[u8; 3]; 4] = [RED, GREEN, BLUE, WHITE];

/// A `width` x `height` image whose four quadrants are red, green (top) and
/// blue, white (bottom), so every flip and rotation gives a distinct layout.
pub(crate) fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let right = usize::from(x >= width / 2);
        let bottom = usize::from(y >= height / 2);
        Rgb(PALETTE[bottom * 2 + right])
    })
}

/// The colour of the four quadrant centres of `image`, each snapped to the
/// nearest palette colour (JPEG never returns exact values).
pub(crate) fn quadrant_colours(image: &RgbImage) -> [[u8; 3]; 4] {
    let (w, h) = image.dimensions();
    let centres = [
        (w / 4, h / 4),
        (3 * w / 4, h / 4),
        (w / 4, 3 * h / 4),
        (3 * w / 4, 3 * h / 4),
    ];
    centres.map(|(x, y)| nearest_palette(image.get_pixel(x, y).0))
}

fn nearest_palette(pixel: [u8; 3]) -> [u8; 3] {
    let distance = |c: &[u8; 3]| -> i32 {
        (0..3)
            .map(|i| (i32::from(pixel[i]) - i32::from(c[i])).pow(2))
            .sum()
    };
    PALETTE.into_iter().min_by_key(distance).unwrap()
}

/// Encodes any image in `format` with image's own encoder.
pub(crate) fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// High-quality JPEG so the input's colours are close to exact.
pub(crate) fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(image)
        .unwrap();
    out
}

/// `jpeg` with an EXIF APP1 segment spliced in right after SOI.
pub(crate) fn jpeg_with_exif(image: &RgbImage, orientation: u16) -> Vec<u8> {
    let plain = jpeg(image);
    let mut out = plain[..2].to_vec();
    out.extend(exif_app1(orientation));
    out.extend(&plain[2..]);
    out
}

/// Device make written into IFD0, so tests can check it does not survive.
pub(crate) const CAMERA_MAKE: &[u8] = b"TesseraCam\0";

/// A little-endian EXIF APP1 segment: IFD0 holds Make, Orientation and a
/// pointer to a GPS IFD with latitude and a processing method of "GPS".
fn exif_app1(orientation: u16) -> Vec<u8> {
    const ENTRY: u32 = 12;
    let ifd0_at = 8;
    let make_at = ifd0_at + 2 + 3 * ENTRY + 4;
    let gps_at = make_at + 12; // CAMERA_MAKE padded to an even length
    let latitude_at = gps_at + 2 + 3 * ENTRY + 4;
    let method_at = latitude_at + 24;
    let method = b"ASCII\0\0\0GPS";

    let mut tiff = b"II\x2a\x00".to_vec();
    tiff.extend(ifd0_at.to_le_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(kind.to_le_bytes());
        tiff.extend(count.to_le_bytes());
        tiff.extend(value);
    };
    let short = |v: u16| {
        let [a, b] = v.to_le_bytes();
        [a, b, 0, 0]
    };
    let (ascii, short_t, long, rational, undefined) = (2, 3, 4, 5, 7);

    tiff.extend(3u16.to_le_bytes());
    entry(&mut tiff, 0x010F, ascii, 11, make_at.to_le_bytes());
    entry(&mut tiff, 0x0112, short_t, 1, short(orientation));
    entry(&mut tiff, 0x8825, long, 1, gps_at.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(CAMERA_MAKE);
    tiff.push(0);

    assert_eq!(tiff.len(), gps_at as usize);
    tiff.extend(3u16.to_le_bytes());
    entry(&mut tiff, 0x0001, ascii, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, rational, 3, latitude_at.to_le_bytes());
    entry(&mut tiff, 0x001B, undefined, 11, method_at.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    for (num, den) in [(51u32, 1u32), (30, 1), (1234, 100)] {
        tiff.extend(num.to_le_bytes());
        tiff.extend(den.to_le_bytes());
    }
    tiff.extend(method);

    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend(u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    segment.extend(payload);
    segment
}

/// Marker bytes of every segment before the scan data (SOS ends the list).
pub(crate) fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() {
        assert_eq!(jpeg[at], 0xFF, "lost sync at byte {at}");
        let marker = jpeg[at + 1];
        markers.push(marker);
        if marker == 0xDA {
            break;
        }
        let length = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        at += 2 + length;
    }
    markers
}

/// A real PNG whose IHDR is rewritten to claim `width` x `height`.
///
/// The pixel data still describes `source`, so a decoder that trusted the
/// header would either allocate for the claim or fail part-way through.
pub(crate) fn png_claiming(source: &DynamicImage, width: u32, height: u32) -> Vec<u8> {
    let mut png = encode(source, ImageFormat::Png);
    // Signature (8), IHDR length (4), "IHDR" (4), then width and height.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Bitwise CRC-32 (IEEE), as PNG chunk checksums use; speed is irrelevant here.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Decodes pipeline output, insisting that it really is a JPEG.
pub(crate) fn decode_jpeg(bytes: &[u8]) -> RgbImage {
    assert_eq!(image::guess_format(bytes).unwrap(), ImageFormat::Jpeg);
    image::load_from_memory_with_format(bytes, ImageFormat::Jpeg)
        .unwrap()
        .into_rgb8()
}
