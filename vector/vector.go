// Package vector holds passage embeddings in memory and finds the articles
// nearest to a query vector by exact (brute-force) search. It sits beside
// index in the pipeline: index keeps one Store per generation, filled from
// the vectors stored with each article, and search asks it for the top k.
//
// Every vector belongs to an article (a Doc). An article's score is the
// similarity of its best passage. Filters (labels, a time range, an id set)
// are applied before the top k is taken, so a filtered query returns k
// articles whenever k articles pass the filter. Vectors are int8 with a
// scale per vector (see Packed); the dot products run in AVX2 on amd64.
//
// The package does not import Bleve: a Store is a derived view of what the
// index stores, rebuilt from it (or from a snapshot written by Save) when
// the index is opened.
package vector

import (
	"container/heap"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"
)

// Doc is one article's entry: its passage vectors and the attributes that
// filters test.
type Doc struct {
	ID string
	// Labels are opaque filter values ("f_person\x00xi jinping"); a
	// filter group matches a doc holding any of the group's labels.
	Labels []string
	// Time is the article's date; the zero time means none, and such a doc
	// fails every time-range filter.
	Time    time.Time
	Vectors Packed
}

// Filter restricts a search. The zero Filter allows every doc.
type Filter struct {
	// Groups: a doc must match every group, and matches a group when it
	// holds at least one of its labels (OR within a group, AND across).
	Groups [][]string
	// From and To bound Time: From ≤ Time < To; a zero bound is open.
	From, To time.Time
	// IDs, if not nil, allows only these ids.
	IDs []string
	// Exclude lists ids never returned.
	Exclude []string
	// Without lists labels that exclude a doc holding any of them.
	Without []string
}

// Hit is one article found by Search.
type Hit struct {
	ID string
	// Score is the cosine similarity of the best passage (for normalised
	// vectors), computed on the int8 vectors.
	Score float32
	// Passage is the index of the best passage within the doc.
	Passage int
}

// Store is an in-memory set of docs and their vectors. It is safe for
// concurrent use: searches run in parallel with each other and wait for
// writes.
type Store struct {
	mu     sync.RWMutex
	dims   int
	docs   []entry // by slot; dead entries have id ""
	slots  map[string]int32
	labels map[string]uint32 // interned label ids
	data   []int8            // all vectors, dims each
	scales []float32
	hashes []uint64
	dead   int // vectors of dead entries, reclaimed by compact
}

// entry is a doc in the store: its vectors are rows first..first+n-1.
type entry struct {
	id     string
	first  int32
	n      int32
	time   int64 // unix seconds, or noTime
	labels []uint32
}

const noTime = math.MinInt64

// New returns an empty store.
func New() *Store {
	return &Store{slots: map[string]int32{}, labels: map[string]uint32{}}
}

// Len returns the number of docs and of vectors in the store.
func (s *Store) Len() (docs, vectors int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.slots), len(s.scales) - s.dead
}

// Dims returns the vector length, or 0 while the store is empty.
func (s *Store) Dims() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.dims
}

// Put adds docs, replacing docs with the same id. A doc without vectors
// removes any previous entry for its id (it can no longer be found by
// vector). Vectors of another length than the store's are an error, and
// then nothing is changed.
func (s *Store) Put(docs ...Doc) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	dims := s.dims
	for _, d := range docs {
		if d.Vectors.Len() == 0 {
			continue
		}
		if dims == 0 {
			dims = d.Vectors.Dims
		}
		if d.Vectors.Dims != dims {
			return fmt.Errorf("vector: put %q: %d dimensions, the store holds %d", d.ID, d.Vectors.Dims, dims)
		}
		if len(d.Vectors.Data) != d.Vectors.Len()*dims || len(d.Vectors.Hashes) != d.Vectors.Len() {
			return fmt.Errorf("vector: put %q: inconsistent packed vectors", d.ID)
		}
	}
	s.dims = dims
	for _, d := range docs {
		s.remove(d.ID)
		p := d.Vectors
		if p.Len() == 0 {
			continue
		}
		e := entry{id: d.ID, first: int32(len(s.scales)), n: int32(p.Len()), time: noTime}
		if !d.Time.IsZero() {
			e.time = d.Time.Unix()
		}
		for _, l := range d.Labels {
			id, ok := s.labels[l]
			if !ok {
				id = uint32(len(s.labels))
				s.labels[l] = id
			}
			e.labels = append(e.labels, id)
		}
		slices.Sort(e.labels)
		e.labels = slices.Compact(e.labels)
		s.data = append(s.data, p.Data...)
		s.scales = append(s.scales, p.Scales...)
		s.hashes = append(s.hashes, p.Hashes...)
		s.slots[d.ID] = int32(len(s.docs))
		s.docs = append(s.docs, e)
	}
	s.maybeCompact()
	return nil
}

