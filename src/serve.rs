//! The accept loop and HTTP/1.1 connections, bounded in time and number.
//! poem's own server has neither a header-read timeout nor a connection
//! cap, and retries a failed `accept` at once (a full file table made it
//! spin at 50% CPU), so the routes are served from here with hyper:
//!
//! - a request's headers must arrive within the header timeout, and so
//!   must the next request on a kept-alive connection: a client sending a
//!   byte a second, or an idle socket, is cut off;
//! - at most `max_connections` are served at once; more wait in the
//!   kernel's queue instead of taking file descriptors;
//! - a failed `accept` backs off before trying again.
//!
//! Bodies are bounded per route by `api::limits`. Only HTTP/1.1 is spoken:
//! the ingress in front terminates TLS and HTTP/2.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::http::uri::Scheme;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Addr, Endpoint, EndpointExt, Response};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long connections may take and how many may be open.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_time: Duration,
    pub max_connections: usize,
}

const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const LAST_BACKOFF: Duration = Duration::from_secs(1);

type ResponseBody = http_body_util::combinators::BoxBody<Bytes, std::io::Error>;

/// Raises the soft limit on open files to the hard limit, so the
/// connection cap, not the file table, is what bounds connections.
pub fn raise_open_file_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => tracing::info!(open_files = limit, "open file limit"),
        Err(err) => tracing::warn!(error = %err, "could not raise the open file limit"),
    }
}

/// Serves `endpoint` on `listener` until the process stops.
pub async fn serve(
    listener: TcpListener,
    endpoint: impl Endpoint + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let endpoint = Arc::new(endpoint.map_to_response());
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = FIRST_BACKOFF;
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => {
                backoff = FIRST_BACKOFF;
                accepted
            }
            Err(err) => {
                // Out of descriptors or memory: give the system a moment
                // instead of spinning on the same error.
                tracing::warn!(error = %err, pause_ms = backoff.as_millis() as u64, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(LAST_BACKOFF);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let endpoint = endpoint.clone();
        tokio::spawn(async move {
            let _slot = slot;
            connection(stream, local, peer, endpoint, limits.header_time).await;
        });
    }
}

async fn connection<E>(
    stream: tokio::net::TcpStream,
    local: SocketAddr,
    peer: SocketAddr,
    endpoint: Arc<E>,
    header_time: Duration,
) where
    E: Endpoint<Output = Response> + 'static,
{
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let endpoint = endpoint.clone();
        async move {
            let req = poem::Request::from((
                req,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(peer)),
                Scheme::HTTP,
            ));
            let response = endpoint.get_response(req).await;
            Ok::<_, Infallible>(hyper::Response::<ResponseBody>::from(response))
        }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_time)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(err) = served {
        // Timeouts and resets are the client's business, not an incident.
        tracing::debug!(peer = %peer, error = %err, "connection ended");
    }
}
