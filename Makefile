# Everyday commands. Each target is one line you can also type yourself.
# `make` alone runs what CI runs (.ci/run adds the Redis install and short fuzz runs).

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test race vet fmt lint fuzz golden screenshots bench static ci clean

all: fmt vet lint race

build:            ## the binary, ./notion-check
	go build -o notion-check ./cmd/notion-check

test:             ## the whole suite, without the race detector (quicker)
	go test ./...

race:             ## the README's test command, as CI runs it
	go test -race ./...

vet:
	go vet ./...

fmt:              ## fails when gofmt would rewrite a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); [ -z "$$out" ] || { echo "gofmt wants to rewrite:"; echo "$$out"; exit 1; }

lint:             ## staticcheck (configured in staticcheck.conf)
	go run $(STATICCHECK) ./...

fuzz:             ## the reader's and the redactor's fuzz targets, 20 s each
	go test ./diagnose -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 20s
	go test ./diagnose/secret -run '^$$' -fuzz '^FuzzRedact$$' -fuzztime 20s

golden:           ## regenerate the golden files of both renderers after a deliberate change
	go test ./bot -run TestRender -update
	go test ./cmd/notion-check -run TestTerminalGolden -update

screenshots:      ## re-render docs/screenshots (needs Debian's chromium)
	scripts/screenshots.sh

bench:            ## the reader's and the redactor's benchmarks
	go test ./diagnose ./diagnose/secret -run '^$$' -bench . -benchmem

static:           ## the Dockerfile's build, without Docker, checked static
	scripts/build-static.sh

ci:               ## exactly what CI runs
	bash .ci/run

clean:
	rm -rf notion-check dist
