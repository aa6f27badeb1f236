#!/bin/sh
# build-static.sh: build notion-check exactly as the Dockerfile's build stage
# does, without Docker, and check the result is a static binary fit for
# distroless/static.
#
# The build command is not repeated here: it is read from the Dockerfile's one
# `RUN ... go build ...` line, so the two cannot drift. The line's /out/ is
# replaced by OUT and it runs with VERSION, TARGETOS and TARGETARCH set as the
# Docker build args would be.
#
# Usage: scripts/build-static.sh            (binary in dist/notion-check)
#        OUT=/tmp/x VERSION=v1.2.3 scripts/build-static.sh
#
# Checks: `go version -m` shows CGO_ENABLED=0 and -trimpath=true; the ELF has
# no program interpreter (PT_INTERP) and needs no shared library (DT_NEEDED)
# (with readelf, else file, else the Go test TestDockerfileBuildIsStatic,
# which reads the ELF with debug/elf); the binary holds the stamped version.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The Dockerfile's build line: continuations joined, RUN and its --flags dropped.
line=$(awk '
	{ sub(/\r$/, "") }
	/\\$/ { sub(/\\$/, ""); buf = buf $0 " "; next }
	{ buf = buf $0; print buf; buf = "" }
' Dockerfile | grep -E '^[[:space:]]*RUN[[:space:]].*go build' || true)
count=$(printf '%s\n' "$line" | grep -c 'go build' || true)
if [ "$count" -ne 1 ]; then
	echo "build-static: want exactly one RUN line with 'go build' in Dockerfile, found $count" >&2
	exit 1
fi
line=$(printf '%s\n' "$line" | sed -E 's/^[[:space:]]*RUN[[:space:]]+//; :a; s/^--[^[:space:]]+[[:space:]]+//; ta')
case $line in
*/out/*) ;;
*) echo "build-static: the build line does not write to /out/: $line" >&2; exit 1 ;;
esac

OUT=${OUT:-$root/dist}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
TARGETOS=${TARGETOS:-linux}
TARGETARCH=${TARGETARCH:-$(go env GOARCH)}
export VERSION TARGETOS TARGETARCH

cmd=$(printf '%s\n' "$line" | sed "s#/out/#$OUT/#g")
echo "+ $cmd"
sh -c "$cmd"
bin=$OUT/notion-check

fail=0
bad() { echo "build-static: FAIL: $*" >&2; fail=1; }

info=$(go version -m "$bin")
printf '%s\n' "$info" | grep -q 'build[[:space:]]CGO_ENABLED=0$' || bad "not built with CGO_ENABLED=0"
printf '%s\n' "$info" | grep -q 'build[[:space:]]-trimpath=true$' || bad "not built with -trimpath"
grep -q -F -- "$VERSION" "$bin" || bad "version $VERSION is not stamped in the binary (-X main.version)"

if command -v readelf >/dev/null 2>&1; then
	readelf -lW "$bin" | grep -q 'INTERP' && bad "has a program interpreter (PT_INTERP): dynamically linked"
	readelf -dW "$bin" 2>/dev/null | grep -q 'NEEDED' && bad "needs shared libraries: $(readelf -dW "$bin" | grep NEEDED)"
elif command -v file >/dev/null 2>&1; then
	file "$bin" | grep -q 'statically linked' || bad "file(1) does not say statically linked: $(file "$bin")"
else
	echo "build-static: no readelf or file; running the Go ELF check instead"
	go test -count=1 -run 'TestDockerfileBuildIsStatic' ./bot/ops || fail=1
fi

if [ "$TARGETOS" = "$(go env GOHOSTOS)" ] && [ "$TARGETARCH" = "$(go env GOHOSTARCH)" ]; then
	out=$(env -i "$bin" version 2>&1) || bad "'notion-check version' failed: $out"
	case $out in *"$VERSION"*) ;; *) bad "'notion-check version' printed '$out', not $VERSION" ;; esac
fi

[ "$fail" -eq 0 ] || exit 1

size=$(wc -c <"$bin" | tr -d ' ')
# distroless/static-debian12 is about 2 MiB (CA certificates, tzdata, passwd).
echo "build-static: OK: $bin is static, trimmed, version $VERSION"
awk -v s="$size" 'BEGIN { printf "build-static: binary %.1f MiB; expected image size about %.1f MiB (binary + ~2 MiB distroless/static)\n", s/1048576, s/1048576 + 2 }'
