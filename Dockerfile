# syntax=docker/dockerfile:1
# Build: the official Swift image, release mode, Swift runtime linked statically.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4-openssl-dev libyaml-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Resolve dependencies in their own layer so source edits do not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
RUN swift build -c release --product opsagent --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/opsagent" /out/opsagent

# Run: slim Debian with only the runtime libraries, as a non-root user.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcurl4 libyaml-0-2 ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --no-create-home --shell /usr/sbin/nologin opsagent
COPY --from=build /out/opsagent /usr/local/bin/opsagent
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/usr/local/bin/opsagent"]
CMD ["run", "--leader-elect"]
