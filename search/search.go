package search

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// hitSource is the part of a stored article that hitOf and the snippets
// read. Decoding only it skips the raw body, the signature (base64), the
// labels and the entities' counts and offsets, a third of the decoding.
type hitSource struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	URL         string            `json:"url"`
	Published   time.Time         `json:"published"`
	Outlet      string            `json:"outlet"`
	Authors     []string          `json:"authors"`
	Body        string            `json:"body"`
	People      []hitEntity       `json:"people"`
	Cited       []hitEntity       `json:"cited"`
	Places      []hitEntity       `json:"places"`
	Leaders     []hitEntity       `json:"leaders"`
	Passages    []newsdex.Passage `json:"passages"`
	DuplicateOf string            `json:"duplicate_of"`
}

type hitEntity struct {
	Name string `json:"name"`
}

// decodeHit decodes the fields of the stored article id that hitOf and
// the snippets read; the others are left zero, entities have only names.
func decodeHit(id string, src []byte) (newsdex.Article, error) {
	var h hitSource
	if err := gojson.Unmarshal(src, &h); err != nil {
		return newsdex.Article{}, fmt.Errorf("search: decode hit %q: %w", id, err)
	}
	names := func(es []hitEntity) []newsdex.Entity {
		if es == nil {
			return nil
		}
		out := make([]newsdex.Entity, len(es))
		for i, e := range es {
			out[i].Name = e.Name
		}
		return out
	}
	return newsdex.Article{
		ID: h.ID, Title: h.Title, URL: h.URL, Published: h.Published, Outlet: h.Outlet,
		Authors: h.Authors, Body: h.Body, Passages: h.Passages, DuplicateOf: h.DuplicateOf,
		People: names(h.People), Cited: names(h.Cited), Places: names(h.Places), Leaders: names(h.Leaders),
	}, nil
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
