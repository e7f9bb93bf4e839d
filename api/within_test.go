package api

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/search"
)

// TestSimilarWithinDays: within_days keeps the neighbours near the
// article's date and echoes the window; the answers match the document.
func TestSimilarWithinDays(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	art := func(id, date string, v ...float32) newsdex.Article {
		body := "Body of " + id + "."
		a := newsdex.Article{ID: id, Title: "Summit " + id, Body: body,
			Passages:   []newsdex.Passage{{Start: 0, End: len(body)}},
			Embeddings: &newsdex.Embeddings{Model: "test", Vectors: [][]float32{v}}}
		a.Published, _ = time.Parse(time.DateOnly, date)
		return a
	}
	arts := []newsdex.Article{
		art("meeting", "2017-07-04", 1, 0, 0),
		art("oped-2018", "2018-07-20", 0.9, 0.43589, 0),
		art("followup", "2017-07-07", 0.8, 0.6, 0),
		art("undated", "", 0.6, 0, 0.8),
	}
	if err := ix.Add(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	hz := newHarness(t, eng, Options{})
	tests := []struct {
		target string
		status int
		hits   []string
		within *search.Within
	}{
		{"/v1/articles/meeting/similar", http.StatusOK, []string{"oped-2018", "followup", "undated"}, nil},
		{"/v1/articles/meeting/similar?within_days=0", http.StatusOK, []string{"oped-2018", "followup", "undated"}, nil},
		{"/v1/articles/meeting/similar?within_days=30", http.StatusOK, []string{"followup"},
			&search.Within{Days: 30, From: "2017-06-04", To: "2017-08-03"}},
		{"/v1/articles/undated/similar?within_days=30", http.StatusOK, []string{"meeting", "oped-2018", "followup"},
			&search.Within{Days: 30, Ignored: "the article has no published date"}},
		{"/v1/articles/meeting/similar?within_days=soon", http.StatusBadRequest, nil, nil},
		{"/v1/articles/meeting/similar?within_days=-2", http.StatusBadRequest, nil, nil},
		{"/v1/articles/meeting/similar?within_days=3651", http.StatusBadRequest, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			rec := hz.get(tc.target)
			if rec.Code != tc.status {
				t.Fatalf("%d %s, want %d", rec.Code, rec.Body, tc.status)
			}
			if tc.status != http.StatusOK {
				if p := decode[errorBody](t, rec).Error.Param; p != "within_days" {
					t.Errorf("error names %q, want within_days", p)
				}
				return
			}
			res := decode[search.Results](t, rec)
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if diff := cmp.Diff(tc.hits, got); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.within, res.Within); diff != "" {
				t.Errorf("within (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("searcher without windows", func(t *testing.T) {
		rec := newHarness(t, &fakeSearcher{}, Options{}).get("/v1/articles/a/similar?within_days=30")
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%d %s, want 400", rec.Code, rec.Body)
		}
	})
}
