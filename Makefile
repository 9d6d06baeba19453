# Guestlist. `make run` to try it, `make test` for everything CI runs. See README.md.
SHELL := /bin/bash
BIN   := bin/guestlist
GO    ?= go
export GOFLAGS := -buildvcs=false

.PHONY: run build web test test-go test-web test-e2e check-generated generate bench chromium devdb-start devdb-stop clean

## run: build everything, start the embedded database, migrate, seed the demo workspace, serve on :8080
run: build
	$(BIN) seed
	$(BIN) serve

## build: the web app, then the binary that embeds it
build: web
	$(GO) build -o $(BIN) ./cmd/guestlist

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

## web: build the dashboard into web/dist
web: web/node_modules/.package-lock.json
	cd web && npm run build

## generate: regenerate the sqlc queries and the web app's API types
generate: web/node_modules/.package-lock.json
	$(GO) tool sqlc generate
	cd web && npm run gen:api

## check-generated: fail when generated code is stale (sqlc, API types)
check-generated: web/node_modules/.package-lock.json
	$(GO) tool sqlc diff
	$(GO) tool sqlc vet
	cd web && npm run check:api

## test: every test: generated-code drift, vet, web unit tests, browser tests, Go tests with -race
test: build chromium check-generated devdb-start
	$(GO) vet ./...
	cd web && npm test
	$(MAKE) test-e2e
	$(MAKE) test-go

test-go: devdb-start
	$(GO) test -race -count=1 ./...

test-web: web/node_modules/.package-lock.json
	cd web && npm test

## test-e2e: browser tests in Debian's Chromium against the built binary
test-e2e: chromium devdb-start
	cd web && npm run test:e2e

## bench: the Go micro-benchmarks, then the scale benchmarks (1,000,000 contacts; BENCH_SCALE=0.1
## for a quick run), whose figures go to docs/benchmarks.json; results are in docs/BENCHMARKS.md
bench: devdb-start
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	$(GO) run ./cmd/guestlist bench

## chromium: install Debian's Chromium for the browser tests when it is missing
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "browser tests need Chromium: sudo apt-get install chromium (or set CHROMIUM_PATH)"; exit 1; \
	  fi; }

devdb-start:
	$(GO) run ./cmd/guestlist devdb start

devdb-stop:
	$(GO) run ./cmd/guestlist devdb stop

clean: devdb-stop
	rm -rf bin var web/dist/assets web/dist/index.html
