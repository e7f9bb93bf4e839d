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
	// Tested counts the sets the exact query ran for, and Candidates
	// the articles it ran on, summed over them: what the prefilter left.
	Tested, Candidates int
}

// BatchOptions tunes MatchBatch. The zero value is the production
// behaviour.
type BatchOptions struct {
	// Plain tests every set against the whole batch, without the
	// prefilter (alerts_prefilter.go): the reference its tests compare
	// with.
	Plain bool
}

// MatchBatch tests each of sets against the articles ids, all in one
// snapshot of the index. The members are those of the exact match set,
// as in search; a prefilter skips the articles (and the sets) that
// cannot match.
func (e *Engine) MatchBatch(ctx context.Context, sets []*MatchSet, ids []string, o BatchOptions) (*BatchMatch, error) {
	out, err := e.matchBatch(ctx, sets, ids, o)
	if errors.Is(err, bleve.ErrorIndexClosed) {
		// A rebuild closed the generation: the next one holds the batch.
		out, err = e.matchBatch(ctx, sets, ids, o)
	}
	if err != nil {
		return nil, fmt.Errorf("match %d articles against %d sets: %w", len(ids), len(sets), err)
	}
	return out, nil
}

func (e *Engine) matchBatch(ctx context.Context, sets []*MatchSet, ids []string, o BatchOptions) (*BatchMatch, error) {
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
	if len(all.ids) == 0 {
		return out, nil
	}
	// The clauses of each set, and which articles hold their terms.
	var need [][]termClause
	var terms map[fieldTerm]docBits
	if !o.Plain {
		need = make([][]termClause, len(sets))
		terms = map[fieldTerm]docBits{}
		for i, set := range sets {
			if set == nil {
				continue
			}
			need[i] = needs(set.q)
			for _, c := range need[i] {
				for _, ft := range c {
					terms[ft] = nil
				}
			}
		}
		if err := termPresence(ctx, reader, all, terms); err != nil {
			return nil, err
		}
	}
	held := map[string]bool{}
	for i, set := range sets {
		if set == nil {
			continue
		}
		docs := all
		if need != nil && len(need[i]) > 0 {
			if docs = candidateDocs(all, need[i], terms); len(docs.ids) == 0 {
				continue
			}
		}
		out.Tested++
		out.Candidates += len(docs.ids)
		breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(docs, set.q), len(docs.ids), 0, false)
		breq.SortBy([]string{"_id"})
		res, _, err := e.searchReader(ctx, breq, reader, m, time.Now())
		if err != nil {
			return nil, err
		}
		in := make(map[string]bool, len(res.Hits))
		for _, h := range res.Hits {
			in[h.ID] = true
		}
		for _, id := range ids {
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
