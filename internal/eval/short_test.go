package eval_test

import (
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/internal/eval"
)

func TestShortQueries(t *testing.T) {
	docs := []newsdex.Article{
		{ID: "d1", Title: "Marathon record", Body: "The runner broke the marathon record in Berlin."},
		{ID: "d2", Title: "Rain", Body: "The rain in Berlin stopped the runner."},
		{ID: "d3", Title: "Budget", Body: "The council passed the budget."},
	}
	rel := map[string]bool{"d1": true}
	tests := []struct {
		name string
		c    eval.Collection
		want []string
	}{
		{
			// Complete judgments: the first two words after PlainQuery
			// drops stop words and punctuation.
			name: "topic", c: eval.Collection{Name: "topic", Complete: true, Plain: true, Stop: map[string]bool{"of": true, "the": true},
				Queries: []eval.Query{
					{ID: "1", Text: "EFFORTS OF THE RUNNER'S COACH TO WIN", Relevant: rel},
					{ID: "2", Text: "BERLIN", Relevant: rel},
				}},
			want: []string{"EFFORTS RUNNER", "BERLIN"},
		},
		{
			// Known items: the two rarest words the documents hold, in
			// query order; unknown words ("sprinter") are skipped, ties
			// go to the earlier word, repeats count once.
			name: "known items", c: eval.Collection{Name: "known", Queries: []eval.Query{
				{ID: "1", Text: "the sprinter broke a marathon record in Berlin", Relevant: rel},
				{ID: "2", Text: "Berlin rain, Berlin runner", Relevant: rel},
				{ID: "3", Text: "council", Relevant: rel},
				{ID: "4", Text: "quantum gravity", Relevant: rel},
			}},
			// df: broke, marathon, record, council, rain 1; berlin, runner 2; the, in 3.
			want: []string{"broke marathon", "Berlin rain", "council", "quantum gravity"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Docs = docs
			s := eval.ShortQueries(&tc.c)
			if s.Name != tc.c.Name+"-short" || s.Plain || len(s.Docs) != len(docs) || s.Complete != tc.c.Complete {
				t.Errorf("ShortQueries: name %q plain %v docs %d complete %v, want %q, false, %d, %v", s.Name, s.Plain, len(s.Docs), s.Complete, tc.c.Name+"-short", len(docs), tc.c.Complete)
			}
			if len(s.Queries) != len(tc.want) {
				t.Fatalf("%d queries, want %d", len(s.Queries), len(tc.want))
			}
			for i, q := range s.Queries {
				if got := s.QueryText(q); got != tc.want[i] {
					t.Errorf("query %s: %q, want %q", q.ID, got, tc.want[i])
				}
				if q.ID != tc.c.Queries[i].ID || len(q.Relevant) != 1 {
					t.Errorf("query %s: judgments %v, want the original's", q.ID, q.Relevant)
				}
			}
		})
	}
}
