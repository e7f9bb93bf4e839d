package search

import (
	"context"
	"path"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
	uq "github.com/newsdex/newsdex/query"
)

// Explain says why a hit ranks where it does (Request.Explain): the parts
// of its score and the query words it holds.
//
// In lexical mode the hit is ranked by Lexical; in semantic mode by
// Cosine (with an operator query, the articles of the hit set that have
// no vectors rank last, by Lexical); in hybrid mode by
//
//	(1 − LexicalWeight) · Cosine + LexicalWeight · Lexical / BestLexical
//
// with a missing part counting 0. With sort=date the hits are ordered by
// date and Fused is the hit's score all the same (0 in semantic and
// hybrid modes).
type Explain struct {
	// Lexical is the raw lexical (BM25) score of the article for the
	// query, nil when the article does not match the words. In hybrid
	// mode it is the score that entered the fusion: nil also for an
	// article that ranks below the depth of the lexical ranking
	// (MaxRanked), whose lexical part is not counted.
	Lexical *float64 `json:"lexical"`
	// Cosine is the cosine similarity between the query and the article's
	// best passage, nil in lexical mode and for articles without vectors.
	Cosine *float64 `json:"cosine"`
	// Fused is the score the hit is ranked by: Hit.Score.
	Fused float64 `json:"fused"`
	// LexicalWeight and BestLexical are the weight of the lexical part
	// and the best lexical score it is divided by (hybrid mode, sorted by
	// relevance, only).
	LexicalWeight *float64 `json:"lexical_weight,omitempty"`
	BestLexical   *float64 `json:"best_lexical,omitempty"`
	// Passage is the index of the best passage (Cosine's), or nil.
	Passage *int `json:"passage"`
	// Matched lists the query's words, analysed as the index analyses
	// text (stemmed, lower case), that occur in the article, with the
	// fields they occur in; a wildcard stands as written.
	Matched []TermMatch `json:"matched"`
	// Missing lists the query's words that occur in neither the title
	// nor the body.
	Missing []string `json:"missing"`
}

// TermMatch is one query word of an article and the fields (title, body)
// it occurs in.
type TermMatch struct {
	Term   string   `json:"term"`
	Fields []string `json:"fields"`
}

// explainer builds the Explain of each hit of one search. It exists only
// when the request asks for explanations, so a search without them does
// no part of this work.
type explainer struct {
	hl *highlighter
	// words are the query's analysed words and wildcard patterns (the
	// terms hl marks), once each in query order.
	words []string
	// lexQ is the lexical query with the request's filters; semantic
	// mode scores its page's hits with it.
	lexQ query.Query
	// best is the best lexical score of a hybrid ranking; hybrid says
	// the hits are fused.
	best   float64
	hybrid bool
}

// newExplainer returns the explainer of a search of the query n whose
// snippets hl marks, or nil when r does not ask for explanations.
func (e *Engine) newExplainer(r *Request, n uq.Node, hl *highlighter) *explainer {
	if !r.Explain {
		return nil
	}
	x := &explainer{hl: hl}
	seen := map[string]bool{}
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			x.words = append(x.words, w)
		}
	}
	queryWords(e.analyzer, n, func(w string, wildcard bool) {
		if wildcard {
			add(strings.ToLower(w))
		} else {
			add(w)
		}
	})
	return x
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// lexical returns the Explain of a lexical hit of a scored score.
func (x *explainer) lexical(a *newsdex.Article, score float64) *Explain {
	ex := &Explain{Lexical: ptr(score), Fused: score}
	ex.Matched, ex.Missing = x.terms(a)
	return ex
}

// ranked returns the Explain of a semantic or hybrid hit of a ranked as
// r. lex holds the lexical scores of semantic mode's page (nil in hybrid
// mode, whose ranking carries them); fused says the hit was ranked by
// its score (sort=relevance).
func (x *explainer) ranked(a *newsdex.Article, r ranked, score float64, lex map[string]float64, fused bool) *Explain {
	ex := &Explain{Fused: score}
	if lex != nil {
		if s, ok := lex[r.id]; ok {
			ex.Lexical = ptr(s)
		}
	} else if r.hasLexical {
		ex.Lexical = ptr(r.lexical)
	}
	if r.hasCosine {
		ex.Cosine = ptr(r.cosine)
	}
	if r.passage >= 0 {
		ex.Passage = ptr(r.passage)
	}
	if x.hybrid && fused {
		ex.LexicalWeight, ex.BestLexical = ptr(float64(LexicalWeight)), ptr(x.best)
	}
	ex.Matched, ex.Missing = x.terms(a)
	return ex
}

// terms returns the query words a holds, with the fields they occur in,
// and those it holds nowhere. It finds them as the snippets mark them
// (highlighter.matches) and analyses each marked word again to name the
// query word it matched.
func (x *explainer) terms(a *newsdex.Article) ([]TermMatch, []string) {
	fields := map[string][]string{}
	for _, f := range []struct{ name, text string }{{"title", a.Title}, {"body", a.Body}} {
		for _, s := range x.hl.matches(f.text) {
			for _, w := range x.hl.matchedWords(f.text[s.start:s.end]) {
				if fs := fields[w]; len(fs) == 0 || fs[len(fs)-1] != f.name {
					fields[w] = append(fs, f.name)
				}
			}
		}
	}
	matched, missing := []TermMatch{}, []string{}
	for _, w := range x.words {
		if fs, ok := fields[w]; ok {
			matched = append(matched, TermMatch{Term: w, Fields: fs})
		} else {
			missing = append(missing, w)
		}
	}
	return matched, missing
}

// matchedWords returns the query words (analysed terms or wildcard
// patterns) that word, a match of h.matches, stands for.
func (h *highlighter) matchedWords(word string) []string {
	var out []string
	for _, tok := range h.analyzer.Analyze([]byte(word)) {
		if t := string(tok.Term); h.terms[t] {
			out = append(out, t)
		}
	}
	if len(out) > 0 || len(h.wildcards) == 0 {
		return out
	}
	w := strings.ToLower(word)
	for _, p := range h.wildcards {
		if ok, _ := path.Match(p, w); ok {
			out = append(out, p)
		}
	}
	return out
}

// lexicalScores returns the lexical score for q of those of ids that q
// matches. The ids are a zero-boost filter, as the request's filters are
// (withFilters), so the scores are those of a lexical search for q.
func (e *Engine) lexicalScores(ctx context.Context, q query.Query, ids []string) (map[string]float64, error) {
	out := make(map[string]float64, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	only := bleve.NewDocIDQuery(ids)
	only.SetBoost(0)
	bq := bleve.NewBooleanQuery()
	bq.AddMust(q, only)
	breq := bleve.NewSearchRequestOptions(bq, len(ids), 0, false)
	breq.SortByCustom(sortFor(SortRelevance))
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, err
	}
	for _, h := range res.Hits {
		out[h.ID] = h.Score
	}
	return out, nil
}

// pageLexical returns the lexical scores of a semantic page's hits, which
// its ranking (by cosine) does not hold; nil in hybrid mode, whose ranking
// carries the scores it fused, and when x is nil (no explanations).
func (x *explainer) pageLexical(ctx context.Context, e *Engine, page []ranked) (map[string]float64, error) {
	if x == nil || x.hybrid {
		return nil, nil
	}
	return e.lexicalScores(ctx, x.lexQ, rankedIDs(page))
}
