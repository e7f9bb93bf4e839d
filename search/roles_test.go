package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
)

// unwrapRoles returns q with every rolePhrase and exactPhrase replaced by
// the Bleve phrase query it wraps: the query Search made before either
// existed.
func unwrapRoles(q query.Query) query.Query {
	switch q := q.(type) {
	case *rolePhrase:
		return unwrapRoles(q.Query)
	case *exactPhrase:
		return q.Query
	case *query.DisjunctionQuery:
		c := *q
		c.Disjuncts = make([]query.Query, len(q.Disjuncts))
		for i, d := range q.Disjuncts {
			c.Disjuncts[i] = unwrapRoles(d)
		}
		return &c
	case *query.ConjunctionQuery:
		c := *q
		c.Conjuncts = make([]query.Query, len(q.Conjuncts))
		for i, d := range q.Conjuncts {
			c.Conjuncts[i] = unwrapRoles(d)
		}
		return &c
	case *query.BooleanQuery:
		c := *q
		if q.Must != nil {
			c.Must = unwrapRoles(q.Must)
		}
		if q.Should != nil {
			c.Should = unwrapRoles(q.Should)
		}
		if q.MustNot != nil {
			c.MustNot = unwrapRoles(q.MustNot)
		}
		return &c
	}
	return q
}

// TestPhrasesKeepScores: answering role phrases whose words are not in
// the roles field with an empty searcher, and phrases with exactPhrase,
// gives the same hits, totals and scores, to the last bit, as Bleve's
// phrase searchers, across segments and with deleted articles.
func TestPhrasesKeepScores(t *testing.T) {
	ix, err := index.Open(filepath.Join(t.TempDir(), "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	roles := [][]string{
		{"Chinese president", "President of China"},
		{"Russian president", "President of Russia"},
		{"British prime minister", "Prime Minister of the United Kingdom"},
		{"North Korean leader", "Supreme Leader of North Korea"},
		nil,
	}
	words := []string{"trade", "talks", "president", "summit", "korea", "north", "prime", "minister", "china", "chinese", "war", "deal"}
	ctx := context.Background()
	// Several batches make several segments.
	for batch := range 4 {
		var arts []newsdex.Article
		for i := range 25 {
			n := batch*25 + i
			body := fmt.Sprintf("The %s and %s of %s met on %s.", words[n%len(words)], words[(n*5+1)%len(words)],
				words[(n*7+2)%len(words)], words[(n*3+3)%len(words)])
			arts = append(arts, newsdex.Article{
				ID: fmt.Sprintf("r%03d", n), Title: words[(n*11)%len(words)] + " news", Body: body,
				Published: time.Date(2019, 1, 1+n%28, 0, 0, 0, 0, time.UTC), Roles: roles[n%len(roles)],
			})
		}
		if err := ix.Add(ctx, arts); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ix.Delete(ctx, "r003", "r010", "r051"); err != nil {
		t.Fatal(err)
	}
	e, err := New(ix, WithoutResultCache())
	if err != nil {
		t.Fatal(err)
	}
	queries := []string{
		"chinese president trade", "north korea summit kim", "prime minister talks", "president putin",
		"russian president putin", "trade war deal", `"chinese president" trade`, `"british prime minister"`,
		`"korea summit"~2`, "the president of china", "president of russia deal", "trade -war", "summit AND korea",
		`"president of china"`, `"the trade and talks"`, `"prime minister"`, `"minister prime"`, `"north korean leader" deal`,
		`"supreme leader of north korea"`, `"news"`, `title:"trade news"`, `"talks of war"`, `"war war"`,
		"chinese president trade talks summit korea deal war", "north korean leader kim summit president trump trade",
	}
	for _, q := range queries {
		for _, r := range []Request{{Query: q}, {Query: q, Sort: SortDate}, {Query: q, Collapse: new(bool)}} {
			breq := bleveRequest(t, e, r, nil)
			plain := bleveRequest(t, e, r, nil)
			plain.Query = unwrapRoles(plain.Query)
			got, _, err := e.runSearch(ctx, breq)
			if err != nil {
				t.Fatal(err)
			}
			want, _, err := e.runSearch(ctx, plain)
			if err != nil {
				t.Fatal(err)
			}
			wt, wh, wf := view(want)
			gt, gh, gf := view(got)
			if wt != gt {
				t.Errorf("%q: total = %d, want %d", q, gt, wt)
			}
			if diff := cmp.Diff(wh, gh); diff != "" {
				t.Errorf("%q: hits differ (-phrase searchers +rolePhrase):\n%s", q, diff)
			}
			if diff := cmp.Diff(wf, gf); diff != "" {
				t.Errorf("%q: facets differ:\n%s", q, diff)
			}
		}
	}
}
