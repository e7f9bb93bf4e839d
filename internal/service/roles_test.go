package service_test

import (
	"context"
	"testing"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/search"
)

// TestRoleQueries checks entity-aware search: a query naming a role finds
// articles about whoever held it on each article's date, even when the text
// never names the role.
func TestRoleQueries(t *testing.T) {
	ctx := context.Background()
	svc, eng := newService(t)
	arts := []newsdex.Article{
		{ID: "xi-2019", Title: "Trade talks", Published: day("2019-05-10"), Body: "Xi Jinping met business leaders in Shanghai on Tuesday to discuss tariffs."},
		{ID: "xi-2005", Title: "Provincial visit", Published: day("2005-05-10"), Body: "Xi Jinping, then party chief of Zhejiang, toured factories in Hangzhou."},
		{ID: "may-2018", Title: "Brexit plan", Published: day("2018-07-06"), Body: "Theresa May gathered her cabinet at Chequers to agree a Brexit plan."},
		{ID: "johnson-2020", Title: "Lockdown", Published: day("2020-03-23"), Body: "Boris Johnson ordered people to stay at home."},
	}
	if _, err := svc.Put(ctx, arts); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []string
	}{
		{`"Chinese president"`, []string{"xi-2019"}},
		{`Chinese president`, []string{"xi-2019"}},
		{`"China's leader"`, []string{"xi-2019"}},
		{`"British prime minister"`, []string{"johnson-2020", "may-2018"}},
		{`"British prime minister" AND lockdown`, []string{"johnson-2020"}},
		{`person:"Xi Jinping"`, []string{"xi-2005", "xi-2019"}},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			res, err := eng.Search(ctx, search.Request{Query: tc.q, Mode: search.ModeLexical})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Search(%s) = %v, want %v", tc.q, got, tc.want)
			}
			for _, id := range tc.want {
				found := false
				for _, g := range got {
					found = found || g == id
				}
				if !found {
					t.Errorf("Search(%s) = %v, want %v", tc.q, got, tc.want)
				}
			}
		})
	}
}
