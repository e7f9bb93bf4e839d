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

// resolveFixture indexes articles whose entities are the canonical names
// the filter spellings of TestFilterSpellings must find: n articles per
// name, so that counts tell values apart.
func resolveFixture(t *testing.T) *search.Engine {
	t.Helper()
	people := map[string]int{
		"Kim Jong-un": 5, "Recep Tayyip Erdoğan": 4, "Nicolás Maduro": 3, "Xi Jinping": 6, "Chuck Grassley": 3,
		"Ken Starr": 2, "Elizabeth Warren": 4, "Donald Trump": 9, "Melania Trump": 1, "Joe Biden": 5, "Hunter Biden": 3,
		"Jill Biden": 2, "Angela Merkel": 3, "Emmanuel Macron": 2, "Andrés Manuel López Obrador": 2, "Volodymyr Zelenskyy": 3,
		"Lech Wałęsa": 1, "Bill Clinton": 2, "Mike Pompeo": 2, "Vladimir Putin": 6,
	}
	outlets := map[string]int{"The New York Times": 4, "CNN": 3, "Fox News": 3, "The Washington Post": 2, "Reuters": 3, "The Hill": 2}
	places := map[string]int{"Washington, D.C.": 3, "Los Angeles": 2, "São Paulo": 2, "Zürich": 1}
	var arts []newsdex.Article
	day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(set func(*newsdex.Article, string), m map[string]int) {
		for name, n := range m {
			for i := range n {
				a := newsdex.Article{ID: fmt.Sprintf("a%03d", len(arts)), Title: "Story " + name, Body: "A story about " + name + ".",
					Published: day.AddDate(0, 0, len(arts)), Outlet: "Metro News"}
				set(&a, name)
				_ = i
				arts = append(arts, a)
			}
		}
	}
	add(func(a *newsdex.Article, v string) { a.People = []newsdex.Entity{{Name: v, Count: 1}} }, people)
	add(func(a *newsdex.Article, v string) { a.Outlet = v }, outlets)
	add(func(a *newsdex.Article, v string) { a.Places = []newsdex.Entity{{Name: v, Count: 1}} }, places)
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Add(context.Background(), arts); err != nil {
		t.Fatal(err)
	}
	eng, err := search.New(ix)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// TestFilterSpellings is acceptance 5 of issue 16: filter values in other
// spellings resolve to the canonical value, say so in filters_resolved and
// find its articles; unknown values find nothing and get suggestions.
func TestFilterSpellings(t *testing.T) {
	eng := resolveFixture(t)
	tests := []struct {
		filter, given, want, how string
	}{
		{search.FilterPerson, "Kim Jong-un", "Kim Jong-un", search.ResolvedExact},
		{search.FilterPerson, "kim jong-un", "Kim Jong-un", search.ResolvedExact},
		{search.FilterPerson, "Kim Jong Un", "Kim Jong-un", search.ResolvedSpelling},
		{search.FilterPerson, "KIM JONG UN", "Kim Jong-un", search.ResolvedSpelling},
		{search.FilterPerson, "Kim Jongun", "Kim Jong-un", search.ResolvedSpelling},
		{search.FilterPerson, "Recep Tayyip Erdogan", "Recep Tayyip Erdoğan", search.ResolvedSpelling},
		{search.FilterPerson, "recep tayyip erdoğan", "Recep Tayyip Erdoğan", search.ResolvedExact},
		{search.FilterPerson, "Erdogan", "Recep Tayyip Erdoğan", search.ResolvedSurname},
		{search.FilterPerson, "Nicolas Maduro", "Nicolás Maduro", search.ResolvedSpelling},
		{search.FilterPerson, "Maduro", "Nicolás Maduro", search.ResolvedSurname},
		{search.FilterPerson, "Xi", "Xi Jinping", search.ResolvedSurname},
		{search.FilterPerson, "xi jinping", "Xi Jinping", search.ResolvedExact},
		{search.FilterPerson, "Xi-Jinping", "Xi Jinping", search.ResolvedSpelling},
		{search.FilterPerson, "Charles Grassley", "Chuck Grassley", search.ResolvedGivenName},
		{search.FilterPerson, "Grassley", "Chuck Grassley", search.ResolvedSurname},
		{search.FilterPerson, "Kenneth Starr", "Ken Starr", search.ResolvedGivenName},
		{search.FilterPerson, "Liz Warren", "Elizabeth Warren", search.ResolvedGivenName},
		{search.FilterPerson, "William Clinton", "Bill Clinton", search.ResolvedGivenName},
		{search.FilterPerson, "Michael Pompeo", "Mike Pompeo", search.ResolvedGivenName},
		{search.FilterPerson, "Trump", "Donald Trump", search.ResolvedSurname},
		{search.FilterPerson, "Andres Manuel Lopez Obrador", "Andrés Manuel López Obrador", search.ResolvedSpelling},
		{search.FilterPerson, "Lech Walesa", "Lech Wałęsa", search.ResolvedSpelling},
		{search.FilterPerson, "Volodymyr Zelenskyy", "Volodymyr Zelenskyy", search.ResolvedExact},
		{search.FilterPerson, "  Vladimir Putin ", "Vladimir Putin", search.ResolvedExact},
		{search.FilterPerson, "Vladimir  Putin", "Vladimir Putin", search.ResolvedSpelling},
		{search.FilterOutlet, "CNN", "CNN", search.ResolvedExact},
		{search.FilterOutlet, "cnn", "CNN", search.ResolvedExact},
		{search.FilterOutlet, "New York Times", "The New York Times", search.ResolvedSpelling},
		{search.FilterOutlet, "new york times", "The New York Times", search.ResolvedSpelling},
		{search.FilterOutlet, "NYTimes", "The New York Times", search.ResolvedAlias},
		{search.FilterOutlet, "NYT", "The New York Times", search.ResolvedAlias},
		{search.FilterOutlet, "Fox Online", "Fox News", search.ResolvedAlias},
		{search.FilterOutlet, "Washington Post", "The Washington Post", search.ResolvedSpelling},
		{search.FilterOutlet, "Reuters News", "Reuters", search.ResolvedAlias},
		{search.FilterOutlet, "the hill", "The Hill", search.ResolvedExact},
		{search.FilterPlace, "Washington DC", "Washington, D.C.", search.ResolvedSpelling},
		{search.FilterPlace, "Sao Paulo", "São Paulo", search.ResolvedSpelling},
		{search.FilterPlace, "Zurich", "Zürich", search.ResolvedSpelling},
		{search.FilterPlace, "los angeles", "Los Angeles", search.ResolvedExact},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.filter+"="+tc.given, func(t *testing.T) {
			want, err := eng.Search(ctx, search.Request{Mode: search.ModeLexical, Filters: map[string][]string{tc.filter: {tc.want}}, Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			got, err := eng.Search(ctx, search.Request{Mode: search.ModeLexical, Filters: map[string][]string{tc.filter: {tc.given}}, Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			rs := got.FiltersResolved[tc.filter]
			if len(rs) != 1 || rs[0].Given != tc.given || rs[0].Value != tc.want || rs[0].How != tc.how {
				t.Errorf("filters_resolved %+v, want %q read as %q (%s)", rs, tc.given, tc.want, tc.how)
			}
			if want.Total == 0 || got.Total != want.Total {
				t.Errorf("%q finds %d articles, the canonical %q %d", tc.given, got.Total, tc.want, want.Total)
			}
			if len(got.Suggestions) != 0 {
				t.Errorf("suggestions for a resolved value: %v", got.Suggestions)
			}
		})
	}
	unknown := []struct {
		filter, given, close string
	}{
		{search.FilterPerson, "Kim Jong-il", "Kim Jong-un"},
		{search.FilterPerson, "Erdogann", "Recep Tayyip Erdoğan"},
		{search.FilterPerson, "Nicola Maduro", "Nicolás Maduro"},
		{search.FilterPerson, "Biden", "Joe Biden"}, // three Bidens, none dominant
		{search.FilterOutlet, "New York Tims", "The New York Times"},
		{search.FilterPlace, "Los Angelos", "Los Angeles"},
	}
	for _, tc := range unknown {
		t.Run("unknown/"+tc.filter+"="+tc.given, func(t *testing.T) {
			got, err := eng.Search(ctx, search.Request{Mode: search.ModeLexical, Filters: map[string][]string{tc.filter: {tc.given}}})
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != 0 || len(got.Hits) != 0 {
				t.Errorf("an unknown value found %d articles", got.Total)
			}
			rs := got.FiltersResolved[tc.filter]
			if len(rs) != 1 || rs[0].How != search.ResolvedNone || rs[0].Value != "" {
				t.Errorf("filters_resolved %+v, want none", rs)
			}
			found := false
			for _, b := range got.Suggestions[tc.filter] {
				if b.Count <= 0 {
					t.Errorf("suggestion %q without its article count", b.Value)
				}
				found = found || b.Value == tc.close
			}
			if !found {
				t.Errorf("suggestions %v lack %q", got.Suggestions[tc.filter], tc.close)
			}
		})
	}
}
