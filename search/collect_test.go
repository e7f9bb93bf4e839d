package search

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/facet"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
)

// fixtureArticles reads testdata/articles.jsonl (entities already set)
// and splits each body into passages, as the pipeline would.
func fixtureArticles(tb testing.TB) []newsdex.Article {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "articles.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var arts []newsdex.Article
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a newsdex.Article
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			tb.Fatalf("testdata/articles.jsonl: %v", err)
		}
		a.Passages = chunk.Split(a.Body, chunk.Options{})
		arts = append(arts, a)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read testdata/articles.jsonl: %v", err)
	}
	return arts
}

// collectFixture indexes testdata/articles.jsonl, each article copied
// copies times under new ids (so that facets have many values and
// pages), and returns an engine over it.
func collectFixture(tb testing.TB, copies int) *Engine {
	tb.Helper()
	base := fixtureArticles(tb)
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	for k := range copies {
		arts := make([]newsdex.Article, len(base))
		for i, a := range base {
			a.ID = fmt.Sprintf("%s-%d", a.ID, k)
			a.Published = a.Published.AddDate(0, -k, 0)
			arts[i] = a
		}
		if err := ix.Add(context.Background(), arts); err != nil {
			tb.Fatal(err)
		}
	}
	e, err := New(ix)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// bleveRequest builds the Bleve request Search would make for r.
func bleveRequest(tb testing.TB, e *Engine, r Request, after []string) *bleve.SearchRequest {
	tb.Helper()
	if err := r.Normalize(); err != nil {
		tb.Fatal(err)
	}
	p, err := e.plan(&r)
	if err != nil {
		tb.Fatal(err)
	}
	breq := bleve.NewSearchRequestOptions(p.rank, r.Size, (r.Page-1)*r.Size, false)
	breq.Fields = []string{index.FieldSource}
	breq.SortByCustom(sortFor(r.Sort))
	breq.SearchAfter = after
	addFacets(breq, &r)
	return breq
}

type hitView struct {
	ID    string
	Score float64
	Sort  []string
	Src   string
}

type facetView struct {
	Total, Missing, Other int
	Terms                 []string
}

func view(res *bleve.SearchResult) (uint64, []hitView, map[string]facetView) {
	var hits []hitView
	for _, h := range res.Hits {
		src, _ := h.Fields[index.FieldSource].(string)
		if b, ok := h.Fields[index.FieldSource].([]byte); ok {
			src = string(b)
		}
		hits = append(hits, hitView{h.ID, h.Score, h.Sort, src})
	}
	facets := map[string]facetView{}
	for name, f := range res.Facets {
		fv := facetView{Total: f.Total, Missing: f.Missing, Other: f.Other}
		for _, t := range f.Terms.Terms() {
			fv.Terms = append(fv.Terms, fmt.Sprintf("%s=%d", t.Term, t.Count))
		}
		facets[name] = fv
	}
	return res.Total, hits, facets
}

// TestRunSearchMatchesBleve: runSearch gives what Bleve's SearchInContext
// gives for the requests the engine makes.
func TestRunSearchMatchesBleve(t *testing.T) {
	e := collectFixture(t, 6)
	ctx := context.Background()
	no := false
	tests := []struct {
		name string
		r    Request
		bulk bool // answered by the bulk path (bulk.go)
	}{
		{"word", Request{Query: "pipeline"}, true},
		{"or", Request{Query: "putin xi trade gas"}, true},
		{"or page 3", Request{Query: "putin xi trade gas", Page: 3, Size: 4}, true},
		{"or past the end", Request{Query: "pipeline", Page: 40, Size: 10}, true},
		{"or one hit", Request{Query: "putin gas", Size: 1}, true},
		{"or filtered", Request{Query: "gas trade", Filters: map[string][]string{FilterPerson: {"vladimir putin", "xi jinping"}, FilterPlace: {"china"}}}, true},
		{"or not collapsed", Request{Query: "gas trade", Collapse: &no}, true},
		{"or roles", Request{Query: "chinese president trade"}, true},
		{"or fielded", Request{Query: "title:putin gas"}, true},
		{"or phrase", Request{Query: `"power of siberia" gas`}, true},
		{"or wildcard", Request{Query: "pipe* gas~1"}, true},
		{"or dated", Request{Query: "gas trade", From: time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)}, false},
		{"and", Request{Query: "putin AND xi"}, false},
		{"phrase", Request{Query: `"power of siberia"`}, true},
		{"all", Request{Query: ""}, false},
		{"small facets", Request{Query: "", FacetSize: 2, Size: 3}, false},
		{"page 2", Request{Query: "", Page: 2, Size: 5}, false},
		{"date sort", Request{Query: "putin", Sort: SortDate}, false},
		{"filter", Request{Query: "", Filters: map[string][]string{FilterPerson: {"vladimir putin"}}}, false},
		{"weeks", Request{Query: "gas", Interval: "week"}, true},
		{"no hits", Request{Query: "zzzzunknown"}, true},
		{"long question", Request{Query: "which two leaders met to agree on gas supplies through a new pipeline from siberia to china and what did they say about trade"}, true},
		{"multi-token word", Request{Query: "putin-xi gas"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			breq := bleveRequest(t, e, tc.r, nil)
			if _, bulk := planBulk(breq); bulk != tc.bulk {
				t.Errorf("bulk path = %v, want %v", bulk, tc.bulk)
			}
			want, err := e.src.Bleve().SearchInContext(ctx, breq)
			if err != nil {
				t.Fatal(err)
			}
			breq = bleveRequest(t, e, tc.r, nil)
			got, _, err := e.runSearch(ctx, breq)
			if err != nil {
				t.Fatal(err)
			}
			wt, wh, wf := view(want)
			gt, gh, gf := view(got)
			if wt != gt {
				t.Errorf("total = %d, Bleve %d", gt, wt)
			}
			if diff := cmp.Diff(wh, gh); diff != "" {
				t.Errorf("hits differ (-bleve +runSearch):\n%s", diff)
			}
			if diff := cmp.Diff(wf, gf); diff != "" {
				t.Errorf("facets differ (-bleve +runSearch):\n%s", diff)
			}
			// A search-after cursor from the first page's last hit.
			if len(want.Hits) > 0 {
				after := want.Hits[len(want.Hits)-1].Sort
				want, err := e.src.Bleve().SearchInContext(ctx, bleveRequest(t, e, tc.r, after))
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := e.runSearch(ctx, bleveRequest(t, e, tc.r, after))
				if err != nil {
					t.Fatal(err)
				}
				_, wh, wf := view(want)
				_, gh, gf := view(got)
				if diff := cmp.Diff(wh, gh); diff != "" {
					t.Errorf("search-after page differs (-bleve +runSearch):\n%s", diff)
				}
				if diff := cmp.Diff(wf, gf); diff != "" {
					t.Errorf("search-after facets differ (-bleve +runSearch):\n%s", diff)
				}
			}
		})
	}
}

