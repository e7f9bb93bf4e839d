package search_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
	"github.com/newsdex/newsdex/vector"
)

func mustSearch(tb testing.TB, eng *search.Engine, r search.Request) *search.Results {
	tb.Helper()
	res, err := eng.Search(context.Background(), r)
	if errors.Is(err, errNotCached) {
		skipOrFail(tb, err)
	}
	if err != nil {
		tb.Fatalf("search %+v: %v", r, err)
	}
	return res
}

// mrr10 is the mean reciprocal rank of each query's target within the top
// 10 of mode.
func mrr10(tb testing.TB, f *semanticFixture, mode string) float64 {
	var sum float64
	for _, q := range f.queries {
		res := mustSearch(tb, f.eng, search.Request{Query: q.Query, Mode: mode, Size: 10, Snippets: -1, Facets: []string{}})
		for i, h := range res.Hits {
			if h.ID == q.Target {
				sum += 1 / float64(i+1)
				break
			}
		}
	}
	return sum / float64(len(f.queries))
}

// TestSemanticParaphraseMRR is acceptance 3 of the semantic issue: on
// queries that avoid their target's distinctive words, hybrid ranking must
// beat lexical MRR@10 by at least 0.15.
func TestSemanticParaphraseMRR(t *testing.T) {
	f := newSemanticFixture(t)
	if len(f.queries) < 40 {
		t.Fatalf("%d paraphrase queries, want at least 40", len(f.queries))
	}
	lex := mrr10(t, f, search.ModeLexical)
	sem := mrr10(t, f, search.ModeSemantic)
	hyb := mrr10(t, f, search.ModeHybrid)
	t.Logf("paraphrase MRR@10 over %d queries: lexical %.3f, semantic %.3f, hybrid %.3f", len(f.queries), lex, sem, hyb)
	if hyb < lex+0.15 {
		t.Errorf("hybrid MRR@10 %.3f < lexical %.3f + 0.15", hyb, lex)
	}
}

// TestSemanticModes checks which mode runs and the errors of modes that
// cannot.
func TestSemanticModes(t *testing.T) {
	f := newSemanticFixture(t)
	for _, tt := range []struct {
		mode, query, want string
	}{
		{"", "Navalny", search.ModeHybrid},
		{search.ModeLexical, "Navalny", search.ModeLexical},
		{search.ModeSemantic, "Navalny", search.ModeSemantic},
		{search.ModeSemantic, "", search.ModeLexical},       // browsing has nothing to embed
		{search.ModeHybrid, "-Navalny", search.ModeLexical}, // nor has a pure exclusion
		{search.ModeHybrid, "poison*", search.ModeHybrid},   // a wildcard is embedded without its star
		{search.ModeSemantic, "person:Trump", search.ModeSemantic},
	} {
		res := mustSearch(t, f.eng, search.Request{Query: tt.query, Mode: tt.mode})
		if res.Mode != tt.want {
			t.Errorf("mode %q query %q ran %q, want %q", tt.mode, tt.query, res.Mode, tt.want)
		}
	}

	// An engine without an embedder: lexical by default, ErrNoEmbeddings
	// when asked for more.
	plain, err := search.New(f.ix)
	if err != nil {
		t.Fatal(err)
	}
	if res := mustSearch(t, plain, search.Request{Query: "Navalny"}); res.Mode != search.ModeLexical {
		t.Errorf("default mode without embedder: %q", res.Mode)
	}
	if _, err := plain.Search(context.Background(), search.Request{Query: "Navalny", Mode: search.ModeHybrid}); !errors.Is(err, search.ErrNoEmbeddings) {
		t.Errorf("hybrid without embedder: %v, want ErrNoEmbeddings", err)
	}

	// An index built without vectors (--embed=false).
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	a := f.arts["wikinews-2020-084"]
	a.Embeddings = nil
	if err := ix.Add(context.Background(), []newsdex.Article{a}); err != nil {
		t.Fatal(err)
	}
	lexOnly, _ := search.New(ix, search.WithEmbedder(loadEmbedder(t)))
	if res := mustSearch(t, lexOnly, search.Request{Query: "Navalny"}); res.Mode != search.ModeLexical || res.Total != 1 {
		t.Errorf("default mode on a lexical-only index: %q with %d hits", res.Mode, res.Total)
	}
	for _, mode := range []string{search.ModeSemantic, search.ModeHybrid} {
		if _, err := lexOnly.Search(context.Background(), search.Request{Query: "Navalny", Mode: mode}); !errors.Is(err, search.ErrNoEmbeddings) {
			t.Errorf("%s on a lexical-only index: %v, want ErrNoEmbeddings", mode, err)
		}
	}
	if _, err := lexOnly.Similar(context.Background(), a.ID, search.Request{}); !errors.Is(err, search.ErrNoEmbeddings) {
		t.Errorf("similar on a lexical-only index: %v, want ErrNoEmbeddings", err)
	}
}

