package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex/index"
)

// MatchSet is a request's match set (list.go: its query as the query
// language reads it, within its resolved filters, wire copies folded
// unless the request turns collapse off), compiled once so that batches
// of new articles can be tested against it. Saved searches (package
// alert) use it to find which newly indexed articles they match without
// searching the whole index.
type MatchSet struct {
	q query.Query
}

// CompileMatch returns r's match set. It validates r exactly as Search
// does: a bad parameter or query comes back as a *ParamError (with the
// position in q for a syntax error). Filters are resolved to their
// canonical values now, against the index as it is.
func (e *Engine) CompileMatch(ctx context.Context, r Request) (*MatchSet, error) {
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	if _, _, err := e.resolveFilters(ctx, &r); err != nil {
		return nil, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return nil, err
	}
	return &MatchSet{q: p.strict}, nil
}

// Members returns those of ids that belong to m, in the order of ids.
// The search is restricted to ids, so its cost grows with len(ids) and the
// query's terms, not with the index.
func (e *Engine) Members(ctx context.Context, m *MatchSet, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	in, err := e.members(ctx, m.q, ids)
	if err != nil {
		return nil, fmt.Errorf("match %d articles: %w", len(ids), err)
	}
	var out []string
	for _, id := range ids {
		if in[id] {
			out = append(out, id)
			delete(in, id) // an id given twice is returned once
		}
	}
	return out, nil
}

// MatchIDs returns those of ids that are in r's match set: CompileMatch
// then Members.
func (e *Engine) MatchIDs(ctx context.Context, r Request, ids []string) ([]string, error) {
	m, err := e.CompileMatch(ctx, r)
	if err != nil {
		return nil, err
	}
	return e.Members(ctx, m, ids)
}

// Duplicates returns how many wire copies each of ids leads (ids without
// copies are absent), with one query for all.
func (e *Engine) Duplicates(ctx context.Context, ids []string) (map[string]int, error) {
	out := map[string]int{}
	if len(ids) == 0 {
		return out, nil
	}
	qs := make([]query.Query, 0, len(ids))
	for _, id := range ids {
		t := bleve.NewTermQuery(id)
		t.SetField(index.FieldDupOf)
		qs = append(qs, t)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 0, 0, false)
	req.AddFacet("dups", bleve.NewFacetRequest(index.FieldDupOf, len(ids)))
	res, err := e.bleveSearch(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("count wire copies of %d articles: %w", len(ids), err)
	}
	if f := res.Facets["dups"]; f != nil && f.Terms != nil {
		for _, t := range f.Terms.Terms() {
			out[t.Term] = t.Count
		}
	}
	return out, nil
}
