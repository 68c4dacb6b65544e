//! JPEG completeness check.
//!
//! image 0.25.9 always runs zune-jpeg in non-strict mode, which decodes a
//! truncated file "successfully" and fills the missing part with grey. For
//! an audit record a half-grey photo is worse than an error, so we require
//! the end-of-image marker ourselves.

const SOS: u8 = 0xDA;
const EOI: u8 = 0xD9;

/// True if the JPEG's first scan is followed somewhere by an EOI marker.
///
/// Segments before the first scan are skipped by their declared lengths, so
/// an EXIF thumbnail (itself a complete JPEG inside APP1) cannot satisfy the
/// check for a truncated main image. After SOS, entropy-coded data stuffs
/// every 0xFF as FF 00, so a literal FF D9 there is the real end marker;
/// bytes after it (phone MPF trailers and the like) are allowed.
pub(crate) fn has_end_marker(bytes: &[u8]) -> bool {
    let mut at = 2; // past SOI, which sniffing already confirmed
    loop {
        let Some(&[prefix, marker]) = bytes.get(at..at + 2) else {
            return false;
        };
        if prefix != 0xFF {
            return false;
        }
        match marker {
            // Fill byte: markers may be preceded by any number of 0xFF.
            0xFF => at += 1,
            SOS => {
                return bytes
                    .get(at..)
                    .is_some_and(|rest| rest.windows(2).any(|pair| pair == [0xFF, EOI]));
            }
            EOI => return false,
            // Stand-alone markers carry no length field.
            0x01 | 0xD0..=0xD7 => at += 2,
            _ => {
                let Some(&[high, low]) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                at += 2 + usize::from(u16::from_be_bytes([high, low]));
            }
        }
    }
}
