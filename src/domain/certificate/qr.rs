//! QR code of the verification URL, as a plain module matrix.
//!
//! Only qrcode's matrix is used; drawing is done with krilla paths so the code
//! stays vector and needs no image or SVG support.

use qrcode::{Color, EcLevel, QrCode};

use super::CertificateError;

/// A square QR matrix, row-major, `true` for dark modules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct QrMatrix {
    /// Modules per side, not counting the quiet zone.
    pub width: usize,
    /// Row-major module colours.
    pub dark: Vec<bool>,
}

/// Encodes `url` at error-correction level M, which survives creases and
/// smudges on a printed page while keeping modules large.
pub(super) fn encode(url: &str) -> Result<QrMatrix, CertificateError> {
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|err| CertificateError::QrCode(err.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|colour| colour == Color::Dark)
        .collect();
    Ok(QrMatrix {
        width: code.width(),
        dark,
    })
}

/// Horizontal runs of dark modules as `(row, first column, length)`; drawing
/// runs rather than single modules avoids hairline seams between neighbours.
pub(super) fn dark_runs(width: usize, dark: &[bool]) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    for (row, cells) in dark.chunks(width.max(1)).enumerate() {
        let mut column = 0;
        while column < cells.len() {
            if cells[column] {
                let length = cells[column..].iter().take_while(|&&cell| cell).count();
                runs.push((row, column, length));
                column += length;
            } else {
                column += 1;
            }
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_url_encodes_to_a_square_matrix_with_finder_corners() {
        let matrix = encode("https://tessera.example/verify/0f8e2c1a").unwrap();
        assert_eq!(matrix.dark.len(), matrix.width * matrix.width);
        assert!(matrix.width >= 21);
        // The top-left finder pattern starts with a run of seven dark modules.
        assert!(matrix.dark[..7].iter().all(|&cell| cell));
        assert!(!matrix.dark[7]);
    }

    #[test]
    fn dark_runs_cover_exactly_the_dark_modules() {
        let dark = [true, true, false, true, false, false, false, true, true];
        assert_eq!(dark_runs(3, &dark), vec![(0, 0, 2), (1, 0, 1), (2, 1, 2)]);
    }
}
