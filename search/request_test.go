package search

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// checkNormalizeTwice fails t if r normalises but a second Normalize
// errs or changes it: the API checks a request and the engine normalises
// it again, so both must see the same request.
func checkNormalizeTwice(t *testing.T, r Request) {
	t.Helper()
	if err := r.Normalize(); err != nil {
		return
	}
	once := r
	once.Facets = slices.Clone(r.Facets) // keeps nil apart from empty
	if err := r.Normalize(); err != nil {
		t.Fatalf("second Normalize of %+v: %v", once, err)
	}
	if diff := cmp.Diff(once, r); diff != "" {
		t.Fatalf("Normalize is not idempotent (-once +twice):\n%s", diff)
	}
}

func TestNormalizeIdempotent(t *testing.T) {
	yes := true
	tests := []struct {
		name         string
		r            Request
		wantSnippets int
	}{
		{"zero value", Request{}, DefaultSnippets},
		{"no snippets", Request{Snippets: -1}, -1},
		{"some snippets", Request{Snippets: 5, SnippetSize: 300}, 5},
		{"every field", Request{Query: "xi", Filters: map[string][]string{FilterPerson: {"Xi Jinping"}},
			From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC),
			Sort: SortDate, Size: 20, Page: 3, Snippets: -1, SnippetSize: 100, Facets: []string{}, FacetSize: 5,
			Interval: "week", Collapse: &yes, Mode: ModeHybrid}, -1},
		{"cursor", Request{Cursor: "abc", Snippets: MaxSnippets}, MaxSnippets},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			if err := r.Normalize(); err != nil {
				t.Fatal(err)
			}
			if r.Snippets != tc.wantSnippets {
				t.Errorf("Snippets = %d after Normalize, want %d", r.Snippets, tc.wantSnippets)
			}
			checkNormalizeTwice(t, tc.r)
		})
	}
}

// FuzzNormalizeIdempotent: whatever the request, a second Normalize of a
// normalised request succeeds and changes nothing.
func FuzzNormalizeIdempotent(f *testing.F) {
	f.Add("", "", "", "", "", 0, 0, 0, 0, 0)
	f.Add("xi", "date", "week", "hybrid", "people,outlets", 10, 2, -1, 200, 5)
	f.Add("", "", "", "", "", 0, 0, -1, 0, 0)
	f.Add("q", "date_asc", "day", "semantic", "", 100, 1, 10, 1000, 100)
	f.Fuzz(func(t *testing.T, q, sort, interval, mode, facets string, size, page, snippets, snippetSize, facetSize int) {
		r := Request{Query: q, Sort: sort, Interval: interval, Mode: mode, Size: size, Page: page,
			Snippets: snippets, SnippetSize: snippetSize, FacetSize: facetSize}
		if facets != "" {
			r.Facets = strings.Split(facets, ",")
		}
		checkNormalizeTwice(t, r)
	})
}
