package search

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Limits and defaults of a Request.
const (
	DefaultSize        = 10
	MaxSize            = 100
	DefaultSnippets    = 3
	MaxSnippets        = 10
	DefaultSnippetSize = 200
	MinSnippetSize     = 40
	MaxSnippetSize     = 1000
	DefaultFacetSize   = 10
	MaxFacetSize       = 100
	// MaxPageDepth bounds page*size; deeper pages need a cursor.
	MaxPageDepth = 10000
	// MaxFilterValues bounds the values of one filter parameter.
	MaxFilterValues = 50
	// DefaultNeighbours and MaxNeighbours bound Request.Neighbours, the
	// semantic neighbours a hybrid ranking may add to the match set.
	DefaultNeighbours = 20
	MaxNeighbours     = 100
)

// Operators between the words of a query written side by side (Request.Op)
// and between the values of one filter (Request.FilterOps).
const (
	OpAnd = "and"
	OpOr  = "or"
)

// CountRelated is the value of Request.Count that makes facets and date
// sorts cover the related hits too.
const CountRelated = "related"

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
	SortDateAsc   = "date_asc"
)

// Histogram intervals.
var intervals = []string{"day", "week", "month", "year"}

// Request is one search. The zero value of a field means its default; call
// Normalize to apply defaults and check ranges.
type Request struct {
	Query string
	// Filters maps a filter name (person, outlet, cited, place, leader) to
	// canonical values: OR within one name (unless FilterOps says and),
	// AND across names.
	Filters map[string][]string
	// FilterOps maps a filter name to OpAnd when an article must carry all
	// of its values; the default is OpOr.
	FilterOps map[string]string
	// Op joins the words of the query written side by side: OpAnd (the
	// default) or OpOr.
	Op string
	// Neighbours is how many semantic neighbours (articles near in meaning
	// that do not match the words) a hybrid ranking may add; 0 means
	// DefaultNeighbours and -1 none.
	Neighbours int
	// Count is "" (facets and date sorts cover the match set) or
	// CountRelated (they cover the related hits too, counted apart).
	Count string
	// From and To bound the published date, inclusive days; zero = open.
	From, To time.Time

	Sort        string
	Size        int
	Page        int
	Cursor      string
	Snippets    int // -1 means none; 0 the default
	SnippetSize int
	Facets      []string // nil = all; empty non-nil = none
	FacetSize   int
	Interval    string
	// Collapse folds wire copies into their best hit (default true).
	Collapse *bool
	// Mode is lexical, semantic or hybrid; "" picks the engine's default.
	Mode string
	// Explain adds to each hit the parts of its score and the query words
	// it matches (Hit.Explain); it changes neither the hits nor their order.
	Explain bool
}

// ParamError is a bad request parameter; API answers 400 with it.
type ParamError struct {
	Param string
	// Pos is the byte position of a query syntax error, or -1.
	Pos int
	Msg string
}

func (e *ParamError) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("parameter %s: %s (at position %d)", e.Param, e.Msg, e.Pos)
	}
	return fmt.Sprintf("parameter %s: %s", e.Param, e.Msg)
}

func paramErr(param, format string, args ...any) error {
	return &ParamError{Param: param, Pos: -1, Msg: fmt.Sprintf(format, args...)}
}

// IsParamError reports whether err is a *ParamError.
func IsParamError(err error) bool {
	var pe *ParamError
	return errors.As(err, &pe)
}

