// Package testenv decides what a test does when something it needs from
// outside the repository is absent: a shared corpus, the model weights or
// a browser. Outside CI the test skips (or runs without it) and says what
// it missed; under CI the same message is a failure, so a CI run that
// silently tested less than it should cannot pass.
package testenv

import (
	"os"
	"testing"
)

// CI reports whether the tests run under CI: the CI environment variable
// is set to anything but "", "0" or "false" (CI services set CI=true).
func CI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false":
		return false
	}
	return true
}

// Missing stops tb because what is absent; hint says how to get it (what
// to install, where to put it). Under CI it fails tb, elsewhere it skips
// tb. Both messages start with "missing" so that
// `go test -v ./... | grep -A1 -- '--- SKIP'` lists what was skipped.
//
// It calls tb.Fatalf or tb.Skipf (never Skip), so a wrapper that
// overrides Skipf can turn a skip into a partial run.
func Missing(tb testing.TB, what, hint string) {
	tb.Helper()
	if CI() {
		tb.Fatalf("missing %s (a failure because CI is set): %s", what, hint)
		return
	}
	tb.Skipf("missing %s, test skipped (under CI=true this fails): %s", what, hint)
}

// Partial reports that tb runs without what, which only some of its
// checks need; hint says how to get it. Under CI it marks tb failed and
// lets it go on, elsewhere it logs the message.
func Partial(tb testing.TB, what, hint string) {
	tb.Helper()
	if CI() {
		tb.Errorf("missing %s (a failure because CI is set): %s", what, hint)
		return
	}
	tb.Logf("missing %s, part of the test skipped (under CI=true this fails): %s", what, hint)
}
