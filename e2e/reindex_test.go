package e2e_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// reindexArticles is the corpus size of the reindex tests: a rebuild takes
// a few seconds, long enough to kill it halfway.
const reindexArticles = 1200

// TestReindexUnderLoad is issue 5 acceptance 1: a served index is rebuilt
// and switched while queries run, with no failed or empty answer; a rebuild
// killed halfway leaves the old generation serving and nothing behind; a
// second rebuild succeeds.
func TestReindexUnderLoad(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("r", reindexArticles, 5, 3))
	s := startServe(t, dir)
	qs := queryMix()
	want := baseline(t, s, qs)

	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	load := runLoad(ctx, s, 4, qs, want)
	// The rebuild must start under load: wait for answers from it first.
	if !load.waitRequests(20, 30*time.Second) {
		t.Fatalf("the query load made %d requests in 30 s, want 20 before the reindex", load.requests.Load())
	}

	// 1. A rebuild handed to the server switches generations.
	gen0 := current(t, dir)
	r := mustNewsdex(t, 2*time.Minute, "reindex", "--index", dir, "--json")
	var res struct {
		Indexed int    `json:"indexed"`
		From    string `json:"from_generation"`
		To      string `json:"to_generation"`
		Via     string `json:"via"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("reindex --json: %v\n%s", err, r.stdout)
	}
	if res.Via != s.base || res.From != gen0 || res.To == gen0 || res.Indexed != reindexArticles {
		t.Errorf("reindex = %+v, want via %s from %s to a new generation, %d indexed", res, s.base, gen0, reindexArticles)
	}
	gen1 := current(t, dir)
	if gen1 != res.To {
		t.Errorf("CURRENT = %s after the switch, want %s", gen1, res.To)
	}
	t.Logf("served reindex %s → %s in %.2f s; load so far: %d requests, %d failed, %d empty or wrong", gen0, gen1, r.took.Seconds(), load.requests.Load(), load.failures.Load(), load.empties.Load())
	// The old generation goes after its grace period.
	if !waitFor(10*time.Second, func() bool { return slices.Equal(genDirs(t, dir), []string{gen1}) }) {
		t.Errorf("generations on disk 10 s after the switch: %v, want only %s", genDirs(t, dir), gen1)
	}

	// 2. A rebuild whose client is killed halfway is abandoned.
	cmd := exec.Command(bin, "reindex", "--index", dir)
	cmd.Env = cliEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForSegment(t, dir, gen1)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	killedAt := time.Now()
	if g := current(t, dir); g != gen1 {
		t.Fatalf("CURRENT = %s after killing the reindex, want %s (the rebuild finished before the kill; make the corpus bigger)", g, gen1)
	}
	halfBuilt := genDirs(t, dir)
	if !waitFor(10*time.Second, func() bool { return slices.Equal(genDirs(t, dir), []string{gen1}) }) {
		t.Errorf("generations on disk 10 s after killing the reindex client: %v, want only %s", genDirs(t, dir), gen1)
	}
	t.Logf("killed reindex client; on disk then %v, %v later %v", halfBuilt, time.Since(killedAt).Round(time.Millisecond), genDirs(t, dir))
	if n := s.total(t); n != reindexArticles {
		t.Errorf("total after the killed reindex = %d, want %d", n, reindexArticles)
	}
	if st := readStats(t, dir); st.Generation != gen1 || st.Articles != reindexArticles {
		t.Errorf("stats after the killed reindex: generation %s, %d articles; want %s, %d", st.Generation, st.Articles, gen1, reindexArticles)
	}

	// 3. A second rebuild succeeds.
	r = mustNewsdex(t, 2*time.Minute, "reindex", "--index", dir)
	if !strings.Contains(r.stdout, "rebuilt by the server at "+s.base) || !strings.Contains(r.stdout, "from "+gen1+" to ") {
		t.Errorf("second reindex said:\n%s", r.stdout)
	}
	gen2 := current(t, dir)
	if gen2 == gen1 {
		t.Errorf("CURRENT still %s after the second reindex", gen2)
	}
	// Queries against the new generation must be answered too.
	if n := load.requests.Load() + 40; !load.waitRequests(n, 30*time.Second) {
		t.Errorf("the query load made only %d of %d requests in 30 s after the second switch", load.requests.Load(), n)
	}
	stopLoad()
	load.wait()
	t.Logf("second reindex %s → %s in %.2f s; load: %s", gen1, gen2, r.took.Seconds(), load)
	if load.failures.Load() > 0 || load.empties.Load() > 0 {
		t.Errorf("the query load saw failures or wrong totals: %s\n%s", load, strings.Join(load.samples, "\n"))
	}
	// Stopping the server closes (and removes) the old generation at once.
	if err := s.stop(15 * time.Second); err != nil {
		t.Errorf("serve exited with %v", err)
	}
	if st := readStats(t, dir); st.Generation != gen2 || st.Articles != reindexArticles || !slices.Equal(st.Generations, []string{gen2}) {
		t.Errorf("stats after serve stopped: generation %s of %v, %d articles; want only %s, %d", st.Generation, st.Generations, st.Articles, gen2, reindexArticles)
	}
}

// TestReindexDirectKilled kills a `newsdex reindex` that runs without a
// server halfway: the old generation stays intact, the half-built one is
// removed by the next command, and a new reindex succeeds.
func TestReindexDirectKilled(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("d", reindexArticles, 6, 3))
	gen0 := current(t, dir)

	cmd := exec.Command(bin, "reindex", "--index", dir, "--batch", "100")
	cmd.Env = cliEnv()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForSegment(t, dir, gen0)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if g := current(t, dir); g != gen0 {
		t.Fatalf("CURRENT = %s after killing the reindex, want %s (it finished before the kill)", g, gen0)
	}
	left := genDirs(t, dir)
	st := readStats(t, dir)
	t.Logf("killed direct reindex; on disk %v; stats then: generation %s, generations %v, %d articles", left, st.Generation, st.Generations, st.Articles)
	if st.Generation != gen0 || st.Articles != reindexArticles {
		t.Errorf("stats after the kill: generation %s, %d articles; want %s, %d", st.Generation, st.Articles, gen0, reindexArticles)
	}
	if !slices.Equal(genDirs(t, dir), []string{gen0}) {
		t.Errorf("generations on disk after the next command: %v, want only %s", genDirs(t, dir), gen0)
	}

	r := mustNewsdex(t, 2*time.Minute, "reindex", "--index", dir)
	if !strings.Contains(r.stdout, "from "+gen0+" to ") || strings.Contains(r.stdout, "server") {
		t.Errorf("reindex said:\n%s", r.stdout)
	}
	gen1 := current(t, dir)
	if st := readStats(t, dir); st.Generation != gen1 || gen1 == gen0 || st.Articles != reindexArticles || !slices.Equal(st.Generations, []string{gen1}) {
		t.Errorf("stats after the second reindex: %+v; want only a new generation with %d articles", st, reindexArticles)
	}
	t.Logf("second direct reindex %s → %s in %.2f s", gen0, gen1, r.took.Seconds())
}

// TestKillServeDuringReindex kills the server with SIGKILL while it
// rebuilds for a `newsdex reindex`: the command fails promptly with a clear
// error, and the restarted server serves the old generation with the
// half-built one gone.
func TestKillServeDuringReindex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("k", reindexArticles, 42, 3))
	s := startServe(t, dir)
	gen0 := current(t, dir)
	out, done := startReindex(t, dir)
	waitForSegment(t, dir, gen0)
	s.kill()
	killed := time.Now()
	select {
	case err := <-done:
		t.Logf("reindex ended %v after the server died: %v: %s", time.Since(killed).Round(time.Millisecond), err, strings.TrimSpace(out.String()))
		if err == nil {
			t.Errorf("reindex succeeded although its server was killed:\n%s", out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("reindex still running 10 s after its server was killed")
	}
	if g := current(t, dir); g != gen0 {
		t.Fatalf("CURRENT = %s, want %s (the rebuild finished before the kill)", g, gen0)
	}
	left := genDirs(t, dir)
	s = startServe(t, dir)
	if got := genDirs(t, dir); !slices.Equal(got, []string{gen0}) {
		t.Errorf("after restart the generations on disk are %v, want only %s", got, gen0)
	}
	t.Logf("on disk after the kill %v, after restart %v", left, genDirs(t, dir))
	if n := s.total(t); n != reindexArticles {
		t.Errorf("after restart total = %d, want %d", n, reindexArticles)
	}
	mustNewsdex(t, 2*time.Minute, "reindex", "--index", dir)
	if g := current(t, dir); g == gen0 {
		t.Errorf("a reindex after the restart did not switch")
	}
}

// waitForSegment waits until the generation being built beside live has
// its first segment on disk: the rebuild is under way, and (with more
// articles than a batch) not finished.
func waitForSegment(t *testing.T, dir, live string) {
	t.Helper()
	ok := waitForEvery(5*time.Millisecond, 30*time.Second, func() bool {
		for _, g := range genDirs(t, dir) {
			if g == live {
				continue
			}
			if m, _ := filepath.Glob(filepath.Join(dir, g, "store", "*.zap")); len(m) > 0 {
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("no segment of a new generation appeared within 30 s; on disk: %v", genDirs(t, dir))
	}
}
