package search

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// sumQuery matches the documents that match any of its clauses and scores
// each by the sum of the scores of the clauses it matches. It is Bleve's
// disjunction without the coordination factor (the share of clauses
// matched), which Bleve multiplies every disjunction's score by: with
// BM25 term scores that factor ranked every dev collection lower (it
// rewards documents that repeat many common words of a long query over
// ones that match its rare words; docs/RELEVANCE.md). The query norm is
// passed to the clauses as Bleve's disjunction passes it.
//
// The bulk path (bulk.go) evaluates a sumQuery term-at-a-time with the
// same arithmetic: clauses ordered by Count, scores summed in that order.
type sumQuery struct {
	Clauses []query.Query
}

// Searcher implements query.Query.
func (q *sumQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	s := &sumSearcher{}
	for _, c := range q.Clauses {
		cs, err := c.Searcher(ctx, r, m, opts)
		if err != nil {
			_ = s.Close()
			return nil, fmt.Errorf("search: clause of a sum: %w", err)
		}
		if cs != nil {
			s.parts = append(s.parts, cs)
		}
	}
	sort.Stable(searchersByCount(s.parts))
	s.cur = make([]*search.DocumentMatch, len(s.parts))
	if w := s.Weight(); w > 0 {
		s.SetQueryNorm(1 / math.Sqrt(w))
	}
	return s, nil
}

// searchersByCount orders searchers as Bleve's disjunction orders them.
type searchersByCount []search.Searcher

func (b searchersByCount) Len() int           { return len(b) }
func (b searchersByCount) Less(i, j int) bool { return b[i].Count() < b[j].Count() }
func (b searchersByCount) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }

// sumSearcher merges its parts' matches in document order.
type sumSearcher struct {
	parts   []search.Searcher
	cur     []*search.DocumentMatch // each part's current match, nil when done
	started bool
}

func (s *sumSearcher) start(ctx *search.SearchContext) error {
	if s.started {
		return nil
	}
	s.started = true
	for i, p := range s.parts {
		dm, err := p.Next(ctx)
		if err != nil {
			return err
		}
		s.cur[i] = dm
	}
	return nil
}

// next returns the match of the lowest current document, its score the
// sum of the parts on it in part order, and moves those parts on.
func (s *sumSearcher) next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	var low *search.DocumentMatch
	for _, dm := range s.cur {
		if dm != nil && (low == nil || dm.IndexInternalID.Compare(low.IndexInternalID) < 0) {
			low = dm
		}
	}
	if low == nil {
		return nil, nil
	}
	out := ctx.DocumentMatchPool.Get()
	out.IndexInternalID = append(out.IndexInternalID[:0], low.IndexInternalID...)
	score := 0.0
	for i, dm := range s.cur {
		if dm == nil || !dm.IndexInternalID.Equals(out.IndexInternalID) {
			continue
		}
		score += dm.Score
		out.FieldTermLocations = append(out.FieldTermLocations, dm.FieldTermLocations...)
		ctx.DocumentMatchPool.Put(dm)
		next, err := s.parts[i].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.cur[i] = next
	}
	out.Score = score
	return out, nil
}

// Next implements search.Searcher.
func (s *sumSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s.next(ctx)
}

// Advance implements search.Searcher.
func (s *sumSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	for i, dm := range s.cur {
		if dm == nil || dm.IndexInternalID.Compare(id) >= 0 {
			continue
		}
		ctx.DocumentMatchPool.Put(dm)
		next, err := s.parts[i].Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.cur[i] = next
	}
	return s.next(ctx)
}

// Close implements search.Searcher.
func (s *sumSearcher) Close() error {
	var first error
	for _, p := range s.parts {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight implements search.Searcher: the sum of the parts' weights.
func (s *sumSearcher) Weight() float64 {
	var w float64
	for _, p := range s.parts {
		w += p.Weight()
	}
	return w
}

// SetQueryNorm implements search.Searcher.
func (s *sumSearcher) SetQueryNorm(n float64) {
	for _, p := range s.parts {
		p.SetQueryNorm(n)
	}
}

// Count implements search.Searcher: an upper bound, the parts' sum.
func (s *sumSearcher) Count() uint64 {
	var n uint64
	for _, p := range s.parts {
		n += p.Count()
	}
	return n
}

// Min implements search.Searcher.
func (s *sumSearcher) Min() int { return 0 }

// Size implements search.Searcher.
func (s *sumSearcher) Size() int {
	n := 64
	for _, p := range s.parts {
		n += p.Size()
	}
	return n
}

// DocumentMatchPoolSize implements search.Searcher: every part holds one
// match, plus the one returned.
func (s *sumSearcher) DocumentMatchPoolSize() int {
	n := 1
	for _, p := range s.parts {
		n += p.DocumentMatchPoolSize()
	}
	return n
}
