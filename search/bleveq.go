package search

import (
	"context"
	"errors"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// bleveSearch runs breq through runSearch (field-data facets, cached
// ids: several times faster than Bleve's SearchInContext on many hits),
// retrying once if a rebuild closed the generation it started on (as the
// lexical path does).
func (e *Engine) bleveSearch(ctx context.Context, breq *bleve.SearchRequest) (*bleve.SearchResult, error) {
	res, _, err := e.runSearch(ctx, breq)
	if errors.Is(err, bleve.ErrorIndexClosed) {
		res, _, err = e.runSearch(ctx, breq)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search: %w", ctx.Err())
		}
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// lexicalTop returns the top n articles of q by lexical score, the number
// of articles q matches and, if r asks for them, q's facets.
func (e *Engine) lexicalTop(ctx context.Context, q query.Query, n int, r *Request) ([]ranked, *bleve.SearchResult, error) {
	breq := bleve.NewSearchRequestOptions(q, n, 0, false)
	breq.SortByCustom(sortFor(SortRelevance))
	addFacets(breq, r)
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, nil, err
	}
	out := make([]ranked, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = ranked{id: h.ID, score: h.Score, passage: -1, lexical: h.Score, hasLexical: true}
	}
	return out, res, nil
}

// idsQuery matches exactly ids (nothing when ids is empty).
func idsQuery(ids []string) query.Query {
	if len(ids) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDocIDQuery(ids)
}

// members returns those of ids that q matches.
func (e *Engine) members(ctx context.Context, q query.Query, ids []string) (map[string]bool, error) {
	breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(idsQuery(ids), q), len(ids), 0, false)
	breq.SortBy([]string{"_id"})
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out, nil
}
