package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex/index"
)

// Attention over time.
//
// A timeline counts, per date bucket, the match set of each of its series
// (list.go: the set /v1/search's total counts, in lexical and hybrid mode
// alike) and, as the denominator of attention, every article under the
// same filters without the query. A bucket's count is therefore the total
// of the same search restricted to the bucket's dates, and its all the
// total of an empty query under the filters and those dates.

// Limits and defaults of a timeline.
const (
	// MaxSeries bounds the queries of one timeline.
	MaxSeries = 8
	// DefaultSplitSize and MaxSplitSize bound TimelineRequest.SplitSize.
	DefaultSplitSize = 5
	MaxSplitSize     = 20
	// IntervalAuto picks the interval by the span of the dates.
	IntervalAuto = "auto"
	// maxAutoBuckets is the most buckets auto allows before it picks a
	// coarser interval; the coarser one then gives at least a seventh as
	// many (60 days are 9 weeks), about 10–60 buckets.
	maxAutoBuckets = 60
)

// TimelineRequest is one timeline: its series' queries and what they share.
type TimelineRequest struct {
	// Queries are the series' queries, 1 to MaxSeries; "" counts every
	// article under the filters.
	Queries []string
	// Labels name the series in the order of Queries; a missing or empty
	// label is the query.
	Labels []string
	// Filters holds what every series shares: Filters, FilterOps, Op,
	// From, To and Collapse. Its Query and paging fields are ignored.
	Filters Request
	// Interval is day, week, month (the default), year or auto.
	Interval string
	// Split, a filter name (person, outlet, cited, place, leader), turns
	// the single query into one series per top value of that facet in its
	// match set: the SplitSize values with the most articles.
	Split     string
	SplitSize int
}

// Timeline is the answer to a TimelineRequest.
type Timeline struct {
	// Interval is the bucket size used (auto resolved).
	Interval string   `json:"interval"`
	Series   []Series `json:"series"`
	// FiltersResolved and Suggestions are as in Results.
	FiltersResolved map[string][]Resolution `json:"filters_resolved,omitempty"`
	Suggestions     map[string][]Bucket     `json:"suggestions,omitempty"`
}

// Series is one query of a timeline with a bucket per interval.
type Series struct {
	Q     string `json:"q"`
	Label string `json:"label"`
	// Split and Value name the facet value a split series is restricted
	// to; its all is restricted to it too (the value's share of its own
	// coverage).
	Split string `json:"split,omitempty"`
	Value string `json:"value,omitempty"`
	// Total is the size of the match set, articles without a date
	// included (they fall in no bucket).
	Total   uint64       `json:"total"`
	Buckets []TimeBucket `json:"buckets"`
}

// TimeBucket is one interval of a series: [From, To) in dates.
type TimeBucket struct {
	Key   string `json:"key"`
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
	// All is the number of articles of the bucket under the same filters
	// without the query; Share is Count/All (0 when All is 0).
	All   int     `json:"all"`
	Share float64 `json:"share"`
}

// timelineSeries is a series being counted: its match set and the set of
// its denominator.
type timelineSeries struct {
	Series
	set, all query.Query
}

