//! The web pages the server serves, compiled into the binary so `cargo run`
//! serves them with nothing else installed: the staff app under `/app`
//! (installable, offline-first; its files are in `src/app/`), the research
//! console under `/console`, under `/verify` the page an appraiser reaches
//! from a certificate's QR code, and under `/confirm` the page a
//! confirmation email links to. The pages call the same public API as the
//! phones.

use poem::endpoint::EmbeddedFilesEndpoint;
use poem::http::{Method, header};
use poem::middleware::SetHeader;
use poem::web::Redirect;
use poem::{Endpoint, EndpointExt, IntoResponse, Request, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "src/console/assets"]
struct Assets;

#[derive(rust_embed::RustEmbed)]
#[folder = "src/app"]
struct StaffApp;

#[derive(rust_embed::RustEmbed)]
#[folder = "src/console/landing"]
struct Landing;

#[derive(rust_embed::RustEmbed)]
#[folder = "src/console/verify"]
struct VerifyPage;

#[derive(rust_embed::RustEmbed)]
#[folder = "src/console/confirm"]
struct ConfirmPage;

/// Scripts, styles and fetches from this server only; never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' blob: data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The headers every page is served with.
const PAGE_HEADERS: [(&str, &str); 4] = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-cache"),
];

fn page_headers() -> SetHeader {
    PAGE_HEADERS
        .iter()
        .fold(SetHeader::new(), |set, (name, value)| {
            set.overriding(*name, *value)
        })
}

/// Serves the console's files, `index.html` at `/console/`.
pub fn endpoint() -> impl Endpoint {
    EmbeddedFilesEndpoint::<Assets>::new().with(page_headers())
}

/// Serves the staff app, `index.html` at `/app/`; its service worker
/// (`/app/sw.js`) controls the whole of `/app/`.
pub fn app_endpoint() -> impl Endpoint {
    EmbeddedFilesEndpoint::<StaffApp>::new().with(page_headers())
}

/// The server's front page at `/`: where the staff app, the console, the
/// certificate check and the API docs are.
pub fn landing() -> Response {
    let page = Landing::get("index.html").map(|file| file.data.into_owned());
    let mut response = Response::builder()
        .content_type("text/html; charset=utf-8")
        .body(page.unwrap_or_default());
    for (name, value) in PAGE_HEADERS {
        response
            .headers_mut()
            .insert(name, header::HeaderValue::from_static(value));
    }
    response
}

/// Serves the certificate check page at `/verify/?id=<certificate id>`.
pub fn verify_endpoint() -> impl Endpoint {
    EmbeddedFilesEndpoint::<VerifyPage>::new().with(page_headers())
}

/// Serves the page confirmation emails link to, `/confirm/#token=...`.
pub fn confirm_endpoint() -> impl Endpoint {
    EmbeddedFilesEndpoint::<ConfirmPage>::new().with(page_headers())
}

/// Where a browser that opens a certificate's verification URL (printed
/// on the PDF and in its QR code) is sent: the readable page, instead of
/// the JSON that programs get. Only a request that asks for HTML by name
/// is redirected.
pub fn browser_verification(req: &Request) -> Option<Response> {
    if req.method() != Method::GET {
        return None;
    }
    let id = req
        .uri()
        .path()
        .strip_prefix("/v1/certificates/")?
        .strip_suffix("/verify")?;
    let id = uuid::Uuid::parse_str(id).ok()?;
    let accept = req.headers().get(header::ACCEPT)?.to_str().ok()?;
    let wants_html = accept
        .split(',')
        .any(|media| media.split(';').next().map(str::trim) == Some("text/html"));
    wants_html.then(|| Redirect::see_other(format!("/verify/?id={id}")).into_response())
}
