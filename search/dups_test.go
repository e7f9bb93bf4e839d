package search

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// TestCountDuplicates: the wire copies of a hit are counted (through
// runSearch's field-data facets).
func TestCountDuplicates(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	arts := []newsdex.Article{
		{ID: "w1", Title: "Storm hits coast", Body: "A storm hit the coast."},
		{ID: "w2", Title: "Storm hits coast", Body: "A storm hit the coast.", DuplicateOf: "w1"},
		{ID: "w3", Title: "Storm hits coast", Body: "A storm hit the coast.", DuplicateOf: "w1"},
		{ID: "o1", Title: "Storm season", Body: "The storm season starts."},
	}
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	e, err := New(ix, WithoutResultCache())
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Search(ctx, Request{Query: "storm", Mode: ModeLexical})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, h := range res.Hits {
		got[h.ID] = h.Duplicates
	}
	if want := map[string]int{"w1": 2, "o1": 0}; !cmp.Equal(got, want) {
		t.Errorf("duplicates = %v, want %v", got, want)
	}
}
