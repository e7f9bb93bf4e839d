package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestKillIndexLoop is issue 8 acceptance 3: `newsdex index` (no server)
// is killed with SIGKILL at a random moment, again and again. Only the
// articles of commands that finished and reported them are acknowledged;
// after every kill the index must open and every acknowledged article must
// be there, and whatever a killed command left must be whole.
func TestKillIndexLoop(t *testing.T) {
	iterations := 20
	if long() {
		iterations = 60
	}
	const perRun = 120
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "ix")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("kill schedule seed %d", seed)

	acked := map[string]string{} // id → title
	var ackedOrder []string
	runArts := func(k int) []article {
		arts := genArticles(fmt.Sprintf("k%02d", k), perRun, uint64(100+k), 1)
		for i := range arts {
			arts[i].Body += fmt.Sprintf(" Batch marker crashiter%02d.", k)
		}
		return arts
	}
	indexArgs := func(src string) []string {
		return []string{"index", "--index", dir, "--json", "--quiet", "--batch", "15", src}
	}
	ack := func(arts []article) {
		for _, a := range arts {
			if _, ok := acked[a.ID]; !ok {
				ackedOrder = append(ackedOrder, a.ID)
			}
			acked[a.ID] = a.Title
		}
	}

	// Calibrate: one uninterrupted run tells how long a command takes.
	arts := runArts(0)
	src := filepath.Join(tmp, "run00.jsonl")
	writeJSONL(t, src, arts)
	r := mustNewsdex(t, time.Minute, indexArgs(src)...)
	ack(arts)
	// The first run also creates the index; time a second one.
	arts = runArts(1)
	src = filepath.Join(tmp, "run01.jsonl")
	writeJSONL(t, src, arts)
	r = mustNewsdex(t, time.Minute, indexArgs(src)...)
	ack(arts)
	full := r.took
	typical := full
	t.Logf("an uninterrupted run of %d articles takes %v", perRun, full.Round(time.Millisecond))

	var ackedIters []int
	ackedIters = append(ackedIters, 0, 1)
	killed, completed := 0, 0
	var checkTime time.Duration
	var durations []time.Duration
	partial, persisted := 0, 0 // killed runs that had written some batches; articles of killed runs in the index
	maybe := map[int]bool{}    // iterations killed: their articles may or may not be there
	for k := 2; k < iterations+2; k++ {
		arts := runArts(k)
		src := filepath.Join(tmp, fmt.Sprintf("run%02d.jsonl", k))
		writeJSONL(t, src, arts)
		started := time.Now()
		cmd := exec.Command(bin, indexArgs(src)...)
		cmd.Env = cliEnv()
		var out lockedBuffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill at a uniform moment up to 1.5 times a typical run. Run times
		// vary a lot on a busy machine, so the estimate is the median of
		// the completed runs, stretched by each kill in a row.
		delay := time.Duration(rng.Float64() * 1.5 * float64(typical))
		var err error
		select {
		case err = <-done:
		case <-time.After(delay):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err = <-done
		}
		r := cliResult{took: time.Since(started)}
		var ee *exec.ExitError
		switch {
		case err == nil:
			var sum struct {
				Indexed int `json:"indexed"`
			}
			if jerr := json.Unmarshal([]byte(out.String()), &sum); jerr != nil || sum.Indexed != perRun {
				t.Fatalf("run %d finished but reported %q", k, out.String())
			}
			ack(arts)
			ackedIters = append(ackedIters, k)
			completed++
		case errors.As(err, &ee) && ee.ProcessState.Sys().(syscall.WaitStatus).Signaled():
			killed++
			maybe[k] = true
		default:
			t.Fatalf("run %d failed on its own: %v\n%s", k, err, out.String())
		}

		// The index opens, and holds every acknowledged article; the rest
		// came whole from killed runs.
		st := readStats(t, dir)
		if st.Articles < len(acked) {
			t.Fatalf("after run %d (killed after %v): stats reports %d articles, fewer than the %d acknowledged", k, delay, st.Articles, len(acked))
		}
		ackedN := cliTotal(t, dir, markers(ackedIters))
		if ackedN != perRun*len(ackedIters) {
			t.Fatalf("after run %d: the markers of the %d acknowledged runs find %d articles, want %d", k, len(ackedIters), ackedN, perRun*len(ackedIters))
		}
		maybeN := 0
		if len(maybe) > 0 {
			maybeN = cliTotal(t, dir, markers(slices.Sorted(maps.Keys(maybe))))
		}
		if st.Articles != ackedN+maybeN {
			t.Fatalf("after run %d: stats reports %d articles, but searches find %d acknowledged + %d from killed runs", k, st.Articles, ackedN, maybeN)
		}
		if err == nil {
			durations = append(durations, r.took)
			typical = median(durations)
		} else {
			typical = typical * 115 / 100
			if maybeN > persisted {
				partial++
			}
		}
		persisted = maybeN
		if k == iterations/2 || k == iterations+1 {
			cs := time.Now()
			checkServed(t, dir, acked, ackedOrder, maybe, k == iterations+1, rng)
			checkTime += time.Since(cs)
		}
	}
	t.Logf("%d runs: %d killed at random moments (%d of them after writing some batches), %d completed in %v; "+
		"after every kill the index opened and all acknowledged articles (%d at the end, plus %d whole articles from killed runs) were present; checks through a short-lived server took %v in all",
		iterations, killed, partial, completed, durations, len(acked), persisted, checkTime.Round(time.Millisecond))
	if killed < iterations/3 {
		t.Errorf("only %d of %d runs were killed; the schedule is too late to test much", killed, iterations)
	}
}

