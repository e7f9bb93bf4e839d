// Package e2e_test runs the newsdex binary the way users do: it builds
// ./cmd/newsdex once, starts `newsdex serve` on free loopback ports, runs the
// CLI commands against the same index directory, kills processes at awkward
// moments and checks what survives. The default run takes well under a
// minute; NEWSDEX_E2E_LONG=1 adds the long variants (the 60 s load test).
package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// bin is the newsdex binary built by TestMain.
var bin string

// noModel is an empty model folder: the children run without the
// embedding model, so indexes are lexical-only. That keeps the tests fast
// and their counts exact (hybrid search, the default when the model is
// present, counts semantic neighbours in total) and the same on machines
// with and without the model.
var noModel string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "newsdex-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	bin = filepath.Join(tmp, "newsdex")
	noModel = filepath.Join(tmp, "no-model")
	if err := os.Mkdir(noModel, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	build := exec.Command("go", "build", "-o", bin, "./cmd/newsdex")
	build.Dir = root
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: build newsdex:", err)
		return 1
	}
	return m.Run()
}

// repoRoot walks up from the working directory to go.mod.
func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		p := filepath.Dir(d)
		if p == d {
			return "", errors.New("no go.mod above the working directory")
		}
		d = p
	}
}

// long reports whether the long variants were asked for.
func long() bool { return os.Getenv("NEWSDEX_E2E_LONG") != "" }

// cliEnv is the environment of every child process: no CI marker and no
// NEWSDEX_ settings unless a test sets them, so that output is the same on a
// laptop and in CI, and no embedding model (see noModel).
func cliEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "CI=") || strings.HasPrefix(kv, "NEWSDEX_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NEWSDEX_MODEL_DIR="+noModel)
	return append(env, extra...)
}

// cliResult is a finished command.
type cliResult struct {
	stdout, stderr string
	err            error
	took           time.Duration
}

// newsdex runs the binary with args to completion (bounded by timeout).
func newsdex(t testing.TB, timeout time.Duration, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cliEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	return cliResult{stdout: out.String(), stderr: errb.String(), err: err, took: time.Since(start)}
}

