#!/usr/bin/env bash
# Runs every fuzz target for FUZZTIME (default 60s) each, one after the
# other (minimising new inputs briefly, so a long minimisation cannot
# outlast the time and fail the run), and stops at the first failure (the crasher is written under the
# package's testdata/fuzz/, where it stays as a regression input).
#   scripts/fuzz.sh            # all targets, 60 s each
#   FUZZTIME=10s scripts/fuzz.sh query
set -euo pipefail
cd "$(dirname "$0")/.."
time=${FUZZTIME:-60s}
filter=${1:-}
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
	pkg=./$(dirname "${file#./}")
	for target in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$file" | sed 's/^func //'); do
		[[ -n "$filter" && "$pkg $target" != *"$filter"* ]] && continue
		echo "== $pkg $target ($time)"
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 200x
	done
done
