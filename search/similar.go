package search

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/newsdex/newsdex"
	uq "github.com/newsdex/newsdex/query"
)

// semanticSnippets returns up to n snippets of a: the passage nearest to
// the query (best, -1 if unknown) with the query's words marked where they
// occur, and the passages that match the words best. Hybrid hits that match
// the words show those first.
func semanticSnippets(hl *highlighter, a *newsdex.Article, best int, lexicalFirst bool, n, size int) []string {
	out := []string{}
	if n <= 0 {
		return out
	}
	vec := ""
	if best >= 0 && best < len(a.Passages) {
		if p := a.Passages[best]; p.Start >= 0 && p.End <= len(a.Body) && p.Start < p.End {
			text := a.Body[p.Start:p.End]
			vec = render(text, hl.matches(text), size)
		}
	}
	lex := hl.snippets(a, n, size)
	marked := len(lex) > 0 && strings.Contains(lex[0], "<mark>")
	seen := map[string]bool{}
	add := func(s string) {
		if s != "" && !seen[s] && len(out) < n {
			seen[s] = true
			out = append(out, s)
		}
	}
	switch {
	case vec == "":
		for _, s := range lex {
			add(s)
		}
	case lexicalFirst && marked:
		add(lex[0])
		add(vec)
		for _, s := range lex[1:] {
			add(s)
		}
	default:
		add(vec)
		if marked {
			for _, s := range lex {
				add(s)
			}
		}
	}
	return out
}

// Similar returns articles like the article id (more-like-this), filtered
// by r's filters, excluding the article itself and its near-identical
// copies. The article's passage vectors are averaged into one vector,
// and the hits are the articles whose best passage is nearest to it,
// chosen and paged like the candidates of a semantic search: those
// reaching MinSimilarity and, even below it, the MinCandidates nearest,
// up to MaxRanked; total and facets count them all. Hits carry
// Duplicates as in Search. It needs only the stored vectors, not the
// model.
func (e *Engine) Similar(ctx context.Context, id string, r Request) (*Results, error) {
	return e.SimilarWithin(ctx, id, r, 0)
}

// SimilarWithin is Similar limited to the articles published within days
// days of the article (days 0: any time; see withinDays).
func (e *Engine) SimilarWithin(ctx context.Context, id string, r Request, days int) (*Results, error) {
	start := time.Now()
	r.Query, r.Mode, r.Sort = "", ModeSemantic, SortRelevance
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	a, err := e.Article(ctx, id)
	if err != nil {
		return nil, err
	}
	within, err := withinDays(&r, a, days)
	if err != nil {
		return nil, err
	}
	st, _ := e.vectors()
	if n, _ := st.Len(); n == 0 {
		return nil, fmt.Errorf("search: similar to %q: the index holds no passage vectors: %w", id, ErrNoEmbeddings)
	}
	c, ok := st.Centroid(id)
	if !ok {
		return nil, fmt.Errorf("search: similar to %q: the article was indexed without embeddings: %w", id, ErrNoEmbeddings)
	}
	f := vectorFilter(&r)
	// The article, the one it copies and (below) its near-identical
	// copies are left out; collapsing leaves out the other wire copies.
	f.Exclude = []string{id}
	if a.DuplicateOf != "" {
		f.Exclude = append(f.Exclude, a.DuplicateOf)
	}
	hs, err := candidates(st, c, f)
	if err != nil {
		return nil, err
	}
	l := &list{semantic: true, qv: c}
	for _, h := range hs {
		if cc, ok := st.Centroid(h.id); ok && dot(c, cc) >= nearDuplicate {
			continue // a copy of the article (wire story, re-post)
		}
		l.head = append(l.head, h)
	}
	setQ := withFilters(idsQuery(rankedIDs(l.head)), &r)
	p := &plan{ast: &uq.MatchAll{}, strict: setQ, rank: setQ, similar: true}
	hl := e.newHighlighter(p.ast)
	res, err := e.answer(ctx, &answering{r: &r, p: p, l: l, hl: hl}, setQ, nil)
	if err != nil {
		return nil, err
	}
	e.countDuplicates(ctx, res.Hits)
	res.FiltersResolved, res.Suggestions = resolved, sugg
	res.Within = within
	res.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}
