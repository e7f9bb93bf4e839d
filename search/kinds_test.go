package search

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
)

// useKinds replaces the table of entity kinds for the rest of the test
// and derives search's lists from it again; both come back at cleanup.
// The table is package state, so a test that calls it must not be
// parallel.
func useKinds(t *testing.T, ks []newsdex.Kind) {
	t.Helper()
	old := newsdex.Kinds
	newsdex.Kinds = ks
	deriveKinds()
	t.Cleanup(func() {
		newsdex.Kinds = old
		deriveKinds()
	})
}

// fixedEmbedder embeds every query as one vector.
type fixedEmbedder []float32

func (v fixedEmbedder) Name() string { return "test" }
func (v fixedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = v
	}
	return out, nil
}

// TestAddedKind adds a throwaway organization kind as one table entry
// and checks it on every path: the index mapping and documents, the
// filter on the lexical (Bleve) and the semantic (vector store) path, the
// facet, the fielded query, forgiving filters, the entity list and the
// parameter lists.
func TestAddedKind(t *testing.T) {
	org := newsdex.Kind{Name: "organization", Facet: "organizations", Display: "organization",
		FacetField: "organizations", FilterField: "f_organization", QueryField: "q_organization", FacetRank: 5,
		Entities: func(a *newsdex.Article) []newsdex.Entity {
			var es []newsdex.Entity
			for _, n := range a.Labels["org"] {
				es = append(es, newsdex.Entity{Name: n, Count: 1, First: -1})
			}
			return es
		}}
	useKinds(t, append(slices.Clone(newsdex.Kinds), org))

	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	art := func(id string, orgs []string, v ...float32) newsdex.Article {
		body := "Talks on trade between the companies " + id + "."
		return newsdex.Article{ID: id, Title: "Trade talks " + id, Body: body, Labels: map[string][]string{"org": orgs},
			Passages:   []newsdex.Passage{{Start: 0, End: len(body)}},
			Embeddings: &newsdex.Embeddings{Model: "test", Vectors: [][]float32{v}}}
	}
	// a2 is nearer the query than a3 (the semantic floor keeps all three
	// above a4): only the filter leaves it out.
	arts := []newsdex.Article{
		art("a1", []string{"Acme Corp"}, 1, 0, 0),
		art("a2", []string{"Globex"}, 0.99, 0.14107, 0),
		art("a3", []string{"Acme Corp", "Initech"}, 0.98, 0.19900, 0),
		art("a4", nil, 0.6, 0, 0.8),
	}
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	e, err := New(ix, WithoutResultCache(), WithEmbedder(fixedEmbedder{1, 0, 0}))
	if err != nil {
		t.Fatal(err)
	}
	hitIDs := func(t *testing.T, r Request) []string {
		t.Helper()
		res, err := e.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		sort.Strings(got)
		return got
	}
	acme := map[string][]string{"organization": {"acme corp"}}
	tests := []struct {
		name string
		r    Request
		want []string
	}{
		{"lexical filter", Request{Query: "trade", Filters: acme}, []string{"a1", "a3"}},
		{"filter alone", Request{Filters: acme}, []string{"a1", "a3"}},
		{"filters anded", Request{Filters: map[string][]string{"organization": {"Acme Corp", "Initech"}},
			FilterOps: map[string]string{"organization": OpAnd}}, []string{"a3"}},
		{"semantic, no filter", Request{Query: "trade", Mode: ModeSemantic}, []string{"a1", "a2", "a3"}},
		{"semantic filter (vector store)", Request{Query: "trade", Mode: ModeSemantic, Filters: acme}, []string{"a1", "a3"}},
		{"hybrid filter", Request{Query: "trade", Mode: ModeHybrid, Filters: acme}, []string{"a1", "a3"}},
		{"query field", Request{Query: "organization:globex"}, []string{"a2"}},
		{"query field phrase", Request{Query: `organization:"acme corp"`}, []string{"a1", "a3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, hitIDs(t, tc.r)); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("facet", func(t *testing.T) {
		if !slices.Contains(AllFacets, "organizations") || !slices.Contains(ListFacets, "organizations") {
			t.Fatalf("facet lists %v, %v miss organizations", AllFacets, ListFacets)
		}
		res, err := e.Search(ctx, Request{Query: "trade", Facets: []string{"organizations"}})
		if err != nil {
			t.Fatal(err)
		}
		want := []Bucket{{Value: "Acme Corp", Count: 2}, {Value: "Globex", Count: 1}, {Value: "Initech", Count: 1}}
		if diff := cmp.Diff(want, res.Facets["organizations"]); diff != "" {
			t.Errorf("facet (-want +got):\n%s", diff)
		}
	})
	t.Run("forgiving filter", func(t *testing.T) {
		res, err := e.Search(ctx, Request{Filters: map[string][]string{"organization": {"ACME  corp"}}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 2 {
			t.Errorf("total %d, want 2 (resolutions %+v)", res.Total, res.FiltersResolved)
		}
	})
	t.Run("entity list", func(t *testing.T) {
		bs, err := e.Entities(ctx, "organization", "ac", 10)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]Bucket{{Value: "Acme Corp", Count: 2}}, bs); diff != "" {
			t.Errorf("entities (-want +got):\n%s", diff)
		}
	})
	t.Run("parameters", func(t *testing.T) {
		for _, p := range []string{"organization", "organization_op"} {
			if !slices.Contains(Params, p) {
				t.Errorf("Params miss %s", p)
			}
		}
		if !slices.Contains(uq.Fields(), "organization") {
			t.Errorf("query fields %v miss organization", uq.Fields())
		}
		r, err := ParseValues(Request{Filters: acme, FilterOps: map[string]string{"organization": OpOr}}.Values())
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(acme, r.Filters); diff != "" {
			t.Errorf("filters after Values/ParseValues (-want +got):\n%s", diff)
		}
	})
}

// TestKindsTable checks that the filter and facet names search exports
// are the table's, in its orders.
func TestKindsTable(t *testing.T) {
	want := []string{FilterPerson, FilterOutlet, FilterCited, FilterPlace, FilterLeader}
	if diff := cmp.Diff(want, FilterNames); diff != "" {
		t.Errorf("FilterNames (-want +got):\n%s", diff)
	}
	wantFacets := []string{FacetPeople, FacetLeaders, FacetOutlets, FacetCited, FacetPlaces, FacetPublished}
	if diff := cmp.Diff(wantFacets, AllFacets); diff != "" {
		t.Errorf("AllFacets (-want +got):\n%s", diff)
	}
	for _, k := range newsdex.Kinds {
		if (k.Entities == nil) == (k.Single == nil) {
			t.Errorf("kind %s: set exactly one of Entities and Single", k.Name)
		}
		if k.Name == "" || k.Facet == "" || k.FacetField == "" || k.FilterField == "" || k.QueryField == "" || k.Display == "" {
			t.Errorf("kind %+v: a name is missing", k)
		}
	}
}