// Normalize applies defaults and checks every parameter, returning a
// *ParamError naming the first bad one. It is idempotent: normalising a
// normalised request changes nothing.
func (r *Request) Normalize() error {
	if len(r.Query) > 4096 {
		return paramErr("q", "query is %d bytes, the limit is 4096", len(r.Query))
	}
	switch r.Sort {
	case "":
		r.Sort = SortRelevance
	case SortRelevance, SortDate, SortDateAsc:
	default:
		return paramErr("sort", "unknown sort %q, want relevance, date or date_asc", r.Sort)
	}
	if r.Size == 0 {
		r.Size = DefaultSize
	}
	if r.Size < 1 || r.Size > MaxSize {
		return paramErr("size", "size %d out of range 1..%d", r.Size, MaxSize)
	}
	if r.Page == 0 {
		r.Page = 1
	}
	if r.Page < 1 {
		return paramErr("page", "page %d must be 1 or more", r.Page)
	}
	if r.Page*r.Size > MaxPageDepth {
		return paramErr("page", "page %d of size %d goes past %d results; use cursor (next_cursor) for deep paging", r.Page, r.Size, MaxPageDepth)
	}
	if r.Cursor != "" && r.Page != 1 {
		return paramErr("cursor", "cursor and page cannot be combined")
	}
	// -1 (none) stays -1: turning it into 0 would make a second
	// Normalize give the default.
	switch {
	case r.Snippets == 0:
		r.Snippets = DefaultSnippets
	case r.Snippets < -1 || r.Snippets > MaxSnippets:
		return paramErr("snippets", "snippets %d out of range 0..%d", r.Snippets, MaxSnippets)
	}
	if r.SnippetSize == 0 {
		r.SnippetSize = DefaultSnippetSize
	}
	if r.SnippetSize < MinSnippetSize || r.SnippetSize > MaxSnippetSize {
		return paramErr("snippet_size", "snippet_size %d out of range %d..%d", r.SnippetSize, MinSnippetSize, MaxSnippetSize)
	}
	if r.Facets == nil {
		r.Facets = slices.Clone(AllFacets)
	}
	for _, f := range r.Facets {
		if !slices.Contains(AllFacets, f) {
			return paramErr("facets", "unknown facet %q, want any of %s", f, strings.Join(AllFacets, ","))
		}
	}
	if r.FacetSize == 0 {
		r.FacetSize = DefaultFacetSize
	}
	if r.FacetSize < 1 || r.FacetSize > MaxFacetSize {
		return paramErr("facet_size", "facet_size %d out of range 1..%d", r.FacetSize, MaxFacetSize)
	}
	if r.Interval == "" {
		r.Interval = "month"
	}
	if !slices.Contains(intervals, r.Interval) {
		return paramErr("interval", "unknown interval %q, want day, week, month or year", r.Interval)
	}
	for name, vals := range r.Filters {
		if !slices.Contains(FilterNames, name) {
			return paramErr(name, "unknown filter %q, want one of %s", name, strings.Join(FilterNames, ", "))
		}
		if len(vals) > MaxFilterValues {
			return paramErr(name, "%d values, the limit is %d", len(vals), MaxFilterValues)
		}
		for _, v := range vals {
			if strings.TrimSpace(v) == "" {
				return paramErr(name, "empty value")
			}
			if len(v) > 200 {
				return paramErr(name, "value is %d bytes, the limit is 200", len(v))
			}
		}
	}
	for name, op := range r.FilterOps {
		if !slices.Contains(FilterNames, name) {
			return paramErr(name+"_op", "unknown filter %q, want one of %s", name, strings.Join(FilterNames, ", "))
		}
		if op != OpAnd && op != OpOr {
			return paramErr(name+"_op", "unknown operator %q, want and or or", op)
		}
	}
	switch r.Op {
	case "":
		r.Op = OpAnd
	case OpAnd, OpOr:
	default:
		return paramErr("op", "unknown operator %q, want and or or", r.Op)
	}
	switch {
	case r.Neighbours == 0:
		r.Neighbours = DefaultNeighbours
	case r.Neighbours < -1 || r.Neighbours > MaxNeighbours:
		return paramErr("k", "k %d out of range 0..%d", r.Neighbours, MaxNeighbours)
	}
	if r.Count != "" && r.Count != CountRelated {
		return paramErr("count", "unknown count %q, want related (or leave it out)", r.Count)
	}
	if !r.From.IsZero() && !r.To.IsZero() && r.To.Before(r.From) {
		return paramErr("to", "to %s is before from %s", r.To.Format(time.DateOnly), r.From.Format(time.DateOnly))
	}
	switch r.Mode {
	case "", ModeLexical, ModeSemantic, ModeHybrid:
	default:
		return paramErr("mode", "unknown mode %q, want lexical, semantic or hybrid", r.Mode)
	}
	return nil
}

// Search modes.
const (
	ModeLexical  = "lexical"
	ModeSemantic = "semantic"
	ModeHybrid   = "hybrid"
)

// ParseDate parses a YYYY-MM-DD date parameter.
func ParseDate(param, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, paramErr(param, "date %q is not YYYY-MM-DD", s)
	}
	// The index stores dates as nanoseconds since 1970 (years 1678–2261).
	if t.Year() < 1700 || t.Year() > 2200 {
		return time.Time{}, paramErr(param, "date %q is out of range 1700-01-01..2200-12-31", s)
	}
	return t, nil
}
