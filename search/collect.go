package search

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// runSearch executes req like Bleve's SearchInContext does for the
// requests the engine makes (a query, a page or a search-after cursor, a
// sort, term facets, stored fields), but counts term facets with
// termsFacet instead of Bleve's builder. Facets over thousands of hits
// dominated a search: Bleve's builder allocates a string per value of
// every hit and sorts every distinct value at the end; termsFacet looks
// values up without allocating and selects the top N with a heap. The
// results are the same. Requests it does not cover (range facets, an
// alias over several indexes) go to Bleve.
func (e *Engine) runSearch(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, weak.Pointer[scorch.IndexSnapshot], error) {
	var none weak.Pointer[scorch.IndexSnapshot] // not cacheable
	bi := e.src.Bleve()
	for _, fr := range req.Facets {
		if fr.NumericRanges != nil || fr.DateTimeRanges != nil || fr.TermPrefix != "" || fr.TermPattern != "" {
			res, err := bi.SearchInContext(ctx, req)
			return res, none, err
		}
	}
	adv, err := bi.Advanced()
	if err != nil {
		res, err := bi.SearchInContext(ctx, req)
		return res, none, err
	}
	start := time.Now()
	reader, err := adv.Reader()
	if err != nil {
		return nil, none, fmt.Errorf("open index reader: %w", err)
	}
	// A generation closed after a rebuild has no snapshot left; Search
	// retries on the new one. A reader taken before the close holds its
	// snapshot's segments until it is closed.
	if is, ok := reader.(*scorch.IndexSnapshot); ok && is == nil {
		return nil, none, bleve.ErrorIndexClosed
	}
	defer reader.Close()
	return e.searchReader(ctx, req, reader, bi.Mapping(), start)
}

// searchReader is runSearch on a reader the caller opened and closes: an
// export pages through one snapshot with it (export.go).
func (e *Engine) searchReader(ctx context.Context, req *bleve.SearchRequest, reader bleveindex.IndexReader, m mapping.IndexMapping,
	start time.Time) (*bleve.SearchResult, weak.Pointer[scorch.IndexSnapshot], error) {
	var none weak.Pointer[scorch.IndexSnapshot] // not cacheable
	var err error
	model := bleveindex.DefaultScoringModel
	if im, ok := m.(*mapping.IndexMappingImpl); ok && im.ScoringModel != "" {
		model = im.ScoringModel
	}
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return model }))

	var coll *collector.TopNCollector
	if req.SearchAfter != nil {
		coll = collector.NewTopNCollectorAfter(req.Size, req.Sort, req.SearchAfter)
	} else {
		coll = collector.NewTopNCollector(req.Size, req.From, req.Sort)
	}
	// Count facets over field data (fielddata.go) when the index allows,
	// else with pooled builders over Bleve's doc values.
	var counter *slotCounter
	var view *snapshotData
	collectFrom := reader
	if is, ok := reader.(*scorch.IndexSnapshot); ok {
		if v := e.fdata.view(is); v != nil {
			view = v
			if collectFrom, err = v.reader(ctx, reader); err != nil {
				return nil, none, err
			}
			if len(req.Facets) > 0 {
				specs := make(map[string]*facetSpec, len(req.Facets))
				for name, fr := range req.Facets {
					specs[name] = &facetSpec{field: fr.Field, size: fr.Size}
				}
				if counter, err = v.counter(ctx, specs); err != nil {
					return nil, none, err
				}
			}
		}
	}
	if plan, ok := planBulk(req); ok && view != nil && !e.noBulk {
		return e.runBulk(ctx, req, &snapshotRead{r: reader, m: m, v: view, ids: collectFrom}, plan, counter, start)
	}
	s, err := req.Query.Searcher(ctx, reader, m, search.SearcherOptions{Explain: req.Explain, Score: req.Score})
	if err != nil {
		return nil, none, err
	}
	defer s.Close()
	var searcher search.Searcher = s
	switch {
	case counter != nil:
		defer e.fdata.release(counter)
		searcher = &countingSearcher{Searcher: s, c: counter}
	case len(req.Facets) > 0:
		fb := search.NewFacetsBuilder(reader)
		for name, fr := range req.Facets {
			tf := e.facets.get(fr.Field, fr.Size)
			defer e.facets.put(tf)
			fb.Add(name, tf)
		}
		coll.SetFacetsBuilder(fb)
	}
	if err := coll.Collect(ctx, searcher, collectFrom); err != nil {
		return nil, none, err
	}
	c := collected{hits: coll.Results(), total: coll.Total(), maxScore: coll.MaxScore(), facets: coll.FacetResults()}
	if counter != nil {
		c.facets = counter.results()
	}
	return searchResult(req, reader, view, c, start)
}

