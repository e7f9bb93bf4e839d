package search

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Facets over many hits, the way Lucene counts them: with "field data"
// and global ordinals instead of reading every hit's doc values.
//
// For each segment and facet field, fieldSlots holds the values of every
// document of the segment as slots of a dictionary shared by all segments
// of that field (slotDict). It is built once per segment from the doc
// values and kept while the segment is live; segments never change, so it
// stays right. Counting a hit is then a few array increments: no doc
// value decoding, no hashing of value strings, no allocation. The counter
// sees the hits by wrapping the query's searcher (countingSearcher), so
// Bleve's collector does no facet work at all.

// facetData caches field data per segment. The zero value is ready.
type facetData struct {
	mu    sync.Mutex
	dicts map[string]*slotDict             // field → dictionary
	segs  map[segment.Segment]*segmentData // live segments; keys keep their segments from being collected, so an address is never reused while cached
	idle  sync.Map                         // field → *sync.Pool of *slotFacet with zeroed counts
	docs  sync.Pool                        // *[]uint64 of a slotCounter, emptied
}

// slotDict numbers the distinct values of one field across segments.
// Slots are never removed, so a slot taken from it stays valid.
type slotDict struct {
	mu    sync.RWMutex
	slot  map[string]uint32
	terms []string
}

// lookup returns the slot of term, adding it if new.
func (d *slotDict) lookup(term []byte) uint32 {
	d.mu.RLock()
	s, ok := d.slot[string(term)]
	d.mu.RUnlock()
	if ok {
		return s
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.slot[string(term)]; ok {
		return s
	}
	s = uint32(len(d.terms))
	t := string(term)
	d.slot[t] = s
	d.terms = append(d.terms, t)
	return s
}

// snapshot returns the values by slot. Slots only grow, so the values it
// holds never change.
func (d *slotDict) snapshot() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return d.terms
}

func (d *slotDict) len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.terms)
}

// segmentData holds the field data of one segment, built per field on
// first use.
type segmentData struct {
	mu     sync.Mutex
	fields map[string]*fieldSlots
	ids    []string // external id of every document, once built
}

// externalIDs returns the external id of every document of seg. Sorting
// by relevance breaks ties by id, so Bleve's collector looks up the id of
// every hit; reading it from the stored fields was a seventh of a search.
func (sd *segmentData) externalIDs(ctx context.Context, seg segment.Segment) ([]string, error) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if sd.ids != nil {
		return sd.ids, nil
	}
	n := seg.Count()
	ids := make([]string, n)
	for doc := range n {
		if doc%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		id, err := seg.DocID(doc)
		if err != nil {
			return nil, fmt.Errorf("read document id: %w", err)
		}
		ids[doc] = string(id)
	}
	sd.ids = ids
	return ids, nil
}

// fieldSlots lists the value slots of every document of a segment:
// document d has slots[start[d]:start[d+1]].
type fieldSlots struct {
	start []uint32
	slots []uint32
}

// dict returns the dictionary of field.
func (fd *facetData) dict(field string) *slotDict {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.dicts == nil {
		fd.dicts = map[string]*slotDict{}
	}
	d := fd.dicts[field]
	if d == nil {
		d = &slotDict{slot: map[string]uint32{}}
		fd.dicts[field] = d
	}
	return d
}

// segments returns the cached data of segs, adding entries for new
// segments and dropping those of segments no longer live.
func (fd *facetData) segments(segs []*scorch.SegmentSnapshot) []*segmentData {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if fd.segs == nil {
		fd.segs = map[segment.Segment]*segmentData{}
	}
	out := make([]*segmentData, len(segs))
	fresh := false
	for i, ss := range segs {
		sd := fd.segs[ss.Segment()]
		if sd == nil {
			sd = &segmentData{fields: map[string]*fieldSlots{}}
			fd.segs[ss.Segment()] = sd
			fresh = true
		}
		out[i] = sd
	}
	if fresh && len(fd.segs) > len(segs) {
		live := make(map[segment.Segment]bool, len(segs))
		for _, ss := range segs {
			live[ss.Segment()] = true
		}
		for s := range fd.segs {
			if !live[s] {
				delete(fd.segs, s)
			}
		}
	}
	return out
}

// field returns the field data of field in seg, building it from the
// segment's doc values on first use.
func (sd *segmentData) field(ctx context.Context, seg segment.Segment, field string, d *slotDict) (*fieldSlots, error) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	if fs := sd.fields[field]; fs != nil {
		return fs, nil
	}
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, fmt.Errorf("segment %T has no doc values", seg)
	}
	n := seg.Count()
	fs := &fieldSlots{start: make([]uint32, n+1)}
	fields := []string{field}
	var st segment.DocVisitState
	var err error
	for doc := range n {
		if doc%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		fs.start[doc] = uint32(len(fs.slots))
		st, err = dv.VisitDocValues(doc, fields, func(_ string, term []byte) {
			fs.slots = append(fs.slots, d.lookup(term))
		}, st)
		if err != nil {
			return nil, fmt.Errorf("read doc values of %s: %w", field, err)
		}
	}
	fs.start[n] = uint32(len(fs.slots))
	sd.fields[field] = fs
	return fs, nil
}