// allIDs pages through every hit of r.
// allIDs pages through r by cursor and returns the ids of every hit and
// the number of hits the results said the list holds (total + related).
func allIDs(tb testing.TB, eng *search.Engine, r search.Request) ([]string, uint64) {
	r.Size, r.Snippets, r.Facets = 7, -1, []string{}
	var ids []string
	var total uint64
	for range 200 {
		res := mustSearch(tb, eng, r)
		total = res.Total + res.Related
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if res.NextCursor == "" {
			return ids, total
		}
		r.Cursor = res.NextCursor
	}
	tb.Fatal("paging did not end")
	return nil, 0
}

// TestSemanticOperatorsKeepMeaning: a query with operators matches the same
// articles in every mode; the modes differ only in order.
func TestSemanticOperatorsKeepMeaning(t *testing.T) {
	f := newSemanticFixture(t)
	for _, q := range []string{
		"Trump AND impeachment", "Trump -impeachment", `"Trump impeachment"`, "person:Trump",
		"coronavirus OR virus", "+president election campaign", "poison*", "Navalny~1", "(Turkey OR Syria) AND NOT attack",
	} {
		want, wantTotal := allIDs(t, f.eng, search.Request{Query: q, Mode: search.ModeLexical})
		slices.Sort(want)
		for _, mode := range []string{search.ModeSemantic, search.ModeHybrid} {
			got, total := allIDs(t, f.eng, search.Request{Query: q, Mode: mode})
			slices.Sort(got)
			if !slices.Equal(got, want) || total != wantTotal {
				t.Errorf("%q in %s: %d hits (total %d), lexical %d (total %d)", q, mode, len(got), total, len(want), wantTotal)
			}
		}
	}
}

// TestSemanticTotalsAndFacets: total counts the articles one can page
// through, and the published histogram sums to it.
func TestSemanticTotalsAndFacets(t *testing.T) {
	f := newSemanticFixture(t)
	for _, r := range []search.Request{
		{Query: "marathon", Mode: search.ModeSemantic},
		{Query: "Trump Pelosi", Mode: search.ModeHybrid},
		{Query: "space", Mode: search.ModeSemantic, Filters: map[string][]string{"outlet": {"wikinews"}}},
	} {
		ids, listed := allIDs(t, f.eng, r)
		if uint64(len(ids)) != listed || listed == 0 {
			t.Errorf("%q %s: paged %d hits, total + related %d", r.Query, r.Mode, len(ids), listed)
		}
		if len(ids) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
			t.Errorf("%q %s: a hit repeats across pages", r.Query, r.Mode)
		}
		res := mustSearch(t, f.eng, r)
		sum := 0
		for _, b := range res.Facets[search.FacetPublished] {
			sum += b.Count
		}
		if uint64(sum) != res.Total {
			t.Errorf("%q %s: published histogram sums to %d, total %d", r.Query, r.Mode, sum, res.Total)
		}
		// Date order lists the match set, which the relevance order holds.
		r.Sort = search.SortDate
		dated, dlisted := allIDs(t, f.eng, r)
		if dlisted != res.Total || uint64(len(dated)) != res.Total {
			t.Errorf("%q %s sorted by date: %d hits (listed %d), total %d", r.Query, r.Mode, len(dated), dlisted, res.Total)
		}
		for _, id := range dated {
			if !slices.Contains(ids, id) {
				t.Errorf("%q %s: %s is listed by date, not by relevance", r.Query, r.Mode, id)
			}
		}
	}
	// Semantic hits need not contain the words.
	res := mustSearch(t, f.eng, search.Request{Query: "Kremlin critic nerve agent", Mode: search.ModeSemantic, Size: 3})
	if len(res.Hits) == 0 || !strings.HasPrefix(res.Hits[0].ID, "wikinews-2020-0") {
		t.Errorf("semantic top hits: %+v", res.Hits)
	}
}

