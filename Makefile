# newsdex: the two commands are `make run` and `make test` (see README.md).
GO        ?= go
BIN       := bin/newsdex
INDEX     ?= data/index
ADDR      ?= 127.0.0.1:8080

.PHONY: run build test check deps deps-run model bench eval fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/newsdex

# Build, index the embedded seeds if there is no index yet, serve on $(ADDR).
run: deps-run build
	$(BIN) serve --index $(INDEX) --addr $(ADDR)

# Everything CI runs: formatting, vet, the race-enabled test suite.
test: deps check
	$(GO) test -race -count=1 ./...

check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Installs what the project needs that Go modules do not bring.
deps:
	@./scripts/deps.sh

# The run command does not need the browser.
deps-run:
	@./scripts/deps.sh --no-browser

model:
	@./scripts/fetch-model.sh

bench: build
	./scripts/bench.sh

# Every fuzz target for FUZZTIME (default 60s) each.
fuzz:
	./scripts/fuzz.sh

eval: build
	$(BIN) eval time

clean:
	rm -rf bin data out
