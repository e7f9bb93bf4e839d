package search

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
	"weak"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// BM25 parameters of the article text, the common defaults (Lucene's,
// SQLite FTS5's). They were checked on every dev collection of newsdex
// eval together (docs/RELEVANCE.md), not chosen on one.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// bm25Query scores one term of a text field by Okapi BM25:
//
//	idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)),  idf = ln(1 + (N − n + 0.5)/(n + 0.5))
//
// with the raw term frequency, the document's length recovered from the
// norm Bleve stores on each posting (1/√len), and the field's average
// length from index.FieldTextLength. Bleve's own "bm25" model differs in
// three ways that cost relevance: it takes √tf, multiplies by idf a second
// time through the query weight, and divides by the number of distinct
// terms of the field instead of the number of tokens. Its score ignores
// the query norm, so a term's score is the same in any query.
type bm25Query struct {
	Term    string
	Field   string
	Boost   float64
	lengths *textLengths // the engine's; nil reads them afresh
}

// Searcher implements query.Query.
func (q *bm25Query) Searcher(ctx context.Context, r bleveindex.IndexReader, _ mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	if err := search.RecordTermSearcher(ctx); err != nil {
		return nil, err
	}
	avg, err := q.lengths.average(ctx, r)
	if err != nil {
		return nil, err
	}
	docs, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("search: bm25 %s:%s: document count: %w", q.Field, q.Term, err)
	}
	scored := opts.Score != "none"
	tfr, err := r.TermFieldReader(ctx, []byte(q.Term), q.Field, scored, scored, opts.IncludeTermVectors)
	if err != nil {
		return nil, fmt.Errorf("search: bm25 %s:%s: %w", q.Field, q.Term, err)
	}
	n := float64(tfr.Count())
	boost := q.Boost
	if boost == 0 {
		boost = 1
	}
	return &bm25Searcher{
		reader: tfr,
		term:   q.Term,
		idf:    math.Log(1 + (float64(docs)-n+0.5)/(n+0.5)),
		avg:    avg,
		boost:  boost,
		score:  scored,
	}, nil
}

// bm25Score is the BM25 weight of a term that occurs freq times in a
// document whose Bleve norm is norm.
func bm25Score(idf, avg float64, freq uint64, norm float64) float64 {
	tf := float64(freq)
	length := avg
	if norm > 0 {
		length = math.Round(1 / (norm * norm))
	}
	return idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*length/avg))
}

// bm25Searcher is Bleve's term searcher with the BM25 score of bm25Query.
type bm25Searcher struct {
	reader bleveindex.TermFieldReader
	tfd    bleveindex.TermFieldDoc
	term   string
	idf    float64
	avg    float64
	boost  float64
	score  bool
}

func (s *bm25Searcher) match(ctx *search.SearchContext, tfd *bleveindex.TermFieldDoc) *search.DocumentMatch {
	dm := ctx.DocumentMatchPool.Get()
	dm.IndexInternalID = bleveindex.NewIndexInternalIDFrom(dm.IndexInternalID, tfd.ID)
	if s.score {
		dm.Score = s.boost * bm25Score(s.idf, s.avg, tfd.Freq, tfd.Norm)
	}
	for _, v := range tfd.Vectors {
		var ap search.ArrayPositions
		if len(v.ArrayPositions) > 0 {
			ap = append(ap, v.ArrayPositions...)
		}
		dm.FieldTermLocations = append(dm.FieldTermLocations, search.FieldTermLocation{
			Field:    v.Field,
			Term:     s.term,
			Location: search.Location{Pos: v.Pos, Start: v.Start, End: v.End, ArrayPositions: ap},
		})
	}
	return dm
}

// Next implements search.Searcher.
func (s *bm25Searcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	tfd, err := s.reader.Next(s.tfd.Reset())
	if err != nil || tfd == nil {
		return nil, err
	}
	return s.match(ctx, tfd), nil
}

// Advance implements search.Searcher.
func (s *bm25Searcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	tfd, err := s.reader.Advance(id, s.tfd.Reset())
	if err != nil || tfd == nil {
		return nil, err
	}
	return s.match(ctx, tfd), nil
}

// Close implements search.Searcher.
func (s *bm25Searcher) Close() error { return s.reader.Close() }

// Weight implements search.Searcher. The weight is 1 and the query norm
// is ignored: a BM25 score does not depend on the other terms.
func (s *bm25Searcher) Weight() float64 { return 1 }

// SetQueryNorm implements search.Searcher; see Weight.
func (s *bm25Searcher) SetQueryNorm(float64) {}

// Count implements search.Searcher.
func (s *bm25Searcher) Count() uint64 { return s.reader.Count() }

// Min implements search.Searcher.
func (s *bm25Searcher) Min() int { return 0 }

// Size implements search.Searcher.
func (s *bm25Searcher) Size() int { return 64 + s.reader.Size() + s.tfd.Size() }

// DocumentMatchPoolSize implements search.Searcher.
func (s *bm25Searcher) DocumentMatchPoolSize() int { return 1 }

// textLengths caches the average length of index.FieldText of the last
// index snapshot searched: counting it reads the length dictionary and a
// posting count per distinct length, which a snapshot needs once.
type textLengths struct {
	mu   sync.Mutex
	snap weak.Pointer[scorch.IndexSnapshot]
	avg  float64
}

// average returns the mean of index.FieldText's length over the live
// documents of r (1 for an empty index). Deleted documents that a merge
// has not yet dropped are not counted, so the figure, and every score,
// depends only on the articles r holds.
func (c *textLengths) average(ctx context.Context, r bleveindex.IndexReader) (float64, error) {
	is, cacheable := r.(*scorch.IndexSnapshot)
	if cacheable && c != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.snap.Value() == is {
			return c.avg, nil
		}
	}
	avg, err := readAverageTextLength(ctx, r)
	if err == nil && cacheable && c != nil {
		c.snap, c.avg = weak.Make(is), avg
	}
	return avg, err
}

func readAverageTextLength(ctx context.Context, r bleveindex.IndexReader) (float64, error) {
	fd, err := r.FieldDict(index.FieldTextLength)
	if err != nil {
		return 0, fmt.Errorf("search: read text lengths: %w", err)
	}
	defer fd.Close()
	var sum, docs float64
	for {
		e, err := fd.Next()
		if err != nil {
			return 0, fmt.Errorf("search: read text lengths: %w", err)
		}
		if e == nil {
			break
		}
		n, err := strconv.Atoi(e.Term)
		if err != nil {
			continue
		}
		tfr, err := r.TermFieldReader(ctx, []byte(e.Term), index.FieldTextLength, false, false, false)
		if err != nil {
			return 0, fmt.Errorf("search: count text length %s: %w", e.Term, err)
		}
		live := float64(tfr.Count())
		_ = tfr.Close()
		sum += float64(n) * live
		docs += live
	}
	if docs == 0 || sum == 0 {
		return 1, nil
	}
	return sum / docs, nil
}