// Timeline counts each series of tr per date bucket. Bad parameters come
// back as *ParamError.
func (e *Engine) Timeline(ctx context.Context, tr TimelineRequest) (*Timeline, error) {
	r, err := e.setRequest(tr.Filters)
	if err != nil {
		return nil, err
	}
	if err := tr.check(); err != nil {
		return nil, err
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	all := withFilters(bleve.NewMatchAllQuery(), &r)
	var series []timelineSeries
	for i, q := range tr.Queries {
		strict, err := e.matchSet(&r, q, len(tr.Queries) > 1, i)
		if err != nil {
			return nil, err
		}
		label := q
		if i < len(tr.Labels) && tr.Labels[i] != "" {
			label = tr.Labels[i]
		}
		series = append(series, timelineSeries{Series: Series{Q: q, Label: label}, set: strict, all: all})
	}
	if tr.Split != "" {
		if series, err = e.split(ctx, series[0], &r, tr.Split, tr.SplitSize); err != nil {
			return nil, err
		}
	}
	interval := tr.Interval
	if interval == IntervalAuto {
		if interval, err = e.autoInterval(ctx, series); err != nil {
			return nil, err
		}
	}
	out := &Timeline{Interval: interval, Series: make([]Series, 0, len(series)), FiltersResolved: resolved, Suggestions: sugg}
	counts := make([]map[string]int, len(series))
	first, last := "", ""
	for i, s := range series {
		n, hist, err := e.histogram(ctx, s.set, interval)
		if err != nil {
			return nil, err
		}
		series[i].Total, counts[i] = n, hist
		for k, c := range hist {
			if c == 0 {
				continue
			}
			if first == "" || k < first {
				first = k
			}
			if k > last {
				last = k
			}
		}
	}
	keys, err := bucketKeys(first, last, interval)
	if err != nil {
		return nil, err
	}
	// Series that share their denominator (all but split series) count it
	// once.
	alls := map[query.Query]map[string]int{}
	for i, s := range series {
		allHist, ok := alls[s.all]
		if !ok {
			if _, allHist, err = e.histogram(ctx, s.all, interval); err != nil {
				return nil, err
			}
			alls[s.all] = allHist
		}
		s.Buckets = make([]TimeBucket, 0, len(keys))
		for _, k := range keys {
			from, to := bucketRange(k, interval)
			b := TimeBucket{Key: k, From: from, To: to, Count: counts[i][k], All: allHist[k]}
			if b.All > 0 {
				b.Share = float64(b.Count) / float64(b.All)
			}
			s.Buckets = append(s.Buckets, b)
		}
		out.Series = append(out.Series, s.Series)
	}
	return out, nil
}

// check refuses a timeline request the engine cannot answer and fills in
// its defaults.
func (tr *TimelineRequest) check() error {
	switch {
	case len(tr.Queries) == 0:
		tr.Queries = []string{""}
	case len(tr.Queries) > MaxSeries:
		return paramErr("q", "%d queries, the limit is %d series", len(tr.Queries), MaxSeries)
	}
	if len(tr.Labels) > len(tr.Queries) {
		return paramErr("label", "%d labels for %d queries; give at most one label per q, in the same order", len(tr.Labels), len(tr.Queries))
	}
	for _, l := range tr.Labels {
		if len(l) > 200 {
			return paramErr("label", "label is %d bytes, the limit is 200", len(l))
		}
	}
	if tr.Interval == "" {
		tr.Interval = "month"
	}
	if tr.Interval != IntervalAuto && !slices.Contains(intervals, tr.Interval) {
		return paramErr("interval", "unknown interval %q, want day, week, month, year or auto", tr.Interval)
	}
	if tr.Split == "" {
		if tr.SplitSize != 0 {
			return paramErr("split_size", "split_size needs split")
		}
		return nil
	}
	if !slices.Contains(SplitNames, tr.Split) {
		return paramErr("split", "unknown split %q, want one of %s", tr.Split, strings.Join(SplitNames, ", "))
	}
	if len(tr.Queries) > 1 {
		return paramErr("split", "split takes a single q, got %d", len(tr.Queries))
	}
	if tr.SplitSize == 0 {
		tr.SplitSize = DefaultSplitSize
	}
	if tr.SplitSize < 1 || tr.SplitSize > MaxSplitSize {
		return paramErr("split_size", "split_size %d out of range 1..%d", tr.SplitSize, MaxSplitSize)
	}
	return nil
}

// setRequest normalises the request that defines a match set (query,
// filters, dates, op, collapse), dropping everything else it holds.
func (e *Engine) setRequest(in Request) (Request, error) {
	r := Request{Query: in.Query, Filters: in.Filters, FilterOps: in.FilterOps, Op: in.Op, From: in.From, To: in.To,
		Collapse: in.Collapse, Facets: []string{}, Mode: ModeLexical}
	if err := r.Normalize(); err != nil {
		return r, err
	}
	return r, nil
}

// matchSet returns the match set of q under r's (resolved) filters. With
// several queries a query error names the series it is in.
func (e *Engine) matchSet(r *Request, q string, several bool, i int) (query.Query, error) {
	rq := *r
	rq.Query = q
	err := rq.Normalize()
	var p *plan
	if err == nil {
		p, err = e.plan(&rq)
	}
	var pe *ParamError
	if several && errors.As(err, &pe) {
		cp := *pe
		cp.Msg = fmt.Sprintf("series %d (%s): %s", i+1, quoteValue(q), pe.Msg)
		return nil, &cp
	}
	if err != nil {
		return nil, err
	}
	return p.strict, nil
}

// valueQuery matches the articles whose filter field name holds value.
func valueQuery(name, value string) query.Query {
	tq := bleve.NewTermQuery(index.FilterValue(value))
	tq.SetField(filterField(name))
	tq.SetBoost(0)
	return tq
}

// split turns s into one series per top value of the facet of name in
// s's match set, each restricted to its value, and its all too.
func (e *Engine) split(ctx context.Context, s timelineSeries, r *Request, name string, size int) ([]timelineSeries, error) {
	fr := Request{Facets: []string{splitFacet(name)}, FacetSize: size}
	res, err := e.count(ctx, s.set, &fr, true)
	if err != nil {
		return nil, err
	}
	out := []timelineSeries{}
	for _, b := range facetsOf(res.Facets, &fr)[splitFacet(name)] {
		v := valueQuery(name, b.Value)
		out = append(out, timelineSeries{
			Series: Series{Q: s.Q, Label: b.Value, Split: name, Value: b.Value},
			set:    bleve.NewConjunctionQuery(s.set, v),
			all:    bleve.NewConjunctionQuery(s.all, v),
		})
	}
	return out, nil
}

// histogram returns the size of q's set and its article count per date
// bucket of interval.
func (e *Engine) histogram(ctx context.Context, q query.Query, interval string) (uint64, map[string]int, error) {
	breq := bleve.NewSearchRequestOptions(q, 0, 0, false)
	breq.AddFacet(FacetPublished, bleve.NewFacetRequest(facetField(FacetPublished, interval), maxHistogramBuckets))
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return 0, nil, err
	}
	out := map[string]int{}
	fr := res.Facets[FacetPublished]
	if fr == nil || fr.Terms == nil {
		return res.Total, out, nil
	}
	if fr.Other > 0 {
		return 0, nil, paramErr("interval", "more than %d %s buckets; use a coarser interval or narrow from/to", maxHistogramBuckets, interval)
	}
	for _, t := range fr.Terms.Terms() {
		out[t.Term] = t.Count
	}
	return res.Total, out, nil
}

