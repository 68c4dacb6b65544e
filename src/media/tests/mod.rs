//! Tests for the photo pipeline, using images built in code (no fixtures).

mod images;
mod output;
mod rejection;

use super::{PhotoError, PhotoLimits, ProcessedPhoto, process_photo};

fn process(bytes: &[u8]) -> Result<ProcessedPhoto, PhotoError> {
    process_photo(bytes, &PhotoLimits::default())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}
