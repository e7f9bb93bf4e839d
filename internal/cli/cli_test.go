package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// noModel points the embedding model at an empty folder, as on a machine
// where `newsdex model fetch` was never run.
func noModel(t *testing.T) {
	t.Helper()
	t.Setenv("NEWSDEX_MODEL_DIR", t.TempDir())
	t.Setenv("NEWSDEX_EMBED", "")
	t.Setenv("NO_COLOR", "")
}

// run runs the command line args and returns its stdout and stderr.
func run(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := Run(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("newsdex %s: %v\nstderr:\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// testIndex builds an index of testdata/articles.jsonl and returns its folder.
func testIndex(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ix")
	run(t, "index", "--quiet", "--index", dir, filepath.Join("testdata", "articles.jsonl"))
	return dir
}

func TestSearchWritesNoColourToFiles(t *testing.T) {
	noModel(t)
	dir := testIndex(t)
	js, _ := run(t, "search", "--quiet", "--index", dir, "--json", "pipeline")
	if !strings.Contains(js, `\u003cmark\u003e`) && !strings.Contains(js, "<mark>") {
		t.Fatalf("the snippets mark no match, so the test proves nothing:\n%s", js)
	}
	out, _ := run(t, "search", "--quiet", "--index", dir, "pipeline")
	if strings.Contains(out, "\x1b") || strings.Contains(out, "<mark>") {
		t.Errorf("search to a buffer wrote escape codes or marks:\n%q", out)
	}
	if !strings.Contains(out, "talks on the gas pipeline") {
		t.Errorf("search output lacks the snippet text:\n%s", out)
	}
}

func TestQuietSilencesNoModelWarning(t *testing.T) {
	const warning = "no embedding model"
	tests := []struct {
		name  string
		args  func(dir string) []string
		quiet bool
	}{
		{"index", func(dir string) []string {
			return []string{"index", "--index", dir, filepath.Join("testdata", "articles.jsonl")}
		}, false},
		{"index --quiet", func(dir string) []string {
			return []string{"index", "--quiet", "--index", dir, filepath.Join("testdata", "articles.jsonl")}
		}, true},
		{"search", func(dir string) []string { return []string{"search", "--index", dir, "pipeline"} }, false},
		{"search -q", func(dir string) []string { return []string{"search", "-q", "--index", dir, "pipeline"} }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			noModel(t)
			dir := testIndex(t)
			_, stderr := run(t, tc.args(dir)...)
			if got := strings.Contains(stderr, warning); got == tc.quiet {
				t.Errorf("stderr has the warning: %v, want %v\nstderr:\n%s", got, !tc.quiet, stderr)
			}
		})
	}
}

func TestColourOn(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	f, err := os.Create(filepath.Join(t.TempDir(), "out.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if colourOn(&bytes.Buffer{}) || colourOn(f) {
		t.Error("colour on for a buffer or a file")
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if !colourOn(tty) {
		t.Error("colour off on a terminal")
	}
	t.Setenv("NO_COLOR", "1")
	if colourOn(tty) {
		t.Error("colour on a terminal with NO_COLOR set")
	}
}

func TestFillVectorsCommand(t *testing.T) {
	noModel(t)
	dir := testIndex(t)
	out, _ := run(t, "stats", "--index", dir)
	if !strings.Contains(out, `"articles_missing_vectors": 0`) {
		t.Errorf("stats lacks articles_missing_vectors:\n%s", out)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"without the model", []string{"reindex", "--fill-vectors", "--index", dir}, "the embedding model is not available"},
		{"with a source", []string{"reindex", "--fill-vectors", "--index", dir, "x.jsonl"}, "takes no SOURCE"},
		{"without an index", []string{"reindex", "--fill-vectors", "--index", filepath.Join(t.TempDir(), "none")}, "no index there"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newsdex %s = %v, want an error saying %q", strings.Join(tc.args, " "), err, tc.want)
			}
		})
	}
}

// TestSearchExplain: --explain prints under each hit the parts of its
// score and the query words it holds and lacks; without it, nothing.
func TestSearchExplain(t *testing.T) {
	noModel(t)
	dir := testIndex(t)
	out, _ := run(t, "search", "--quiet", "--index", dir, "--explain", "pipeline Vienna")
	// pipe-1 holds both words, pipe-2 only the pipeline; "pipeline" is
	// "pipelin" stemmed.
	for _, want := range []string{
		"    matched: pipelin (title, body), vienna (body); missing: none\n",
		"    matched: pipelin (title, body); missing: vienna\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("search --explain lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "    why: lexical "); n != 2 || strings.Count(out, ", cosine none, fused ") != 2 {
		t.Errorf("search --explain: %d why lines of lexical hits, want 2:\n%s", n, out)
	}
	if plain, _ := run(t, "search", "--quiet", "--index", dir, "pipeline Vienna"); strings.Contains(plain, "why:") || strings.Contains(plain, "matched:") {
		t.Errorf("search without --explain explains:\n%s", plain)
	}
}
