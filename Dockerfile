# The pipeline CLI and worker as a container image, for deploy/kubernetes/ and anywhere else:
#   docker build -t registry.example/pipeline:latest .
#   docker run --rm -v "$PWD/samples:/data/samples:ro" -v "$PWD/runs:/srv/pipeline/runs" \
#     registry.example/pipeline:latest featurize --input /data/samples/digits --output runs/digits-store
# linux/amd64 only: the ONNX Runtime package (Microsoft.ML.OnnxRuntime.Gpu.Linux) ships x64 native libraries.
# The CPU provider runs as is; CUDA needs an image with CUDA 13 and cuDNN 9 instead of this runtime image.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# The project files alone first, so a source change reuses the restored packages' layer.
COPY Directory.Build.props .editorconfig ./
COPY src/Pipeline.Core/Pipeline.Core.csproj src/Pipeline.Core/
COPY src/Pipeline.Cli/Pipeline.Cli.csproj src/Pipeline.Cli/
RUN dotnet restore src/Pipeline.Cli/Pipeline.Cli.csproj
COPY src/ src/
COPY config/ config/
RUN dotnet publish src/Pipeline.Cli -c Release --no-restore -o /out

FROM mcr.microsoft.com/dotnet/runtime:10.0
# Laid out as README's "Running as a service" says: the binary in bin/, the files it reads beside it.
WORKDIR /srv/pipeline
COPY --from=build /out bin/
COPY appsettings.json ./
COPY pipelines/ pipelines/
COPY models/ models/
# The worker's inbox and the runs folder, writable by the app user when no volume is mounted there.
RUN mkdir -p inbox runs && chown 1654:1654 inbox runs
# 1654 is the non-root "app" user the .NET images define ($APP_UID). Numeric, so Kubernetes'
# runAsNonRoot can check it without reading /etc/passwd.
USER 1654
ENTRYPOINT ["/srv/pipeline/bin/pipeline"]
CMD ["--help"]
