package index

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
)

// Rebuild is a generation being filled beside the live one.
type Rebuild struct {
	ix    *Index
	gen   string
	bi    bleve.Index
	vec   *genVectors
	duals atomic.Int64 // live writes mirrored into this generation

	wmu     sync.Mutex          // orders the rebuild's writes against mirrored live ones
	touched map[string]struct{} // ids written or deleted live during the rebuild
}

// DualWrites returns how many live writes were mirrored into the rebuild.
func (r *Rebuild) DualWrites() int64 { return r.duals.Load() }

// BeginRebuild creates an empty generation. Commit makes it live; Abort
// (or a crash) leaves the live one untouched.
func (ix *Index) BeginRebuild() (*Rebuild, error) {
	gen := ix.nextGeneration()
	bi, err := newBleve(filepath.Join(ix.dir, gen))
	if err != nil {
		return nil, err
	}
	r := &Rebuild{ix: ix, gen: gen, bi: bi, vec: newGenVectors(), touched: map[string]struct{}{}}
	// Writes in flight finish first: they did not see this rebuild and do
	// not mirror into it, so its reading of the live generation (which
	// starts when this returns) must find them there.
	if !ix.writers.TryLock() {
		if ix.hooks.rebuildWaits != nil {
			ix.hooks.rebuildWaits()
		}
		ix.writers.Lock()
	}
	defer ix.writers.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.rebuild != nil {
		_ = bi.Close()
		_ = os.RemoveAll(r.Dir())
		return nil, fmt.Errorf("index: %s: a rebuild (%s) is already running", ix.dir, ix.rebuild.gen)
	}
	ix.rebuild = r
	return r, nil
}

// Generation returns the name of the generation being built.
func (r *Rebuild) Generation() string { return r.gen }

// Dir returns the directory of the generation being built.
func (r *Rebuild) Dir() string { return filepath.Join(r.ix.dir, r.gen) }

// Add writes a batch of the rebuild's own articles into the new
// generation. Articles written or deleted live since the rebuild began are
// left out: the live write, mirrored here, is newer than the copy the
// rebuild read.
func (r *Rebuild) Add(ctx context.Context, arts []newsdex.Article) error {
	// The lock keeps a live write from slipping between the check of
	// touched and the batch taking its place; the batch itself then runs
	// beside the other writers' (see addBatch).
	r.wmu.Lock()
	locked := true
	unlock := func() {
		if locked {
			locked = false
			r.wmu.Unlock()
		}
	}
	defer unlock()
	fresh := arts[:0:0]
	for _, a := range arts {
		if _, ok := r.touched[a.ID]; !ok {
			fresh = append(fresh, a)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	return addBatch(ctx, r.bi, r.gen, r.vec, fresh, unlock)
}

// mirrorAdd applies a live write to the new generation and marks its ids,
// so the rebuild's older copies of them are not written after it.
func (r *Rebuild) mirrorAdd(ctx context.Context, arts []newsdex.Article) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	for _, a := range arts {
		r.touched[a.ID] = struct{}{}
	}
	return addBatch(ctx, r.bi, r.gen, r.vec, arts, nil)
}

// mirrorDelete applies a live delete to the new generation likewise.
func (r *Rebuild) mirrorDelete(ctx context.Context, ids ...string) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	for _, id := range ids {
		r.touched[id] = struct{}{}
	}
	_, err := deleteBatch(ctx, r.bi, r.gen, r.vec, ids)
	return err
}

// Count returns the articles in the new generation.
func (r *Rebuild) Count() (uint64, error) { return r.bi.DocCount() }

// Search runs a verification query on the new generation.
func (r *Rebuild) Search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return r.bi.SearchInContext(ctx, req)
}

// Abort closes and removes the new generation.
func (r *Rebuild) Abort() {
	// A write that saw this rebuild mirrors into it before it is closed.
	r.ix.writers.Lock()
	r.ix.mu.Lock()
	if r.ix.rebuild == r {
		r.ix.rebuild = nil
	}
	r.ix.mu.Unlock()
	r.ix.writers.Unlock()
	_ = r.bi.Close()
	_ = os.RemoveAll(r.Dir())
}

// Get returns an article stored in the new generation.
func (r *Rebuild) Get(id string) (newsdex.Article, error) { return getArticle(r.bi, id) }

// Commit makes the new generation live: CURRENT is switched atomically,
// searches move to it through the alias, and the old one is closed and
// removed. It returns the old generation's name.
func (r *Rebuild) Commit() (string, error) {
	ix := r.ix
	if err := writeCurrent(ix.dir, r.gen); err != nil {
		r.Abort()
		return "", err
	}
	// No write is between its live and its mirrored half at the swap, so
	// none is seen in the old generation and then missed in the new one.
	ix.writers.Lock()
	ix.mu.Lock()
	old, oldGen := ix.bi, ix.gen
	ix.bi, ix.gen, ix.vec, ix.rebuild = r.bi, r.gen, r.vec, nil
	ix.alias.Swap([]bleve.Index{r.bi}, []bleve.Index{old})
	ix.mu.Unlock()
	ix.writers.Unlock()
	// A search that picked the old generation from the alias just before the
	// swap may still be starting on it: close it after a grace period.
	ix.retire(old, oldGen)
	return oldGen, nil
}

// retireGrace is how long a swapped-out generation stays open.
const retireGrace = 3 * time.Second

func (ix *Index) retire(old bleve.Index, gen string) {
	ix.retiring.Add(1)
	go func() {
		defer ix.retiring.Done()
		select {
		case <-time.After(retireGrace):
		case <-ix.closing:
		}
		_ = old.Close()
		_ = os.RemoveAll(filepath.Join(ix.dir, gen))
	}()
}

// Verify checks a finished rebuild before it goes live: it holds want
// articles, unless live writes reached it too (they change the count, and
// may still be arriving), and a query for one of its own titles finds
// that article.
func (r *Rebuild) Verify(ctx context.Context, want uint64) error {
	n, err := r.Count()
	if err != nil {
		return fmt.Errorf("index: verify %s: %w", r.gen, err)
	}
	// A write counts itself in DualWrites before it reaches this
	// generation, so none is 0 after the count only if no write changed it.
	if n != want && r.DualWrites() == 0 {
		return fmt.Errorf("index: verify %s: holds %d articles, want %d", r.gen, n, want)
	}
	if n == 0 {
		return nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1, 0, false)
	req.Fields = []string{FieldSource}
	res, err := r.bi.SearchInContext(ctx, req)
	if err != nil || len(res.Hits) == 0 {
		return fmt.Errorf("index: verify %s: match-all query failed: %v", r.gen, err)
	}
	id := res.Hits[0].ID
	a, err := r.Get(id)
	if err != nil {
		return fmt.Errorf("index: verify %s: %w", r.gen, err)
	}
	words := strings.Fields(a.Title + " " + a.Body)
	if len(words) == 0 {
		return nil
	}
	text := strings.Join(words[:min(8, len(words))], " ")
	dq := fieldMatch(FieldText, text)
	treq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(dq, bleve.NewDocIDQuery([]string{id})), 1, 0, false)
	tres, err := r.bi.SearchInContext(ctx, treq)
	if err != nil {
		return fmt.Errorf("index: verify %s: test query: %w", r.gen, err)
	}
	if tres.Total != 1 {
		return fmt.Errorf("index: verify %s: test query for article %q found %d", r.gen, id, tres.Total)
	}
	return nil
}

func fieldMatch(field, text string) *query.MatchQuery {
	q := bleve.NewMatchQuery(text)
	q.SetField(field)
	return q
}