// TestSemanticFiltersBeforeTopK: filters apply inside the vector search,
// before its floor and its k: semantic mode's set under a date range is
// every article in the range above the floor, and a hybrid list's
// neighbours are the k nearest in the range.
func TestSemanticFiltersBeforeTopK(t *testing.T) {
	f := newSemanticFixture(t)
	ctx := context.Background()
	from, _ := time.Parse(time.DateOnly, "2019-09-01")
	to, _ := time.Parse(time.DateOnly, "2019-10-15")
	const q = "impeachment"
	text, err := search.QueryEmbedText(q)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := f.emb.Embed(ctx, []string{text})
	if err != nil {
		skipOrFail(t, err)
	}
	st, _ := f.ix.Vectors()
	near := func(floor float32, k int) []string {
		hs, err := st.Search(vector.Query{Vector: vs[0], K: k, MinScore: floor, Filter: vector.Filter{From: from, To: to.AddDate(0, 0, 1)}})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			out = append(out, h.ID)
		}
		return out
	}
	floor := float32(mustSearch(t, f.eng, search.Request{Query: q, Mode: search.ModeSemantic, Size: 1}).Floor)
	want := near(floor, 1000)
	if len(want) == 0 {
		t.Fatalf("no article of the range is above the floor for %q: pick another query", q)
	}
	got, _ := allIDs(t, f.eng, search.Request{Query: q, Mode: search.ModeSemantic, From: from, To: to})
	if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("semantic set in the range: %v, want %v", got, want)
	}
	lexical, _ := allIDs(t, f.eng, search.Request{Query: q, Mode: search.ModeLexical, From: from, To: to})
	const k = 3
	var wantNear []string
	for _, id := range near(floor, k) {
		if !slices.Contains(lexical, id) {
			wantNear = append(wantNear, id)
		}
	}
	res := mustSearch(t, f.eng, search.Request{Query: q, Mode: search.ModeHybrid, From: from, To: to, Neighbours: k, Size: search.MaxSize})
	var gotNear []string
	for _, h := range res.Hits {
		if h.Published < "2019-09-01" || h.Published > "2019-10-15" {
			t.Errorf("hybrid: hit %s published %s, outside the range", h.ID, h.Published)
		}
		if h.Match == search.MatchSemantic {
			gotNear = append(gotNear, h.ID)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(gotNear)), slices.Sorted(slices.Values(wantNear))) {
		t.Errorf("hybrid neighbours in the range: %v, want %v", gotNear, wantNear)
	}
	for _, mode := range []string{search.ModeSemantic, search.ModeHybrid} {
		res := mustSearch(t, f.eng, search.Request{Query: "space", Mode: mode, Filters: map[string][]string{"outlet": {"nobody"}}})
		if len(res.Hits) != 0 || res.Total != 0 {
			t.Errorf("%s: an unknown outlet matched %d", mode, res.Total)
		}
	}
}

