# syntax=docker/dockerfile:1
# Build: the official Swift image, release mode, Swift runtime linked statically.
#
# Base images are named by tag in the two ARGs below; pin them by digest for a reproducible
# build (see "Container image" in the README):
#   docker build --build-arg SWIFT_IMAGE=swift:6.3.1-bookworm@sha256:<digest> \
#                --build-arg RUNTIME_IMAGE=debian:bookworm-slim@sha256:<digest> .
# `make image-check` reproduces the build stage without a Docker engine: it copies exactly
# the paths copied below into an empty directory and runs the same build command.
ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# libcurl's headers for the CCurl module. No libyaml: Yams compiles its own copy.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest declares the test targets, and SwiftPM refuses a manifest whose targets have
# no sources, so Tests/ is copied with Sources/ (only the opsagent product is built).
# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product opsagent --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/opsagent" /out/opsagent

# Run: slim Debian with only what the binary loads (libcurl and its dependencies), the CA
# bundle for HTTPS to LLM and cloud endpoints, and tzdata (CronJob time zones in `opsagent sim`),
# as a non-root user.
FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --no-create-home --shell /usr/sbin/nologin opsagent
COPY --from=build /out/opsagent /usr/local/bin/opsagent
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/opsagent"]
CMD ["run", "--leader-elect"]
