# Tessera container image: one static-ish binary on a small Debian base.
#
# Build:  docker build -t tessera:0.1.0 .
# Run:    docker run -p 8080:8080 -v tessera-data:/data tessera:0.1.0
#
# BuildKit is required (the default builder since Docker 23) for the cache
# mounts below.

# ---------------------------------------------------------------------------
# Build stage
# ---------------------------------------------------------------------------
FROM rust:1-bookworm AS build

WORKDIR /build

# The whole context is copied (the .dockerignore keeps target/, data/ and
# other noise out). Dependencies are still cached: cargo's download cache and
# the target directory live in BuildKit cache mounts, so a source change only
# recompiles the tessera crate itself. This is used instead of the "stub
# main.rs" layer trick because it keeps working whatever targets (lib, bins,
# benches, build.rs) the crate grows, without the Dockerfile knowing them.
COPY . .

# --locked: the image must be built from exactly the Cargo.lock under review.
# The binary is copied out of the cache mount, which is not part of the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,target=/build/target,sharing=locked \
    cargo build --release --locked \
 && install -D -m 0755 target/release/tessera /out/tessera

# ---------------------------------------------------------------------------
# Runtime stage
# ---------------------------------------------------------------------------
# Same Debian release as the build image, so the glibc the binary was linked
# against is the one it runs with. SQLite is bundled into the binary.
FROM debian:bookworm-slim AS runtime

# ca-certificates: TLS to a managed MongoDB (mongodb+srv, Atlas and the like).
# tini: a real PID 1 that forwards SIGTERM and reaps children, so shutdown is
# graceful even if a signal arrives before the server installs its handler.
# Package versions are left to the Debian release: pinning exact Debian
# revisions breaks the build whenever the archive moves on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*

# A fixed numeric UID/GID, so Kubernetes' runAsUser/fsGroup and file
# ownership on volumes agree with the image without a name lookup.
RUN groupadd --system --gid 10001 tessera \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin tessera \
 && install -d -o 10001 -g 10001 -m 0750 /data

COPY --from=build /out/tessera /usr/local/bin/tessera

# Listen on all interfaces inside the container (the binary's own default,
# 127.0.0.1, would be unreachable through a published port) and keep the
# embedded store, photos and a generated key on the /data volume.
ENV TESSERA_BIND=0.0.0.0:8080 \
    TESSERA_DATA_DIR=/data

VOLUME ["/data"]

USER 10001:10001

EXPOSE 8080

# The image has no curl or wget: the binary checks its own /healthz.
# Kubernetes ignores HEALTHCHECK and uses the probes in k8s/ instead.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/tessera", "healthcheck"]

LABEL org.opencontainers.image.title="tessera" \
      org.opencontainers.image.description="Citizen-science micro-tasks: sessions, consensus and signed certificates" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/tessera"]
CMD ["serve"]
