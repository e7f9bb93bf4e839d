package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
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

// heldPost is a POST /v1/articles whose body the test holds open: once
// reading is closed the server's handler has started reading the body, and
// it cannot finish before release.
type heldPost struct {
	reading chan struct{}   // closed when the server asks for the body
	release func()          // sends the rest of the body
	abort   func()          // cancels the request
	done    chan postResult // the answer, once it came
}

// result waits for h's outcome.
func (h *heldPost) result(t *testing.T) postResult {
	t.Helper()
	select {
	case r := <-h.done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("the held POST did not end within 30 s")
		return postResult{}
	}
}

type postResult struct {
	code int
	err  error
	took time.Duration // from the start of the request
}

// startHeldPost sends arts to POST /v1/articles with the server's own token
// and "Expect: 100-continue": net/http's server answers "100 Continue" when
// the handler first reads the body, which tells the test that the request
// is in the handler. Half the body is sent at once, the rest on release.
func (s *server) startHeldPost(arts []article) *heldPost {
	b, _ := json.Marshal(arts)
	pr, pw := io.Pipe()
	h := &heldPost{reading: make(chan struct{}), done: make(chan postResult, 1)}
	var once sync.Once
	rest := make(chan struct{})
	h.release = func() { once.Do(func() { close(rest) }) }
	var reading sync.Once
	trace := &httptrace.ClientTrace{Got100Continue: func() { reading.Do(func() { close(h.reading) }) }}
	ctx, cancel := context.WithCancel(httptrace.WithClientTrace(context.Background(), trace))
	h.abort = cancel
	go func() {
		if _, err := pw.Write(b[:len(b)/2]); err != nil {
			return
		}
		select {
		case <-rest:
		case <-ctx.Done():
			pw.CloseWithError(ctx.Err())
			return
		}
		_, _ = pw.Write(b[len(b)/2:])
		pw.Close()
	}()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/v1/articles", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Expect", "100-continue")
	start := time.Now()
	go func() {
		defer pr.Close() // ends the body writer if the request failed early
		resp, err := s.client.Do(req)
		r := postResult{err: err}
		if err == nil {
			r.code = resp.StatusCode
			answer, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case rerr != nil:
				r.err = rerr
			case resp.StatusCode != 200:
				r.err = fmt.Errorf("POST /v1/articles: %s %s", resp.Status, bytes.TrimSpace(answer))
			}
		}
		r.took = time.Since(start)
		h.done <- r
	}()
	return h
}

// waitReading waits until the server's handler reads h's body.
func (h *heldPost) waitReading(t *testing.T, s *server) {
	t.Helper()
	select {
	case <-h.reading:
	case r := <-h.done:
		t.Fatalf("the held POST ended before the server read its body: %d %v", r.code, r.err)
	case <-time.After(30 * time.Second):
		t.Fatalf("the server did not start reading the POST body within 30 s\n%s", tail(s.log.String(), 2000))
	}
}

// shuttingDown is what serve logs when it has taken a first signal.
const shuttingDown = "shutting down: finishing in-flight requests"

