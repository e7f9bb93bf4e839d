package search

import (
	"context"
	"fmt"
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

// TestSimilarCountsDuplicates: more-like-this sets duplicates on its hits
// as search does (the OpenAPI document promises it on every Hit).
func TestSimilarCountsDuplicates(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	art := func(id, dupOf string, v ...float32) newsdex.Article {
		body := "Body of " + id + "."
		return newsdex.Article{ID: id, Title: "Storm " + id, Body: body, DuplicateOf: dupOf,
			Passages:   []newsdex.Passage{{Start: 0, End: len(body)}},
			Embeddings: &newsdex.Embeddings{Model: "test", Vectors: [][]float32{v}}}
	}
	// Unit vectors: w1 and its copies are nearer to a than o1 is, and no
	// hit is close enough to a to count as a copy of it.
	arts := []newsdex.Article{
		art("a", "", 1, 0, 0),
		art("w1", "", 0.8, 0.6, 0),
		art("w2", "w1", 0.8, 0.6, 0),
		art("w3", "w1", 0.8, 0.6, 0),
		art("o1", "", 0.6, 0, 0.8),
	}
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	e, err := New(ix, WithoutResultCache())
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Similar(ctx, "a", Request{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range res.Hits {
		got = append(got, fmt.Sprintf("%s:%d", h.ID, h.Duplicates))
	}
	if diff := cmp.Diff([]string{"w1:2", "o1:0"}, got); diff != "" {
		t.Errorf("Similar hits id:duplicates mismatch (-want +got):\n%s", diff)
	}
}
