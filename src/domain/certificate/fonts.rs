//! The bundled DejaVu Sans fonts and their advance widths.
//!
//! The fonts live in `assets/fonts/` at the crate root (licence beside them).
//! The include paths are relative to this file at `src/domain/certificate/`,
//! three directories below the crate root.
//!
//! krilla 0.5 keeps glyph advances private, so widths for line wrapping are
//! read here straight from the font's `cmap` (format 4) and `hmtx` tables.

use super::CertificateError;

/// DejaVu Sans, used for body text.
pub(super) static REGULAR_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, used for headings and labels.
pub(super) static BOLD_TTF: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Which of the two bundled faces to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Face {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// Advance widths of both faces, enough to measure text for wrapping.
#[derive(Debug)]
pub(super) struct Fonts {
    regular: Metrics,
    bold: Metrics,
}

impl Fonts {
    /// Reads the bundled fonts' tables; fails only if an asset is corrupt.
    pub(super) fn load() -> Result<Self, CertificateError> {
        Ok(Fonts {
            regular: Metrics::parse(REGULAR_TTF).ok_or(CertificateError::Font("DejaVuSans.ttf"))?,
            bold: Metrics::parse(BOLD_TTF).ok_or(CertificateError::Font("DejaVuSans-Bold.ttf"))?,
        })
    }

    /// Width of `text` in points at `size` (kerning is ignored, which only
    /// makes lines a touch shorter than the limit).
    pub(super) fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        let metrics = match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        };
        let units: u32 = text.chars().map(|ch| u32::from(metrics.advance(ch))).sum();
        units as f32 * size / metrics.units_per_em
    }
}

/// One cmap format 4 segment: characters `start..=end` map through `delta`
/// or, when `range_offset` is non-zero, through the glyph id array.
#[derive(Debug, Clone, Copy)]
struct Segment {
    start: u16,
    end: u16,
    delta: u16,
    range_offset: u16,
    /// Byte position of this segment's `idRangeOffset` entry in the font.
    range_offset_pos: usize,
}

/// The parts of a TrueType font needed to measure text.
#[derive(Debug)]
struct Metrics {
    data: &'static [u8],
    units_per_em: f32,
    /// Advance width of each glyph with its own horizontal metric.
    advances: Vec<u16>,
    segments: Vec<Segment>,
    /// Used for characters the font lacks (they render as .notdef anyway).
    fallback: u16,
}

impl Metrics {
    /// Parses `head`, `hhea`, `hmtx` and the Unicode BMP `cmap` subtable.
    fn parse(data: &'static [u8]) -> Option<Self> {
        let head = table(data, b"head")?;
        let units_per_em = read_u16(data, head + 18)?;
        let hhea = table(data, b"hhea")?;
        let metric_count = usize::from(read_u16(data, hhea + 34)?);
        let hmtx = table(data, b"hmtx")?;
        let advances = (0..metric_count)
            .map(|glyph| read_u16(data, hmtx + glyph * 4))
            .collect::<Option<Vec<u16>>>()?;
        let segments = cmap_segments(data)?;
        let fallback = advances.first().copied()?;
        (units_per_em > 0).then_some(Metrics {
            data,
            units_per_em: f32::from(units_per_em),
            advances,
            segments,
            fallback,
        })
    }

    /// Advance of the glyph for `ch`, in font units.
    fn advance(&self, ch: char) -> u16 {
        let glyph = u16::try_from(u32::from(ch))
            .ok()
            .and_then(|code| self.glyph(code));
        // Glyphs past the metric count share the last advance, per the hmtx spec.
        glyph
            .and_then(|g| {
                self.advances
                    .get(usize::from(g))
                    .or(self.advances.last())
                    .copied()
            })
            .unwrap_or(self.fallback)
    }

