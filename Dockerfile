# syntax=docker/dockerfile:1
#
# notion-check: one static binary on distroless, running `notion-check serve`.
#
# Build:  docker build --build-arg VERSION="$(git describe --tags --always --dirty)" -t notion-check .
# Run:    docker run --rm -e NOTION_TOKEN -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN -p 8080:8080 notion-check
#
# The image is the binary plus gcr.io/distroless/static-debian12 (CA
# certificates, tzdata, /etc/passwd with nonroot, no shell): about 16 MiB
# (a 13.5 MiB binary on a 2 MiB base).
#
# The `go build` RUN line below is the only build recipe. Keep it on one
# line: scripts/build-static.sh and bot/ops/dockerfile_test.go read it from
# here and run it locally (there is no Docker engine in CI), then check the
# binary is static, trimmed and version-stamped.

FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
RUN CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -buildvcs=false -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/notion-check ./cmd/notion-check

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/notion-check /usr/local/bin/notion-check
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["/usr/local/bin/notion-check", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/notion-check"]
CMD ["serve"]
