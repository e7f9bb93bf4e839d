package search

import (
	"context"
	"slices"
	"strings"
)

// Limits of FacetValues.
const (
	// DefaultFacetListSize is the values a facet list gives by default:
	// enough for a spreadsheet of every outlet or of a query's people.
	DefaultFacetListSize = 1000
	// MaxFacetListSize bounds FacetValues' size.
	MaxFacetListSize = 10000
)

// FacetList is one facet of a match set with up to size values.
type FacetList struct {
	Facet string `json:"facet"`
	// Total is the size of the match set.
	Total  uint64       `json:"total"`
	Values []FacetValue `json:"values"`
	// Other counts the (article, value) pairs of the set whose value is
	// not listed: 0 when Values is complete, else raise size.
	Other int `json:"other"`
	// FiltersResolved and Suggestions are as in Results.
	FiltersResolved map[string][]Resolution `json:"filters_resolved,omitempty"`
	Suggestions     map[string][]Bucket     `json:"suggestions,omitempty"`
}

// FacetValue is one value of a facet with its article count; a leader
// has the office most of those articles saw them in.
type FacetValue struct {
	Value  string `json:"value"`
	Count  int    `json:"count"`
	Office string `json:"office,omitempty"`
}

// FacetValues returns the values of facet (one of ListFacets) over the
// match set of r (its query, filters, dates, op and collapse; the rest
// is ignored), most articles first, ties by value: the counts
// /v1/search's facets give for the values both show. size 0 means
// DefaultFacetListSize. Bad parameters come back as *ParamError.
func (e *Engine) FacetValues(ctx context.Context, facet string, r Request, size int) (*FacetList, error) {
	if !slices.Contains(ListFacets, facet) {
		return nil, paramErr("name", "unknown facet %q, want one of %s", facet, strings.Join(ListFacets, ", "))
	}
	if size == 0 {
		size = DefaultFacetListSize
	}
	if size < 1 || size > MaxFacetListSize {
		return nil, paramErr("size", "size %d out of range 1..%d", size, MaxFacetListSize)
	}
	r, err := e.setRequest(r)
	if err != nil {
		return nil, err
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return nil, err
	}
	// Normalize caps FacetSize for searches; the list goes past it.
	r.Facets, r.FacetSize = []string{facet}, size
	res, err := e.count(ctx, p.strict, &r, true)
	if err != nil {
		return nil, err
	}
	out := &FacetList{Facet: facet, Total: res.Total, Values: []FacetValue{}, FiltersResolved: resolved, Suggestions: sugg}
	for _, b := range facetsOf(res.Facets, &r)[facet] {
		out.Values = append(out.Values, FacetValue{Value: b.Value, Count: b.Count, Office: b.Office})
	}
	if fr := res.Facets[facet]; fr != nil {
		out.Other = fr.Other
	}
	return out, nil
}