// TestSemanticSnippets: the best passage is shown, with the words of the
// query marked where they occur.
func TestSemanticSnippets(t *testing.T) {
	f := newSemanticFixture(t)
	res := mustSearch(t, f.eng, search.Request{Query: "Navalny poison", Mode: search.ModeSemantic, Size: 1, Snippets: 2})
	if len(res.Hits) == 0 || len(res.Hits[0].Snippets) == 0 {
		t.Fatalf("no snippets: %+v", res.Hits)
	}
	if s := res.Hits[0].Snippets[0]; !strings.Contains(s, "<mark>") {
		t.Errorf("best passage without marks: %s", s)
	}
	res = mustSearch(t, f.eng, search.Request{Query: "first people launched into space by a private rocket company", Mode: search.ModeSemantic, Size: 1})
	if len(res.Hits) == 0 || len(res.Hits[0].Snippets) == 0 {
		t.Fatal("no snippet for a paraphrase")
	}
}

// TestSimilar: more-like-this finds the related story and leaves out the
// article itself and its copies.
func TestSimilar(t *testing.T) {
	copyOf := func(id, newID string) newsdex.Article {
		a := readGold(t)
		for _, x := range a {
			if x.ID == id {
				x.ID = newID
				x.Body = "Reposted. " + x.Body
				return x
			}
		}
		t.Fatalf("no article %s", id)
		return newsdex.Article{}
	}
	f := newSemanticFixture(t)
	ctx := context.Background()
	cp := []newsdex.Article{copyOf("wikinews-2020-084", "copy-of-084")}
	if err := embedArticles(ctx, f.emb, cp); err != nil {
		skipOrFail(t, err)
	}
	if err := f.ix.Add(ctx, cp); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.ix.Delete(ctx, "copy-of-084") })
	res, err := f.eng.Similar(ctx, "wikinews-2020-084", search.Request{Size: 5})
	if err != nil {
		skipOrFail(t, err)
	}
	ids := []string{}
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	if slices.Contains(ids, "wikinews-2020-084") || slices.Contains(ids, "copy-of-084") {
		t.Errorf("similar includes the article or its copy: %v", ids)
	}
	if len(ids) == 0 || ids[0] != "wikinews-2020-090" {
		t.Errorf("similar to the Navalny airlift: %v, want the Novichok story first", ids)
	}
	// Filters apply.
	res, err = f.eng.Similar(ctx, "wikinews-2020-084", search.Request{Size: 5, To: time.Date(2019, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Published > "2019-12-31" {
			t.Errorf("similar with to=2019-12-31 returned %s of %s", h.ID, h.Published)
		}
	}
	if _, err := f.eng.Similar(ctx, "no-such-id", search.Request{}); !errors.Is(err, search.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestSemanticCollapse: wire copies fold into their first article in the
// ranked modes as in lexical mode, and come back with collapse=false.
func TestSemanticCollapse(t *testing.T) {
	f := newSemanticFixture(t)
	ctx := context.Background()
	cp := f.arts["wikinews-2020-090"]
	cp.ID, cp.DuplicateOf, cp.Embeddings = "wire-copy-090", "wikinews-2020-090", nil
	arts := []newsdex.Article{cp}
	if err := embedArticles(ctx, f.emb, arts); err != nil {
		skipOrFail(t, err)
	}
	if err := f.ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.ix.Delete(ctx, cp.ID) })
	no := false
	for _, mode := range []string{search.ModeSemantic, search.ModeHybrid} {
		for _, collapse := range []*bool{nil, &no} {
			ids, total := allIDs(t, f.eng, search.Request{Query: "Navalny nerve agent", Mode: mode, Collapse: collapse})
			want := collapse == nil
			if slices.Contains(ids, cp.ID) == want {
				t.Errorf("%s collapse=%v: copy present = %v", mode, want, !want)
			}
			if uint64(len(ids)) != total {
				t.Errorf("%s collapse=%v: %d hits, total %d", mode, want, len(ids), total)
			}
		}
	}
}
