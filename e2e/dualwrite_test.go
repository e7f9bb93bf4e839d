package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestReindexWithConcurrentWrites deletes and replaces articles through the
// API while the server rebuilds the index from its stored articles. Writes
// during a rebuild go to both generations; after the switch, every delete
// and every replacement answered 200 must still hold: no deleted article
// comes back and no replacement reverts to the old text.
func TestReindexWithConcurrentWrites(t *testing.T) {
	const n = reindexArticles
	dir := filepath.Join(t.TempDir(), "ix")
	arts := genArticles("w", n, 41, 3)
	buildIndex(t, dir, arts)
	s := startServe(t, dir)
	gen0 := current(t, dir)

	out, done := startReindex(t, dir)
	if !waitFor(10*time.Second, func() bool { return len(genDirs(t, dir)) > 1 }) {
		t.Fatal("no new generation appeared")
	}

	// While the rebuild runs, four writers delete or replace articles in
	// random order, spread over the whole id range.
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	order := rng.Perm(n)
	var mu sync.Mutex
	deleted := map[string]bool{}
	replaced := map[string]string{} // id → new title
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(order); i += 4 {
				select {
				case <-stop:
					return
				default:
				}
				a := arts[order[i]]
				if i%2 == 0 {
					if code, err := s.del(a.ID); code == 200 {
						mu.Lock()
						deleted[a.ID] = true
						mu.Unlock()
					} else {
						t.Errorf("DELETE %s: %d %v", a.ID, code, err)
					}
				} else {
					a.Title = fmt.Sprintf("Replaced during the rebuild %d", i)
					if _, err := s.post(context.Background(), []article{a}); err == nil {
						mu.Lock()
						replaced[a.ID] = a.Title
						mu.Unlock()
					} else {
						t.Errorf("POST %s: %v", a.ID, err)
					}
				}
			}
		}()
	}
	rebuildErr := <-done
	close(stop)
	wg.Wait()
	if rebuildErr != nil {
		t.Fatalf("reindex: %v\n%s", rebuildErr, out.String())
	}
	gen1 := current(t, dir)
	t.Logf("during the rebuild %s → %s: %d deletes and %d replacements answered 200", gen0, gen1, len(deleted), len(replaced))
	if gen1 == gen0 {
		t.Fatalf("the reindex did not switch generations:\n%s", out.String())
	}

	resurrected, reverted := 0, 0
	for id := range deleted {
		if _, ok, err := s.title(id); ok || err != nil {
			resurrected++
			if resurrected <= 3 {
				t.Errorf("deleted during the rebuild, present after the switch: %s (%v)", id, err)
			}
		}
	}
	for id, want := range replaced {
		if got, ok, err := s.title(id); got != want {
			reverted++
			if reverted <= 3 {
				t.Errorf("replaced during the rebuild as %q, after the switch: %q (present %v, %v)", want, got, ok, err)
			}
		}
	}
	total := s.total(t)
	t.Logf("after the switch: %d of %d deleted articles came back, %d of %d replacements reverted; total %d, want %d",
		resurrected, len(deleted), reverted, len(replaced), total, n-len(deleted))
	if total != n-len(deleted) {
		t.Errorf("total after the switch = %d, want %d", total, n-len(deleted))
	}
}
