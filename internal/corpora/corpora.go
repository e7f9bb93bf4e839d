// Package corpora locates the shared research corpora (../shared/corpora
// beside the repository root) for tests and benchmarks. They are never
// committed; tests that need one skip with a message when it is absent.
package corpora

import (
	"os"
	"path/filepath"
	"testing"
)

// Root returns ../shared/corpora beside the repository root (the nearest
// directory above the working directory that holds go.mod), or "" if there
// is no go.mod above it.
func Root() string {
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
// root), or skips tb when it is not present.
func Path(tb testing.TB, name string) string {
	tb.Helper()
	root := Root()
	if root == "" {
		tb.Skip("no go.mod above the test directory, so no ../shared/corpora")
	}
	p := filepath.Join(root, name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("corpus %s not present (%v); it lives in ../shared beside the checkout", name, err)
	}
	return p
}
