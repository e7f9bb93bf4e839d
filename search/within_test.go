package search

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// TestSimilarWithin: within_days keeps the neighbours published within N
// days of the article, narrowed further by from and to; an undated
// article ignores it and says so.
func TestSimilarWithin(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	art := func(id, date string, v ...float32) newsdex.Article {
		body := "Body of " + id + "."
		a := newsdex.Article{ID: id, Title: "Summit " + id, Body: body,
			Passages:   []newsdex.Passage{{Start: 0, End: len(body)}},
			Embeddings: &newsdex.Embeddings{Model: "test", Vectors: [][]float32{v}}}
		if date != "" {
			a.Published, _ = time.Parse(time.DateOnly, date)
		}
		return a
	}
	// The 2018 op-ed is nearest in meaning; the follow-up three days
	// later and the one a month later are further.
	arts := []newsdex.Article{
		art("meeting", "2017-07-04", 1, 0, 0),
		art("oped-2018", "2018-07-20", 0.9, 0.43589, 0),
		art("followup", "2017-07-07", 0.8, 0.6, 0),
		art("month", "2017-08-03", 0.8, 0, 0.6),
		art("before", "2017-06-03", 0.6, 0, 0.8),
		art("undated", "", 0.6, 0.8, 0),
	}
	if err := ix.Add(ctx, arts); err != nil {
		t.Fatal(err)
	}
	e, err := New(ix, WithoutResultCache())
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	tests := []struct {
		name   string
		id     string
		r      Request
		days   int
		want   []string
		within *Within
	}{
		{"any time", "meeting", Request{}, 0, []string{"oped-2018", "followup", "month", "before", "undated"}, nil},
		{"3 days", "meeting", Request{}, 3, []string{"followup"}, &Within{Days: 3, From: "2017-07-01", To: "2017-07-07"}},
		{"30 days", "meeting", Request{}, 30, []string{"followup", "month"}, &Within{Days: 30, From: "2017-06-04", To: "2017-08-03"}},
		{"31 days", "meeting", Request{}, 31, []string{"followup", "month", "before"}, &Within{Days: 31, From: "2017-06-03", To: "2017-08-04"}},
		{"narrowed by to", "meeting", Request{To: day("2017-07-31")}, 30, []string{"followup"}, &Within{Days: 30, From: "2017-06-04", To: "2017-07-31"}},
		{"from past the window", "meeting", Request{From: day("2017-09-01")}, 30, nil, &Within{Days: 30, From: "2017-09-01", To: "2017-08-03"}},
		// followup (cosine 0.96) counts as a copy of the undated one.
		{"undated article", "undated", Request{}, 30, []string{"oped-2018", "meeting", "month", "before"},
			&Within{Days: 30, Ignored: "the article has no published date"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := e.SimilarWithin(ctx, tc.id, tc.r, tc.days)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("hits (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.within, res.Within); diff != "" {
				t.Errorf("within (-want +got):\n%s", diff)
			}
			if res.Total != uint64(len(tc.want)) {
				t.Errorf("total %d, want %d", res.Total, len(tc.want))
			}
		})
	}
	for _, days := range []int{-1, MaxWithinDays + 1} {
		if _, err := e.SimilarWithin(ctx, "meeting", Request{}, days); !IsParamError(err) {
			t.Errorf("within_days %d: %v, want a *ParamError", days, err)
		}
	}
}
