package search

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// TestResultCache: a repeated search is answered from the cache with the
// same results, and any write makes the next search compute afresh.
func TestResultCache(t *testing.T) {
	e := collectFixture(t, 1)
	ix := e.src.(*index.Index)
	ctx := context.Background()
	r := Request{Query: "putin", Mode: ModeLexical}
	first, err := e.Search(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.cache.items); n != 1 {
		t.Fatalf("cache holds %d results after one search, want 1", n)
	}
	again, err := e.Search(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, again, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "TookMS" }, cmp.Ignore())); diff != "" {
		t.Errorf("cached result differs (-first +cached):\n%s", diff)
	}

	a, err := ix.Get("a1-0")
	if err != nil {
		t.Fatal(err)
	}
	a.ID = "fresh"
	a.Title = "Putin fresh article"
	if err := ix.Add(ctx, []newsdex.Article{a}); err != nil {
		t.Fatal(err)
	}
	after, err := e.Search(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if after.Total != first.Total+1 {
		t.Errorf("after a write total = %d, want %d: the cache served a stale result", after.Total, first.Total+1)
	}
	if _, err := ix.Delete(ctx, "fresh"); err != nil {
		t.Fatal(err)
	}
	if res, err := e.Search(ctx, r); err != nil || res.Total != first.Total {
		t.Errorf("after a delete total = %d, %v; want %d", res.Total, err, first.Total)
	}
}

func TestWithoutResultCache(t *testing.T) {
	e := collectFixture(t, 1)
	WithoutResultCache()(e)
	if _, err := e.Search(context.Background(), Request{Query: "putin"}); err != nil {
		t.Fatal(err)
	}
	if e.cache != nil {
		t.Error("WithoutResultCache left a cache")
	}
}

func TestResultCacheEvicts(t *testing.T) {
	c := newResultCache(2)
	var e Engine
	e.src = collectFixture(t, 1).src
	snap := e.liveSnapshot()
	for _, k := range []string{"a", "b", "c"} {
		c.put(snap, k, &Results{Mode: k})
	}
	if c.get(snap, "a") != nil || c.get(snap, "c") == nil || len(c.items) != 2 {
		t.Errorf("after 3 puts into a cache of 2: items %v", c.items)
	}
}
