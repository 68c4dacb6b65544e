//! What a valid upload turns into: orientation, sizes, stripping, formats.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

use super::images::*;
use super::{contains, process};

#[test]
fn a_jpeg_with_gps_exif_and_orientation_6_comes_out_upright_and_stripped() {
    let input = jpeg_with_exif(&quadrants(40, 20), 6);
    assert!(contains(&input, b"Exif") && contains(&input, b"GPS"));
    assert!(contains(&input, CAMERA_MAKE));

    let photo = process(&input).unwrap();

    assert_eq!((photo.width, photo.height), (20, 40));
    // 90° clockwise: the old left column (red over blue) becomes the top row
    // read right to left, so blue is now top-left and red top-right.
    let display = decode_jpeg(&photo.display);
    assert_eq!(display.dimensions(), (20, 40));
    assert_eq!(quadrant_colours(&display), [BLUE, RED, WHITE, GREEN]);
    for output in [&photo.display, &photo.thumb] {
        let markers = jpeg_markers(output);
        assert!(!markers.contains(&0xE1), "APP1 survived: {markers:02X?}");
        assert!(markers.iter().all(|m| !(0xE1..=0xEF).contains(m)));
        assert!(!contains(output, b"Exif"));
        assert!(!contains(output, b"GPS"));
        assert!(!contains(output, CAMERA_MAKE));
    }
}

#[test]
fn every_exif_orientation_from_1_to_8_is_turned_upright() {
    let (r, g, b, w) = (RED, GREEN, BLUE, WHITE);
    let expected = [
        (1, (40, 20), [r, g, b, w]),
        (2, (40, 20), [g, r, w, b]),
        (3, (40, 20), [w, b, g, r]),
        (4, (40, 20), [b, w, r, g]),
        (5, (20, 40), [r, b, g, w]),
        (6, (20, 40), [b, r, w, g]),
        (7, (20, 40), [w, g, b, r]),
        (8, (20, 40), [g, w, r, b]),
    ];
    for (orientation, dims, colours) in expected {
        let photo = process(&jpeg_with_exif(&quadrants(40, 20), orientation)).unwrap();
        let display = decode_jpeg(&photo.display);
        assert_eq!(display.dimensions(), dims, "orientation {orientation}");
        assert_eq!(
            quadrant_colours(&display),
            colours,
            "orientation {orientation}"
        );
    }
}

#[test]
fn a_large_rotated_jpeg_is_scaled_to_both_output_sizes() {
    let photo = process(&jpeg_with_exif(&quadrants(3000, 1500), 6)).unwrap();

    assert_eq!((photo.width, photo.height), (640, 1280));
    assert_eq!(decode_jpeg(&photo.display).dimensions(), (640, 1280));
    let thumb = decode_jpeg(&photo.thumb);
    assert_eq!(thumb.dimensions(), (160, 320));
    assert_eq!(quadrant_colours(&thumb), [BLUE, RED, WHITE, GREEN]);
}

#[test]
fn a_normal_png_gives_a_320px_thumbnail_and_a_display_within_1280px() {
    let gradient = RgbImage::from_fn(2000, 1500, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let input = encode(&gradient.into(), ImageFormat::Png);

    let photo = process(&input).unwrap();

    assert_eq!((photo.width, photo.height), (1280, 960));
    assert_eq!(decode_jpeg(&photo.display).dimensions(), (1280, 960));
    assert_eq!(decode_jpeg(&photo.thumb).dimensions(), (320, 240));
    assert_eq!(
        photo.sha256_hex,
        crate::media::encode::sha256_hex(&photo.display)
    );
    assert_eq!(photo.sha256_hex.len(), 64);
    assert!(
        photo
            .sha256_hex
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    );
}

#[test]
fn a_small_image_is_never_upscaled() {
    let input = encode(&quadrants(100, 50).into(), ImageFormat::Png);

    let photo = process(&input).unwrap();

    assert_eq!((photo.width, photo.height), (100, 50));
    assert_eq!(decode_jpeg(&photo.thumb).dimensions(), (100, 50));
}

#[test]
fn the_same_upload_always_gives_the_same_content_hash() {
    let input = encode(&quadrants(300, 200).into(), ImageFormat::Png);

    let first = process(&input).unwrap();
    let second = process(&input).unwrap();

    assert_eq!(first.sha256_hex, second.sha256_hex);
    assert_eq!(first.display, second.display);
}

#[test]
fn gif_and_webp_uploads_are_accepted() {
    for format in [ImageFormat::Gif, ImageFormat::WebP] {
        let input = encode(
            &DynamicImage::from(quadrants(64, 32)).into_rgba8().into(),
            format,
        );

        let photo = process(&input).unwrap();

        assert_eq!((photo.width, photo.height), (64, 32), "{format:?}");
        let display = decode_jpeg(&photo.display);
        assert_eq!(
            quadrant_colours(&display),
            [RED, GREEN, BLUE, WHITE],
            "{format:?}"
        );
    }
}

#[test]
fn transparent_pixels_are_flattened_onto_white_not_black() {
    let clear = RgbaImage::from_pixel(50, 50, Rgba([0, 0, 0, 0]));
    let input = encode(&clear.into(), ImageFormat::Png);

    let display = decode_jpeg(&process(&input).unwrap().display);

    assert!(display.pixels().all(|p| p.0.iter().all(|&c| c >= 250)));
}

#[test]
fn a_jpeg_with_bytes_after_its_end_marker_is_accepted() {
    let mut input = jpeg(&quadrants(40, 20));
    input.extend(b"trailing data some phones append");

    assert_eq!(process(&input).unwrap().width, 40);
}

#[test]
fn fitting_keeps_aspect_ratio_and_never_collapses_a_thin_edge_to_zero() {
    use crate::media::resize::fit_within;
    assert_eq!(fit_within(4000, 3000, 1280), (1280, 960));
    assert_eq!(fit_within(3000, 4000, 1280), (960, 1280));
    assert_eq!(fit_within(8000, 1, 320), (320, 1));
    assert_eq!(fit_within(1280, 1280, 1280), (1280, 1280));
    assert_eq!(fit_within(10, 20, 320), (10, 20));
}