    /// Glyph id for a BMP code point, or `None` if the font has no glyph.
    fn glyph(&self, code: u16) -> Option<u16> {
        let segment = self.segments.iter().find(|s| s.end >= code)?;
        if code < segment.start {
            return None;
        }
        let glyph = if segment.range_offset == 0 {
            code.wrapping_add(segment.delta)
        } else {
            let pos = segment.range_offset_pos
                + usize::from(segment.range_offset)
                + 2 * usize::from(code - segment.start);
            match read_u16(self.data, pos)? {
                0 => 0,
                raw => raw.wrapping_add(segment.delta),
            }
        };
        (glyph != 0).then_some(glyph)
    }
}

/// Offset of the table called `tag`, from the sfnt table directory.
fn table(data: &[u8], tag: &[u8; 4]) -> Option<usize> {
    let count = usize::from(read_u16(data, 4)?);
    (0..count).find_map(|i| {
        let record = 12 + i * 16;
        let found = data.get(record..record + 4)? == tag;
        found.then(|| read_u32(data, record + 8)).flatten()
    })
}

/// Segments of the Windows Unicode BMP (3, 1) or Unicode (0, 3) format 4 subtable.
fn cmap_segments(data: &[u8]) -> Option<Vec<Segment>> {
    let cmap = table(data, b"cmap")?;
    let count = usize::from(read_u16(data, cmap + 2)?);
    let subtable = (0..count).find_map(|i| {
        let record = cmap + 4 + i * 8;
        let ids = (read_u16(data, record)?, read_u16(data, record + 2)?);
        let offset = cmap + read_u32(data, record + 4)?;
        let is_format_4 = read_u16(data, offset)? == 4;
        (matches!(ids, (3, 1) | (0, 3)) && is_format_4).then_some(offset)
    })?;
    let seg_count = usize::from(read_u16(data, subtable + 6)? / 2);
    let ends = subtable + 14;
    let starts = ends + seg_count * 2 + 2;
    let deltas = starts + seg_count * 2;
    let range_offsets = deltas + seg_count * 2;
    (0..seg_count)
        .map(|i| {
            Some(Segment {
                end: read_u16(data, ends + i * 2)?,
                start: read_u16(data, starts + i * 2)?,
                delta: read_u16(data, deltas + i * 2)?,
                range_offset: read_u16(data, range_offsets + i * 2)?,
                range_offset_pos: range_offsets + i * 2,
            })
        })
        .collect()
}

/// Big-endian u16 at `pos`, or `None` past the end.
fn read_u16(data: &[u8], pos: usize) -> Option<u16> {
    let bytes = data.get(pos..pos + 2)?;
    Some(u16::from_be_bytes([bytes[0], bytes[1]]))
}

/// Big-endian u32 at `pos` as an offset, or `None` past the end.
fn read_u32(data: &[u8], pos: usize) -> Option<usize> {
    let bytes = data.get(pos..pos + 4)?;
    usize::try_from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_advances_match_the_published_metrics() {
        let fonts = Fonts::load().unwrap();
        // DejaVu Sans: 2048 units per em; space 651, "M" 1767, "i" 569.
        assert_eq!(fonts.regular.units_per_em, 2048.0);
        assert_eq!(fonts.regular.advance(' '), 651);
        assert_eq!(fonts.regular.advance('M'), 1767);
        assert_eq!(fonts.regular.advance('i'), 569);
        assert!(fonts.bold.advance('M') > fonts.regular.advance('M'));
    }

    #[test]
    fn width_scales_with_font_size_and_text_length() {
        let fonts = Fonts::load().unwrap();
        let ten = fonts.width(Face::Regular, "Hours", 10.0);
        assert!((fonts.width(Face::Regular, "Hours", 20.0) - 2.0 * ten).abs() < 1e-3);
        assert!(fonts.width(Face::Regular, "HoursHours", 10.0) > 1.99 * ten);
        assert_eq!(fonts.width(Face::Regular, "", 10.0), 0.0);
    }
}
