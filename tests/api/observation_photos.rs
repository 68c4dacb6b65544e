//! Photos through the API with real images made here: metadata is stripped
//! and orientation applied, and every bad file is refused with a 4xx
//! problem that stores nothing.

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{expect_problem, expect_status};
use crate::ward::{Ward, handwash};

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const WHITE: [u8; 3] = [255, 255, 255];

/// Top half red | green, bottom half blue | white: every turn looks different.
pub fn quadrants(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb(match (x < width / 2, y < height / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => WHITE,
        })
    })
}

/// Pseudo-random pixels, so the JPEG has plenty of scan data to cut short.
fn noise(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_f491_u32;
    RgbImage::from_fn(width, height, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [a, b, c, _] = state.to_be_bytes();
        Rgb([a, b, c])
    })
}

pub fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 95)
        .encode_image(image)
        .expect("encodes");
    out
}

/// Device make written into the EXIF block; it must not survive.
const MAKE: &[u8] = b"PhoneCam\0\0";

/// A big-endian EXIF APP1 segment: IFD0 with Make, Orientation and a GPS
/// pointer; the GPS IFD holds a north latitude of 51° 30' 12.34".
fn exif_segment(orientation: u16) -> Vec<u8> {
    let (ifd0, make_at, gps_at, latitude_at) = (8u32, 50u32, 60u32, 90u32);
    let mut tiff = b"MM\x00\x2a".to_vec();
    tiff.extend(ifd0.to_be_bytes());
    let entry = |tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        tiff.extend(tag.to_be_bytes());
        tiff.extend(kind.to_be_bytes());
        tiff.extend(count.to_be_bytes());
        tiff.extend(value);
    };
    let [high, low] = orientation.to_be_bytes();
    tiff.extend(3u16.to_be_bytes());
    entry(&mut tiff, 0x010f, 2, 9, make_at.to_be_bytes());
    entry(&mut tiff, 0x0112, 3, 1, [high, low, 0, 0]);
    entry(&mut tiff, 0x8825, 4, 1, gps_at.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), make_at as usize);
    tiff.extend(MAKE);
    assert_eq!(tiff.len(), gps_at as usize);
    tiff.extend(2u16.to_be_bytes());
    entry(&mut tiff, 0x0001, 2, 2, *b"N\0\0\0");
    entry(&mut tiff, 0x0002, 5, 3, latitude_at.to_be_bytes());
    tiff.extend(0u32.to_be_bytes());
    assert_eq!(tiff.len(), latitude_at as usize);
    for (numerator, denominator) in [(51u32, 1u32), (30, 1), (1234, 100)] {
        tiff.extend(numerator.to_be_bytes());
        tiff.extend(denominator.to_be_bytes());
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    let mut segment = vec![0xff, 0xe1];
    segment.extend(
        u16::try_from(payload.len() + 2)
            .expect("short")
            .to_be_bytes(),
    );
    segment.extend(payload);
    segment
}

/// `jpeg(image)` with the EXIF segment right after the start-of-image marker.
fn jpeg_with_exif(image: &RgbImage, orientation: u16) -> Vec<u8> {
    let plain = jpeg(image);
    let mut out = plain[..2].to_vec();
    out.extend(exif_segment(orientation));
    out.extend(&plain[2..]);
    out
}

/// The marker byte of every segment up to the start of scan, with the
/// offset of each segment's length field.
fn segments(jpeg: &[u8]) -> Vec<(u8, usize)> {
    assert_eq!(jpeg[..2], [0xff, 0xd8], "not a JPEG");
    let mut found = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xff {
        let marker = jpeg[at + 1];
        found.push((marker, at + 2));
        if marker == 0xda {
            break;
        }
        at += 2 + usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
    }
    found
}

