# The DataMover operator image (the mover has its own, in mover/).
#
#   docker build -t ghcr.io/datamover-operator/datamover-operator:0.1.0 .
#
# One Native AOT executable on a distroless base: no .NET runtime, no shell, no package manager; it starts in a
# fraction of the JIT build's time and memory (docs/performance.md#memory-per-object). Runs as 65532 on a read-only
# root filesystem (see deploy/manager); the process writes nothing outside /tmp.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# ILCompiler links the executable with the platform toolchain.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends clang zlib1g-dev tzdata \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json .editorconfig ./
COPY src/DataMover.Kube/ src/DataMover.Kube/
COPY src/DataMover.Operator/ src/DataMover.Operator/
# The build runs on the target platform (no --platform=$BUILDPLATFORM): Native AOT does not cross-compile between
# architectures without a cross toolchain.
ARG TARGETARCH
RUN case "${TARGETARCH:-amd64}" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && dotnet publish src/DataMover.Operator -c Release -r "$rid" -p:PublishAot=true -o /out \
 && install -m 0755 /out/DataMover.Operator /datamover-operator

# runtime-deps chiseled: glibc, libstdc++, OpenSSL and CA certificates only, user 65532 included. The operator runs with
# invariant globalization (no ICU); schedules' IANA time zones need the zone database, copied from the build stage.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /datamover-operator /datamover-operator
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["/datamover-operator"]