// mustNewsdex is newsdex that fails the test on a non-zero exit.
func mustNewsdex(t testing.TB, timeout time.Duration, args ...string) cliResult {
	t.Helper()
	r := newsdex(t, timeout, args...)
	if r.err != nil {
		t.Fatalf("newsdex %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.err, r.stdout, tail(r.stderr, 3000))
	}
	return r
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a child's output while it runs; waitFor lets a
// test block until a given line appears.
type lockedBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	written chan struct{} // closed and replaced on every Write
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.written != nil {
		close(l.written)
		l.written = nil
	}
	return l.b.Write(p)
}

// waitFor blocks until the output contains sub (true), done is closed or
// timeout passes (false).
func (l *lockedBuffer) waitFor(sub string, done <-chan struct{}, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		l.mu.Lock()
		if strings.Contains(l.b.String(), sub) {
			l.mu.Unlock()
			return true
		}
		if l.written == nil {
			l.written = make(chan struct{})
		}
		written := l.written
		l.mu.Unlock()
		select {
		case <-written:
		case <-done:
			return strings.Contains(l.String(), sub)
		case <-deadline.C:
			return false
		}
	}
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startReindex starts `newsdex reindex --index dir` in the background and
// returns its output and a channel that receives its exit. A reindex still
// running when the test ends is killed.
func startReindex(t *testing.T, dir string) (*lockedBuffer, <-chan error) {
	t.Helper()
	cmd := exec.Command(bin, "reindex", "--index", dir)
	cmd.Env = cliEnv()
	out := new(lockedBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start reindex of %s: %v", dir, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return out, done
}

// server is a running `newsdex serve`.
type server struct {
	t      testing.TB
	dir    string
	addr   string
	base   string
	token  string
	cmd    *exec.Cmd
	log    *lockedBuffer
	waited chan struct{}
	err    error // exit status, once waited is closed
	client *http.Client
}

// startServe starts `newsdex serve` on dir and waits until it answers and
// has recorded serve.json. It is stopped (SIGTERM, then SIGKILL) at cleanup
// unless the test stopped it.
func startServe(t testing.TB, dir string, extra ...string) *server {
	t.Helper()
	return startServeEnv(t, dir, nil, extra...)
}

// startServeEnv is startServe with env added to the child's environment.
func startServeEnv(t testing.TB, dir string, env []string, extra ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	// Text logs: the tests read the request log lines.
	args := append([]string{"serve", "--index", dir, "--addr", addr, "--log-format", "text"}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = cliEnv(env...)
	lb := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = lb, lb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, dir: dir, addr: addr, base: "http://" + addr, cmd: cmd, log: lb, waited: make(chan struct{}),
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 128}}}
	go func() { s.err = cmd.Wait(); close(s.waited) }()
	t.Cleanup(func() { s.stop(10 * time.Second) })
	// serve logs "serving" once its socket listens, so from then on a
	// request is queued and answered rather than refused.
	if !lb.waitFor("msg=serving", s.waited, 60*time.Second) {
		select {
		case <-s.waited:
			t.Fatalf("serve exited early: %v\n%s", s.err, tail(lb.String(), 3000))
		default:
			t.Fatalf("serve did not start listening within 60 s\n%s", tail(lb.String(), 3000))
		}
	}
	resp, err := s.client.Get(s.base + "/healthz")
	if err != nil {
		t.Fatalf("serve listens but GET /healthz failed: %v\n%s", err, tail(lb.String(), 3000))
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /healthz: %s\n%s", resp.Status, tail(lb.String(), 3000))
	}
	var info struct {
		Addr  string `json:"addr"`
		PID   int    `json:"pid"`
		Token string `json:"token"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "serve.json"))
	if err != nil {
		t.Fatalf("serve answers but serve.json is missing: %v", err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	if info.PID != cmd.Process.Pid || info.Addr != addr {
		t.Fatalf("serve.json = %+v, want pid %d addr %s", info, cmd.Process.Pid, addr)
	}
	s.token = info.Token
	return s
}

// stop sends SIGTERM and waits, then kills after grace. It returns the exit
// error (nil for status 0).
func (s *server) stop(grace time.Duration) error {
	select {
	case <-s.waited:
		return s.err
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.waited:
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.waited
	}
	return s.err
}

// kill sends SIGKILL and waits for the process to go.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.waited
}

// get sends GET path and decodes a JSON answer into out (if not nil).
func (s *server) get(path string, out any) (int, error) {
	resp, err := s.client.Get(s.base + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("GET %s: decode: %w", path, err)
		}
	}
	if resp.StatusCode != 200 {
		return resp.StatusCode, fmt.Errorf("GET %s: %d %s", path, resp.StatusCode, bytes.TrimSpace(b))
	}
	return 200, nil
}

// searchResult is the part of GET /v1/search's answer the tests read.
type searchResult struct {
	Total  int                          `json:"total"`
	Hits   []struct{ ID string }        `json:"hits"`
	Facets map[string][]json.RawMessage `json:"facets"`
}

// search runs GET /v1/search with params.
func (s *server) search(params url.Values) (searchResult, int, error) {
	var r searchResult
	code, err := s.get("/v1/search?"+params.Encode(), &r)
	return r, code, err
}

// total is the article count GET /v1/search?size=1 reports.
func (s *server) total(t testing.TB) int {
	t.Helper()
	r, _, err := s.search(url.Values{"size": {"1"}, "facets": {"outlets"}})
	if err != nil {
		t.Fatal(err)
	}
	return r.Total
}

// post sends articles to POST /v1/articles with the server's own token.
func (s *server) post(ctx context.Context, arts []article) (int, error) {
	b, _ := json.Marshal(arts)
	return s.postBody(ctx, bytes.NewReader(b))
}

// postBody sends body to POST /v1/articles with the server's own token.
func (s *server) postBody(ctx context.Context, body io.Reader) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/v1/articles", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, fmt.Errorf("POST /v1/articles: %d %s", resp.StatusCode, bytes.TrimSpace(answer))
	}
	return 200, nil
}

// hasArticle reports whether GET /v1/articles/{id} finds id.
func (s *server) hasArticle(id string) (bool, error) {
	code, err := s.get("/v1/articles/"+url.PathEscape(id), nil)
	switch code {
	case 200:
		return true, nil
	case 404:
		return false, nil
	}
	return false, err
}

// pid returns the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// stats is the part of `newsdex stats` the tests read.
type stats struct {
	Generation  string         `json:"generation"`
	Generations []string       `json:"generations"`
	Articles    int            `json:"articles"`
	Passages    int            `json:"passages"`
	Outlets     map[string]int `json:"outlets"`
}

// readStats runs `newsdex stats --index dir`.
func readStats(t testing.TB, dir string) stats {
	t.Helper()
	r := mustNewsdex(t, 60*time.Second, "stats", "--index", dir)
	var st stats
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("stats: %v\n%s", err, r.stdout)
	}
	return st
}

// current returns the generation CURRENT names.
func current(t testing.TB, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "CURRENT"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// genDirs lists the gen-* directories in dir.
func genDirs(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "gen-*"))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(m))
	for i, p := range m {
		out[i] = filepath.Base(p)
	}
	return out
}

// rssKB reads VmRSS of pid from /proc.
func rssKB(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			return strconv.Atoi(f[1])
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	return waitForEvery(50*time.Millisecond, timeout, cond)
}

// waitForEvery polls cond every interval until it holds or timeout passes.
// It is for conditions nothing signals, such as files appearing on disk;
// the deadline bounds the wait, the condition decides the outcome.
func waitForEvery(interval, timeout time.Duration, cond func() bool) bool {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if cond() {
			return true
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return cond()
		}
	}
}

// del sends DELETE /v1/articles/{id} with the server's own token.
func (s *server) del(id string) (int, error) {
	req, _ := http.NewRequest(http.MethodDelete, s.base+"/v1/articles/"+url.PathEscape(id), nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// title returns the stored title of id ("" and false if absent).
func (s *server) title(id string) (string, bool, error) {
	var a struct{ Title string }
	code, err := s.get("/v1/articles/"+url.PathEscape(id), &a)
	switch code {
	case 200:
		return a.Title, true, nil
	case 404:
		return "", false, nil
	}
	return "", false, err
}