/// A small real JPEG whose frame header claims `width` x `height`.
fn claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bomb = jpeg(&quadrants(16, 16));
    let (_, length_at) = segments(&bomb)
        .into_iter()
        .find(|(marker, _)| *marker == 0xc0)
        .expect("a baseline frame header");
    // Length (2), precision (1), then height and width.
    bomb[length_at + 3..length_at + 5].copy_from_slice(&height.to_be_bytes());
    bomb[length_at + 5..length_at + 7].copy_from_slice(&width.to_be_bytes());
    bomb
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn a_photo_with_exif_orientation_comes_back_upright_without_metadata() {
    let ward = Ward::open().await;
    let original = jpeg_with_exif(&quadrants(400, 200), 6);
    assert!(contains(&original, b"Exif\0\0") && contains(&original, MAKE));
    let logged = expect_status(
        ward.log(
            &ward.observer,
            &handwash(uuid::Uuid::new_v4()),
            Some(("IMG_0001.jpg", original)),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let media = logged["media_id"].as_str().expect("media id");
    let response = ward
        .media(&ward.observer, &format!("/v1/media/{media}?size=display"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let display = response.bytes().await.expect("display").to_vec();

    let markers: Vec<u8> = segments(&display).into_iter().map(|(m, _)| m).collect();
    assert!(
        !markers.contains(&0xe1),
        "an APP1 (EXIF) segment survived: {markers:x?}"
    );
    assert!(!contains(&display, b"Exif") && !contains(&display, MAKE));

    let upright = image::load_from_memory(&display)
        .expect("decodes")
        .into_rgb8();
    assert_eq!(upright.dimensions(), (200, 400), "orientation 6 turns it");
    let colour = |x: u32, y: u32| {
        let pixel = upright.get_pixel(x, y).0;
        [RED, GREEN, BLUE, WHITE]
            .into_iter()
            .min_by_key(|c| {
                (0..3)
                    .map(|i| (i32::from(pixel[i]) - i32::from(c[i])).pow(2))
                    .sum::<i32>()
            })
            .expect("a palette colour")
    };
    // A quarter turn clockwise: the bottom-left quadrant is now top-left.
    assert_eq!(
        [
            colour(50, 100),
            colour(150, 100),
            colour(50, 300),
            colour(150, 300)
        ],
        [BLUE, RED, WHITE, GREEN]
    );
}

/// Every kind of file the pipeline refuses, as (file name, bytes, status,
/// problem slug).
pub fn bad_photos() -> Vec<(&'static str, Vec<u8>, StatusCode, &'static str)> {
    let truncated = {
        let whole = jpeg(&noise(300, 300));
        whole[..whole.len() * 3 / 5].to_vec()
    };
    vec![
        (
            "bomb.jpg",
            claiming(60_000, 60_000),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo-dimensions-too-large",
        ),
        (
            "cut.jpg",
            truncated,
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo-corrupt",
        ),
        (
            "notes.jpg",
            b"Not a photo, just notes.\n".repeat(40),
            StatusCode::UNPROCESSABLE_ENTITY,
            "photo-unsupported-format",
        ),
        (
            "huge.jpg",
            vec![0xff; 11 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "photo-too-large",
        ),
    ]
}

#[tokio::test]
async fn bad_photos_get_a_problem_and_store_nothing() {
    let ward = Ward::open().await;
    let client_id = uuid::Uuid::new_v4();
    for (name, bytes, status, slug) in bad_photos() {
        let response = ward
            .log(&ward.observer, &handwash(client_id), Some((name, bytes)))
            .await;
        let problem = expect_problem(response, status).await;
        assert_eq!(
            problem["type"],
            format!("/problems/{slug}"),
            "{name}: {problem}"
        );
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        assert_eq!(ward.tasks_in_batch().await, 1, "{name} stored a task");
        assert!(ward.media_files().is_empty(), "{name} stored a file");
    }
    // Nothing was kept under the client id either: it is still fresh.
    let logged = ward
        .log(
            &ward.observer,
            &handwash(client_id),
            Some(("ok.jpg", jpeg(&quadrants(640, 320)))),
        )
        .await;
    let logged = expect_status(logged, StatusCode::CREATED).await;
    assert_eq!(logged["client_id"], json!(client_id));
    assert_eq!(ward.media_files().len(), 2);
}