// slotFacet counts one facet of one search over field data.
type slotFacet struct {
	name  string
	field string
	size  int
	dict  *slotDict
	data  []*fieldSlots // per segment of the snapshot; nil: no values

	count   []uint32
	touched []uint32
	total   int
	missing int
}

// snapshotData is the cached data of the segments of one index snapshot,
// in the snapshot's order, with the first global document number of each.
type snapshotData struct {
	fd      *facetData
	segs    []*scorch.SegmentSnapshot
	offsets []uint64
	data    []*segmentData
}

// view returns the cached data of is's segments, or nil when a segment
// has no doc values to build it from.
func (fd *facetData) view(is *scorch.IndexSnapshot) *snapshotData {
	segs := is.Segments()
	v := &snapshotData{fd: fd, segs: segs, offsets: make([]uint64, len(segs)+1)}
	for i, ss := range segs {
		if _, ok := ss.Segment().(segment.DocValueVisitable); !ok {
			return nil
		}
		v.offsets[i+1] = v.offsets[i] + ss.Segment().Count()
	}
	v.data = fd.segments(segs)
	return v
}

// segmentOf returns the segment of global document doc and the document's
// number in it, starting the search at segment hint.
func (v *snapshotData) segmentOf(doc uint64, hint int) (int, uint64) {
	if hint >= len(v.segs) || doc < v.offsets[hint] {
		hint = 0
	}
	for hint+1 < len(v.segs) && doc >= v.offsets[hint+1] {
		hint++
	}
	return hint, doc - v.offsets[hint]
}

// idReader answers ExternalID from the cached ids; the rest goes to the
// snapshot.
type idReader struct {
	bleveindex.IndexReader
	v    *snapshotData
	ids  [][]string
	last int
}

// reader wraps r, a reader of v's snapshot, so that the collector's id
// lookups are slice reads.
func (v *snapshotData) reader(ctx context.Context, r bleveindex.IndexReader) (bleveindex.IndexReader, error) {
	ids := make([][]string, len(v.segs))
	for i, ss := range v.segs {
		var err error
		if ids[i], err = v.data[i].externalIDs(ctx, ss.Segment()); err != nil {
			return nil, err
		}
	}
	return &idReader{IndexReader: r, v: v, ids: ids}, nil
}

// ExternalID returns the id of the document with internal id id.
func (r *idReader) ExternalID(id bleveindex.IndexInternalID) (string, error) {
	seg, local := r.v.segmentOf(id.Value(), r.last)
	r.last = seg
	if seg >= len(r.ids) || local >= uint64(len(r.ids[seg])) {
		return r.IndexReader.ExternalID(id)
	}
	return r.ids[seg][local], nil
}

// slotCounter counts every facet of a search. It notes the hits as they
// stream by and counts them once the search is done, one facet at a time:
// counting between the searcher's steps had every facet's arrays fall out
// of the CPU caches at each hit, so that a fifth of a search went to
// waiting for memory.
type slotCounter struct {
	v      *snapshotData
	facets []*slotFacet
	docs   []uint64 // global document numbers of the hits, in order
}

// counter prepares counting facets on v's snapshot, building field data
// for segments that lack it.
func (v *snapshotData) counter(ctx context.Context, facets map[string]*facetSpec) (*slotCounter, error) {
	fd := v.fd
	c := &slotCounter{v: v}
	if d, ok := fd.docs.Get().(*[]uint64); ok {
		c.docs = *d
	}
	for name, spec := range facets {
		f := fd.getFacet(spec.field)
		f.name, f.size = name, spec.size
		c.facets = append(c.facets, f)
		f.data = f.data[:0]
		for i, ss := range v.segs {
			fs, err := v.data[i].field(ctx, ss.Segment(), spec.field, f.dict)
			if err != nil {
				fd.release(c)
				return nil, err
			}
			f.data = append(f.data, fs)
		}
		if n := f.dict.len(); len(f.count) < n {
			f.count = append(f.count, make([]uint32, n-len(f.count))...)
		}
	}
	return c, nil
}

// getFacet returns an idle counter for field with zeroed counts.
func (fd *facetData) getFacet(field string) *slotFacet {
	pool, _ := fd.idle.LoadOrStore(field, &sync.Pool{})
	if f, ok := pool.(*sync.Pool).Get().(*slotFacet); ok {
		return f
	}
	return &slotFacet{field: field, dict: fd.dict(field)}
}

