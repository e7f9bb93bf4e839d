package service_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/internal/service"
	"github.com/newsdex/newsdex/search"
)

// slice reads the first n articles of name, a file under the shared
// corpora; it skips tb (fails it under CI) when the file is absent.
func slice(tb testing.TB, name string, opts ingest.Options, n int) []newsdex.Article {
	tb.Helper()
	path := corpora.Path(tb, name)
	var out []newsdex.Article
	stop := context.Canceled
	err := ingest.Walk(context.Background(), []string{path}, opts, func(a newsdex.Article) error {
		out = append(out, a)
		if len(out) == n {
			return stop
		}
		return nil
	}, func(re *ingest.RecordError) { tb.Logf("skip: %v", re) })
	if err != nil && !errors.Is(err, stop) {
		tb.Fatal(err)
	}
	return out
}

func newService(tb testing.TB) (*service.Service, *search.Engine) {
	tb.Helper()
	ix, err := index.Open(filepath.Join(tb.TempDir(), "ix"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ix.Close() })
	x, err := extract.New()
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		tb.Fatal(err)
	}
	return service.New(ix, x, slog.New(slog.NewTextHandler(io.Discard, nil))), eng
}

// TestCorpusSlices indexes slices of AllSides and Reuters into one index
// and checks counts, filters, facets and the histogram against the source.
func TestCorpusSlices(t *testing.T) {
	ctx := context.Background()
	allsides := slice(t, "allsides-abp/articles-2019.jsonl.gz", ingest.Options{Map: map[string]string{
		"id": "ID", "title": "title", "body": "content_original", "outlet": "source", "published": "date", "url": "url", "authors": "authors"}}, 300)
	reuters := slice(t, "reuters21578/reut2-000.sgm.gz", ingest.Options{}, 200)
	svc, eng := newService(t)

	wantOutlets := map[string]int{}
	for _, a := range append(slices.Clone(allsides), reuters...) {
		wantOutlets[a.Outlet]++
	}
	if _, err := svc.Put(ctx, allsides); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Put(ctx, reuters); err != nil {
		t.Fatal(err)
	}

	all, err := eng.Search(ctx, search.Request{FacetSize: 100, Facets: []string{"outlets", "published"}})
	if err != nil {
		t.Fatal(err)
	}
	if int(all.Total) != len(allsides)+len(reuters) {
		t.Errorf("total %d, want %d", all.Total, len(allsides)+len(reuters))
	}
	gotOutlets := map[string]int{}
	for _, b := range all.Facets["outlets"] {
		gotOutlets[b.Value] = b.Count
	}
	if len(wantOutlets) <= 100 {
		for o, n := range wantOutlets {
			if gotOutlets[o] != n {
				t.Errorf("outlets facet %q = %d, source has %d", o, gotOutlets[o], n)
			}
		}
	}
	sum := 0
	for _, b := range all.Facets["published"] {
		sum += b.Count
	}
	if sum != int(all.Total) {
		t.Errorf("published histogram sums to %d, total %d", sum, all.Total)
	}

	// An outlet filter returns only that outlet, as many as the source has.
	for _, outlet := range []string{"Fox News", "Reuters"} {
		res, err := eng.Search(ctx, search.Request{Filters: map[string][]string{"outlet": {outlet}}, Size: 100, Snippets: -1})
		if err != nil {
			t.Fatal(err)
		}
		if int(res.Total) != wantOutlets[outlet] {
			t.Errorf("outlet=%s total %d, source has %d", outlet, res.Total, wantOutlets[outlet])
		}
		for _, h := range res.Hits {
			if h.Outlet != outlet {
				t.Errorf("outlet=%s returned %s from %q", outlet, h.ID, h.Outlet)
			}
		}
	}

	// A person filter returns only articles whose people include them.
	res, err := eng.Search(ctx, search.Request{Filters: map[string][]string{"person": {"donald trump"}}, Size: 100, Snippets: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 {
		t.Error("person=donald trump matched nothing in 300 AllSides articles of 2019")
	}
	for _, h := range res.Hits {
		if !slices.Contains(h.People, "Donald Trump") {
			t.Errorf("person filter returned %s with people %v", h.ID, h.People)
		}
	}
}

// TestSeedEntities checks the core issue's exact entity sets on the seed.
func TestSeedEntities(t *testing.T) {
	ctx := context.Background()
	svc, eng := newService(t)
	var seeds []newsdex.Article
	err := ingest.ReadFS(ctx, mustSub(t), ingest.Options{}, func(a newsdex.Article) error {
		seeds = append(seeds, a)
		return nil
	}, func(re *ingest.RecordError) { t.Errorf("seed record: %v", re) })
	if err != nil || len(seeds) != 1 {
		t.Fatalf("read seeds: %d articles, %v", len(seeds), err)
	}
	if _, err := svc.Put(ctx, seeds); err != nil {
		t.Fatal(err)
	}
	res, err := eng.Search(ctx, search.Request{Query: "Putin"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || len(res.Hits[0].Snippets) == 0 {
		t.Fatalf("q=Putin: total %d, hits %+v", res.Total, res.Hits)
	}
	h := res.Hits[0]
	people := slices.Sorted(slices.Values(h.People))
	if want := []string{"Donald Trump", "Tatyana Golikova", "Vladimir Putin", "Xi Jinping", "Yury Ushakov"}; !slices.Equal(people, want) {
		t.Errorf("seed people = %v, want %v", people, want)
	}
	cited := slices.Sorted(slices.Values(h.Cited))
	if want := []string{"TASS", "Xinhua"}; !slices.Equal(cited, want) {
		t.Errorf("seed cited = %v, want %v", cited, want)
	}
	if !slices.ContainsFunc(h.Snippets, func(s string) bool { return len(s) > 0 && contains(s, "<mark>Putin</mark>") }) {
		t.Errorf("no highlighted Putin in snippets %q", h.Snippets)
	}
}

func mustSub(tb testing.TB) fs.FS {
	tb.Helper()
	sub, err := fs.Sub(newsdex.Seeds, "seeds")
	if err != nil {
		tb.Fatal(err)
	}
	return sub
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
