package search_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// mustFixtureEngine indexes testdata/articles.jsonl (entities already set)
// into a temporary index.
func mustFixtureEngine(tb testing.TB) *search.Engine {
	tb.Helper()
	arts := search.FixtureArticles(tb)
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		tb.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

func ids(res *search.Results) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func TestQuerySyntax(t *testing.T) {
	eng := mustFixtureEngine(t)
	tests := []struct {
		q    string
		want []string
	}{
		{"putin", []string{"a1"}},
		{"Putin", []string{"a1"}},
		{"pipeline", []string{"a1", "a2"}},
		{"pipelines", []string{"a1", "a2"}},          // stemming
		{"xi AND pipeline", []string{"a1", "a2"}},    // a2: xi and pipeline in different passages
		{"xi pipeline", []string{"a1", "a2"}},        // AND by default
		{"xi OR pipeline", []string{"a1", "a12", "a2"}},
		{"xi AND NOT pipeline", []string{"a12"}},
		{"xi -pipeline", []string{"a12"}},
		{"+xi +trump", []string{"a12"}},
		{"trump OR reagan", []string{"a10", "a12", "a3", "a8"}},
		{"(trump OR reagan) AND washington", []string{"a8"}},
		{"((trump OR biden) AND (pennsylvania OR beijing)) NOT election", []string{"a12"}},
		{`"gas pipeline"`, []string{"a1", "a2"}},
		{`"pipeline gas"`, nil},
		{`"victory day"`, []string{"a3"}},
		{`"xi putin"~3`, []string{"a1"}},
		{`"xi putin"~0`, nil},
		{`"talks putin"~5`, []string{"a1"}},
		{"title:pipeline", []string{"a2"}},
		{"body:pipeline AND NOT title:pipeline", []string{"a1"}},
		{`person:"Xi Jinping"`, []string{"a1", "a12", "a2"}},
		{"person:xi", []string{"a1", "a12", "a2"}},
		{"person:may", []string{"a5", "a6"}},
		{`outlet:"fox news"`, []string{"a11", "a4", "a6"}},
		{"cited:reuters", []string{"a4"}},
		{`place:"north korea"`, []string{"a12"}},
		{"wildfire*", []string{"a9"}},
		{"econom*", []string{"a11", "a2", "a4"}},
		{"gorb?chev", []string{"a8"}},
		{"gorbachov~1", []string{"a8"}},
		{"NOT trump AND NOT xi AND NOT putin AND (oil OR brexit)", []string{"a5", "a6", "a7"}},
		{"-oil -economy -trump -xi -brexit -prime", []string{"a8", "a9"}},
		{"the AND putin", []string{"a1"}}, // stop word drops out
		{"Putin-Xi", []string{"a1"}},      // hyphenated words need all their parts
		{"Power-of-Siberia", []string{"a1"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := eng.Search(context.Background(), search.Request{Query: tc.q, Size: 100})
			if err != nil {
				t.Fatalf("Search(%q): %v", tc.q, err)
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if want == nil {
				want = []string{}
			}
			// Partial matches may follow the match set; they are marked.
			all := []string{}
			for _, h := range res.Hits {
				if h.Match == search.MatchAll {
					all = append(all, h.ID)
				}
			}
			slices.Sort(all)
			if diff := cmp.Diff(want, all); diff != "" {
				t.Errorf("Search(%q) ids mismatch (-want +got):\n%s", tc.q, diff)
			}
			if int(res.Total) != len(all) || int(res.Total+res.Related) != len(res.Hits) {
				t.Errorf("Search(%q) total %d, related %d, hits %d of which %d match", tc.q, res.Total, res.Related, len(res.Hits), len(all))
			}
		})
	}
}

func TestMalformedQueries(t *testing.T) {
	eng := mustFixtureEngine(t)
	for _, q := range []string{
		`(putin`, `putin)`, `"unterminated`, `putin AND`, `OR putin`, `person:`, `*tin`,
		`"xi putin"~x`, `AND AND`, `((a) OR (b)`, `NOT`, `title:()`,
	} {
		t.Run(q, func(t *testing.T) {
			_, err := eng.Search(context.Background(), search.Request{Query: q})
			var pe *search.ParamError
			if !errors.As(err, &pe) {
				t.Fatalf("Search(%q) error = %v, want *ParamError", q, err)
			}
			if pe.Param != "q" || pe.Pos < 0 || pe.Pos > len(q) {
				t.Errorf("Search(%q) = %+v, want param q with position in 0..%d", q, pe, len(q))
			}
		})
	}
}

func TestFiltersFacetsAndCounts(t *testing.T) {
	eng := mustFixtureEngine(t)
	ctx := context.Background()
	res, err := eng.Search(ctx, search.Request{Filters: map[string][]string{"outlet": {"fox news"}}, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a11", "a4", "a6"}, ids(res)); diff != "" {
		t.Errorf("outlet filter (-want +got):\n%s", diff)
	}
	for _, h := range res.Hits {
		if h.Outlet != "Fox News" {
			t.Errorf("hit %s outlet %q", h.ID, h.Outlet)
		}
	}

	all, err := eng.Search(ctx, search.Request{Size: 100, FacetSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 12 {
		t.Fatalf("total %d, want 12", all.Total)
	}
	outlets := map[string]int{}
	for _, b := range all.Facets["outlets"] {
		outlets[b.Value] = b.Count
	}
	wantOutlets := map[string]int{"Global Wire": 2, "Energy Daily": 2, "Fox News": 3, "BBC": 1, "Reuters": 2, "CNN": 2}
	if diff := cmp.Diff(wantOutlets, outlets); diff != "" {
		t.Errorf("outlets facet (-want +got):\n%s", diff)
	}
	sum := 0
	for _, b := range all.Facets["published"] {
		sum += b.Count
	}
	if sum != int(all.Total) {
		t.Errorf("published histogram sums to %d, total %d", sum, all.Total)
	}

	// OR within one filter, AND across filters, case-insensitive.
	res, err = eng.Search(ctx, search.Request{Filters: map[string][]string{
		"person": {"xi jinping", "DONALD TRUMP"}, "place": {"Beijing"}}, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a12", "a2"}, ids(res)); diff != "" {
		t.Errorf("person+place filters (-want +got):\n%s", diff)
	}

	// Date range is inclusive on both ends.
	res, err = eng.Search(ctx, search.Request{From: day("2019-01-14"), To: day("2019-07-24"), Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a4", "a5", "a6"}, ids(res)); diff != "" {
		t.Errorf("date range (-want +got):\n%s", diff)
	}

	// An article with several matching passages counts once.
	res, err = eng.Search(ctx, search.Request{Query: "xi", Facets: []string{"people"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Facets["people"] {
		if b.Value == "Xi Jinping" && b.Count != 3 {
			t.Errorf("people facet Xi Jinping = %d, want 3", b.Count)
		}
	}
}

func day(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func TestSnippets(t *testing.T) {
	eng := mustFixtureEngine(t)
	res, err := eng.Search(context.Background(), search.Request{Query: "putin talks", SnippetSize: 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || len(res.Hits[0].Snippets) == 0 {
		t.Fatalf("no snippets: %+v", res.Hits)
	}
	s := res.Hits[0].Snippets[0]
	if !strings.Contains(s, "<mark>Putin</mark>") && !strings.Contains(s, "<mark>talks</mark>") {
		t.Errorf("snippet %q has no mark", s)
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "… ", "", " …", "").Replace(s)
	if n := len([]rune(plain)); n > 40 {
		t.Errorf("snippet %q is %d runes, want ≤ 40", plain, n)
	}
}

func TestCursorPaging(t *testing.T) {
	eng := mustFixtureEngine(t)
	ctx := context.Background()
	for _, sort := range []string{"relevance", "date", "date_asc"} {
		t.Run(sort, func(t *testing.T) {
			var got []string
			req := search.Request{Query: "the OR trump OR xi OR oil OR brexit OR fire* OR economy", Sort: sort, Size: 2}
			for range 20 {
				res, err := eng.Search(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				if res.NextCursor == "" {
					break
				}
				req.Cursor = res.NextCursor
			}
			full, err := eng.Search(ctx, search.Request{Query: req.Query, Sort: sort, Size: 100})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, h := range full.Hits {
				want = append(want, h.ID)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("cursor pages (-want +got):\n%s", diff)
			}
		})
	}
	_, err := eng.Search(ctx, search.Request{Query: "xi", Cursor: "bm9wZQ.xxxx"})
	if !search.IsParamError(err) {
		t.Errorf("tampered cursor: err = %v, want ParamError", err)
	}
}