// autoInterval picks the finest interval that gives at most
// maxAutoBuckets buckets over the dates of the series' articles.
func (e *Engine) autoInterval(ctx context.Context, series []timelineSeries) (string, error) {
	qs := make([]query.Query, len(series))
	for i, s := range series {
		qs[i] = s.set
	}
	q := anyOf(qs...)
	first, err := e.edgeDate(ctx, q, SortDateAsc)
	if err != nil {
		return "", err
	}
	last, err := e.edgeDate(ctx, q, SortDate)
	if err != nil {
		return "", err
	}
	return intervalFor(first, last), nil
}

// intervalFor returns the finest interval whose buckets from first to
// last number at most maxAutoBuckets (month for no dates).
func intervalFor(first, last time.Time) string {
	if first.IsZero() || last.IsZero() {
		return "month"
	}
	for _, iv := range intervals[:3] {
		keys, err := bucketKeys(bucketKey(first, iv), bucketKey(last, iv), iv)
		if err == nil && len(keys) <= maxAutoBuckets {
			return iv
		}
	}
	return "year"
}

// edgeDate returns the first (date_asc) or last (date) published date of
// q's set, zero when none is dated.
func (e *Engine) edgeDate(ctx context.Context, q query.Query, sort string) (time.Time, error) {
	breq := bleve.NewSearchRequestOptions(q, 1, 0, false)
	breq.SortByCustom(sortFor(sort))
	res, err := e.bleveSearch(ctx, breq)
	if err != nil || len(res.Hits) == 0 {
		return time.Time{}, err
	}
	a, err := e.src.Get(res.Hits[0].ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("search: date of %q: %w", res.Hits[0].ID, err)
	}
	return a.Published.UTC(), nil
}

// bucketKey is the key of t's bucket, as the index's date fields hold it.
func bucketKey(t time.Time, interval string) string {
	t = t.UTC()
	switch interval {
	case "day":
		return t.Format(time.DateOnly)
	case "week":
		return index.WeekKey(t)
	case "year":
		return t.Format("2006")
	}
	return t.Format("2006-01")
}

// maxTimelineBuckets bounds the buckets between the first and the last
// key, as the histogram facet does.
const maxTimelineBuckets = maxHistogramBuckets

// bucketKeys returns every key from first to last, both included (none
// when first is "").
func bucketKeys(first, last, interval string) ([]string, error) {
	keys := []string{}
	if first == "" {
		return keys, nil
	}
	for k := first; k <= last; {
		keys = append(keys, k)
		if len(keys) > maxTimelineBuckets {
			return nil, paramErr("interval", "more than %d %s buckets; use a coarser interval or narrow from/to", maxTimelineBuckets, interval)
		}
		_, to := bucketRange(k, interval)
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return nil, fmt.Errorf("search: bucket %q of interval %s: %w", k, interval, err)
		}
		k = bucketKey(t, interval)
	}
	return keys, nil
}
