// Package corpora locates the shared research corpora (../shared/corpora
// beside the repository root, or $NEWSDEX_CORPORA) for tests and
// benchmarks. They are never committed. A test that needs an absent corpus
// skips with a message, or fails under CI (see internal/testenv).
package corpora

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/newsdex/newsdex/internal/testenv"
)

// Env names a folder that replaces ../shared/corpora, for a checkout that
// has no ../shared beside it (a clone in a temporary folder).
const Env = "NEWSDEX_CORPORA"

// hint says where the corpora go; every missing-corpus message ends with it.
const hint = "put the shared corpora in ../shared/corpora beside the checkout, or set " + Env + " to their folder"

// Root returns $NEWSDEX_CORPORA if it is set, else ../shared/corpora beside
// the repository root (the nearest directory above the working directory
// that holds go.mod), or "" if there is no go.mod above it.
func Root() string {
	if dir := os.Getenv(Env); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "corpora")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path returns the path of corpus name (a folder or file under the corpora
// root). When it is absent it skips tb, or fails it under CI.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	p, ok := lookup(name)
	if !ok {
		testenv.Missing(tb, "corpus "+name+" at "+p, hint)
	}
	return p
}

// Optional returns the path of corpus name and true, or, when it is
// absent, notes that tb runs without it (a failure under CI) and returns
// false. It is for tests that check more with the corpus but still check
// something without it.
func Optional(tb testing.TB, name string) (string, bool) {
	tb.Helper()
	p, ok := lookup(name)
	if !ok {
		testenv.Partial(tb, "corpus "+name+" at "+p, hint)
	}
	return p, ok
}

// lookup returns the path of corpus name and whether it exists; the path
// names the corpus even when there is no root.
func lookup(name string) (string, bool) {
	root := Root()
	if root == "" {
		return filepath.Join("..", "shared", "corpora", name), false
	}
	p := filepath.Join(root, name)
	if _, err := os.Stat(p); err != nil {
		return p, false
	}
	return p, true
}