// Delete removes docs by id; unknown ids are ignored.
func (s *Store) Delete(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.remove(id)
	}
	s.maybeCompact()
}

func (s *Store) remove(id string) {
	slot, ok := s.slots[id]
	if !ok {
		return
	}
	delete(s.slots, id)
	e := &s.docs[slot]
	s.dead += int(e.n)
	*e = entry{}
}

// maybeCompact rewrites the arrays without dead entries once they hold a
// quarter of the vectors, so that replacing articles does not grow memory
// without bound.
func (s *Store) maybeCompact() {
	if s.dead < 4096 || s.dead*4 < len(s.scales) {
		return
	}
	live := len(s.scales) - s.dead
	data := make([]int8, 0, live*s.dims)
	scales := make([]float32, 0, live)
	hashes := make([]uint64, 0, live)
	docs := make([]entry, 0, len(s.slots))
	for _, e := range s.docs {
		if e.id == "" {
			continue
		}
		lo, hi := int(e.first), int(e.first+e.n)
		e.first = int32(len(scales))
		data = append(data, s.data[lo*s.dims:hi*s.dims]...)
		scales = append(scales, s.scales[lo:hi]...)
		hashes = append(hashes, s.hashes[lo:hi]...)
		s.slots[e.id] = int32(len(docs))
		docs = append(docs, e)
	}
	s.data, s.scales, s.hashes, s.docs, s.dead = data, scales, hashes, docs, 0
}

// Get returns a copy of the vectors of id.
func (s *Store) Get(id string) (Packed, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	slot, ok := s.slots[id]
	if !ok {
		return Packed{}, false
	}
	e := s.docs[slot]
	lo, hi := int(e.first), int(e.first+e.n)
	return Packed{
		Dims:   s.dims,
		Data:   slices.Clone(s.data[lo*s.dims : hi*s.dims]),
		Scales: slices.Clone(s.scales[lo:hi]),
		Hashes: slices.Clone(s.hashes[lo:hi]),
	}, true
}

// Centroid returns the normalised mean of id's passage vectors: one vector
// for the whole article, used by more-like-this.
func (s *Store) Centroid(id string) ([]float32, bool) {
	p, ok := s.Get(id)
	if !ok || p.Len() == 0 {
		return nil, false
	}
	return centroid(p), true
}

func centroid(p Packed) []float32 {
	out := make([]float32, p.Dims)
	for i := range p.Len() {
		sc := p.Scales[i]
		for j, q := range p.Row(i) {
			out[j] += float32(q) * sc
		}
	}
	return Normalize(out)
}

// Query is one search.
type Query struct {
	Vector []float32
	// K is the number of articles wanted.
	K int
	// MinScore drops articles whose best passage scores below it; use
	// math.Inf(-1) (or any value ≤ -1) to keep all.
	MinScore float32
	Filter   Filter
}

