//! What is refused, and with which error.

use image::{DynamicImage, ImageFormat};

use super::images::*;
use super::process;
use crate::media::{PhotoError, PhotoLimits, process_photo};

#[test]
fn a_png_claiming_100000_by_100000_pixels_is_refused_before_decoding() {
    let bomb = png_claiming(&quadrants(8, 8).into(), 100_000, 100_000);
    assert!(bomb.len() < 1024);

    let err = process(&bomb).unwrap_err();

    assert_eq!(
        err,
        PhotoError::DimensionsTooLarge {
            width: 100_000,
            height: 100_000,
            max_width: 8_000,
            max_height: 8_000,
        }
    );
    assert_eq!(err.kind(), "photo-dimensions-too-large");
}

#[test]
fn a_16_bit_png_within_the_pixel_limit_but_over_the_memory_budget_is_refused() {
    // 7,000 x 7,000 x 8 bytes = 374 MiB, over the default 96 MiB budget.
    let source = DynamicImage::ImageRgba16(image::ImageBuffer::new(8, 8));
    let bomb = png_claiming(&source, 7_000, 7_000);

    assert_eq!(process(&bomb).unwrap_err(), PhotoError::TooComplex);
}

#[test]
fn a_genuine_png_of_zeros_is_refused_when_it_would_exceed_the_decode_budget() {
    // 2,000 x 2,000 zeros compress to a few KB but decode to 4 MB.
    let zeros = DynamicImage::ImageLuma8(image::ImageBuffer::new(2000, 2000));
    let bomb = encode(&zeros, ImageFormat::Png);
    assert!(bomb.len() < 32 * 1024, "{} bytes", bomb.len());
    let limits = PhotoLimits {
        max_decode_bytes: 1024 * 1024,
        ..PhotoLimits::default()
    };

    assert_eq!(
        process_photo(&bomb, &limits).unwrap_err(),
        PhotoError::TooComplex
    );
}

#[test]
fn a_png_whose_pixel_data_is_shorter_than_its_header_claims_is_corrupt() {
    let liar = png_claiming(&quadrants(8, 8).into(), 4000, 4000);

    let err = process(&liar).unwrap_err();

    assert!(matches!(err, PhotoError::Corrupt { .. }), "{err:?}");
}

#[test]
fn a_jpeg_cut_in_half_is_corrupt() {
    let whole = jpeg(&quadrants(400, 300));
    let half = &whole[..whole.len() / 2];

    let err = process(half).unwrap_err();

    // zune-jpeg would grey-fill the missing half; our own end-marker check
    // is what catches it.
    assert!(
        matches!(&err, PhotoError::Corrupt { reason } if reason.contains("end-of-image")),
        "{err:?}"
    );
    assert_eq!(err.kind(), "photo-corrupt");
}

#[test]
fn a_truncated_jpeg_is_corrupt_even_if_its_exif_thumbnail_is_complete() {
    let thumbnail = jpeg(&quadrants(16, 16));
    let whole = jpeg(&quadrants(400, 300));
    let mut input = whole[..2].to_vec();
    input.extend([0xFF, 0xE1]);
    input.extend(u16::try_from(thumbnail.len() + 8).unwrap().to_be_bytes());
    input.extend(b"Exif\0\0");
    input.extend(&thumbnail);
    input.extend(&whole[2..whole.len() / 2]);

    let err = process(&input).unwrap_err();

    assert!(
        matches!(&err, PhotoError::Corrupt { reason } if reason.contains("end-of-image")),
        "{err:?}"
    );
}

#[test]
fn truncated_png_gif_and_webp_files_are_corrupt() {
    for format in [ImageFormat::Png, ImageFormat::Gif, ImageFormat::WebP] {
        let whole = encode(
            &DynamicImage::from(quadrants(200, 100)).into_rgba8().into(),
            format,
        );
        let half = &whole[..whole.len() / 2];

        let err = process(half).unwrap_err();

        assert!(
            matches!(err, PhotoError::Corrupt { .. }),
            "{format:?}: {err:?}"
        );
    }
}