// snapshotRead is what a search reads one index snapshot through: the
// reader and mapping that build searchers, the searcher options, the
// snapshot's field data view and the reader that answers id lookups
// (the view's, which is faster than the snapshot's).
type snapshotRead struct {
	r    bleveindex.IndexReader
	m    mapping.IndexMapping
	opts search.SearcherOptions
	v    *snapshotData
	ids  bleveindex.IndexReader
}

// collected is what a search collected: the page of hits, the total, the
// best score and the facets.
type collected struct {
	hits     search.DocumentMatchCollection
	total    uint64
	maxScore float64
	facets   search.FacetResults
}

// searchResult completes hits (their ids and the stored fields req asks
// for, read through view when not nil) and returns them as Bleve's result
// of req over reader, with the snapshot it is cacheable under.
func searchResult(req *bleve.SearchRequest, reader bleveindex.IndexReader, view *snapshotData, c collected,
	start time.Time) (*bleve.SearchResult, weak.Pointer[scorch.IndexSnapshot], error) {
	var none weak.Pointer[scorch.IndexSnapshot]
	for _, h := range c.hits {
		var err error
		if h.ID == "" {
			if h.ID, err = reader.ExternalID(h.IndexInternalID); err != nil {
				return nil, none, fmt.Errorf("hit id: %w", err)
			}
		}
		if len(req.Fields) > 0 {
			if view != nil {
				err = view.loadFields(h, req.Fields)
			} else {
				err = loadFields(reader, h, req.Fields)
			}
			if err != nil {
				return nil, none, err
			}
		}
	}
	snap := none
	if is, ok := reader.(*scorch.IndexSnapshot); ok {
		snap = weak.Make(is)
	}
	return &bleve.SearchResult{
		Status:   &bleve.SearchStatus{Total: 1, Successful: 1},
		Request:  req,
		Hits:     c.hits,
		Total:    c.total,
		MaxScore: c.maxScore,
		Took:     time.Since(start),
		Facets:   c.facets,
	}, snap, nil
}

// loadFields sets the stored text fields named in fields on hit. Unlike
// Bleve, which gives them as strings, it keeps the bytes the snapshot
// copied out for this document, saving two copies of every article
// (decodeSource takes both).
func loadFields(r bleveindex.IndexReader, hit *search.DocumentMatch, fields []string) error {
	doc, err := r.Document(hit.ID)
	if err != nil {
		return fmt.Errorf("load stored fields of %q: %w", hit.ID, err)
	}
	if doc == nil {
		return nil
	}
	doc.VisitFields(func(f bleveindex.Field) {
		if _, ok := f.(bleveindex.TextField); !ok {
			return
		}
		for _, name := range fields {
			if f.Name() == name {
				if hit.Fields == nil {
					hit.Fields = make(map[string]any, len(fields))
				}
				hit.Fields[name] = f.Value()
			}
		}
	})
	return nil
}

// loadFields is loadFields on the snapshot of v, reading the hit's stored
// fields straight from its segment: Bleve's Document looks the document
// up again by its external id (a dictionary lookup per segment) and
// copies every field, a twentieth of a search for ten hits.
func (v *snapshotData) loadFields(hit *search.DocumentMatch, fields []string) error {
	seg, local := v.segmentOf(hit.IndexInternalID.Value(), 0)
	if seg >= len(v.segs) || local >= v.segs[seg].Segment().Count() {
		return fmt.Errorf("load stored fields of %q: document %d is not in the snapshot", hit.ID, hit.IndexInternalID.Value())
	}
	err := v.segs[seg].VisitDocument(local, func(name string, typ byte, val []byte, _ []uint64) bool {
		if typ != 't' || name == "_id" {
			return true
		}
		for _, f := range fields {
			if name == f {
				if hit.Fields == nil {
					hit.Fields = make(map[string]any, len(fields))
				}
				// The segment reuses its buffer for the next document.
				hit.Fields[name] = append([]byte(nil), val...)
			}
		}
		return true
	})
	if err != nil {
		return fmt.Errorf("load stored fields of %q: %w", hit.ID, err)
	}
	return nil
}