// Search returns the K articles whose best passage is most similar to
// q.Vector, best first (ties by id), among the docs that pass q.Filter.
func (s *Store) Search(q Query) ([]Hit, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if q.K <= 0 || len(s.slots) == 0 {
		return nil, nil
	}
	if len(q.Vector) != s.dims {
		return nil, fmt.Errorf("vector: query has %d dimensions, the store holds %d", len(q.Vector), s.dims)
	}
	allow, ok := s.compile(&q.Filter)
	if !ok {
		return nil, nil
	}
	qv := make([]int8, s.dims)
	qs := quantize(qv, q.Vector)
	if qs == 0 {
		return nil, nil
	}

	// Split the slots into one range per core when there is enough work.
	workers := 1
	if len(s.scales)-s.dead >= parallelMin {
		workers = runtime.GOMAXPROCS(0)
	}
	heaps := make([]hitHeap, workers)
	var wg sync.WaitGroup
	per := (len(s.docs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min(len(s.docs), (w+1)*per)
		wg.Go(func() { heaps[w] = s.scan(qv, qs, q.K, q.MinScore, allow, lo, hi) })
	}
	wg.Wait()
	var all []Hit
	for _, h := range heaps {
		all = append(all, h...)
	}
	sortHits(all)
	return all[:min(q.K, len(all))], nil
}

// parallelMin is the number of vectors below which a search stays on one
// goroutine: starting more costs more than it saves.
const parallelMin = 20000

// scan scores the docs of slots [lo, hi) that allow accepts and keeps the
// best k.
func (s *Store) scan(qv []int8, qs float32, k int, minScore float32, allow func(slot int, e *entry) bool, lo, hi int) hitHeap {
	h := make(hitHeap, 0, k+1)
	buf := make([]int32, 64)
	for slot := lo; slot < hi; slot++ {
		e := &s.docs[slot]
		if e.id == "" || !allow(slot, e) {
			continue
		}
		n := int(e.n)
		if n > len(buf) {
			buf = make([]int32, n)
		}
		out := buf[:n]
		first := int(e.first)
		dots(qv, s.data[first*s.dims:(first+n)*s.dims], out)
		best, bi := float32(math.Inf(-1)), 0
		for i, d := range out {
			if sc := float32(d) * s.scales[first+i]; sc > best {
				best, bi = sc, i
			}
		}
		best *= qs
		if best < minScore {
			continue
		}
		if len(h) < k {
			heap.Push(&h, Hit{ID: e.id, Score: best, Passage: bi})
		} else if better(Hit{ID: e.id, Score: best}, h[0]) {
			h[0] = Hit{ID: e.id, Score: best, Passage: bi}
			heap.Fix(&h, 0)
		}
	}
	return h
}

// compile turns f into a per-slot test; ok is false when nothing can pass.
func (s *Store) compile(f *Filter) (func(int, *entry) bool, bool) {
	var groups [][]uint32
	for _, g := range f.Groups {
		var ids []uint32
		for _, l := range g {
			if id, ok := s.labels[l]; ok {
				ids = append(ids, id)
			}
		}
		if len(ids) == 0 {
			return nil, false // no doc holds any label of this group
		}
		slices.Sort(ids)
		groups = append(groups, ids)
	}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	timed := !f.From.IsZero() || !f.To.IsZero()
	if !f.From.IsZero() {
		from = f.From.Unix()
	}
	if !f.To.IsZero() {
		to = f.To.Unix()
	}
	var without []uint32
	for _, l := range f.Without {
		if id, ok := s.labels[l]; ok {
			without = append(without, id)
		}
	}
	slices.Sort(without)
	var only, excl map[int]bool
	if f.IDs != nil {
		only = make(map[int]bool, len(f.IDs))
		for _, id := range f.IDs {
			if slot, ok := s.slots[id]; ok {
				only[int(slot)] = true
			}
		}
		if len(only) == 0 {
			return nil, false
		}
	}
	if len(f.Exclude) > 0 {
		excl = make(map[int]bool, len(f.Exclude))
		for _, id := range f.Exclude {
			if slot, ok := s.slots[id]; ok {
				excl[int(slot)] = true
			}
		}
	}
	return func(slot int, e *entry) bool {
		if only != nil && !only[slot] || excl != nil && excl[slot] {
			return false
		}
		if timed && (e.time == noTime || e.time < from || e.time >= to) {
			return false
		}
		for _, g := range groups {
			if !intersects(g, e.labels) {
				return false
			}
		}
		return len(without) == 0 || !intersects(without, e.labels)
	}, true
}

// intersects reports whether two sorted id lists share an id.
func intersects(a, b []uint32) bool {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			return true
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return false
}

// better orders hits: higher score first, then lower id, so results are
// deterministic.
func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID < b.ID
}

func sortHits(hs []Hit) { sort.Slice(hs, func(i, j int) bool { return better(hs[i], hs[j]) }) }

// hitHeap is a min-heap by better: the root is the worst hit kept.
type hitHeap []Hit

func (h hitHeap) Len() int           { return len(h) }
func (h hitHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h hitHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *hitHeap) Push(x any)        { *h = append(*h, x.(Hit)) }
func (h *hitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
