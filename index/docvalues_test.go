package index

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
)

// TestDocValuesSurviveMerges: facet counts stay exact after many small
// batches have been merged, with the doc-value options mapDocument sets
// (zapx mis-merges uncompressed doc values that are still chunked).
func TestDocValuesSurviveMerges(t *testing.T) {
	ix, err := Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	want := map[string]int{}
	for b := range 40 {
		var arts []newsdex.Article
		for i := range 7 {
			id := fmt.Sprintf("a%02d-%d", b, i)
			a := newsdex.Article{ID: id, Title: "T", Body: "Body text.", Outlet: fmt.Sprintf("Outlet %d", i%3)}
			for p := range i % 4 {
				name := fmt.Sprintf("Person %d", (b+p)%5)
				a.People = append(a.People, newsdex.Entity{Name: name, Count: 1})
				want["people/"+name]++
			}
			want["outlet/"+a.Outlet]++
			arts = append(arts, a)
		}
		if err := ix.Add(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	// Replace and delete some, so merges drop documents too.
	if _, err := ix.Delete(ctx, "a00-1", "a00-2"); err != nil {
		t.Fatal(err)
	}
	want["outlet/Outlet 1"]--
	want["outlet/Outlet 2"]--
	want["people/Person 0"]--
	want["people/Person 0"]--
	want["people/Person 1"]--
	if err := ix.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet("people", bleve.NewFacetRequest(mustKind("person").FacetField, 100))
	req.AddFacet("outlet", bleve.NewFacetRequest(mustKind("outlet").FacetField, 100))
	res, err := ix.Bleve().SearchInContext(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for name, f := range res.Facets {
		for _, tf := range f.Terms.Terms() {
			got[name+"/"+tf.Term] = tf.Count
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("facet counts after merges (-want +got):\n%s", diff)
	}
}