// termsFacet counts the values of one keyword field over the hits, like
// Bleve's TermsFacetBuilder, with the same result: the size most frequent
// values, ties by value, plus the total, missing and other counts.
//
// Builders are pooled per field (facetPools) and keep the slot of every
// value they have seen, so after a few searches counting a value is one
// map lookup that allocates nothing; only the counts are reset.
type termsFacet struct {
	field string
	slot  map[string]uint32 // value → index into terms and count; kept
	terms []string          // kept between searches

	size    int
	count   []int    // per slot, this search
	touched []uint32 // slots counted in this search
	total   int
	miss    int
	saw     bool
}

var _ search.FacetBuilder = (*termsFacet)(nil)

// maxFacetVocab bounds the values a pooled builder remembers; a builder
// that knows more is dropped rather than pooled.
const maxFacetVocab = 1 << 20

// facetPools holds idle termsFacet builders by field. The zero value is
// ready to use.
type facetPools struct{ m sync.Map } // field → *sync.Pool

func (p *facetPools) get(field string, size int) *termsFacet {
	pool, _ := p.m.LoadOrStore(field, &sync.Pool{})
	f, _ := pool.(*sync.Pool).Get().(*termsFacet)
	if f == nil {
		f = &termsFacet{field: field, slot: make(map[string]uint32, 256)}
	}
	f.size = size
	return f
}

// put resets f's counts and keeps it for the next search on its field.
func (p *facetPools) put(f *termsFacet) {
	for _, s := range f.touched {
		f.count[s] = 0
	}
	f.touched, f.total, f.miss, f.saw = f.touched[:0], 0, 0, false
	if len(f.terms) > maxFacetVocab {
		return
	}
	if pool, ok := p.m.Load(f.field); ok {
		pool.(*sync.Pool).Put(f)
	}
}

// UpdateVisitor counts one value of the current hit. Looking up
// string(term) does not allocate; only a value never seen is copied.
func (f *termsFacet) UpdateVisitor(term []byte) {
	f.total++
	f.saw = true
	i, ok := f.slot[string(term)]
	if !ok {
		s := string(term)
		i = uint32(len(f.terms))
		f.slot[s] = i
		f.terms = append(f.terms, s)
		f.count = append(f.count, 0)
	}
	if f.count[i] == 0 {
		f.touched = append(f.touched, i)
	}
	f.count[i]++
}

// StartDoc starts a hit.
func (f *termsFacet) StartDoc() { f.saw = false }

// EndDoc ends a hit, counting it as missing if it had no value.
func (f *termsFacet) EndDoc() {
	if !f.saw {
		f.miss++
	}
}

// Field returns the field counted.
func (f *termsFacet) Field() string { return f.field }

// Size estimates the memory the builder holds, as Bleve's builders do.
func (f *termsFacet) Size() int {
	n := 64 + len(f.terms)*56
	for _, t := range f.terms {
		n += len(t)
	}
	return n
}

// Result returns the top values of this search.
func (f *termsFacet) Result() *search.FacetResult {
	top := topSlots(f.touched, f.terms, f.count, f.size)
	tf := &search.TermFacets{}
	inTop := 0
	for _, s := range top {
		tf.Add(&search.TermFacet{Term: f.terms[s], Count: f.count[s]})
		inTop += f.count[s]
	}
	return &search.FacetResult{Field: f.field, Total: f.total, Missing: f.miss, Other: f.total - inTop, Terms: tf}
}

// topSlots returns the n slots among slots with the largest counts,
// largest first, ties broken by term.
func topSlots[C int | uint32](slots []uint32, terms []string, count []C, n int) []uint32 {
	before := func(a, b uint32) bool {
		if count[a] != count[b] {
			return count[a] > count[b]
		}
		return terms[a] < terms[b]
	}
	if n <= 0 {
		return nil
	}
	h := &slotHeap{before: before}
	for _, s := range slots {
		if len(h.s) < n {
			heap.Push(h, s)
		} else if before(s, h.s[0]) {
			h.s[0] = s
			heap.Fix(h, 0)
		}
	}
	out := h.s
	sort.Slice(out, func(i, j int) bool { return before(out[i], out[j]) })
	return out
}

// slotHeap is a min-heap under before: its root is the weakest of the
// current top n.
type slotHeap struct {
	s      []uint32
	before func(a, b uint32) bool
}

func (h *slotHeap) Len() int           { return len(h.s) }
func (h *slotHeap) Less(i, j int) bool { return h.before(h.s[j], h.s[i]) }
func (h *slotHeap) Swap(i, j int)      { h.s[i], h.s[j] = h.s[j], h.s[i] }
func (h *slotHeap) Push(x any)         { h.s = append(h.s, x.(uint32)) }
func (h *slotHeap) Pop() any {
	x := h.s[len(h.s)-1]
	h.s = h.s[:len(h.s)-1]
	return x
}
