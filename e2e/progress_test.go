package e2e_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runOnTerminal runs the binary with stderr on a pseudo-terminal (stdout
// on a pipe) and returns what each received.
func runOnTerminal(t *testing.T, env []string, args ...string) (stdout, terminal string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	_ = pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120})
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, tty
	if err := cmd.Start(); err != nil {
		tty.Close()
		t.Fatal(err)
	}
	tty.Close() // the child has its own copy
	var term bytes.Buffer
	copied := make(chan struct{})
	go func() {
		// Reading the master ends with EIO once the child closes the
		// terminal.
		_, err := io.Copy(&term, ptmx)
		if err != nil && !errors.Is(err, syscall.EIO) && !errors.Is(err, os.ErrClosed) {
			t.Errorf("read terminal: %v", err)
		}
		close(copied)
	}()
	werr := cmd.Wait()
	select {
	case <-copied:
	case <-time.After(5 * time.Second):
	}
	if werr != nil {
		t.Fatalf("newsdex %s: %v\n%s\n%s", strings.Join(args, " "), werr, out.String(), term.String())
	}
	return out.String(), term.String()
}

// plainLine is a progress line for logs (no bar, no carriage return), or
// a log record (the warning that the embedding model is absent).
var plainLine = regexp.MustCompile(`^((re)?indexing: \d+ articles \(\d+/s\)|time=\S+ level=[A-Z]+ .*)$`)

// TestProgressBar is issue 5 acceptance 5: `newsdex index` and `reindex`
// draw a progress bar with a rate on a terminal; under CI=true, or into a
// pipe, there is no bar (only plain lines); with --quiet there is nothing.
func TestProgressBar(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "a.jsonl")
	writeJSONL(t, src, genArticles("pb", 300, 31, 2))
	n := 0
	index := func(extra ...string) []string {
		n++
		return append([]string{"index", "--index", filepath.Join(tmp, "ix"+string(rune('0'+n))), "--batch", "30", src}, extra...)
	}
	// A bar redraws with a bare carriage return (a terminal turns every
	// newline into CR LF, so those do not count).
	redraws := func(s string) int { return strings.Count(strings.ReplaceAll(s, "\r\n", "\n"), "\r") }
	isBar := func(s string) bool {
		return redraws(s) > 0 || strings.Contains(s, "articles/s") || strings.Contains(s, "█")
	}

	// A terminal: a bar with the count and rate.
	out, term := runOnTerminal(t, cliEnv(), index()...)
	t.Logf("terminal output of `newsdex index`: %d bytes, %d redraws; last frame %q", len(term), redraws(term), lastFrame(term))
	if !strings.Contains(term, "indexing") || !strings.Contains(term, "articles/s") || redraws(term) == 0 {
		t.Errorf("no progress bar on a terminal:\n%q", tail(term, 600))
	}
	if !strings.Contains(out, "summary: read 300, indexed 300") {
		t.Errorf("stdout: %q", out)
	}

	// reindex (total known) shows a bar too.
	_, term = runOnTerminal(t, cliEnv(), "reindex", "--batch", "30", "--index", filepath.Join(tmp, "ix1"))
	t.Logf("terminal output of `newsdex reindex`: last bar frame %q", lastFrame(term[:min(len(term), max(0, strings.LastIndex(term, "reindexing"))+80)]))
	if !strings.Contains(term, "reindexing") || redraws(term) == 0 {
		t.Errorf("no progress bar for reindex on a terminal:\n%q", tail(term, 600))
	}
	// reindex --quiet: nothing on the terminal, not even the warning
	// that the embedding model is absent.
	_, term = runOnTerminal(t, cliEnv(), "reindex", "--quiet", "--batch", "30", "--index", filepath.Join(tmp, "ix1"))
	if term != "" {
		t.Errorf("reindex --quiet writes to the terminal:\n%q", tail(term, 600))
	}

	// CI=true on a terminal: no bar.
	out, term = runOnTerminal(t, cliEnv("CI=true"), index()...)
	if isBar(term) {
		t.Errorf("a progress bar under CI=true:\n%q", tail(term, 600))
	}
	checkPlain(t, "CI=true", term)
	if !strings.Contains(out, "indexed 300") {
		t.Errorf("CI=true: stdout %q", out)
	}

	// A pipe: no bar.
	r := mustNewsdex(t, time.Minute, index()...)
	if isBar(r.stderr) {
		t.Errorf("a progress bar into a pipe:\n%q", tail(r.stderr, 600))
	}
	checkPlain(t, "pipe", r.stderr)

	// --quiet on a terminal: nothing at all on the terminal.
	out, term = runOnTerminal(t, cliEnv(), index("--quiet")...)
	if isBar(term) || strings.Contains(term, "indexing") {
		t.Errorf("--quiet shows progress on the terminal:\n%q", tail(term, 600))
	}
	if term != "" {
		t.Errorf("index --quiet writes to the terminal:\n%q", tail(term, 600))
	}
	if !strings.Contains(out, "indexed 300") {
		t.Errorf("--quiet: stdout %q", out)
	}
}

// checkPlain fails unless every line of s is a plain progress line.
func checkPlain(t *testing.T, what, s string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		line = strings.TrimSuffix(line, "\r") // the terminal's own CRLF
		if line != "" && !plainLine.MatchString(line) {
			t.Errorf("%s: unexpected output line %q", what, line)
		}
	}
}

// lastFrame returns the last non-empty redraw of a bar.
func lastFrame(s string) string {
	frames := strings.Split(s, "\r")
	for i := len(frames) - 1; i >= 0; i-- {
		if f := strings.TrimSpace(frames[i]); f != "" {
			return f
		}
	}
	return ""
}

// TestProgressLines checks the plain lines a long command logs when not on
// a terminal (one every 5 s). It needs a run of over 5 s, so it is long.
func TestProgressLines(t *testing.T) {
	if !long() {
		t.Skip("set NEWSDEX_E2E_LONG=1 (needs a run of over 5 s)")
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "a.jsonl")
	writeJSONL(t, src, genArticles("pl", 8000, 32, 3))
	r := mustNewsdex(t, 5*time.Minute, "index", "--index", filepath.Join(tmp, "ix"), "--batch", "100", src)
	t.Logf("piped progress of a %.1f s run:\n%s", r.took.Seconds(), r.stderr)
	checkPlain(t, "pipe", r.stderr)
	if r.took > 6*time.Second && !strings.Contains(r.stderr, "indexing: ") {
		t.Errorf("no progress line in a %.1f s run", r.took.Seconds())
	}
}
