package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// slowBody is a POST body of arts that reports when sending starts.
func slowBody(arts []article) *sentReader {
	b, _ := json.Marshal(arts)
	return &sentReader{r: bytes.NewReader(b), sent: make(chan struct{})}
}

// TestGracefulShutdown is issue 8's graceful shutdown: on SIGTERM the
// server finishes in-flight requests (a slow POST of 1000 articles and
// concurrent searches) with 200, exits 0 and leaves an index that opens
// cleanly with the POSTed articles in it. A second signal (Ctrl-C twice)
// forces the exit at once, and the index still opens.
func TestGracefulShutdown(t *testing.T) {
	const base, slow = 800, 1000
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("g", base, 11, 2))

	// 1. SIGTERM: everything in flight finishes.
	s := startServe(t, dir)
	postDone := make(chan error, 1)
	body := slowBody(genArticles("slow", slow, 12, 3))
	postStart := time.Now()
	var postTook time.Duration
	go func() {
		code, err := s.postBody(context.Background(), body)
		postTook = time.Since(postStart)
		if err == nil && code != 200 {
			err = errors.New(http.StatusText(code))
		}
		postDone <- err
	}()
	// Concurrent searches on fresh connections, so that after the listener
	// closes a new request is refused rather than cut.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var ok200, refused, dropped, failed atomic.Int64
	var firstFailure atomic.Value
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var wg sync.WaitGroup
	qs := queryMix()
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i++ {
				resp, err := client.Get(s.base + "/v1/search?" + qs[i%len(qs)].Encode())
				switch {
				case errors.Is(err, syscall.ECONNREFUSED):
					refused.Add(1)
					time.Sleep(10 * time.Millisecond)
				case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF):
					// net/http's Shutdown resets connections still in the
					// kernel's accept queue and closes accepted ones whose
					// request it had not read yet: the server never handled
					// them (checked against its request log below).
					dropped.Add(1)
				case err != nil:
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				default:
					resp.Body.Close()
					if resp.StatusCode == 200 {
						ok200.Add(1)
					} else {
						failed.Add(1)
						firstFailure.CompareAndSwap(nil, resp.Status)
					}
				}
			}
		}()
	}
	<-body.sent
	time.Sleep(150 * time.Millisecond)
	sigAt := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.waited:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit within 30 s of SIGTERM\n%s", tail(s.log.String(), 2000))
	}
	exitAfter := time.Since(sigAt)
	stop()
	wg.Wait()
	if err := <-postDone; err != nil {
		t.Errorf("the POST in flight at SIGTERM failed: %v", err)
	}
	if s.err != nil {
		t.Errorf("serve exited with %v after SIGTERM, want status 0\n%s", s.err, tail(s.log.String(), 2000))
	}
	t.Logf("SIGTERM %v into a %v POST of %d articles: POST answered 200; serve exited 0 %v after the signal; searches: %d answered 200, %d refused after the listener closed, %d dropped unread (reset or EOF), %d failed",
		sigAt.Sub(postStart).Round(time.Millisecond), postTook.Round(time.Millisecond), slow, exitAfter.Round(time.Millisecond), ok200.Load(), refused.Load(), dropped.Load(), failed.Load())
	// Every search the server accepted was answered 200 and reached its
	// client.
	logged := map[string]int{}
	for _, line := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(line, "msg=request") && strings.Contains(line, "route=/v1/search") {
			_, st, _ := strings.Cut(line, "status=")
			st, _, _ = strings.Cut(st, " ")
			logged[st]++
		}
	}
	if len(logged) != 1 || logged["200"] != int(ok200.Load()) {
		t.Errorf("the server logged searches with statuses %v; clients received %d answers with 200", logged, ok200.Load())
	}
	if failed.Load() > 0 {
		t.Errorf("%d searches failed during the shutdown; first: %v", failed.Load(), firstFailure.Load())
	}
	if postTook < sigAt.Sub(postStart) {
		t.Errorf("the POST finished %v before the signal; make it slower", sigAt.Sub(postStart)-postTook)
	}
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve.json is still there after a clean exit (%v)", err)
	}
	if st := readStats(t, dir); st.Articles != base+slow {
		t.Errorf("after the clean exit: %d articles, want %d", st.Articles, base+slow)
	}

	// 2. Ctrl-C twice: the second forces the exit while a POST runs.
	s = startServe(t, dir)
	body = slowBody(genArticles("forced", slow, 13, 3))
	go func() {
		_, err := s.postBody(context.Background(), body)
		postDone <- err
	}()
	<-body.sent
	time.Sleep(300 * time.Millisecond)
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(200 * time.Millisecond)
	secondAt := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.waited:
	case <-time.After(5 * time.Second):
		t.Fatalf("serve did not exit within 5 s of a second SIGINT\n%s", tail(s.log.String(), 2000))
	}
	forcedAfter := time.Since(secondAt)
	postErr := <-postDone
	var ee *exec.ExitError
	forced := errors.As(s.err, &ee) && !ee.Success()
	t.Logf("second SIGINT: serve exited %v later with %v; the POST in flight got %v", forcedAfter.Round(time.Millisecond), s.err, postErr)
	if !forced {
		t.Errorf("serve exited with %v after two SIGINTs, want a forced (non-zero) exit", s.err)
	}
	if forcedAfter > time.Second {
		t.Errorf("the second signal took %v to end the process", forcedAfter)
	}
	// The index opens (a stale serve.json must not get in the way), and the
	// interrupted batch is all there or not at all.
	st := readStats(t, dir)
	if st.Articles != base+slow && st.Articles != base+2*slow {
		t.Errorf("after the forced exit: %d articles, want %d or %d", st.Articles, base+slow, base+2*slow)
	}
	s = startServe(t, dir)
	if n := s.total(t); n != st.Articles {
		t.Errorf("after restart: total %d, stats said %d", n, st.Articles)
	}
	if r, _, err := s.search(url.Values{"q": {"pipeline"}}); err != nil || r.Total == 0 {
		t.Errorf("search after restart: %+v %v", r, err)
	}
}

// TestShutdownDuringReindex sends SIGTERM to a server that is rebuilding
// for a `newsdex reindex`, with a shutdown timeout shorter than the
// rebuild: the server must still exit promptly, the command must fail
// clearly, and the index must reopen on one whole generation with every
// article.
func TestShutdownDuringReindex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("sr", reindexArticles, 43, 3))
	s := startServe(t, dir, "--shutdown-timeout", "300ms")
	gen0 := current(t, dir)
	out, done := startReindex(t, dir)
	waitForSegment(t, dir, gen0)
	sigAt := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.waited:
	case <-time.After(10 * time.Second):
		t.Fatalf("serve still running 10 s after SIGTERM during a rebuild\n%s", tail(s.log.String(), 2000))
	}
	exited := time.Since(sigAt)
	cliErr := <-done
	t.Logf("serve exited %v after SIGTERM with %v; reindex: %v: %s", exited.Round(time.Millisecond), s.err, cliErr, lastLine(out.String()))
	t.Logf("serve log tail:\n%s", tail(s.log.String(), 1500))
	st := readStats(t, dir)
	t.Logf("after restart: CURRENT %s (was %s), generations %v, %d articles", st.Generation, gen0, st.Generations, st.Articles)
	if st.Articles != reindexArticles || len(st.Generations) != 1 {
		t.Errorf("after the shutdown: %+v; want one generation with %d articles", st, reindexArticles)
	}
	if (cliErr == nil) != (st.Generation != gen0) {
		t.Errorf("reindex reported %v, but the live generation is %s (was %s)", cliErr, st.Generation, gen0)
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
