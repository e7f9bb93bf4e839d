package search

import (
	"container/heap"
	"context"
	"math"
	"runtime"
	"sync"
	"time"
	"weak"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// bulkSearch answers plan p over the snapshot reader r (whose field data
// view is v), like Bleve's collector with the relevance order would:
// total, best score, the hits from..from+size, and the matched documents
// passed to counter for the facets when it is not nil.
//
// A search over many postings is split into document ranges searched side
// by side, each with its own searchers: every document is still scored by
// the same clauses in the same order with the same norm, so the results
// do not change, only the latency of large searches.
func (e *Engine) bulkSearch(ctx context.Context, sr *snapshotRead, p bulkPlan, from, size int, counter *slotCounter) (*bulkResult, error) {
	r, m, opts, v, ids := sr.r, sr.m, sr.opts, sr.v, sr.ids
	n := int(v.offsets[len(v.offsets)-1])
	or, err := e.newOrClause(ctx, p.or, r, m, opts, n)
	if err != nil {
		return nil, err
	}
	defer or.Close()
	if len(or.parts) == 0 {
		return &bulkResult{}, nil
	}
	// The query norm of the top-level disjunction (filters weigh nothing).
	norm := 1.0 / math.Sqrt(or.Weight())
	or.SetQueryNorm(norm)
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(matchPoolSize(or)+1, 0)}

	masks := e.bulk.get(n)
	defer e.bulk.put(masks)
	if err := e.bulkMasks(ctx, sr, sctx, p, masks, n); err != nil {
		return nil, err
	}
	pass := uint8(len(p.filters))

	// Split only when cores are idle: under load, other searches keep
	// them busy and splitting would only add work.
	e.bulkActive.Add(1)
	defer e.bulkActive.Add(-1)
	ranges := 1
	if cores := runtime.GOMAXPROCS(0); cores > 1 && or.Count() >= parallelBulkPostings && n >= 2*minRangeDocs {
		ranges = min(cores-int(e.bulkActive.Load())+1, n/minRangeDocs, maxRanges)
		ranges = max(ranges, 1)
	}
	ors := []*orClause{or}
	for len(ors) < ranges {
		c, err := e.newOrClause(ctx, p.or, r, m, opts, n)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		c.SetQueryNorm(norm)
		ors = append(ors, c)
	}
	parts := make([]*rangeResult, ranges)
	errs := make([]error, ranges)
	evalRange := func(i int, sctx *search.SearchContext) {
		rr := &rangeResult{top: topDocs{k: from + size, v: v}}
		parts[i] = rr
		dr := docRange{lo: uint64(n * i / ranges), hi: uint64(n * (i + 1) / ranges)}
		errs[i] = ors[i].each(ctx, sctx, dr, func(doc uint64, score float64) {
			if masks.mask[doc] != pass {
				return
			}
			rr.total++
			if score > rr.maxScore {
				rr.maxScore = score
			}
			if counter != nil {
				rr.docs = append(rr.docs, doc)
			}
			rr.top.offer(doc, score)
		})
	}
	if ranges == 1 {
		evalRange(0, sctx)
	} else {
		var wg sync.WaitGroup
		for i := range ranges {
			wg.Go(func() {
				evalRange(i, &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(matchPoolSize(ors[i])+1, 0)})
			})
		}
		wg.Wait()
	}
	res := &bulkResult{}
	top := &topDocs{k: from + size, v: v}
	for i, rr := range parts {
		if errs[i] != nil {
			return nil, errs[i]
		}
		res.total += rr.total
		res.maxScore = max(res.maxScore, rr.maxScore)
		if counter != nil {
			counter.docs = append(counter.docs, rr.docs...)
		}
		for _, d := range rr.top.items {
			top.offerScored(d)
		}
	}
	res.hits = top.results(from, ids)
	return res, nil
}

// Document ranges of a split bulk search: at least minRangeDocs
// documents each, at most maxRanges of them (variables for the tests).
var (
	minRangeDocs = 4096
	maxRanges    = 8
)

// rangeResult is what a bulk search found in one document range.
type rangeResult struct {
	total    uint64
	maxScore float64
	docs     []uint64 // matches, for the facets
	top      topDocs
}

// bulkMasks marks in masks.mask how many of p's filters each document
// matches, and maskExcluded on the wire copies p hides.
func (e *Engine) bulkMasks(ctx context.Context, sr *snapshotRead, sctx *search.SearchContext, p bulkPlan, masks *bulkAcc, n int) error {
	r, m, opts := sr.r, sr.m, sr.opts
	all := docRange{hi: uint64(n)}
	mark := func(q query.Query, fn func(doc uint64)) error {
		s, err := q.Searcher(ctx, r, m, opts)
		if err != nil {
			return err
		}
		defer s.Close()
		return drain(ctx, sctx, s, all, func(doc uint64, _ float64) {
			if doc < uint64(n) {
				fn(doc)
			}
		})
	}
	for k, f := range p.filters {
		want := uint8(k)
		err := mark(f, func(doc uint64) {
			if masks.mask[doc] == want {
				if want == 0 {
					masks.masked = append(masks.masked, doc)
				}
				masks.mask[doc] = want + 1
			}
		})
		if err != nil {
			return err
		}
	}
	if p.collapse {
		return mark(dupQuery(), func(doc uint64) {
			if masks.mask[doc] == 0 {
				masks.masked = append(masks.masked, doc)
			}
			masks.mask[doc] = maskExcluded
		})
	}
	return nil
}

