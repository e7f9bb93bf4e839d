package index_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// nearestAxis returns the axis unit(i) points along for the vector v.
func nearestAxis(v []float32) int {
	best, axis := float32(math.Inf(-1)), -1
	for i := range 8 {
		var dot float32
		for j, x := range unit(i) {
			dot += x * v[j]
		}
		if dot > best {
			best, axis = dot, i
		}
	}
	return axis
}

// TestConcurrentAddsAgree: batches written at once, some sharing ids,
// leave Bleve and the vector store holding the same version of every
// article, and the store's snapshot current when the index is reopened.
func TestConcurrentAddsAgree(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "ix")
	ix := mustOpen(t, dir)
	const writers, rounds, pool = 4, 10, 150
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	// picked[w] holds the pool slots writer w wrote; only w touches it
	// until wg.Wait.
	picked := make([]map[int]bool, writers)
	for w := range writers {
		picked[w] = map[int]bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for r := range rounds {
				version := w*rounds + r
				seen := map[int]bool{}
				var arts []newsdex.Article
				for len(arts) < 60 {
					k := rng.IntN(pool)
					if seen[k] {
						continue
					}
					seen[k] = true
					picked[w][k] = true
					a := articles("x", 1)[0]
					a.ID = fmt.Sprintf("x-%02d", k)
					a.Title = fmt.Sprintf("version %d", version)
					a.Embeddings = &newsdex.Embeddings{Model: "m1", Vectors: [][]float32{unit(version)}}
					arts = append(arts, a)
				}
				if err := ix.Add(ctx, arts); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	written := map[int]bool{}
	for _, p := range picked {
		maps.Copy(written, p)
	}
	// The writers' generators are seeded, so this only guards the test
	// itself: most of the pool must be written for the check to mean
	// anything.
	if len(written) < pool*2/3 {
		t.Fatalf("the writers wrote only %d of %d ids", len(written), pool)
	}
	check := func(ix *index.Index) {
		t.Helper()
		st, _ := ix.Vectors()
		for k := range pool {
			id := fmt.Sprintf("x-%02d", k)
			a, err := ix.Get(id)
			if !written[k] {
				if !errors.Is(err, index.ErrNotFound) {
					t.Errorf("%s: no writer wrote it, Get error = %v, want ErrNotFound", id, err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: written, Get: %v", id, err)
				continue
			}
			version, err := strconv.Atoi(strings.TrimPrefix(a.Title, "version "))
			if err != nil {
				t.Fatalf("%s: title %q", id, a.Title)
			}
			p, ok := st.Get(id)
			if !ok || p.Len() != 1 {
				t.Errorf("%s: no vectors in the store", id)
				continue
			}
			if got := nearestAxis(p.Float(0)); got != version%8 {
				t.Errorf("%s: Bleve holds version %d (axis %d), the store axis %d", id, version, version%8, got)
			}
		}
	}
	check(ix)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := index.OpenExisting(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if !index.VectorsFromSnapshot(ix) {
		t.Error("reopened index rebuilt its vectors from the documents: Bleve's write sequence is stale")
	}
	check(ix)
}