#[test]
fn a_text_file_named_jpg_is_an_unsupported_format() {
    let err = process(b"Hand hygiene audit, ward 7: all staff compliant.\n").unwrap_err();

    assert_eq!(err, PhotoError::UnsupportedFormat);
    assert_eq!(err.kind(), "photo-unsupported-format");
}

#[test]
fn an_empty_upload_or_another_image_format_is_unsupported() {
    // Magic bytes of formats image recognises but we do not accept.
    let bmp = b"BM\x46\0\0\0\0\0\0\0\x36\0\0\0";
    let tiff = b"II\x2a\0\x08\0\0\0";
    for input in [&[][..], &bmp[..], &tiff[..]] {
        assert_eq!(process(input).unwrap_err(), PhotoError::UnsupportedFormat);
    }
}

#[test]
fn an_11_mb_upload_is_too_large_whatever_it_contains() {
    let mut input = jpeg(&quadrants(8, 8));
    input.resize(11 * 1024 * 1024, 0);

    let err = process(&input).unwrap_err();

    assert_eq!(
        err,
        PhotoError::TooLarge {
            size: 11 * 1024 * 1024,
            max: 10 * 1024 * 1024
        }
    );
    assert_eq!((err.kind(), err.http_status()), ("photo-too-large", 413));
}

#[test]
fn every_error_has_a_distinct_slug_a_4xx_or_500_status_and_a_plain_message() {
    let reason = String::from("detail");
    let errors = [
        (
            PhotoError::TooLarge { size: 2, max: 1 },
            "photo-too-large",
            413,
        ),
        (
            PhotoError::UnsupportedFormat,
            "photo-unsupported-format",
            422,
        ),
        (
            PhotoError::DimensionsTooLarge {
                width: 9,
                height: 9,
                max_width: 8,
                max_height: 8,
            },
            "photo-dimensions-too-large",
            422,
        ),
        (PhotoError::TooComplex, "photo-too-complex", 422),
        (
            PhotoError::Corrupt {
                reason: reason.clone(),
            },
            "photo-corrupt",
            422,
        ),
        (
            PhotoError::Processing { reason },
            "photo-processing-failed",
            500,
        ),
    ];
    for (err, slug, status) in &errors {
        assert_eq!((err.kind(), err.http_status()), (*slug, *status));
        let message = err.to_string();
        assert!(
            message.starts_with("The ") && message.ends_with('.'),
            "{message}"
        );
        assert!(
            !message.contains("detail"),
            "internal detail leaked: {message}"
        );
    }
}

#[test]
fn a_tiny_jpeg_declaring_8000_by_8000_pixels_is_refused_before_decoding() {
    // A genuine 8x8 JPEG whose frame header is rewritten to claim 8,000 x
    // 8,000: a few hundred bytes that would decode to 183 MiB.
    let mut bomb = encode(&quadrants(8, 8).into(), ImageFormat::Jpeg);
    let frame = bomb
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .expect("a baseline frame header");
    bomb[frame + 5..frame + 9].copy_from_slice(&[0x1F, 0x40, 0x1F, 0x40]);
    assert!(bomb.len() < 2048, "{} bytes", bomb.len());
    let err = process(&bomb).unwrap_err();
    assert!(
        matches!(err, PhotoError::TooComplex | PhotoError::Corrupt { .. }),
        "{err:?}"
    );
}

#[test]
fn a_jpeg_that_claims_more_pixels_than_its_bytes_can_hold_is_corrupt() {
    let mut liar = encode(&quadrants(16, 16).into(), ImageFormat::Jpeg);
    let frame = liar
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .expect("a baseline frame header");
    // 4,000 x 4,000 fits the memory budget, but not in a few hundred bytes.
    liar[frame + 5..frame + 9].copy_from_slice(&[0x0F, 0xA0, 0x0F, 0xA0]);
    let err = process(&liar).unwrap_err();
    assert!(
        matches!(&err, PhotoError::Corrupt { reason } if reason.contains("cannot hold")),
        "{err:?}"
    );
}
