//! The bundled DejaVu Sans fonts, and text measured the way krilla draws it.
//!
//! The fonts live in `assets/fonts/` at the crate root (licence beside them).
//! The include paths are relative to this file at `src/domain/certificate/`,
//! three directories below the crate root.
//!
//! krilla 0.5 keeps glyph advances private, but it shapes text with
//! rustybuzz (one run, direction guessed from the text). Measuring with the
//! same shaper, the same way, means a measured width is the drawn width:
//! kerning, ligatures, Arabic joining forms, characters outside the basic
//! plane and emoji sequences included. A character DejaVu has no glyph for
//! (an emoji, a CJK ideograph) is drawn as DejaVu's missing-glyph box and
//! measured as that box; the PDF's text layer still carries the character.

use rustybuzz::{Direction, UnicodeBuffer};
use unicode_bidi::{BidiInfo, Level};

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

/// Both faces, parsed once per rendering, to measure text.
pub(super) struct Fonts {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fonts(DejaVu Sans, DejaVu Sans Bold)")
    }
}

impl Fonts {
    /// Parses the bundled fonts; fails only if an asset is corrupt.
    pub(super) fn load() -> Result<Self, CertificateError> {
        Ok(Fonts {
            regular: rustybuzz::Face::from_slice(REGULAR_TTF, 0)
                .ok_or(CertificateError::Font("DejaVuSans.ttf"))?,
            bold: rustybuzz::Face::from_slice(BOLD_TTF, 0)
                .ok_or(CertificateError::Font("DejaVuSans-Bold.ttf"))?,
        })
    }

    fn face(&self, face: Face) -> &rustybuzz::Face<'static> {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Width of a line of `text` in points at `size`, as it is drawn: its
    /// runs of one direction ([`visual_runs`]) each shaped on their own.
    pub(super) fn width(&self, face: Face, text: &str, size: f32) -> f32 {
        visual_runs(text)
            .into_iter()
            .map(|(run, rtl)| self.run_width(face, run, rtl, size))
            .sum()
    }

    /// Width of one run of a single direction, shaped as krilla shapes it
    /// when given that direction.
    pub(super) fn run_width(&self, face: Face, text: &str, rtl: bool, size: f32) -> f32 {
        if text.is_empty() {
            return 0.0;
        }
        let face = self.face(face);
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        });
        let shaped = rustybuzz::shape(face, &[], buffer);
        let units: i64 = shaped
            .glyph_positions()
            .iter()
            .map(|position| i64::from(position.x_advance))
            .sum();
        units as f32 * size / face.units_per_em() as f32
    }

    /// Whether the face has a glyph for `ch` (if not, it is drawn as a box).
    #[cfg(test)]
    pub(super) fn has_glyph(&self, face: Face, ch: char) -> bool {
        self.face(face).glyph_index(ch).is_some()
    }
}

/// A line split into runs of one direction (Unicode bidirectional
/// algorithm, English as the base direction), left to right as seen, each
/// with whether it reads right to left. Drawing runs one by one keeps a
/// Latin name beside an Arabic one readable: shaping the whole line in the
/// direction of its first letter would reverse the other script.
pub(super) fn visual_runs(text: &str) -> Vec<(&str, bool)> {
    let info = BidiInfo::new(text, Some(Level::ltr()));
    let mut runs = Vec::new();
    for paragraph in &info.paragraphs {
        let (levels, ranges) = info.visual_runs(paragraph, paragraph.range.clone());
        for range in ranges {
            let rtl = levels.get(range.start).is_some_and(|level| level.is_rtl());
            if let Some(run) = text.get(range) {
                runs.push((run, rtl));
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_advances_match_the_published_metrics() {
        let fonts = Fonts::load().unwrap();
        // DejaVu Sans: 2048 units per em; space 651, "M" 1767, "i" 569; at
        // 2048 pt one unit is one point.
        assert_eq!(fonts.width(Face::Regular, " ", 2048.0), 651.0);
        assert_eq!(fonts.width(Face::Regular, "M", 2048.0), 1767.0);
        assert_eq!(fonts.width(Face::Regular, "i", 2048.0), 569.0);
        assert!(fonts.width(Face::Bold, "M", 10.0) > fonts.width(Face::Regular, "M", 10.0));
    }

    #[test]
    fn width_scales_with_font_size_and_text_length() {
        let fonts = Fonts::load().unwrap();
        let ten = fonts.width(Face::Regular, "Hours", 10.0);
        assert!((fonts.width(Face::Regular, "Hours", 20.0) - 2.0 * ten).abs() < 1e-3);
        assert!(fonts.width(Face::Regular, "HoursHours", 10.0) > 1.99 * ten);
        assert_eq!(fonts.width(Face::Regular, "", 10.0), 0.0);
    }

    #[test]
    fn a_line_mixing_arabic_and_latin_is_split_into_runs_shown_left_to_right() {
        let runs = visual_runs("محمد Ó Dónaill");
        // The Arabic word is its own right-to-left run, first on the left;
        // the Latin words stay left to right.
        assert_eq!(runs.first(), Some(&("محمد", true)), "{runs:?}");
        assert!(
            runs.iter()
                .any(|(run, rtl)| run.contains("Dónaill") && !rtl)
        );
        assert_eq!(visual_runs("Ada Nurse"), [("Ada Nurse", false)]);
    }

    #[test]
    fn characters_outside_the_basic_plane_are_measured_as_drawn() {
        let fonts = Fonts::load().unwrap();
        // DejaVu draws U+1F600 with its own wide glyph; measuring it as a
        // missing glyph (as a BMP-only cmap reading did) understates it.
        assert!(fonts.has_glyph(Face::Regular, '😀'));
        let missing = fonts.width(Face::Regular, "\u{1F9D1}", 10.0);
        let smiley = fonts.width(Face::Regular, "😀", 10.0);
        assert!(smiley > 3.0 && smiley != missing, "{smiley} vs {missing}");
        let two = fonts.width(Face::Regular, "😀😀", 10.0);
        assert!((two - 2.0 * smiley).abs() < 1e-3, "{two}");
        // A character DejaVu lacks is one missing-glyph box, not zero width
        // and not one box per UTF-16 half.
        assert!(!fonts.has_glyph(Face::Regular, '\u{1F9D1}'));
        assert!(missing > 3.0, "{missing}");
        let pair = fonts.width(Face::Regular, "\u{1F9D1}\u{1F9D1}", 10.0);
        assert!((pair - 2.0 * missing).abs() < 1e-3, "{pair}");
    }
}
