package search_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// TestDateWalkThroughUndated: a cursor walk in date order lists every
// article once, the undated ones last, however the pages fall on the
// boundary between dated and undated articles (Bleve cannot resume after
// an article without the sort field by itself).
func TestDateWalkThroughUndated(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	var arts []newsdex.Article
	for i := range 13 {
		a := newsdex.Article{ID: fmt.Sprintf("a%02d", i), Title: "Harbour story", Body: "The harbour reopened."}
		if i%3 != 0 {
			a.Published = time.Date(2020, 1, 1+i, 0, 0, 0, 0, time.UTC)
		}
		arts = append(arts, a)
	}
	if err := ix.Add(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	for _, sort := range []string{search.SortDate, search.SortDateAsc} {
		for size := 1; size <= 5; size++ {
			for _, cursor := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/size=%d/cursor=%v", sort, size, cursor), func(t *testing.T) {
					hits, res := walk(t, eng, search.Request{Query: "harbour", Mode: search.ModeLexical, Sort: sort, Size: size}, cursor)
					if len(hits) != len(arts) || res.Total != uint64(len(arts)) {
						t.Fatalf("walked %d hits, total %d, want %d", len(hits), res.Total, len(arts))
					}
					for i := 1; i < len(hits); i++ {
						a, b := hits[i-1].Published, hits[i].Published
						switch {
						case a == "" && b != "":
							t.Errorf("undated %s before dated %s", hits[i-1].ID, hits[i].ID)
						case a != "" && b != "" && (sort == search.SortDate && a < b || sort == search.SortDateAsc && a > b):
							t.Errorf("%s (%s) before %s (%s)", hits[i-1].ID, a, hits[i].ID, b)
						}
					}
				})
			}
		}
	}
}
