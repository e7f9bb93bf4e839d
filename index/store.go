package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
)

// An index directory holds generations: complete Bleve indexes named
// gen-NNNNNN, and CURRENT, a one-line file naming the live one. A rebuild
// fills a new generation beside the live one and then replaces CURRENT
// atomically (write + rename), so a crash at any point leaves CURRENT naming
// a complete generation; generations CURRENT does not name are leftovers and
// are removed by the next writer, which holds the directory's lock.
const (
	currentFile = "CURRENT"
	genPrefix   = "gen-"
	lockFile    = "LOCK"
)

// ErrBusy is returned by Open when another process holds the index
// directory (a running `newsdex serve`, or another command).
var ErrBusy = errors.New("index: directory is in use by another process")

// Index is an open newsdex index directory: its live generation behind a
// Bleve alias, so that searches keep working while a rebuilt generation
// replaces it. It is safe for concurrent use.
type Index struct {
	dir   string
	lock  *os.File
	alias bleve.IndexAlias

	mu      sync.RWMutex // guards gen, bi and rebuild
	gen     string
	bi      bleve.Index
	vec     *genVectors // the live generation's vectors
	rebuild *Rebuild    // the generation being built, if any

	// writers is held shared by each Add and Delete from the moment it
	// reads which generations to write until its last write (the live one
	// and, during a rebuild, the mirrored one) is done; BeginRebuild,
	// Commit and Abort hold it exclusively while they change rebuild. So a
	// write that did not see a rebuild has reached the live generation
	// before the rebuild starts reading it, and a write that did see one
	// has reached both generations before either of them changes role.
	writers sync.RWMutex
	hooks   hooks

	retiring  sync.WaitGroup // swapped-out generations waiting to close
	closing   chan struct{}
	closeOnce sync.Once
	lastWrite atomic.Value // time.Time of the last Add or Delete
}

// hooks let a test stop a write or a rebuild at a chosen point, to force an
// interleaving that timing alone would produce only now and then. Nil
// hooks are skipped.
type hooks struct {
	// writing is called by Add and Delete once they know which
	// generations they write to, before writing.
	writing func()
	// rebuildWaits is called by BeginRebuild when writes in flight hold it
	// back from registering the new generation.
	rebuildWaits func()
}

// Open opens the index directory dir, creating it with an empty first
// generation if it holds none. It takes the directory's lock and returns
// ErrBusy if another process has it.
func Open(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	ix := &Index{dir: dir, lock: lock, closing: make(chan struct{})}
	gen, err := readCurrent(dir)
	if errors.Is(err, os.ErrNotExist) {
		gen, err = ix.createFirst()
	}
	if err != nil {
		ix.unlock()
		return nil, err
	}
	bi, err := bleve.OpenUsing(filepath.Join(dir, gen), scorchConfig())
	if err != nil {
		ix.unlock()
		return nil, fmt.Errorf("index: open %s generation %s: %w", dir, gen, err)
	}
	vec, err := openVectors(context.Background(), bi, filepath.Join(dir, gen))
	if err != nil {
		bi.Close()
		ix.unlock()
		return nil, err
	}
	ix.gen, ix.bi, ix.vec = gen, bi, vec
	ix.alias = bleve.NewIndexAlias(bi)
	ix.removeLeftovers()
	return ix, nil
}

// OpenExisting is Open for a directory that must already hold an index; it
// returns an error wrapping os.ErrNotExist otherwise.
func OpenExisting(dir string) (*Index, error) {
	if !Exists(dir) {
		return nil, fmt.Errorf("index: open %s: no index there (create one with `newsdex index`): %w", dir, os.ErrNotExist)
	}
	return Open(dir)
}

// Exists reports whether dir holds an index.
func Exists(dir string) bool {
	_, err := readCurrent(dir)
	return err == nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("index: lock %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("index: %s: %w", dir, ErrBusy)
		}
		return nil, fmt.Errorf("index: lock %s: %w", dir, err)
	}
	return f, nil
}

