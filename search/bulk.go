package search

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// filteredQuery is a query ANDed with zero-boost filters and, if collapse
// is set, with "not a wire copy" (see withFilters). It searches as the
// Bleve boolean query it was built as; runSearch reads its parts.
type filteredQuery struct {
	boolean  *query.BooleanQuery
	scored   query.Query
	filters  []query.Query // each must match; they do not score
	dates    bool          // one of the filters is a date range
	collapse bool
	// excluded is set when boolean also leaves out listed articles
	// (without); the bulk path does not know them, so Bleve answers.
	excluded bool
}

// without returns q leaving out the articles ids, scored as q.
func without(q query.Query, ids []string) query.Query {
	if len(ids) == 0 {
		return q
	}
	fq, ok := q.(*filteredQuery)
	if !ok {
		fq = &filteredQuery{scored: q}
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(fq.scored)
	if len(fq.filters) > 0 {
		bq.AddMust(fq.filters...)
	}
	not := []query.Query{bleve.NewDocIDQuery(ids)}
	if fq.collapse {
		not = append(not, dupQuery())
	}
	bq.AddMustNot(not...)
	return &filteredQuery{boolean: bq, scored: fq.scored, filters: fq.filters, dates: fq.dates, collapse: fq.collapse, excluded: true}
}

// Searcher implements query.Query.
func (q *filteredQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	return q.boolean.Searcher(ctx, r, m, opts)
}

// bulkPlan is a request the bulk path answers.
type bulkPlan struct {
	or       disjunction
	filters  []query.Query
	collapse bool
}

// planBulk returns the bulk plan of req, or false when Bleve must answer
// it: another query shape, a sort other than relevance, a cursor, a date
// range (a range matches too many documents to drain; Bleve skips
// through it), or anything that needs more than scores.
//
// Bulk ("term-at-a-time") evaluation of OR queries.
//
// A query of plain words is a disjunction of a few clauses (each word over
// title and body, and role phrases), ANDed with the filters and with "not
// a wire copy". Bleve evaluates it a document at a time through five
// layers of searchers and its top-N collector, about a microsecond per
// hit: two thirds of an uncached search over AllSides + Reuters. The bulk
// path drains each clause's own Bleve searcher into per-document
// accumulators instead, then ranks, filters and counts in one pass over
// the matched documents.
//
// Scores are bit-identical to Bleve's: the clauses' searchers are Bleve's
// own, ordered and normalised as Bleve's disjunction searcher orders and
// normalises them (by Count, query norm over their weights), and each
// document's clause scores are summed in that order and multiplied by the
// same coordination factor. The filters and the exclusion carry zero
// weight, so Bleve's boolean and conjunction layers leave the score
// as it is. TestRunSearchMatchesBleve checks this on the request shapes
// of the fixture, TestBulkMatchesBleveOnIndex on a real index.
func planBulk(req *bleve.SearchRequest) (bulkPlan, bool) {
	var p bulkPlan
	if req.Explain || req.Score != "" || req.SearchAfter != nil || req.SearchBefore != nil ||
		req.IncludeLocations || req.Highlight != nil || req.From < 0 || req.Size < 0 {
		return p, false
	}
	if req.Size > 0 && !relevanceOrder(req.Sort) {
		return p, false
	}
	q := req.Query
	if fq, ok := q.(*filteredQuery); ok {
		if fq.dates || fq.excluded {
			return p, false
		}
		q, p.filters, p.collapse = fq.scored, fq.filters, fq.collapse
	}
	or, ok := asDisjunction(q)
	if bq, word := q.(*bm25Query); word {
		// One word: a sum of one clause scores as the word's searcher.
		or, ok = disjunction{clauses: []query.Query{bq}}, true
	}
	if !ok {
		return p, false
	}
	p.or = or
	return p, true
}

// disjunction is a query the bulk path evaluates: its clauses, and whether
// the sum of their scores is scaled by the share that matched (Bleve's
// DisjunctionQuery) or not (sumQuery).
type disjunction struct {
	clauses []query.Query
	coord   bool
}

// asDisjunction returns q as a disjunction the bulk path evaluates with
// the arithmetic of q's own searcher, or false.
func asDisjunction(q query.Query) (disjunction, bool) {
	switch q := q.(type) {
	case *query.DisjunctionQuery:
		if !bulkable(q) {
			return disjunction{}, false
		}
		return disjunction{clauses: q.Disjuncts, coord: true}, true
	case *sumQuery:
		return disjunction{clauses: q.Clauses}, len(q.Clauses) > 0
	}
	return disjunction{}, false
}

// relevanceOrder reports whether o is the engine's relevance order: score
// descending, ties by id.
func relevanceOrder(o search.SortOrder) bool {
	if len(o) != 2 {
		return false
	}
	s, ok := o[0].(*search.SortScore)
	if !ok || !s.Desc {
		return false
	}
	id, ok := o[1].(*search.SortDocID)
	return ok && !id.Desc
}

// maskExcluded marks a document that the exclusion matched.
const maskExcluded = math.MaxUint8

// bulkAcc holds the per-document state of one bulk search, indexed by
// global document number. Only the entries a search touched are reset.
type bulkAcc struct {
	score  []float64 // sum of clause scores
	hits   []uint8   // number of clauses matched
	seen   []uint64  // bitset: hits > 0
	mask   []uint8   // filters matched so far, or maskExcluded
	masked []uint64  // documents with mask != 0
}

func (a *bulkAcc) grow(n int) {
	if len(a.score) >= n {
		return
	}
	a.score = make([]float64, n)
	a.hits = make([]uint8, n)
	a.mask = make([]uint8, n)
	a.seen = make([]uint64, (n+63)/64)
}

func (a *bulkAcc) reset() {
	for w, bitsW := range a.seen {
		for bitsW != 0 {
			d := w*64 + bits.TrailingZeros64(bitsW)
			bitsW &= bitsW - 1
			a.score[d], a.hits[d] = 0, 0
		}
		a.seen[w] = 0
	}
	for _, d := range a.masked {
		a.mask[d] = 0
	}
	a.masked = a.masked[:0]
}

// bulkPool keeps accumulators between searches. The zero value is ready.
type bulkPool struct{ p sync.Pool }

func (b *bulkPool) get(n int) *bulkAcc {
	a, _ := b.p.Get().(*bulkAcc)
	if a == nil {
		a = &bulkAcc{}
	}
	a.grow(n)
	return a
}

func (b *bulkPool) put(a *bulkAcc) {
	a.reset()
	b.p.Put(a)
}

// bulkCheckEvery is how many matches pass between context checks.
const bulkCheckEvery = 4096

// docRange is a range [lo, hi) of global document numbers.
type docRange struct{ lo, hi uint64 }

// drain calls fn with the document number and score of every match of s
// in r.
func drain(ctx context.Context, sctx *search.SearchContext, s search.Searcher, r docRange, fn func(doc uint64, score float64)) error {
	var dm *search.DocumentMatch
	var err error
	if r.lo > 0 {
		dm, err = s.Advance(sctx, bleveindex.NewIndexInternalID(nil, r.lo))
	} else {
		dm, err = s.Next(sctx)
	}
	for n := 1; ; n++ {
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		doc := dm.IndexInternalID.Value()
		if doc >= r.hi {
			sctx.DocumentMatchPool.Put(dm)
			return nil
		}
		fn(doc, dm.Score)
		sctx.DocumentMatchPool.Put(dm)
		if n%bulkCheckEvery == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		dm, err = s.Next(sctx)
	}
}

// bulkResult is what a bulk search found.
type bulkResult struct {
	total    uint64
	maxScore float64
	hits     search.DocumentMatchCollection
}

// clause is one operand of a bulk disjunction: a Bleve searcher, or a
// nested disjunction evaluated in bulk itself.
type clause interface {
	Count() uint64
	Weight() float64
	SetQueryNorm(float64)
	// each calls fn with every match in r and its score, in document
	// order. A clause is drained once, over one range.
	each(ctx context.Context, sctx *search.SearchContext, r docRange, fn func(doc uint64, score float64)) error
	Close() error
}

// leafClause is a clause Bleve's own searcher answers.
type leafClause struct{ search.Searcher }

func (c leafClause) each(ctx context.Context, sctx *search.SearchContext, r docRange, fn func(doc uint64, score float64)) error {
	return drain(ctx, sctx, c.Searcher, r, fn)
}

// orClause is a disjunction evaluated in bulk: like Bleve's disjunction
// searcher, it orders its parts by Count, sums their weights and scores
// in that order and scales the sum by the share of parts that matched.
type orClause struct {
	e     *Engine
	docs  int // documents in the snapshot
	parts []clause
	coord bool // scale by the share of parts matched
}

// newOrClause builds the clauses of q's disjuncts: nested disjunctions in
// bulk, everything else through Bleve.
func (e *Engine) newOrClause(ctx context.Context, q disjunction, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions, docs int) (*orClause, error) {
	c := &orClause{e: e, docs: docs, coord: q.coord}
	for _, d := range q.clauses {
		var part clause
		if or, ok := asDisjunction(d); ok {
			oc, err := e.newOrClause(ctx, or, r, m, opts, docs)
			if err != nil {
				c.Close()
				return nil, err
			}
			part = oc
		} else {
			s, err := d.Searcher(ctx, r, m, opts)
			if err != nil {
				c.Close()
				return nil, err
			}
			if s == nil {
				continue
			}
			part = leafClause{s}
		}
		c.parts = append(c.parts, part)
	}
	if c.coord {
		sort.Sort(byCount(c.parts))
	} else {
		sort.Stable(byCount(c.parts)) // as sumQuery's searcher sorts
	}
	return c, nil
}

// parallelBulkPostings is the number of postings (the sum of the clauses'
// counts) from which a bulk search splits the documents into ranges
// searched on several cores at once.
var parallelBulkPostings uint64 = 32768

// matchPoolSize is the number of document matches c's searchers hold at
// once.
func matchPoolSize(c clause) int {
	switch c := c.(type) {
	case leafClause:
		return c.DocumentMatchPoolSize()
	case *orClause:
		n := 1
		for _, p := range c.parts {
			n = max(n, matchPoolSize(p))
		}
		return n
	}
	return 1
}

// bulkable reports whether the bulk path evaluates or with the same
// arithmetic as Bleve: its slice searcher, not the heap one it uses for
// more than DisjunctionHeapTakeover clauses.
func bulkable(or *query.DisjunctionQuery) bool {
	return or.Min == 0 && len(or.Disjuncts) > 0 && len(or.Disjuncts) <= searcher.DisjunctionHeapTakeover
}

// byCount sorts clauses as searcher.OrderedSearcherList sorts searchers.
type byCount []clause

func (b byCount) Len() int           { return len(b) }
func (b byCount) Less(i, j int) bool { return b[i].Count() < b[j].Count() }
func (b byCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

func (c *orClause) Count() uint64 {
	var n uint64
	for _, p := range c.parts {
		n += p.Count()
	}
	return n
}

func (c *orClause) Weight() float64 {
	var w float64
	for _, p := range c.parts {
		w += p.Weight()
	}
	return w
}

func (c *orClause) SetQueryNorm(norm float64) {
	for _, p := range c.parts {
		p.SetQueryNorm(norm)
	}
}

func (c *orClause) Close() error {
	var first error
	for _, p := range c.parts {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (c *orClause) each(ctx context.Context, sctx *search.SearchContext, r docRange, fn func(doc uint64, score float64)) error {
	if len(c.parts) == 0 {
		return nil
	}
	acc := c.e.bulk.get(c.docs)
	defer c.e.bulk.put(acc)
	var outside bool // a document number past the snapshot: cannot happen
	for _, p := range c.parts {
		err := p.each(ctx, sctx, r, func(doc uint64, score float64) {
			if doc >= uint64(c.docs) {
				outside = true
				return
			}
			acc.score[doc] += score
			acc.hits[doc]++
			acc.seen[doc/64] |= 1 << (doc % 64)
		})
		if err != nil {
			return err
		}
	}
	if outside {
		return fmt.Errorf("bulk search: document number past the snapshot's %d documents", c.docs)
	}
	parts := float64(len(c.parts))
	for w := int(r.lo / 64); w < len(acc.seen) && uint64(w)*64 < r.hi; w++ {
		word := acc.seen[w]
		for word != 0 {
			doc := uint64(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
			if c.coord {
				fn(doc, acc.score[doc]*(float64(acc.hits[doc])/parts))
			} else {
				fn(doc, acc.score[doc])
			}
		}
	}
	return nil
}
