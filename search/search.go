// Package search turns a user's Request into a Bleve search over the index
// and returns ranked articles with facets and per-request snippets. It sits
// between index and api in the pipeline.
package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	gojson "github.com/goccy/go-json"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// Results is the answer to a Request.
type Results struct {
	// Total is the size of the match set, which facets and date sorts
	// describe (list.go).
	Total uint64 `json:"total"`
	// Related counts the hits the list holds beyond the match set:
	// partial matches and semantic neighbours.
	Related uint64 `json:"related"`
	// Capped is set when semantic mode's set reached MaxSemantic.
	Capped bool `json:"capped,omitempty"`
	// Floor is the query's similarity floor (semantic and hybrid mode,
	// plain words): semantic mode's set and a hybrid list's neighbours
	// are the articles whose best passage reaches it.
	Floor      float64             `json:"floor,omitempty"`
	TookMS     float64             `json:"took_ms"`
	Mode       string              `json:"mode"`
	Hits       []Hit               `json:"hits"`
	Facets     map[string][]Bucket `json:"facets"`
	NextCursor string              `json:"next_cursor,omitempty"`
	// FacetsMissing counts, per facet, the articles of the match set with
	// no value for it (an article without an outlet or a date): for
	// outlets and published, one value per article, the buckets and this
	// add up to Total when facet_size shows every value.
	FacetsMissing map[string]int `json:"facets_missing,omitempty"`
	// FiltersResolved says, per filter, how each value was read
	// (resolve.go); Suggestions lists close canonical values for those
	// that resolve to nothing.
	FiltersResolved map[string][]Resolution `json:"filters_resolved,omitempty"`
	Suggestions     map[string][]Bucket     `json:"suggestions,omitempty"`
	// Within is the date window of similar articles (within_days), nil
	// when none was asked for.
	Within *Within `json:"within,omitempty"`
}

// Hit is one article of the results.
type Hit struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	URL       string   `json:"url"`
	Published string   `json:"published"`
	Outlet    string   `json:"outlet"`
	Authors   []string `json:"authors"`
	People    []string `json:"people"`
	Leaders   []string `json:"leaders"`
	Cited     []string `json:"cited"`
	Places    []string `json:"places"`
	Score     float64  `json:"score"`
	Snippets  []string `json:"snippets"`
	// Match is all (the article satisfies the query), partial (some of
	// its words) or semantic (by meaning only). In lexical and hybrid mode
	// partial and semantic hits are related hits, not counted in Total;
	// in semantic mode every hit is in the set Total counts.
	Match string `json:"match"`
	// Missing lists the query's parts a partial match lacks.
	Missing []string `json:"missing,omitempty"`
	// Duplicates is the number of wire copies of this article in the index
	// (folded into this hit unless collapse=false).
	Duplicates int `json:"duplicates,omitempty"`
	// DuplicateOf names the article this one copies (shown with collapse=false).
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// Explain is why the hit ranks where it does (explain=true only).
	Explain *Explain `json:"explain,omitempty"`
}

// Bucket is one facet value. Term facets fill Value; the published
// histogram fills Key, From and To.
type Bucket struct {
	Value string `json:"value,omitempty"`
	Key   string `json:"key,omitempty"`
	From  string `json:"from,omitempty"`
	To    string `json:"to,omitempty"`
	Count int    `json:"count"`
	// Related counts related hits with this value (count=related only).
	Related int    `json:"related,omitempty"`
	Office  string `json:"office,omitempty"`
}

// ErrNotFound is returned for an unknown article id.
var ErrNotFound = errors.New("search: article not found")

// ErrOldIndex is returned by New for an index built before article text
// was indexed as one field (index.FieldText): its words cannot be found
// until it is rebuilt.
var ErrOldIndex = errors.New("search: the index predates the current index layout: rebuild it with `newsdex reindex`")

// store is what the engine needs from an index.
type store interface {
	Bleve() bleve.Index
	Get(id string) (newsdex.Article, error)
}