func (ix *Index) unlock() {
	if ix.lock != nil {
		_ = syscall.Flock(int(ix.lock.Fd()), syscall.LOCK_UN)
		ix.lock.Close()
		ix.lock = nil
	}
}

func readCurrent(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if err != nil {
		return "", err
	}
	gen := strings.TrimSpace(string(b))
	if !strings.HasPrefix(gen, genPrefix) || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("index: %s/%s names %q, not a generation", dir, currentFile, gen)
	}
	return gen, nil
}

// writeCurrent points CURRENT at gen atomically and durably.
func writeCurrent(dir, gen string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("index: write %s: %w", tmp, err)
	}
	if _, err := f.WriteString(gen + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("index: write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("index: sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("index: close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("index: switch %s to %s: %w", dir, gen, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// generations lists the gen-* directories in dir, oldest first.
func generations(dir string) []string {
	entries, _ := os.ReadDir(dir)
	var out []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), genPrefix) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func (ix *Index) nextGeneration() string {
	n := 0
	for _, g := range generations(ix.dir) {
		if k, err := strconv.Atoi(strings.TrimPrefix(g, genPrefix)); err == nil && k > n {
			n = k
		}
	}
	return fmt.Sprintf("%s%06d", genPrefix, n+1)
}

func (ix *Index) createFirst() (string, error) {
	gen := ix.nextGeneration()
	bi, err := newBleve(filepath.Join(ix.dir, gen))
	if err != nil {
		return "", err
	}
	if err := bi.Close(); err != nil {
		return "", fmt.Errorf("index: create %s: %w", gen, err)
	}
	if err := writeCurrent(ix.dir, gen); err != nil {
		return "", err
	}
	return gen, nil
}

func newBleve(path string) (bleve.Index, error) {
	m, err := Mapping()
	if err != nil {
		return nil, err
	}
	_ = os.RemoveAll(path) // a leftover of an interrupted build
	bi, err := bleve.NewUsing(path, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, scorchConfig())
	if err != nil {
		return nil, fmt.Errorf("index: create %s: %w", path, err)
	}
	return bi, nil
}

// scorchConfig is the configuration of every generation, given when it is
// created and again when it is opened (so that generations created before
// a change get it too).
//
// Bleve's merge planner keeps up to MaxSegmentsPerTier segments of a size
// tier and merges SegmentsPerMergeTask at a time; its defaults are 10 and
// 10. A bulk load writes 2,000-article segments (pipeline.DefaultBatchSize),
// which under the defaults were never merged: AllSides ended as 9 segments,
// where the former 500-article batches ended merged into 3. With 4 and 4
// AllSides ends as 3 segments again, at 2.6 ms of CPU per article instead
// of 3.1-3.3 with 500-article batches (GOGC=400, 2 cores).
func scorchConfig() map[string]any {
	return map[string]any{
		"scorchMergePlanOptions": map[string]any{
			"MaxSegmentsPerTier":   4,
			"SegmentsPerMergeTask": 4,
		},
	}
}

// removeLeftovers deletes generations CURRENT does not name: builds that
// were interrupted, or old generations a crash kept from being removed.
func (ix *Index) removeLeftovers() {
	for _, g := range generations(ix.dir) {
		if g != ix.gen {
			_ = os.RemoveAll(filepath.Join(ix.dir, g))
		}
	}
	_ = os.Remove(filepath.Join(ix.dir, currentFile+".tmp"))
}

// Dir returns the index directory.
func (ix *Index) Dir() string { return ix.dir }

// Generation returns the name of the live generation.
func (ix *Index) Generation() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen
}

// GenerationDir returns the directory of the live generation, where stores
// that belong to it (vectors) live.
func (ix *Index) GenerationDir() string {
	return filepath.Join(ix.dir, ix.Generation())
}

// Bleve returns the alias searches go through; it follows rebuilds.
func (ix *Index) Bleve() bleve.Index { return ix.alias }

func (ix *Index) live() bleve.Index {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.bi
}

// Close closes the live generation and releases the directory.
func (ix *Index) Close() error {
	ix.closeOnce.Do(func() { close(ix.closing) })
	ix.retiring.Wait()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	defer ix.unlock()
	if ix.bi == nil {
		return nil
	}
	// A snapshot of the vectors spares the next Open reading every
	// document; failing to write one only costs that time.
	_ = ix.vec.saveSnapshot(filepath.Join(ix.dir, ix.gen))
	err := ix.bi.Close()
	ix.bi = nil
	if err != nil {
		return fmt.Errorf("index: close %s: %w", ix.dir, err)
	}
	return nil
}

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

// Scan calls fn with every article stored in the live generation, in id
// order. It pages with SearchAfter, so it sees a consistent enough view
// while writes go on.
func (ix *Index) Scan(ctx context.Context, fn func(newsdex.Article) error) error {
	bi := ix.live()
	var after []string
	for {
		req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 500, 0, false)
		req.Fields = []string{FieldSource}
		req.SortBy([]string{"_id"})
		if after != nil {
			req.SearchAfter = after
		}
		res, err := bi.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("index: scan %s: %w", ix.dir, err)
		}
		for _, h := range res.Hits {
			src, _ := h.Fields[FieldSource].(string)
			var a newsdex.Article
			if err := json.Unmarshal([]byte(src), &a); err != nil {
				return fmt.Errorf("index: scan %s: decode %q: %w", ix.dir, h.ID, err)
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		if len(res.Hits) < 500 {
			return nil
		}
		after = []string{res.Hits[len(res.Hits)-1].ID}
	}
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

// Stats describes an index directory for `newsdex stats`.
type Stats struct {
	Dir         string         `json:"dir"`
	Generation  string         `json:"generation"`
	Generations []string       `json:"generations"`
	Articles    uint64         `json:"articles"`
	Passages    int            `json:"passages"`
	SizeBytes   int64          `json:"size_bytes"`
	Sources     map[string]int `json:"sources"`
	Outlets     map[string]int `json:"outlets"`
	LastUpdate  string         `json:"last_update,omitempty"`
	// MissingVectors counts the articles indexed without their passage
	// vectors because the embedder failed on them; they are found by
	// lexical search only until `newsdex reindex --fill-vectors` (or a
	// full reindex) computes the vectors.
	MissingVectors uint64 `json:"articles_missing_vectors"`
}

// Stat describes the live generation.
func (ix *Index) Stat(ctx context.Context) (Stats, error) {
	st := Stats{Dir: ix.dir, Generation: ix.Generation(), Generations: generations(ix.dir),
		SizeBytes: DirSize(ix.dir), Sources: map[string]int{}, Outlets: map[string]int{}}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet("src", bleve.NewFacetRequest(FieldOrigin, 10000))
	req.AddFacet("out", bleve.NewFacetRequest(mustKind("outlet").FacetField, 10000))
	req.AddFacet("np", bleve.NewFacetRequest(FieldPassageCount, 10000))
	res, err := ix.alias.SearchInContext(ctx, req)
	if err != nil {
		return st, fmt.Errorf("index: stats %s: %w", ix.dir, err)
	}
	st.Articles = res.Total
	for _, t := range res.Facets["src"].Terms.Terms() {
		st.Sources[t.Term] = t.Count
	}
	for _, t := range res.Facets["out"].Terms.Terms() {
		st.Outlets[t.Term] = t.Count
	}
	for _, t := range res.Facets["np"].Terms.Terms() {
		n, _ := strconv.Atoi(t.Term)
		st.Passages += n * t.Count
	}
	mres, err := ix.alias.SearchInContext(ctx, bleve.NewSearchRequestOptions(noVectors(), 0, 0, false))
	if err != nil {
		return st, fmt.Errorf("index: stats %s: count articles missing vectors: %w", ix.dir, err)
	}
	st.MissingVectors = mres.Total
	if t := ix.lastWrite.Load(); t != nil {
		st.LastUpdate = t.(time.Time).UTC().Format(time.RFC3339)
	} else if fi, err := os.Stat(ix.GenerationDir()); err == nil {
		st.LastUpdate = newestFile(ix.GenerationDir(), fi.ModTime()).UTC().Format(time.RFC3339)
	}
	return st, nil
}

// noVectors matches the articles marked as missing their vectors.
func noVectors() query.Query {
	q := bleve.NewTermQuery("t")
	q.SetField(FieldNoVectors)
	return q
}

// WithoutVectors returns up to n articles of the live generation that are
// marked as missing their passage vectors (see newsdex.Embeddings.Missing),
// in id order from the first id after after ("" = from the start). Each
// comes as it was indexed, its dedup signature included, so that adding it
// again with vectors changes nothing else.
func (ix *Index) WithoutVectors(ctx context.Context, after string, n int) ([]newsdex.Article, error) {
	req := bleve.NewSearchRequestOptions(noVectors(), n, 0, false)
	req.Fields = []string{FieldSource, FieldDupSig}
	req.SortBy([]string{"_id"})
	if after != "" {
		req.SearchAfter = []string{after}
	}
	res, err := ix.live().SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("index: find articles missing vectors in %s: %w", ix.dir, err)
	}
	out := make([]newsdex.Article, 0, len(res.Hits))
	for _, h := range res.Hits {
		src, _ := h.Fields[FieldSource].(string)
		var a newsdex.Article
		if err := json.Unmarshal([]byte(src), &a); err != nil {
			return nil, fmt.Errorf("index: decode stored article %q: %w", h.ID, err)
		}
		if enc, _ := h.Fields[FieldDupSig].(string); enc != "" {
			sig, err := base64.StdEncoding.DecodeString(enc)
			if err != nil {
				return nil, fmt.Errorf("index: decode dedup signature of %q: %w", h.ID, err)
			}
			a.DupSignature = sig
		}
		out = append(out, a)
	}
	return out, nil
}

// newestFile returns the latest modification time under dir.
func newestFile(dir string, t time.Time) time.Time {
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil {
			if info, err := d.Info(); err == nil && info.ModTime().After(t) {
				t = info.ModTime()
			}
		}
		return nil
	})
	return t
}