// dupQuery matches the wire copies that collapsing hides.
func dupQuery() query.Query {
	dup := bleve.NewTermQuery("t")
	dup.SetField(index.FieldIsDup)
	return dup
}

// topDocs keeps the k best documents by score, ties by id, as Bleve's
// collector orders them under the relevance order.
type topDocs struct {
	k     int
	v     *snapshotData
	items []scoredDoc // a heap, worst first
	hint  int
}

type scoredDoc struct {
	doc   uint64
	score float64
	id    string
}

func (t *topDocs) id(doc uint64) string {
	seg, local := t.v.segmentOf(doc, t.hint)
	t.hint = seg
	if seg < len(t.v.data) {
		if ids := t.v.data[seg].ids; local < uint64(len(ids)) {
			return ids[local]
		}
	}
	return ""
}

// worse reports whether a ranks after b.
func worse(a, b *scoredDoc) bool {
	return a.score < b.score || a.score == b.score && a.id > b.id
}

func (t *topDocs) Len() int { return len(t.items) }

func (t *topDocs) Less(i, j int) bool { return worse(&t.items[i], &t.items[j]) }

func (t *topDocs) Swap(i, j int) { t.items[i], t.items[j] = t.items[j], t.items[i] }

func (t *topDocs) Push(x any) { t.items = append(t.items, x.(scoredDoc)) }

func (t *topDocs) Pop() any {
	x := t.items[len(t.items)-1]
	t.items = t.items[:len(t.items)-1]
	return x
}

func (t *topDocs) offer(doc uint64, score float64) {
	if t.k <= 0 {
		return
	}
	if len(t.items) < t.k {
		heap.Push(t, scoredDoc{doc: doc, score: score, id: t.id(doc)})
		return
	}
	worst := &t.items[0]
	if score < worst.score {
		return
	}
	c := scoredDoc{doc: doc, score: score}
	if score == worst.score {
		c.id = t.id(doc)
		if !worse(worst, &c) {
			return
		}
	} else {
		c.id = t.id(doc)
	}
	t.items[0] = c
	heap.Fix(t, 0)
}

// offerScored offers a document another topDocs kept, id known.
func (t *topDocs) offerScored(d scoredDoc) {
	if t.k <= 0 {
		return
	}
	if len(t.items) < t.k {
		heap.Push(t, d)
		return
	}
	if worse(&d, &t.items[0]) {
		return
	}
	t.items[0] = d
	heap.Fix(t, 0)
}

// results returns the kept documents best first, without the first from.
// Documents whose id the field data lacks get it from ids.
func (t *topDocs) results(from int, ids bleveindex.IndexReader) search.DocumentMatchCollection {
	sorted := make([]scoredDoc, len(t.items))
	for i := len(sorted) - 1; i >= 0; i-- {
		sorted[i] = heap.Pop(t).(scoredDoc)
	}
	if from >= len(sorted) {
		return search.DocumentMatchCollection{}
	}
	out := make(search.DocumentMatchCollection, 0, len(sorted)-from)
	for _, s := range sorted[from:] {
		dm := &search.DocumentMatch{
			ID:              s.id,
			IndexInternalID: bleveindex.NewIndexInternalID(nil, s.doc),
			Score:           s.score,
		}
		if dm.ID == "" && ids != nil {
			dm.ID, _ = ids.ExternalID(dm.IndexInternalID)
		}
		// The sort values Bleve's collector gives under the relevance order.
		dm.Sort = []string{"_score", dm.ID}
		dm.DecodedSort = []string{"_score", dm.ID}
		out = append(out, dm)
	}
	return out
}

// runBulk is runSearch's bulk path: plan over the snapshot sr (whose
// options it sets from req), with counter, if not nil, counting the facets.
func (e *Engine) runBulk(ctx context.Context, req *bleve.SearchRequest, sr *snapshotRead, plan bulkPlan, counter *slotCounter,
	start time.Time) (*bleve.SearchResult, weak.Pointer[scorch.IndexSnapshot], error) {
	var none weak.Pointer[scorch.IndexSnapshot]
	if counter != nil {
		defer e.fdata.release(counter)
	}
	sr.opts = search.SearcherOptions{Explain: req.Explain, Score: req.Score}
	br, err := e.bulkSearch(ctx, sr, plan, req.From, req.Size, counter)
	if err != nil {
		return nil, none, err
	}
	c := collected{hits: br.hits, total: br.total, maxScore: br.maxScore}
	if counter != nil {
		c.facets = counter.results()
	}
	return searchResult(req, sr.r, sr.v, c, start)
}