// TestGracefulShutdown is issue 8's graceful shutdown: on SIGTERM the
// server finishes in-flight requests (a POST of 1000 articles whose body is
// still arriving, and concurrent searches) with 200, exits 0 and leaves an
// index that opens cleanly with the POSTed articles in it. A second signal
// (Ctrl-C twice) forces the exit at once, and the index still opens.
func TestGracefulShutdown(t *testing.T) {
	const base, slow = 800, 1000
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("g", base, 11, 2))

	// 1. SIGTERM: everything in flight finishes.
	s := startServe(t, dir)
	post := s.startHeldPost(genArticles("slow", slow, 12, 3))
	defer post.abort()
	// Concurrent searches on fresh connections, so that after the listener
	// closes a new request is refused rather than cut.
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var ok200, refused, dropped, failed atomic.Int64
	var firstFailure atomic.Value
	answered := make(chan struct{}) // closed at the 20th answer
	var answeredOnce sync.Once
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
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				switch {
				case errors.Is(err, syscall.ECONNREFUSED):
					// The listener is closed: every later request is
					// refused too.
					refused.Add(1)
					return
				case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
					dropped.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				case err != nil:
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, err.Error())
				case resp.StatusCode == 200:
					if ok200.Add(1) == 20 {
						answeredOnce.Do(func() { close(answered) })
					}
				default:
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, resp.Status)
				}
			}
		}()
	}
	post.waitReading(t, s)
	select {
	case <-answered:
	case <-time.After(30 * time.Second):
		t.Fatalf("the searches got %d answers in 30 s, want 20 before the signal", ok200.Load())
	}
	sigAt := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The POST's body is still open: release it only once the server is
	// shutting down, so that the request is in flight throughout.
	if !s.log.waitFor(shuttingDown, s.waited, 30*time.Second) {
		t.Fatalf("serve did not log %q after SIGTERM\n%s", shuttingDown, tail(s.log.String(), 2000))
	}
	post.release()
	select {
	case <-s.waited:
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not exit within 30 s of SIGTERM\n%s", tail(s.log.String(), 2000))
	}
	exitAfter := time.Since(sigAt)
	stop()
	wg.Wait()
	pr := post.result(t)
	if pr.err != nil {
		t.Errorf("the POST in flight at SIGTERM failed: %v", pr.err)
	}
	if s.err != nil {
		t.Errorf("serve exited with %v after SIGTERM, want status 0\n%s", s.err, tail(s.log.String(), 2000))
	}
	t.Logf("SIGTERM during a POST of %d articles whose body was still arriving: POST answered %d after %v; serve exited %v after the signal; searches: %d answered 200, %d refused after the listener closed, %d dropped (reset or EOF), %d failed",
		slow, pr.code, pr.took.Round(time.Millisecond), exitAfter.Round(time.Millisecond), ok200.Load(), refused.Load(), dropped.Load(), failed.Load())
	// Every search the server accepted was answered 200 and reached its
	// client; the others were refused.
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
	if n := dropped.Load() + failed.Load(); n > 0 {
		t.Errorf("%d searches were dropped or failed during the shutdown; first: %v", n, firstFailure.Load())
	}
	if _, err := os.Stat(filepath.Join(dir, "serve.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve.json is still there after a clean exit (%v)", err)
	}
	if st := readStats(t, dir); st.Articles != base+slow {
		t.Errorf("after the clean exit: %d articles, want %d", st.Articles, base+slow)
	}

	// 2. Ctrl-C twice: the second forces the exit while a POST runs. The
	// POST's body stays open until the process is gone, so it is still
	// running when the second signal arrives.
	s = startServe(t, dir)
	post = s.startHeldPost(genArticles("forced", slow, 13, 3))
	defer post.abort()
	post.waitReading(t, s)
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	if !s.log.waitFor(shuttingDown, s.waited, 30*time.Second) {
		t.Fatalf("serve did not log %q after SIGINT\n%s", shuttingDown, tail(s.log.String(), 2000))
	}
	secondAt := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.waited:
	case <-time.After(5 * time.Second):
		t.Fatalf("serve did not exit within 5 s of a second SIGINT\n%s", tail(s.log.String(), 2000))
	}
	forcedAfter := time.Since(secondAt)
	// Its server is gone; the client may still be waiting to send the rest
	// of the body.
	post.abort()
	pr = post.result(t)
	var ee *exec.ExitError
	forced := errors.As(s.err, &ee) && !ee.Success()
	t.Logf("second SIGINT: serve exited %v later with %v; the POST in flight got %d %v", forcedAfter.Round(time.Millisecond), s.err, pr.code, pr.err)
	if !forced {
		t.Errorf("serve exited with %v after two SIGINTs, want a forced (non-zero) exit", s.err)
	}
	if forcedAfter > time.Second {
		t.Errorf("the second signal took %v to end the process", forcedAfter)
	}
	if pr.code != 0 {
		t.Errorf("the POST cut by the forced exit was answered %d", pr.code)
	}
	// The index opens (a stale serve.json must not get in the way). The
	// cut POST never had its whole body, so none of it was indexed.
	st := readStats(t, dir)
	if st.Articles != base+slow {
		t.Errorf("after the forced exit: %d articles, want %d", st.Articles, base+slow)
	}
	s = startServe(t, dir)
	if n := s.total(t); n != st.Articles {
		t.Errorf("after restart: total %d, stats said %d", n, st.Articles)
	}
	if r, _, err := s.search(url.Values{"q": {"pipeline"}}); err != nil || r.Total == 0 {
		t.Errorf("search after restart: %+v %v", r, err)
	}
}