func TestRunSearchCancelled(t *testing.T) {
	e := collectFixture(t, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := e.runSearch(ctx, bleveRequest(t, e, Request{Query: "putin"}, nil)); err == nil {
		t.Error("runSearch with a cancelled context succeeded")
	}
}

func TestTopSlots(t *testing.T) {
	terms := []string{"d", "a", "c", "b", "e"}
	count := []int{1, 3, 3, 5, 1}
	all := []uint32{0, 1, 2, 3, 4}
	got := topSlots(all, terms, count, 3)
	want := []uint32{3, 1, 2} // b=5, then a=3 and c=3 by name
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("topSlots mismatch (-want +got):\n%s", diff)
	}
	if got := topSlots(all, terms, count, 10); len(got) != 5 {
		t.Errorf("topSlots(n > len) returned %d slots, want 5", len(got))
	}
}

// BenchmarkTermsFacet compares counting one hit's values with Bleve's
// builder and with termsFacet.
func BenchmarkTermsFacet(b *testing.B) {
	values := make([][]byte, 400)
	for i := range values {
		values[i] = fmt.Appendf(nil, "Person Number %d", i)
	}
	var pools facetPools
	for _, bc := range []struct {
		name string
		new  func() bsearch.FacetBuilder
	}{
		{"bleve", func() bsearch.FacetBuilder {
			return facet.NewTermsFacetBuilder(filterKind(FilterPerson).FacetField, 10)
		}},
		{"newsdex", func() bsearch.FacetBuilder { return pools.get(filterKind(FilterPerson).FacetField, 10) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := bc.new()
				for d := range 2000 {
					f.StartDoc()
					for j := range 8 {
						f.UpdateVisitor(values[(d*7+j*13)%len(values)])
					}
					f.EndDoc()
				}
				f.Result()
				if tf, ok := f.(*termsFacet); ok {
					pools.put(tf)
				}
			}
		})
	}
}