// median returns the median of ds.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// markers is the query for the marker words of runs ks.
func markers(ks []int) string {
	words := make([]string, len(ks))
	for i, k := range ks {
		words[i] = fmt.Sprintf("crashiter%02d", k)
	}
	return strings.Join(words, " OR ")
}

// cliTotal runs `newsdex search --json q` on dir and returns its total.
func cliTotal(t *testing.T, dir, q string) int {
	t.Helper()
	r := mustNewsdex(t, time.Minute, "search", "--index", dir, "--json", "--size", "1", "--snippets", "0", q)
	var res struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("search --json %q: %v\n%s", q, err, tail(r.stdout, 500))
	}
	return res.Total
}

// checkServed starts a short-lived server on dir and checks through it that
// acknowledged articles read back by id with the right title (all of them
// when all is set, else the latest and a random sample), and that articles
// killed runs left behind read back whole.
func checkServed(t *testing.T, dir string, acked map[string]string, order []string, maybe map[int]bool, all bool, rng *rand.Rand) {
	t.Helper()
	s := startServe(t, dir)
	defer func() {
		if err := s.stop(15 * time.Second); err != nil {
			t.Errorf("serve exited with %v", err)
		}
	}()
	for k := range maybe {
		r, _, err := s.search(url.Values{"q": {fmt.Sprintf("crashiter%02d", k)}, "size": {"100"}, "snippets": {"0"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range r.Hits {
			var a struct{ ID, Title, Body string }
			if _, err := s.get("/v1/articles/"+url.PathEscape(h.ID), &a); err != nil || a.ID != h.ID || a.Title == "" || !strings.Contains(a.Body, fmt.Sprintf("crashiter%02d", k)) {
				t.Fatalf("killed run %d left article %s that does not read back whole: %+v %v", k, h.ID, a, err)
			}
		}
	}
	ids := order
	if !all && len(ids) > 300 {
		ids = append([]string(nil), order[len(order)-200:]...)
		for range 100 {
			ids = append(ids, order[rng.IntN(len(order))])
		}
	}
	for _, id := range ids {
		var a struct{ ID, Title string }
		if _, err := s.get("/v1/articles/"+url.PathEscape(id), &a); err != nil || a.Title != acked[id] {
			t.Fatalf("acknowledged article %s: got %+v, %v; want title %q", id, a, err, acked[id])
		}
	}
}

// TestKillServeDuringPosts kills `newsdex serve` with SIGKILL while
// POST /v1/articles requests are in flight: every POST answered 200 must be
// in the index after a restart.
func TestKillServeDuringPosts(t *testing.T) {
	rounds := 3
	if long() {
		rounds = 20
	}
	dir := filepath.Join(t.TempDir(), "ix")
	buildIndex(t, dir, genArticles("b", 200, 9, 1))
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 2))
	t.Logf("kill schedule seed %d", seed)
	acked := map[string]bool{}
	sent := 0
	for round := range rounds {
		s := startServe(t, dir)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel() // stops the workers if the test fails first
		var mu sync.Mutex
		var wg sync.WaitGroup
		ok, cut, refused := 0, 0, 0
		// The kill comes after a random number of answered POSTs, counted
		// here, rather than after a random time: on a fast machine a time
		// could pass before anything was answered, on a slow one after all.
		killAfter := 1 + rng.IntN(200)
		answered := make(chan struct{}, 64) // one per 200 (dropped when full: the count only waits longer)
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					// Batches of 1 to 5 articles.
					arts := genArticles(fmt.Sprintf("p%02d-%d-%04d", round, w, i), 1+i%5, uint64(round*1000+w*100+i), 1)
					mu.Lock()
					sent += len(arts)
					mu.Unlock()
					code, err := s.post(context.Background(), arts)
					mu.Lock()
					if code == 200 && err == nil {
						ok++
						for _, a := range arts {
							acked[a.ID] = true
						}
						select {
						case answered <- struct{}{}:
						default: // the count is reached; nobody listens
						}
					} else if errors.Is(err, syscall.ECONNREFUSED) {
						refused++
					} else {
						cut++
					}
					mu.Unlock()
					if code != 200 && code != 0 {
						t.Errorf("POST answered %d: %v", code, err)
					}
				}
			}()
		}
		// Workers keep POSTing, so at the kill some are in flight.
		deadline := time.After(60 * time.Second)
		for n := 0; n < killAfter; n++ {
			select {
			case <-answered:
			case <-deadline:
				t.Fatalf("round %d: only %d of %d POSTs answered within 60 s\n%s", round, n, killAfter, tail(s.log.String(), 2000))
			}
		}
		s.kill()
		cancel()
		wg.Wait()
		t.Logf("round %d: serve killed after %d answers, with %d POSTs answered 200, %d cut off in flight (%d refused after the kill)", round, killAfter, ok, cut, refused)
		if ok == 0 {
			t.Errorf("round %d: no POST succeeded before the kill", round)
		}
	}
	s := startServe(t, dir)
	missing := 0
	for id := range acked {
		if ok, err := s.hasArticle(id); !ok {
			missing++
			if missing < 5 {
				t.Errorf("article %s was acknowledged (200) but is missing after the kill: %v", id, err)
			}
		}
	}
	n := s.total(t)
	t.Logf("%d rounds: %d articles acknowledged, %d missing after restart; index holds %d (200 base + up to %d sent)", rounds, len(acked), missing, n, sent)
	if n < 200+len(acked) || n > 200+sent {
		t.Errorf("index holds %d articles, want between %d and %d", n, 200+len(acked), 200+sent)
	}
}