// Engine answers searches over one index. It is safe for concurrent use.
type Engine struct {
	src      store
	analyzer analysis.Analyzer
	now      func() time.Time
	sem      *semantic    // query embedder for semantic/hybrid (semantic.go); nil = none
	facets   facetPools   // idle facet builders (collect.go)
	fdata    facetData    // facet field data per segment (fielddata.go)
	cache    *resultCache // recent lexical results (cache.go); nil = off
	roles    roleVocab    // words of the roles field (roles.go)
	bulk     bulkPool     // accumulators of bulk searches (bulk.go)
	lengths  textLengths  // average text length for BM25 (bm25.go)
	resolve  resolver     // canonical filter values (resolve.go)
	// bulkActive counts the bulk searches running, which split into
	// ranges only while cores are idle.
	bulkActive atomic.Int32
	noBulk     bool // answer every search through Bleve's collector (tests)
}

// New returns an engine over ix.
func New(ix store, opts ...Option) (*Engine, error) {
	if im, ok := ix.Bleve().Mapping().(*mapping.IndexMappingImpl); ok {
		for _, f := range []string{index.FieldText, index.QueryAuthor} {
			if im.FieldMappingForPath(f).Type == "" {
				return nil, fmt.Errorf("%w (it lacks the field %q)", ErrOldIndex, f)
			}
		}
	}
	a := ix.Bleve().Mapping().AnalyzerNamed(index.TextAnalyzer)
	if a == nil {
		return nil, fmt.Errorf("search: analyzer %q not found", index.TextAnalyzer)
	}
	e := &Engine{src: ix, analyzer: a, now: time.Now, cache: newResultCache(defaultCacheSize)}
	for _, o := range opts {
		o(e)
	}
	return e, nil
}

// Article returns the stored article with id, or ErrNotFound.
func (e *Engine) Article(ctx context.Context, id string) (newsdex.Article, error) {
	a, err := e.src.Get(id)
	if errors.Is(err, index.ErrNotFound) {
		return a, fmt.Errorf("search: article %q: %w", id, ErrNotFound)
	}
	return a, err
}

// Count returns the number of articles searched.
func (e *Engine) Count() (uint64, error) {
	return e.src.Bleve().DocCount()
}

func decodeSource(dm *search.DocumentMatch) (newsdex.Article, error) {
	var src []byte
	switch v := dm.Fields[index.FieldSource].(type) {
	case []byte: // runSearch keeps the stored bytes
		src = v
	case string: // Bleve's own searches give text fields as strings
		src = []byte(v)
	default:
		return newsdex.Article{}, fmt.Errorf("search: hit %q has no stored source", dm.ID)
	}
	return decodeArticle(dm.ID, src)
}

// decodeArticle decodes the stored source of the article id.
func decodeArticle(id string, src []byte) (newsdex.Article, error) {
	var a newsdex.Article
	// go-json decodes the stored article three times as fast as
	// encoding/json (BenchmarkDecodeSource), a tenth of a search.
	if err := gojson.Unmarshal(src, &a); err != nil {
		return a, fmt.Errorf("search: decode hit %q: %w", id, err)
	}
	return a, nil
}