// TestRunSearchClosedIndex: a search on a closed generation fails with
// ErrorIndexClosed (Search retries on the live one) instead of panicking.
func TestRunSearchClosedIndex(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(ix)
	if err != nil {
		t.Fatal(err)
	}
	breq := bleveRequest(t, e, Request{Query: "putin"}, nil)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.runSearch(context.Background(), breq); !errors.Is(err, bleve.ErrorIndexClosed) {
		t.Errorf("runSearch on a closed index: %v, want ErrorIndexClosed", err)
	}
}

// searchRunner runs a Bleve request one way or the other.
type searchRunner struct {
	name string
	run  func(*bleve.SearchRequest) (*bleve.SearchResult, error)
}

// searchRunners returns Bleve's SearchInContext and runSearch over e, for
// benchmarks that compare them.
func searchRunners(ctx context.Context, e *Engine) []searchRunner {
	return []searchRunner{
		{"bleve", func(q *bleve.SearchRequest) (*bleve.SearchResult, error) {
			return e.src.Bleve().SearchInContext(ctx, q)
		}},
		{"newsdex", func(q *bleve.SearchRequest) (*bleve.SearchResult, error) {
			res, _, err := e.runSearch(ctx, q)
			return res, err
		}},
	}
}

// BenchmarkRunSearch compares Bleve's SearchInContext with runSearch on an
// OR query with every facet over 3,600 small articles.
func BenchmarkRunSearch(b *testing.B) {
	e := collectFixture(b, 300)
	ctx := context.Background()
	r := Request{Query: "putin xi trade gas pipeline"}
	for _, bc := range searchRunners(ctx, e) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.run(bleveRequest(b, e, r, nil)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRunSearchIndex is BenchmarkRunSearch on an index built by
// `newsdex bench --work DIR --keep` (DIR/lexical), named by
// $NEWSDEX_BENCH_INDEX, over the twelve benchmark queries.
func BenchmarkRunSearchIndex(b *testing.B) {
	e := engineFromEnv(b, "NEWSDEX_BENCH_INDEX")
	ctx := context.Background()
	queries := []string{"xi jinping trade", "putin election interference", "climate change paris agreement",
		`"supreme court" abortion`, "north korea summit kim", "impeachment inquiry whistleblower"}
	for _, bc := range searchRunners(ctx, e) {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := bc.run(bleveRequest(b, e, Request{Query: queries[i%len(queries)]}, nil)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// engineFromEnv returns an engine, result cache off, over the index whose
// directory the environment variable env names, and skips the test or
// benchmark when it is not set.
func engineFromEnv(tb testing.TB, env string) *Engine {
	tb.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		tb.Skipf("set %s to an index directory (e.g. DIR/lexical of `newsdex bench --work DIR --keep`)", env)
	}
	ix, err := index.OpenExisting(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	e, err := New(ix, WithoutResultCache())
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// TestRunSearchFollowsWrites: facet field data follows new segments,
// replaced and deleted articles and merges, also with searches and
// writes running at once (run with -race).
func TestRunSearchFollowsWrites(t *testing.T) {
	e := collectFixture(t, 2)
	ix := e.src.(*index.Index)
	ctx := context.Background()
	compare := func(t *testing.T, r Request) {
		t.Helper()
		want, err := e.src.Bleve().SearchInContext(ctx, bleveRequest(t, e, r, nil))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := e.runSearch(ctx, bleveRequest(t, e, r, nil))
		if err != nil {
			t.Fatal(err)
		}
		wt, wh, wf := view(want)
		gt, gh, gf := view(got)
		if wt != gt || !cmp.Equal(wh, gh) || !cmp.Equal(wf, gf) {
			t.Errorf("%q: runSearch differs from Bleve: total %d %d hits %s facets (-bleve +runSearch):\n%s", r.Query, wt, gt, cmp.Diff(wh, gh), cmp.Diff(wf, gf))
		}
	}
	base, err := ix.Get("a1-0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, _, err := e.runSearch(ctx, bleveRequest(t, e, Request{Query: "putin"}, nil)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for round := range 15 {
		compare(t, Request{Query: ""})
		compare(t, Request{Query: "putin gas"})
		a := base
		a.ID = fmt.Sprintf("new-%d", round)
		a.People = append(a.People, newsdex.Entity{Name: fmt.Sprintf("New Person %d", round), Count: 1})
		a.Outlet = fmt.Sprintf("Outlet %d", round%3)
		if err := ix.Add(ctx, []newsdex.Article{a}); err != nil {
			t.Fatal(err)
		}
		if round%4 == 3 {
			if _, err := ix.Delete(ctx, fmt.Sprintf("new-%d", round-2), fmt.Sprintf("a2-%d", round%2)); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(stop)
	wg.Wait()
	if err := ix.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	compare(t, Request{Query: ""})
	compare(t, Request{Query: "putin OR gas OR new"})
}

// TestRunSearchMatchesBleveSemantic: runSearch also gives what Bleve
// gives for the requests of the semantic and hybrid modes (semantic.go):
// ids within a query sorted by id, a hit set with facets and no hits.
func TestRunSearchMatchesBleveSemantic(t *testing.T) {
	e := collectFixture(t, 3)
	ctx := context.Background()
	q := func(text string) query.Query {
		ast, err := uq.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		q, err := e.translate(ast)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	r := Request{}
	if err := r.Normalize(); err != nil {
		t.Fatal(err)
	}
	ids := []string{"a1-0", "a2-1", "a12-2", "a3-0", "zz"}
	reqs := map[string]func() *bleve.SearchRequest{
		"members": func() *bleve.SearchRequest {
			breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(idsQuery(ids), q("putin xi pipeline")), len(ids), 0, false)
			breq.SortBy([]string{"_id"})
			return breq
		},
		"set facets": func() *bleve.SearchRequest {
			breq := bleve.NewSearchRequestOptions(withFilters(bleve.NewDisjunctionQuery(q("gas trade"), idsQuery(ids)), &r), 0, 0, false)
			addFacets(breq, &r)
			return breq
		},
		"lexical top": func() *bleve.SearchRequest {
			breq := bleve.NewSearchRequestOptions(withFilters(q("putin gas"), &r), 50, 0, false)
			breq.SortByCustom(sortFor(SortRelevance))
			addFacets(breq, &r)
			return breq
		},
	}
	for name, mk := range reqs {
		t.Run(name, func(t *testing.T) {
			want, err := e.src.Bleve().SearchInContext(ctx, mk())
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.bleveSearch(ctx, mk())
			if err != nil {
				t.Fatal(err)
			}
			wt, wh, wf := view(want)
			gt, gh, gf := view(got)
			if wt == 0 {
				t.Error("Bleve finds nothing: the case tests nothing")
			}
			if wt != gt {
				t.Errorf("total = %d, Bleve %d", gt, wt)
			}
			if diff := cmp.Diff(wh, gh); diff != "" {
				t.Errorf("hits differ (-bleve +bleveSearch):\n%s", diff)
			}
			if diff := cmp.Diff(wf, gf); diff != "" {
				t.Errorf("facets differ (-bleve +bleveSearch):\n%s", diff)
			}
		})
	}
}
