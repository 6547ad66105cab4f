# The DataMover operator image (the mover has its own, in mover/).
#
#   docker build -t ghcr.io/datamover-operator/datamover-operator:0.1.0 .
#
# ReadyToRun for fast start; runs as a non-root user on a read-only root filesystem (see deploy/manager).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props global.json .editorconfig ./
COPY src/DataMover.Kube/ src/DataMover.Kube/
COPY src/DataMover.Operator/ src/DataMover.Operator/
RUN dotnet publish src/DataMover.Operator -c Release -o /out -p:PublishReadyToRun=true

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /out/ ./
ENV DOTNET_EnableDiagnostics=0
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["dotnet", "/app/DataMover.Operator.dll"]
