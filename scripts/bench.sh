#!/usr/bin/env bash
# bench.sh is what `make bench` runs: newsdex against SQLite FTS5 on the
# AllSides corpus, side by side in one run (see `newsdex bench --help` and
# docs/SCALING.md):
#
#   scripts/bench.sh                      # FTS5 peer, default mode, a few minutes
#   scripts/bench.sh --peers all          # adds Xapian and PostgreSQL (a minute each)
#   scripts/bench.sh --embed              # adds an indexing run with passage embeddings
#   scripts/bench.sh --scale 1,4,16       # adds the scale curve (16x takes a while)
#   BENCH_ARGS="--peers all" make bench
#
# It prints the comparison table and writes out/bench.json (and CPU and
# allocation profiles of each phase under out/bench-prof/). The corpora
# and peer scripts are read from ../shared (relative to the repository).
# Only ratios from one run mean anything: the peers run in the same run
# for that reason.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Always rebuild (it is quick when nothing changed): a stale binary would
# measure old code.
bin="${BIN:-}"
if [[ -z "$bin" ]]; then
	bin=bin/newsdex
	go build -trimpath -o "$bin" ./cmd/newsdex
fi

corpus="${NEWSDEX_BENCH_CORPUS:-../shared/corpora/allsides-abp}"
if [[ ! -d "$corpus" ]]; then
	echo "bench: AllSides corpus not found at $corpus (set NEWSDEX_BENCH_CORPUS)" >&2
	exit 1
fi
if ! command -v python3 >/dev/null; then
	echo "bench: python3 is needed to run the peer baselines" >&2
	exit 1
fi

mkdir -p out
# shellcheck disable=SC2086 # BENCH_ARGS holds several flags on purpose
exec "$bin" bench --corpus "$corpus" --out out/bench.json --profile out/bench-prof ${BENCH_ARGS:-} "$@"
