#!/usr/bin/env bash
# Installs the project's non-Go dependencies on a fresh Debian machine:
# Go modules (download only) and, when present, model weights.
set -euo pipefail
cd "$(dirname "$0")/.."
go mod download
if [ -x scripts/fetch-model.sh ]; then
  ./scripts/fetch-model.sh || echo "deps: model weights unavailable; semantic search disabled" >&2
fi