// ScanDups calls fn with the id, stored duplicate_of and dedup signature of
// every article of the live generation that has a signature: first the
// articles that copy nothing, then the copies, so a detector can be
// restored in an order where every group's first article comes first.
func (ix *Index) ScanDups(ctx context.Context, fn func(id, dupOf string, sig []byte) error) error {
	bi := ix.live()
	for _, copies := range []bool{false, true} {
		var q query.Query = bleve.NewMatchAllQuery()
		isDup := bleve.NewTermQuery("t")
		isDup.SetField(FieldIsDup)
		if copies {
			q = isDup
		} else {
			bq := bleve.NewBooleanQuery()
			bq.AddMust(bleve.NewMatchAllQuery())
			bq.AddMustNot(isDup)
			q = bq
		}
		var after []string
		for {
			req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
			req.Fields = []string{FieldDupSig, FieldDupOf}
			req.SortBy([]string{"_id"})
			if after != nil {
				req.SearchAfter = after
			}
			res, err := bi.SearchInContext(ctx, req)
			if err != nil {
				return fmt.Errorf("index: scan duplicates in %s: %w", ix.dir, err)
			}
			for _, h := range res.Hits {
				enc, _ := h.Fields[FieldDupSig].(string)
				if enc == "" {
					continue
				}
				sig, err := base64.StdEncoding.DecodeString(enc)
				if err != nil {
					continue
				}
				dupOf, _ := h.Fields[FieldDupOf].(string)
				if err := fn(h.ID, dupOf, sig); err != nil {
					return err
				}
			}
			if len(res.Hits) < 1000 {
				break
			}
			after = []string{res.Hits[len(res.Hits)-1].ID}
		}
	}
	return nil
}