// release zeroes the counts of c's facets and keeps them for reuse.
func (fd *facetData) release(c *slotCounter) {
	for _, f := range c.facets {
		for _, s := range f.touched {
			f.count[s] = 0
		}
		f.touched, f.total, f.missing = f.touched[:0], 0, 0
		clear(f.data)
		if pool, ok := fd.idle.Load(f.field); ok {
			pool.(*sync.Pool).Put(f)
		}
	}
	c.facets = nil
	if cap(c.docs) > 0 && cap(c.docs) <= maxPooledDocs {
		d := c.docs[:0]
		fd.docs.Put(&d)
	}
	c.docs = nil
}

// facetSpec is one term facet of a request.
type facetSpec struct {
	field string
	size  int
}

// maxPooledDocs bounds the hit lists kept for reuse (8 MB each).
const maxPooledDocs = 1 << 20

// add notes the hit with global document number doc.
func (c *slotCounter) add(doc uint64) { c.docs = append(c.docs, doc) }

// parallelFacetHits is the number of hits from which the facets of a
// search are counted on several cores at once: below it, starting
// goroutines costs more than it saves. A variable for the tests.
var parallelFacetHits = 16384

// count counts the facets of the hits noted.
func (c *slotCounter) count() {
	// Searchers return hits in document order; counts do not depend on it.
	if !slices.IsSorted(c.docs) {
		slices.Sort(c.docs)
	}
	workers := min(runtime.GOMAXPROCS(0), len(c.facets))
	if len(c.docs) < parallelFacetHits || workers < 2 {
		for _, f := range c.facets {
			f.countDocs(c.v, c.docs)
		}
		return
	}
	// Each facet has its own counts, so facets count side by side.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(c.facets)); i = next.Add(1) - 1 {
				c.facets[i].countDocs(c.v, c.docs)
			}
		})
	}
	wg.Wait()
}

// countDocs counts f over docs, in document order.
func (f *slotFacet) countDocs(v *snapshotData, docs []uint64) {
	if n := f.dict.len(); len(f.count) < n {
		// Cannot happen: counter sized the counts after building the
		// field data this search reads. Stay safe anyway.
		f.count = append(f.count, make([]uint32, n-len(f.count))...)
	}
	count := f.count
	// Counting a value is then one increment, and the values seen are
	// listed afterwards by scanning the counts, unless the dictionary is
	// large against the hits: then they are listed as they come.
	scan := len(count) <= 16*len(docs)+8192
	lo := 0
	for seg := range v.segs {
		hi := lo + sort.Search(len(docs)-lo, func(i int) bool { return docs[lo+i] >= v.offsets[seg+1] })
		fs, base := f.data[seg], v.offsets[seg]
		if fs == nil {
			f.missing += hi - lo
			lo = hi
			continue
		}
		start, slots := fs.start, fs.slots
		for _, doc := range docs[lo:hi] {
			local := doc - base
			if local+1 >= uint64(len(start)) {
				f.missing++
				continue
			}
			vals := slots[start[local]:start[local+1]]
			if len(vals) == 0 {
				f.missing++
				continue
			}
			f.total += len(vals)
			if scan {
				for _, s := range vals {
					count[s]++
				}
				continue
			}
			for _, s := range vals {
				if count[s] == 0 {
					f.touched = append(f.touched, s)
				}
				count[s]++
			}
		}
		lo = hi
	}
	// Hits past the last segment (none in practice) have no values.
	f.missing += len(docs) - lo
	if scan {
		for s, n := range count {
			if n != 0 {
				f.touched = append(f.touched, uint32(s))
			}
		}
	}
}

// results returns Bleve facet results, as Bleve's term facet builder
// would compute them.
func (c *slotCounter) results() search.FacetResults {
	c.count()
	out := make(search.FacetResults, len(c.facets))
	for _, f := range c.facets {
		terms := f.dict.snapshot()
		top := topSlots(f.touched, terms, f.count, f.size)
		tf := &search.TermFacets{}
		inTop := 0
		for _, s := range top {
			tf.Add(&search.TermFacet{Term: terms[s], Count: int(f.count[s])})
			inTop += int(f.count[s])
		}
		out[f.name] = &search.FacetResult{Field: f.field, Total: f.total, Missing: f.missing, Other: f.total - inTop, Terms: tf}
	}
	return out
}

// countingSearcher passes on the hits of a searcher, counting each.
type countingSearcher struct {
	search.Searcher
	c *slotCounter
}

// Next returns the next hit and counts it.
func (s *countingSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Next(ctx)
	if dm != nil {
		s.c.add(dm.IndexInternalID.Value())
	}
	return dm, err
}

// Advance returns the first hit at or after id and counts it.
func (s *countingSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	dm, err := s.Searcher.Advance(ctx, id)
	if dm != nil {
		s.c.add(dm.IndexInternalID.Value())
	}
	return dm, err
}
