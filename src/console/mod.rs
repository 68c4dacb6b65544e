//! The research console: static pages under `/console`, compiled into the
//! binary so `cargo run` serves them with nothing else installed. The pages
//! call the same public API as the phones.

use poem::endpoint::EmbeddedFilesEndpoint;
use poem::middleware::SetHeader;
use poem::{Endpoint, EndpointExt};

#[derive(rust_embed::RustEmbed)]
#[folder = "src/console/assets"]
struct Assets;

/// Scripts, styles and fetches from this server only; never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Serves the console's files, `index.html` at `/console/`.
pub fn endpoint() -> impl Endpoint {
    EmbeddedFilesEndpoint::<Assets>::new().with(
        SetHeader::new()
            .overriding("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            .overriding("X-Content-Type-Options", "nosniff")
            .overriding("Referrer-Policy", "no-referrer")
            .overriding("Cache-Control", "no-cache"),
    )
}
