package search_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/newsdex/newsdex/search"
)

// ignoreExplain compares results as if neither asked for explanations.
var ignoreExplain = cmp.Options{
	cmpopts.IgnoreFields(search.Results{}, "TookMS"),
	cmpopts.IgnoreFields(search.Hit{}, "Explain"),
}

// TestExplainScores checks, in every mode, that explain=true changes no
// result, and that each hit's explanation adds up to its score: fused is
// the score; lexical is the score a lexical search gives the article;
// semantic ranks by the cosine; hybrid fuses 0.8·cosine + 0.2·lexical/best.
func TestExplainScores(t *testing.T) {
	f := newSemanticFixture(t)
	queries := []string{"Navalny nerve agent", "Xi Jinping Putin", "Trump impeachment", "poison*", "trump AND wall", `"state visit"`}
	for _, q := range queries {
		// The lexical score of every article that matches q, and the best.
		// op=or: the list is then the match set, whose lexical scores
		// the explanations report.
		lexRes := mustSearch(t, f.eng, search.Request{Query: q, Op: search.OpOr, Mode: search.ModeLexical, Size: search.MaxSize, Snippets: -1, Facets: []string{}})
		if lexRes.Total > search.MaxSize {
			t.Fatalf("%q: %d lexical hits, more than one page", q, lexRes.Total)
		}
		lexical := map[string]float64{}
		for _, h := range lexRes.Hits {
			lexical[h.ID] = h.Score
		}
		for _, mode := range goldenModes {
			for _, sort := range []string{search.SortRelevance, search.SortDate} {
				t.Run(mode+"/"+sort+"/"+q, func(t *testing.T) {
					r := search.Request{Query: q, Op: search.OpOr, Mode: mode, Sort: sort, Size: 20}
					plain := mustSearch(t, f.eng, r)
					r.Explain = true
					got := mustSearch(t, f.eng, r)
					if diff := cmp.Diff(plain, got, ignoreExplain); diff != "" {
						t.Fatalf("explain=true changed the results (-off +on):\n%s", diff)
					}
					if len(got.Hits) == 0 {
						t.Fatal("no hits")
					}
					for _, h := range plain.Hits {
						if h.Explain != nil {
							t.Fatalf("hit %s explained without explain=true", h.ID)
						}
					}
					for i, h := range got.Hits {
						checkExplain(t, i, h, got.Mode, sort, lexical, lexRes.Hits[0].Score)
					}
				})
			}
		}
	}
}

func checkExplain(t *testing.T, rank int, h search.Hit, mode, sort string, lexical map[string]float64, best float64) {
	t.Helper()
	x := h.Explain
	if x == nil {
		t.Fatalf("hit %d (%s) has no explanation", rank+1, h.ID)
	}
	if x.Fused != h.Score {
		t.Errorf("hit %d (%s): fused %v, score %v", rank+1, h.ID, x.Fused, h.Score)
	}
	if x.Matched == nil || x.Missing == nil {
		t.Errorf("hit %d (%s): matched %v and missing %v must be lists", rank+1, h.ID, x.Matched, x.Missing)
	}
	// The lexical part is the article's lexical score, or absent when
	// the article does not match the query.
	want, matches := lexical[h.ID]
	switch {
	case x.Lexical == nil && matches && !(mode == search.ModeHybrid && sort == search.SortRelevance):
		t.Errorf("hit %d (%s): no lexical score, a lexical search gives it %v", rank+1, h.ID, want)
	case x.Lexical != nil && !matches:
		t.Errorf("hit %d (%s): lexical %v, but a lexical search does not find it", rank+1, h.ID, *x.Lexical)
	case x.Lexical != nil && math.Abs(*x.Lexical-want) > 1e-9:
		t.Errorf("hit %d (%s): lexical %v, a lexical search gives %v", rank+1, h.ID, *x.Lexical, want)
	}
	if (x.Cosine == nil) != (x.Passage == nil) {
		t.Errorf("hit %d (%s): cosine %v but passage %v", rank+1, h.ID, x.Cosine, x.Passage)
	}
	hybrid := mode == search.ModeHybrid && sort == search.SortRelevance
	if hybrid != (x.LexicalWeight != nil) || hybrid != (x.BestLexical != nil) {
		t.Errorf("hit %d (%s): lexical_weight %v and best_lexical %v in mode %s sorted by %s", rank+1, h.ID, x.LexicalWeight, x.BestLexical, mode, sort)
	}
	switch mode {
	case search.ModeLexical:
		if x.Cosine != nil || x.Passage != nil {
			t.Errorf("hit %d (%s): lexical mode explains a cosine %v", rank+1, h.ID, x.Cosine)
		}
		if x.Lexical == nil || *x.Lexical != h.Score {
			t.Errorf("hit %d (%s): lexical %v, score %v", rank+1, h.ID, x.Lexical, h.Score)
		}
	case search.ModeSemantic:
		if x.Cosine == nil {
			t.Fatalf("hit %d (%s): no cosine (every fixture article has vectors)", rank+1, h.ID)
		}
		if sort == search.SortRelevance && *x.Cosine != h.Score {
			t.Errorf("hit %d (%s): cosine %v, score %v", rank+1, h.ID, *x.Cosine, h.Score)
		}
	case search.ModeHybrid:
		if x.Cosine == nil {
			t.Fatalf("hit %d (%s): no cosine (every fixture article has vectors)", rank+1, h.ID)
		}
		if !hybrid {
			return
		}
		if *x.LexicalWeight != search.LexicalWeight || *x.BestLexical != best {
			t.Errorf("hit %d (%s): lexical_weight %v, best_lexical %v, want %v and %v", rank+1, h.ID, *x.LexicalWeight, *x.BestLexical, search.LexicalWeight, best)
		}
		fused := 0.8 * *x.Cosine
		if x.Lexical != nil {
			fused += 0.2 * *x.Lexical / best
		}
		if math.Abs(fused-h.Score) > 1e-9 {
			t.Errorf("hit %d (%s): 0.8·%v + 0.2·%v/%v = %v, score %v", rank+1, h.ID, *x.Cosine, x.Lexical, best, fused, h.Score)
		}
	}
}

