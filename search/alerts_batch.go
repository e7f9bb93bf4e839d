package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// Members restricted to a batch's ids spent most of its time looking the
// ids up: Bleve's DocID searcher finds every id in every segment's id
// dictionary, once per alert, so 1,000 alerts over a batch of 2,000
// articles made two million lookups per segment. MatchBatch looks the
// batch up once, in one snapshot, and tests every match set against the
// internal ids it found, through the same query (the exact match set, as
// in search).

// BatchMatch is the outcome of testing match sets against one batch.
type BatchMatch struct {
	// Members holds, for each set, those of the batch's ids it holds, in
	// the order of the ids (nil for a nil set).
	Members [][]string
	// Articles holds the stored article of every id some set holds.
	Articles map[string]newsdex.Article
}

// MatchBatch tests each of sets against the articles ids, all in one
// snapshot of the index. cands, when not nil, narrows what set i is
// tested against to cands(i), a subset of ids (a prefilter that knows the
// set cannot hold the others); a set with no candidates costs nothing.
func (e *Engine) MatchBatch(ctx context.Context, sets []*MatchSet, ids []string, cands func(i int) []string) (*BatchMatch, error) {
	out, err := e.matchBatch(ctx, sets, ids, cands)
	if errors.Is(err, bleve.ErrorIndexClosed) {
		// A rebuild closed the generation: the next one holds the batch.
		out, err = e.matchBatch(ctx, sets, ids, cands)
	}
	if err != nil {
		return nil, fmt.Errorf("match %d articles against %d sets: %w", len(ids), len(sets), err)
	}
	return out, nil
}

func (e *Engine) matchBatch(ctx context.Context, sets []*MatchSet, ids []string, cands func(i int) []string) (*BatchMatch, error) {
	out := &BatchMatch{Members: make([][]string, len(sets)), Articles: map[string]newsdex.Article{}}
	if len(ids) == 0 || len(sets) == 0 {
		return out, nil
	}
	bi := e.src.Bleve()
	adv, err := bi.Advanced()
	if err != nil {
		return nil, err
	}
	reader, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("open index reader: %w", err)
	}
	if is, ok := reader.(*scorch.IndexSnapshot); ok && is == nil {
		return nil, bleve.ErrorIndexClosed
	}
	defer reader.Close()
	m := bi.Mapping()
	all, err := lookUp(reader, ids)
	if err != nil {
		return nil, err
	}
	var internal map[string]bleveindex.IndexInternalID // id → internal id, for subsets
	if cands != nil {
		internal = make(map[string]bleveindex.IndexInternalID, len(all.ids))
		for _, in := range all.ids {
			id, err := reader.ExternalID(in)
			if err != nil {
				return nil, fmt.Errorf("id of a batch article: %w", err)
			}
			internal[id] = in
		}
	}
	held := map[string]bool{}
	for i, set := range sets {
		if set == nil {
			continue
		}
		docs, want := all, ids
		if cands != nil {
			want = cands(i)
			if len(want) == 0 {
				continue
			}
			if len(want) < len(ids) {
				docs = subset(internal, want)
			}
		}
		if len(docs.ids) == 0 {
			continue
		}
		breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(docs, set.q), len(want), 0, false)
		breq.SortBy([]string{"_id"})
		res, _, err := e.searchReader(ctx, breq, reader, m, time.Now())
		if err != nil {
			return nil, err
		}
		in := make(map[string]bool, len(res.Hits))
		for _, h := range res.Hits {
			in[h.ID] = true
		}
		for _, id := range want {
			if in[id] {
				out.Members[i] = append(out.Members[i], id)
				delete(in, id) // an id given twice is returned once
				held[id] = true
			}
		}
	}
	if len(held) == 0 {
		return out, nil
	}
	// The stored articles of the members, in the same snapshot.
	var keep []string
	for _, id := range ids {
		if held[id] {
			keep = append(keep, id)
			delete(held, id)
		}
	}
	docs, err := lookUp(reader, keep)
	if err != nil {
		return nil, err
	}
	breq := bleve.NewSearchRequestOptions(docs, len(keep), 0, false)
	breq.Fields = []string{index.FieldSource}
	res, _, err := e.searchReader(ctx, breq, reader, m, time.Now())
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		a, err := decodeSource(h)
		if err != nil {
			return nil, err
		}
		out.Articles[h.ID] = a
	}
	return out, nil
}

// docList is a query for a fixed list of documents of one snapshot: the
// internal ids of a DocID query, looked up once and reused by every
// search of that snapshot.
type docList struct {
	ids []bleveindex.IndexInternalID // ascending
}

// lookUp returns the documents of reader's snapshot with the given ids
// (those not in it are left out).
func lookUp(reader bleveindex.IndexReader, ids []string) (*docList, error) {
	r, err := reader.DocIDReaderOnly(ids)
	if err != nil {
		return nil, fmt.Errorf("look up %d ids: %w", len(ids), err)
	}
	defer r.Close()
	l := &docList{}
	for {
		id, err := r.Next()
		if err != nil {
			return nil, fmt.Errorf("look up %d ids: %w", len(ids), err)
		}
		if id == nil {
			break
		}
		l.ids = append(l.ids, slices.Clone(id))
	}
	// The snapshot's reader gives them in order; keep that a fact.
	slices.SortFunc(l.ids, func(a, b bleveindex.IndexInternalID) int { return a.Compare(b) })
	return l, nil
}

// subset returns the documents of want found in internal.
func subset(internal map[string]bleveindex.IndexInternalID, want []string) *docList {
	l := &docList{}
	for _, id := range want {
		if in, ok := internal[id]; ok {
			l.ids = append(l.ids, in)
		}
	}
	slices.SortFunc(l.ids, func(a, b bleveindex.IndexInternalID) int { return a.Compare(b) })
	l.ids = slices.CompactFunc(l.ids, func(a, b bleveindex.IndexInternalID) bool { return a.Equals(b) })
	return l
}

// Searcher implements query.Query.
func (l *docList) Searcher(_ context.Context, _ bleveindex.IndexReader, _ mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	return &docListSearcher{ids: l.ids, scorer: scorer.NewConstantScorer(1.0, 1.0, opts)}, nil
}

var _ query.Query = (*docList)(nil)

// docListSearcher is Bleve's DocIDSearcher over ids already looked up.
type docListSearcher struct {
	ids    []bleveindex.IndexInternalID
	next   int
	scorer *scorer.ConstantScorer
}

func (s *docListSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if s.next >= len(s.ids) {
		return nil, nil
	}
	s.next++
	return s.scorer.Score(ctx, s.ids[s.next-1]), nil
}

func (s *docListSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	i, _ := slices.BinarySearchFunc(s.ids[s.next:], id, func(a, b bleveindex.IndexInternalID) int { return a.Compare(b) })
	s.next += i
	return s.Next(ctx)
}

func (s *docListSearcher) Weight() float64            { return s.scorer.Weight() }
func (s *docListSearcher) SetQueryNorm(qnorm float64) { s.scorer.SetQueryNorm(qnorm) }
func (s *docListSearcher) Count() uint64              { return uint64(len(s.ids)) }
func (s *docListSearcher) Min() int                   { return 0 }
func (s *docListSearcher) Size() int                  { return 64 + 8*len(s.ids) }
func (s *docListSearcher) DocumentMatchPoolSize() int { return 1 }
func (s *docListSearcher) Close() error               { return nil }