func hitOf(a *newsdex.Article, score float64) Hit {
	h := Hit{
		ID:       a.ID,
		Title:    a.Title,
		URL:      a.URL,
		Outlet:   a.Outlet,
		Authors:  nonNil(a.Authors),
		People:   newsdex.Names(a.People),
		Leaders:  newsdex.Names(a.Leaders),
		Cited:    newsdex.Names(a.Cited),
		Places:   newsdex.Names(a.Places),
		Score:    score,
		Snippets: []string{},

		DuplicateOf: a.DuplicateOf,
	}
	if !a.Published.IsZero() {
		h.Published = a.Published.UTC().Format(time.DateOnly)
	}
	return h
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sortFor(s string) search.SortOrder {
	switch s {
	case SortDate:
		return search.SortOrder{
			&search.SortField{Field: index.FieldPublished, Type: search.SortFieldAsDate, Desc: true, Missing: search.SortFieldMissingLast},
			&search.SortDocID{},
		}
	case SortDateAsc:
		return search.SortOrder{
			&search.SortField{Field: index.FieldPublished, Type: search.SortFieldAsDate, Missing: search.SortFieldMissingLast},
			&search.SortDocID{},
		}
	default:
		return search.SortOrder{&search.SortScore{Desc: true}, &search.SortDocID{}}
	}
}

// sortValues returns the SearchAfter values of dm under order.
func sortValues(order search.SortOrder, dm *search.DocumentMatch) []string {
	out := make([]string, len(order))
	for i, s := range order {
		switch s.(type) {
		case *search.SortScore:
			out[i] = strconv.FormatFloat(dm.Score, 'g', -1, 64)
		case *search.SortDocID:
			out[i] = dm.ID
		default:
			if i < len(dm.DecodedSort) {
				out[i] = dm.DecodedSort[i]
			}
		}
	}
	return out
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

// countDuplicates sets Duplicates on each hit that leads a wire-copy group,
// with one query for the whole page.
func (e *Engine) countDuplicates(ctx context.Context, hits []Hit) {
	if len(hits) == 0 {
		return
	}
	qs := make([]query.Query, 0, len(hits))
	for _, h := range hits {
		t := bleve.NewTermQuery(h.ID)
		t.SetField(index.FieldDupOf)
		qs = append(qs, t)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 0, 0, false)
	req.AddFacet("dups", bleve.NewFacetRequest(index.FieldDupOf, len(hits)))
	res, _, err := e.runSearch(ctx, req)
	if err != nil || res.Total == 0 || res.Facets["dups"] == nil || res.Facets["dups"].Terms == nil {
		return
	}
	n := map[string]int{}
	for _, t := range res.Facets["dups"].Terms.Terms() {
		n[t.Term] = t.Count
	}
	for i := range hits {
		hits[i].Duplicates = n[hits[i].ID]
	}
}

// facetField names the Bleve field of facet name: an entity kind's
// FacetField, or the published histogram's field of interval.
func facetField(name, interval string) string {
	if k, ok := newsdex.KindOfFacet(name); ok {
		return k.FacetField
	}
	switch interval {
	case "day":
		return index.FieldDay
	case "week":
		return index.FieldWeek
	case "year":
		return index.FieldYear
	}
	return index.FieldMonth
}

// maxHistogramBuckets bounds the published histogram; 20 years of weeks fit.
const maxHistogramBuckets = 1500

// leaderOfficeFacet is the hidden facet that names each leader's office.
const leaderOfficeFacet = "_leader_office"

func addFacets(breq *bleve.SearchRequest, r *Request) {
	for _, f := range r.Facets {
		size := r.FacetSize
		if f == FacetPublished {
			size = maxHistogramBuckets
		}
		breq.AddFacet(f, bleve.NewFacetRequest(facetField(f, r.Interval), size))
		if f == FacetLeaders {
			breq.AddFacet(leaderOfficeFacet, bleve.NewFacetRequest(index.FieldLeaderOffice, 4*size))
		}
	}
}

// leaderOffices maps each leader to the office most of the hits saw them in.
func leaderOffices(fr search.FacetResults) map[string]string {
	res := fr[leaderOfficeFacet]
	if res == nil || res.Terms == nil {
		return nil
	}
	out := map[string]string{}
	best := map[string]int{}
	for _, t := range res.Terms.Terms() {
		name, office, ok := strings.Cut(t.Term, index.LeaderOfficeSep)
		if ok && t.Count > best[name] {
			best[name] = t.Count
			out[name] = office
		}
	}
	return out
}

func facetsOf(fr search.FacetResults, r *Request) map[string][]Bucket {
	out := make(map[string][]Bucket, len(r.Facets))
	offices := leaderOffices(fr)
	for _, name := range r.Facets {
		res := fr[name]
		buckets := []Bucket{}
		if res != nil && res.Terms != nil {
			for _, t := range res.Terms.Terms() {
				if name == FacetPublished {
					from, to := bucketRange(t.Term, r.Interval)
					buckets = append(buckets, Bucket{Key: t.Term, From: from, To: to, Count: t.Count})
				} else {
					b := Bucket{Value: t.Term, Count: t.Count}
					if name == FacetLeaders {
						b.Office = offices[t.Term]
					}
					buckets = append(buckets, b)
				}
			}
		}
		if name == FacetPublished {
			sort.Slice(buckets, func(i, j int) bool { return buckets[i].Key < buckets[j].Key })
		} else {
			// Bleve orders by count; break ties by name for stable output.
			sort.SliceStable(buckets, func(i, j int) bool {
				if buckets[i].Count != buckets[j].Count {
					return buckets[i].Count > buckets[j].Count
				}
				return buckets[i].Value < buckets[j].Value
			})
		}
		out[name] = buckets
	}
	return out
}

// missingOf returns, per facet of r, the hits of fr's search that have
// no value for it, leaving out facets every hit has a value for.
func missingOf(fr search.FacetResults, r *Request) map[string]int {
	var out map[string]int
	for _, name := range r.Facets {
		if res := fr[name]; res != nil && res.Missing > 0 {
			if out == nil {
				out = map[string]int{}
			}
			out[name] = res.Missing
		}
	}
	return out
}

// bucketRange returns the [from, to) dates of a histogram key.
func bucketRange(key, interval string) (string, string) {
	var from, to time.Time
	var err error
	switch interval {
	case "day":
		from, err = time.Parse(time.DateOnly, key)
		to = from.AddDate(0, 0, 1)
	case "week":
		var y, w int
		if _, err = fmt.Sscanf(key, "%d-W%d", &y, &w); err == nil {
			from = isoWeekStart(y, w)
			to = from.AddDate(0, 0, 7)
		}
	case "year":
		from, err = time.Parse("2006", key)
		to = from.AddDate(1, 0, 0)
	default:
		from, err = time.Parse("2006-01", key)
		to = from.AddDate(0, 1, 0)
	}
	if err != nil {
		return "", ""
	}
	return from.Format(time.DateOnly), to.Format(time.DateOnly)
}

func isoWeekStart(year, week int) time.Time {
	// January 4th is always in ISO week 1.
	t := time.Date(year, 1, 4, 0, 0, 0, 0, time.UTC)
	wd := int(t.Weekday())
	if wd == 0 {
		wd = 7
	}
	return t.AddDate(0, 0, -(wd-1)+(week-1)*7)
}

// Entities lists canonical names of one entity type (person, leader,
// outlet, cited, place) with article counts, optionally those starting with
// prefix (case-insensitive, at any word of the name), most frequent first.
func (e *Engine) Entities(ctx context.Context, typ, prefix string, size int) ([]Bucket, error) {
	k, ok := newsdex.KindNamed(typ)
	if !ok {
		return nil, paramErr("type", "unknown entity type %q, want one of %s", typ, strings.Join(FilterNames, ", "))
	}
	facet := k.Facet
	if size < 1 || size > MaxFacetSize {
		return nil, paramErr("size", "size %d out of range 1..%d", size, MaxFacetSize)
	}
	if len(prefix) > 100 {
		return nil, paramErr("prefix", "prefix is %d bytes, the limit is 100", len(prefix))
	}
	// Fetch enough buckets to filter by prefix afterwards; facet terms are
	// read from the index's dictionary, so this stays cheap.
	fetch := size
	if prefix != "" {
		fetch = 100000
	}
	r := Request{Facets: []string{facet}, FacetSize: 1, Size: 1}
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	r.FacetSize = fetch
	breq := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	addFacets(breq, &r)
	res, err := e.src.Bleve().SearchInContext(ctx, breq)
	if err != nil {
		return nil, fmt.Errorf("search: list %s entities: %w", typ, err)
	}
	all := facetsOf(res.Facets, &r)[facet]
	if prefix == "" {
		return all[:min(size, len(all))], nil
	}
	p := strings.ToLower(prefix)
	out := []Bucket{}
	for _, b := range all {
		name := strings.ToLower(b.Value)
		if strings.HasPrefix(name, p) || strings.Contains(name, " "+p) {
			out = append(out, b)
			if len(out) == size {
				break
			}
		}
	}
	return out, nil
}
