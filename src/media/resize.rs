//! Downscaling and alpha flattening.

use image::imageops::FilterType;
use image::{DynamicImage, Rgb, RgbImage};

/// Size that fits within a `max_edge` square, keeping aspect ratio and never
/// enlarging.
pub(crate) fn fit_within(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_edge {
        return (width, height);
    }
    let scale = |side: u32| {
        // Rounded integer scaling: exact for the longest edge, and the short
        // edge never collapses to zero for extreme panoramas.
        let scaled =
            (u64::from(side) * u64::from(max_edge) + u64::from(longest) / 2) / u64::from(longest);
        u32::try_from(scaled).unwrap_or(max_edge).max(1)
    };
    (scale(width), scale(height))
}

/// Shrinks `image` so its longest edge is at most `max_edge`; smaller images
/// are returned untouched.
///
/// Large reductions are done in two stages, as libvips does: exact 2x2 box
/// averaging while the image is still more than twice the target, then
/// Lanczos3 for the last factor of at most two. Lanczos3 alone on a 12 MP
/// photo reads ~20 source pixels per tap row and keeps a full-width f32
/// intermediate (164 MB for an 8,000 px image); box halving is alias-free at
/// these ratios and several times cheaper, and the final Lanczos step still
/// sets the sharpness.
pub(crate) fn shrink_to_fit(image: RgbImage, max_edge: u32) -> RgbImage {
    let (target_w, target_h) = fit_within(image.width(), image.height(), max_edge);
    if image.dimensions() == (target_w, target_h) {
        return image;
    }
    let mut image = image;
    while image.width() / 2 > target_w && image.height() / 2 > target_h {
        image = halve(&image);
    }
    // Through DynamicImage rather than the generic `imageops::resize`: the
    // latter is monomorphised in this crate and so runs unoptimised in debug
    // builds and tests, roughly 10x slower.
    DynamicImage::ImageRgb8(image)
        .resize_exact(target_w, target_h, FilterType::Lanczos3)
        .into_rgb8()
}

/// Averages each 2x2 block into one pixel (an odd last row or column is
/// dropped: under half a source pixel, invisible after further scaling).
fn halve(image: &RgbImage) -> RgbImage {
    let mut out = RgbImage::new(image.width() / 2, image.height() / 2);
    let stride = image.width() as usize * 3;
    let out_stride = out.width() as usize * 3;
    let row_pairs = image.as_raw().chunks_exact(stride * 2);
    for (pair, out_row) in row_pairs.zip(out.chunks_exact_mut(out_stride)) {
        let (top, bottom) = pair.split_at(stride);
        let blocks = top.chunks_exact(6).zip(bottom.chunks_exact(6));
        for ((top, bottom), pixel) in blocks.zip(out_row.chunks_exact_mut(3)) {
            for (c, channel) in pixel.iter_mut().enumerate() {
                let sum = u16::from(top[c])
                    + u16::from(top[c + 3])
                    + u16::from(bottom[c])
                    + u16::from(bottom[c + 3]);
                *channel = u8::try_from((sum + 2) / 4).unwrap_or(u8::MAX);
            }
        }
    }
    out
}

/// Converts to 8-bit RGB, compositing any transparency onto white.
///
/// JPEG has no alpha channel; simply dropping it would show whatever colour
/// the transparent pixels happen to hold (usually black). Doing this before
/// resizing also stops the filter bleeding those hidden colours into edges.
pub(crate) fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (source, target) in rgba.pixels().zip(rgb.pixels_mut()) {
        let [r, g, b, alpha] = source.0.map(u16::from);
        // Rounded integer "over" blend: c*a + 255*(1-a), all in /255 units.
        let blend = |c: u16| {
            let blended = (c * alpha + 255 * (255 - alpha) + 127) / 255;
            u8::try_from(blended).unwrap_or(u8::MAX)
        };
        *target = Rgb([blend(r), blend(g), blend(b)]);
    }
    rgb
}