// TestExplainTerms checks the matched and missing words of known articles
// in every mode: the query's words as the index analyses them, with the
// fields they occur in.
func TestExplainTerms(t *testing.T) {
	f := newSemanticFixture(t)
	tests := []struct {
		query, id string
		matched   []search.TermMatch
		missing   []string
	}{
		// Porter stemming makes "Navalny" "navalni" and "Jinping" "jinp".
		// "Russia's Navalny airlifted to Germany" says nothing of a nerve agent.
		{"Navalny nerve agent", "wikinews-2020-084",
			[]search.TermMatch{{Term: "navalni", Fields: []string{"title", "body"}}}, []string{"nerv", "agent"}},
		// "Germany says Alexei Navalny poisoned with Novichok": "poisoned" is "poison" stemmed.
		{"Navalny poison", "wikinews-2020-090",
			[]search.TermMatch{{Term: "navalni", Fields: []string{"title", "body"}}, {Term: "poison", Fields: []string{"title", "body"}}}, []string{}},
		{"Xi Jinping Putin", "wikinews-2020-084",
			[]search.TermMatch{{Term: "putin", Fields: []string{"body"}}}, []string{"xi", "jinp"}},
		{"Kremlin critic nerve agent", "wikinews-2020-090",
			[]search.TermMatch{{Term: "critic", Fields: []string{"body"}}}, []string{"kremlin", "nerv", "agent"}},
		// A wildcard stands as written.
		{"poison*", "wikinews-2020-090",
			[]search.TermMatch{{Term: "poison*", Fields: []string{"title", "body"}}}, []string{}},
	}
	for _, tc := range tests {
		for _, mode := range goldenModes {
			t.Run(mode+"/"+tc.query, func(t *testing.T) {
				// The article lacks some words: op=or lists it in every
				// mode (semantic mode's own set, by the floor, need not hold
				// it; an explicit OR keeps the boolean set there).
				q := tc.query
				if mode == search.ModeSemantic {
					q = strings.ReplaceAll(q, " ", " OR ")
				}
				res := mustSearch(t, f.eng, search.Request{Query: q, Op: search.OpOr, Mode: mode, Size: search.MaxSize, Snippets: -1, Facets: []string{}, Explain: true})
				for _, h := range res.Hits {
					if h.ID != tc.id {
						continue
					}
					if diff := cmp.Diff(tc.matched, h.Explain.Matched); diff != "" {
						t.Errorf("matched (-want +got):\n%s", diff)
					}
					if diff := cmp.Diff(tc.missing, h.Explain.Missing); diff != "" {
						t.Errorf("missing (-want +got):\n%s", diff)
					}
					return
				}
				t.Fatalf("%s is not among the %d hits", tc.id, len(res.Hits))
			})
		}
	}
}