// TestShutdownBurst is issue 13's SIGTERM bug: requests that arrive in the
// same instant as the signal (a burst on fresh connections, fired as the
// signal is sent, on top of a steady load) must each get a whole answer or
// a clean "connection refused", never a reset or a cut answer; and every
// search the server logged must have reached its client.
func TestShutdownBurst(t *testing.T) {
	const steady, burst = 8, 64
	rounds := 3
	if long() {
		rounds = 10
	}
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("sb", 300, 21, 2))
	qs := queryMix()
	for round := range rounds {
		s := startServe(t, dir)
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		var answered, refused, broken atomic.Int64
		var mu sync.Mutex
		var failures []string
		// get sends one search and classifies its outcome; it reports
		// whether the listener was still open.
		get := func(ctx context.Context, q url.Values) bool {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/v1/search?"+q.Encode(), nil)
			resp, err := client.Do(req)
			if err == nil {
				var r searchResult
				err = json.NewDecoder(resp.Body).Decode(&r)
				resp.Body.Close()
				if err == nil && resp.StatusCode != 200 {
					err = errors.New(resp.Status)
				}
			}
			switch {
			case err == nil:
				answered.Add(1)
			case errors.Is(err, syscall.ECONNREFUSED):
				refused.Add(1)
				return false
			default:
				broken.Add(1)
				mu.Lock()
				failures = append(failures, err.Error())
				mu.Unlock()
			}
			return true
		}
		var wg sync.WaitGroup
		warm := make(chan struct{}) // closed at the 20th steady answer
		var warmOnce sync.Once
		for w := range steady {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; get(context.Background(), qs[i%len(qs)]); i++ {
					if answered.Load() >= 20 {
						warmOnce.Do(func() { close(warm) })
					}
				}
			}()
		}
		// The signal goes out when a quarter of the burst has connected:
		// the rest is connecting, queued or being read as it arrives.
		fire := make(chan struct{})
		connected := make(chan struct{})
		var nconn atomic.Int64
		trace := &httptrace.ClientTrace{ConnectDone: func(_, _ string, err error) {
			if err == nil && nconn.Add(1) == burst/4 {
				close(connected)
			}
		}}
		burstCtx := httptrace.WithClientTrace(context.Background(), trace)
		for i := range burst {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-fire
				get(burstCtx, qs[i%len(qs)])
			}()
		}
		select {
		case <-warm:
		case <-s.waited:
			t.Fatalf("serve exited before the load was answered: %v\n%s", s.err, tail(s.log.String(), 2000))
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: %d answers in 30 s, want 20 before the signal", round, answered.Load())
		}
		close(fire)
		select {
		case <-connected:
		case <-time.After(30 * time.Second):
			t.Fatalf("round %d: only %d of the burst connected within 30 s", round, nconn.Load())
		}
		if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.waited:
		case <-time.After(30 * time.Second):
			t.Fatalf("serve did not exit within 30 s of SIGTERM\n%s", tail(s.log.String(), 2000))
		}
		wg.Wait()
		if s.err != nil {
			t.Errorf("round %d: serve exited with %v after SIGTERM, want status 0", round, s.err)
		}
		logged := strings.Count(s.log.String(), "route=/v1/search status=200")
		t.Logf("round %d: %d searches answered, %d refused, %d reset or cut; the server logged %d answers",
			round, answered.Load(), refused.Load(), broken.Load(), logged)
		if broken.Load() > 0 {
			t.Errorf("round %d: %d requests around the SIGTERM were reset or cut, want each answered or refused; first: %s",
				round, broken.Load(), failures[0])
		}
		if int64(logged) != answered.Load() {
			t.Errorf("round %d: the server logged %d answered searches, clients received %d", round, logged, answered.Load())
		}
		if refused.Load() < steady {
			t.Errorf("round %d: %d requests refused, want at least one per steady worker (%d): did the listener close?", round, refused.Load(), steady)
		}
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
