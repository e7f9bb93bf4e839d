package service_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/ingest"
	"github.com/newsdex/newsdex/internal/corpora"
	"github.com/newsdex/newsdex/search"
)

// TestLeadersFacetTransitions indexes the AllSides articles of July and
// August 2019 and checks that the leaders facet follows the handover from
// Theresa May to Boris Johnson on 2019-07-24: before it, Johnson is no
// leader; from it, May is none.
func TestLeadersFacetTransitions(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a month of AllSides; skipped with -short")
	}
	ctx := context.Background()
	path := corpora.Path(t, "allsides-abp/articles-2019.jsonl.gz")
	from, to := day("2019-07-01"), day("2019-08-31")
	var arts []newsdex.Article
	stop := errors.New("stop")
	opts := ingest.Options{Map: map[string]string{"id": "ID", "title": "title", "body": "content_original", "outlet": "source", "published": "date"}}
	err := ingest.Walk(ctx, []string{path}, opts, func(a newsdex.Article) error {
		if !a.Published.Before(from) && !a.Published.After(to) {
			arts = append(arts, a)
		}
		return nil
	}, func(*ingest.RecordError) {})
	if err != nil && !errors.Is(err, stop) {
		t.Fatal(err)
	}
	if len(arts) < 100 {
		t.Fatalf("only %d AllSides articles in July–August 2019", len(arts))
	}
	svc, eng := newService(t)
	if _, err := svc.Put(ctx, arts); err != nil {
		t.Fatal(err)
	}
	leaders := func(from, to string) map[string]int {
		res, err := eng.Search(ctx, search.Request{From: day(from), To: day(to), Facets: []string{"leaders"}, FacetSize: 100, Mode: search.ModeLexical})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, b := range res.Facets["leaders"] {
			out[b.Value] = b.Count
		}
		return out
	}
	before, after := leaders("2019-07-01", "2019-07-23"), leaders("2019-07-24", "2019-08-31")
	t.Logf("before the handover: May %d, Johnson %d; after: May %d, Johnson %d",
		before["Theresa May"], before["Boris Johnson"], after["Theresa May"], after["Boris Johnson"])
	if before["Boris Johnson"] != 0 || after["Theresa May"] != 0 {
		t.Errorf("leaders facet crosses the May→Johnson handover: before %v, after %v", before, after)
	}
	if before["Theresa May"] == 0 || after["Boris Johnson"] == 0 {
		t.Errorf("leaders facet misses May before or Johnson after the handover: before %v, after %v", before, after)
	}
	// Every leader bucket's office holds on every article date: Trump is
	// president throughout.
	if before["Donald Trump"] == 0 || after["Donald Trump"] == 0 {
		t.Errorf("Donald Trump missing from the leaders facet in 2019")
	}
}

func day(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}
