package search

import (
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/vector"
)

// vectorFilter turns r's filters into the vector store's, with the same
// meaning as withFilters: OR within a name, AND across names, dates
// inclusive.
func vectorFilter(r *Request) vector.Filter {
	var f vector.Filter
	for _, name := range FilterNames {
		vals := r.Filters[name]
		if len(vals) == 0 {
			continue
		}
		field := filterField(name)
		if r.FilterOps[name] == OpAnd {
			for _, v := range vals {
				f.Groups = append(f.Groups, []string{index.FilterLabel(field, v)})
			}
			continue
		}
		g := make([]string, len(vals))
		for i, v := range vals {
			g[i] = index.FilterLabel(field, v)
		}
		f.Groups = append(f.Groups, g)
	}
	if !r.From.IsZero() {
		f.From = r.From
	}
	if !r.To.IsZero() {
		f.To = r.To.AddDate(0, 0, 1)
	}
	if r.Collapse == nil || *r.Collapse {
		f.Without = []string{index.DupLabel} // as withFilters folds wire copies
	}
	return f
}

// withFilters ANDs the request's filters and date range onto q.
func withFilters(q query.Query, r *Request) query.Query {
	var must []query.Query
	dated := false
	for _, name := range FilterNames {
		vals := r.Filters[name]
		if len(vals) == 0 {
			continue
		}
		field := filterField(name)
		var any []query.Query
		for _, v := range vals {
			tq := bleve.NewTermQuery(index.FilterValue(v))
			tq.SetField(field)
			// Bleve's disjunction ignores its own boost, so the zero
			// boost below must reach every value.
			tq.SetBoost(0)
			any = append(any, tq)
		}
		switch {
		case len(any) == 1 || r.FilterOps[name] == OpAnd:
			must = append(must, any...)
		default:
			must = append(must, bleve.NewDisjunctionQuery(any...))
		}
	}
	if !r.From.IsZero() || !r.To.IsZero() {
		var start, end time.Time
		if !r.From.IsZero() {
			start = r.From
		}
		if !r.To.IsZero() {
			end = r.To.AddDate(0, 0, 1)
		}
		t, f := true, false
		dq := bleve.NewDateRangeInclusiveQuery(start, end, &t, &f)
		dq.SetField(index.FieldPublished)
		must = append(must, dq)
		dated = true
	}
	collapse := r.Collapse == nil || *r.Collapse
	if len(must) == 0 && !collapse {
		return q
	}
	// Filters must not change scores: they are added with zero boost.
	for _, m := range must {
		if b, ok := m.(query.BoostableQuery); ok {
			b.SetBoost(0)
		}
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q)
	if len(must) > 0 {
		bq.AddMust(must...)
	}
	if collapse {
		// Wire copies fold into their group's first article.
		bq.AddMustNot(dupQuery())
	}
	return &filteredQuery{boolean: bq, scored: q, filters: must, dates: dated, collapse: collapse}
}
