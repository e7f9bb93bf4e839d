package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
)

// titleBoost weighs a title match against a body match.
const titleBoost = 2.0

// textFields maps a query field to the Bleve fields it searches.
func textFields(field string) ([]string, string, error) {
	switch field {
	case "", "body":
		// The text field holds title and body; body: searches it too.
		return []string{index.FieldText}, index.TextAnalyzer, nil
	case "title":
		return []string{index.FieldTitle}, index.TextAnalyzer, nil
	case "author":
		return []string{index.QueryAuthor}, "standard", nil
	}
	if k, ok := newsdex.KindNamed(field); ok {
		return []string{k.QueryField}, "standard", nil
	}
	return nil, "", &ParamError{Param: "q", Pos: -1, Msg: fmt.Sprintf("unknown field %q", field)}
}

// translate turns the parsed user query into a Bleve query. A clause that
// analyses to no terms at all (a stop word) matches everything, so that
// "the AND putin" means putin.
func (e *Engine) translate(n uq.Node) (query.Query, error) {
	q, err := e.node(n)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return bleve.NewMatchAllQuery(), nil
	}
	return q, nil
}

// node returns nil for a clause with no searchable terms.
func (e *Engine) node(n uq.Node) (query.Query, error) {
	switch n := n.(type) {
	case *uq.MatchAll:
		return bleve.NewMatchAllQuery(), nil
	case *uq.Term:
		return e.term(n)
	case *uq.Phrase:
		return e.phrase(n)
	case *uq.Bool:
		return e.boolean(n)
	case *uq.Near:
		return e.near(n)
	}
	return nil, fmt.Errorf("search: unknown query node %T", n)
}

func (e *Engine) boolean(b *uq.Bool) (query.Query, error) {
	var must, should, not []query.Query
	for _, c := range b.Must {
		q, err := e.node(c)
		if err != nil {
			return nil, err
		}
		if q != nil {
			must = append(must, q)
		}
	}
	for _, c := range b.Should {
		q, err := e.node(c)
		if err != nil {
			return nil, err
		}
		if q != nil {
			should = append(should, q)
		}
	}
	should = append(should, e.roleQueries(b.Should)...)
	for _, c := range b.MustNot {
		q, err := e.node(c)
		if err != nil {
			return nil, err
		}
		if q != nil {
			not = append(not, q)
		}
	}
	if len(must) == 0 && len(should) == 0 && len(not) == 0 {
		return nil, nil
	}
	if len(not) == 0 {
		switch {
		case len(must) == 1 && len(should) == 0:
			return must[0], nil
		case len(must) == 0 && len(should) == 1:
			return should[0], nil
		case len(must) == 0:
			return disjoin(should), nil
		}
	}
	bq := bleve.NewBooleanQuery()
	if len(must) > 0 {
		bq.AddMust(must...)
	}
	if len(should) > 0 {
		if len(must) > 0 {
			// Should clauses only rank when something is required.
			bq.AddShould(disjoin(should))
		} else {
			bq.AddMust(disjoin(should))
		}
	}
	if len(must) == 0 && len(should) == 0 {
		bq.AddMust(bleve.NewMatchAllQuery())
	}
	if len(not) > 0 {
		bq.AddMustNot(not...)
	}
	return bq, nil
}

// roleQueries matches the role phrases of articles' leaders ("Chinese
// president" → the President of China on each article's date) against
// every run of two or three plain words in an OR list, so that words that
// name an office also find the articles about whoever held it. Only whole
// role phrases match, so single words never reach the roles field.
func (e *Engine) roleQueries(nodes []uq.Node) []query.Query {
	var out []query.Query
	var run []string
	flush := func() {
		for n := 2; n <= 3; n++ {
			for i := 0; i+n <= len(run); i++ {
				text := strings.Join(run[i:i+n], " ")
				mq := bleve.NewMatchPhraseQuery(text)
				mq.SetField(index.FieldRoles)
				mq.Analyzer = index.TextAnalyzer
				q := e.newExactPhrase(mq, index.FieldRoles, index.TextAnalyzer, text, 1)
				out = append(out, e.rolePhrase(q, index.TextAnalyzer, text, 1))
			}
		}
		run = run[:0]
	}
	for _, n := range nodes {
		t, ok := n.(*uq.Term)
		if !ok || t.Field != "" || t.Wildcard || t.Fuzzy > 0 {
			flush()
			continue
		}
		run = append(run, t.Text)
	}
	flush()
	return out
}

// tokens analyses text with the analyzer of the query field.
func (e *Engine) tokens(analyzer, text string) []string {
	a := e.src.Bleve().Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return strings.Fields(strings.ToLower(text))
	}
	ts := a.Analyze([]byte(text))
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

func (e *Engine) term(t *uq.Term) (query.Query, error) {
	fields, analyzer, err := textFields(t.Field)
	if err != nil {
		return nil, posErr(err, t.At)
	}
	if t.Wildcard {
		pattern := strings.ToLower(t.Text)
		var qs []query.Query
		for _, f := range fields {
			wq := bleve.NewWildcardQuery(e.stemPrefix(analyzer, pattern))
			wq.SetField(f)
			if f == index.FieldTitle {
				wq.SetBoost(titleBoost)
			}
			qs = append(qs, wq)
		}
		return disjoin(qs), nil
	}
	toks := e.tokens(analyzer, t.Text)
	if len(toks) == 0 {
		return nil, nil
	}
	var qs []query.Query
	for _, f := range fields {
		var q query.Query
		if t.Fuzzy > 0 && len(toks) == 1 {
			fq := bleve.NewFuzzyQuery(toks[0])
			fq.SetFuzziness(t.Fuzzy)
			fq.SetField(f)
			if f == index.FieldTitle {
				fq.SetBoost(titleBoost)
			}
			qs = append(qs, fq)
			continue
		}
		if f == index.FieldText {
			q = bm25Terms(toks, f, &e.lengths)
		} else if len(toks) == 1 {
			tq := bleve.NewTermQuery(toks[0])
			tq.SetField(f)
			if f == index.FieldTitle {
				tq.SetBoost(titleBoost)
			}
			q = tq
		} else {
			// "Putin-Xi" and similar analyse to several tokens: all must match.
			mq := bleve.NewMatchQuery(t.Text)
			mq.SetField(f)
			mq.Analyzer = analyzer
			mq.SetOperator(query.MatchQueryOperatorAnd)
			if f == index.FieldTitle {
				mq.SetBoost(titleBoost)
			}
			q = mq
		}
		qs = append(qs, q)
	}
	return disjoin(qs), nil
}

// bm25Terms scores toks in field by BM25: one term, or all of several
// ("Putin-Xi" analyses to two tokens, and both must match).
func bm25Terms(toks []string, field string, lengths *textLengths) query.Query {
	if len(toks) == 1 {
		return &bm25Query{Term: toks[0], Field: field, lengths: lengths}
	}
	qs := make([]query.Query, len(toks))
	for i, t := range toks {
		qs[i] = &bm25Query{Term: t, Field: field, lengths: lengths}
	}
	return bleve.NewConjunctionQuery(qs...)
}

// stemPrefix rewrites "wildfire*" to "wildfir*": indexed terms are stems,
// so a trailing-star pattern must start with the stem of its literal part.
func (e *Engine) stemPrefix(analyzer, pattern string) string {
	prefix, ok := strings.CutSuffix(pattern, "*")
	if !ok || strings.ContainsAny(prefix, "*?") {
		return pattern
	}
	toks := e.tokens(analyzer, prefix)
	if len(toks) != 1 || !strings.HasPrefix(prefix, toks[0][:min(len(toks[0]), 1)]) {
		return pattern
	}
	if len(toks[0]) < len(prefix) {
		return toks[0] + "*"
	}
	return pattern
}

func (e *Engine) phrase(p *uq.Phrase) (query.Query, error) {
	fields, analyzer, err := textFields(p.Field)
	if err != nil {
		return nil, posErr(err, p.At)
	}
	if p.Field == "" {
		// A quoted role ("British prime minister") also finds the
		// articles about whoever held it on their date.
		fields = append(fields, index.FieldRoles)
	}
	toks := e.tokens(analyzer, p.Text)
	if len(toks) == 0 {
		return nil, nil
	}
	var qs []query.Query
	for _, f := range fields {
		boost := 1.0
		if f == index.FieldTitle {
			boost = titleBoost
		}
		var q query.Query
		if p.Slop > 0 && len(toks) > 1 {
			q = &proximityQuery{Terms: toks, Field: f, Slop: p.Slop, Boost: boost}
		} else {
			mq := bleve.NewMatchPhraseQuery(p.Text)
			mq.SetField(f)
			mq.Analyzer = analyzer
			mq.SetBoost(boost)
			q = e.newExactPhrase(mq, f, analyzer, p.Text, boost)
		}
		if f == index.FieldRoles {
			q = e.rolePhrase(q, analyzer, p.Text, boost)
		}
		qs = append(qs, q)
	}
	return disjoin(qs), nil
}

func posErr(err error, pos int) error {
	if pe, ok := err.(*ParamError); ok {
		pe.Pos = pos
	}
	return err
}

func disjoin(qs []query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return &sumQuery{Clauses: qs}
}

// proximityQuery matches documents where all Terms occur within a window of
// len(Terms)+Slop positions of Field, in any order, the way "a b"~N works in
// Lucene-style query languages. Bleve's phrase searcher has no slop.
type proximityQuery struct {
	Terms []string
	Field string
	Slop  int
	Boost float64
}

// Searcher implements query.Query.
func (q *proximityQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	opts.IncludeTermVectors = true
	var ts []search.Searcher
	for _, t := range q.Terms {
		s, err := searcher.NewTermSearcher(ctx, r, t, q.Field, q.Boost, opts)
		if err != nil {
			for _, s := range ts {
				_ = s.Close()
			}
			return nil, fmt.Errorf("search: proximity term %q: %w", t, err)
		}
		ts = append(ts, s)
	}
	conj, err := searcher.NewConjunctionSearcher(ctx, r, ts, opts)
	if err != nil {
		return nil, fmt.Errorf("search: proximity: %w", err)
	}
	window := uint64(len(q.Terms) - 1 + q.Slop)
	return searcher.NewFilteringSearcher(ctx, conj, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return withinWindow(d, q.Field, q.Terms, window)
	}), nil
}

// withinWindow reports whether every term occurs in field within a span of
// at most window positions, inside one array element.
func withinWindow(d *search.DocumentMatch, field string, terms []string, window uint64) bool {
	type occ struct {
		pos  uint64
		term int
	}
	var occs []occ
	add := func(term string, pos uint64) {
		for i, t := range terms {
			if t == term {
				occs = append(occs, occ{pos, i})
				return
			}
		}
	}
	if len(d.FieldTermLocations) > 0 {
		for _, ftl := range d.FieldTermLocations {
			if ftl.Field == field {
				add(ftl.Term, ftl.Location.Pos)
			}
		}
	} else {
		for term, locs := range d.Locations[field] {
			for _, l := range locs {
				add(term, l.Pos)
			}
		}
	}
	if len(occs) < len(terms) {
		return false
	}
	// Sort by position and slide a window covering all distinct terms.
	for i := 1; i < len(occs); i++ {
		for j := i; j > 0 && occs[j].pos < occs[j-1].pos; j-- {
			occs[j], occs[j-1] = occs[j-1], occs[j]
		}
	}
	// Duplicate terms in the query ("new new") need that many occurrences.
	need := make(map[int]int, len(terms))
	for i := range terms {
		need[canonicalTerm(terms, i)]++
	}
	have := make(map[int]int, len(need))
	satisfied := 0
	lo := 0
	for hi := range occs {
		k := canonicalTerm(terms, occs[hi].term)
		have[k]++
		if have[k] == need[k] {
			satisfied++
		}
		for satisfied == len(need) {
			if occs[hi].pos-occs[lo].pos <= window {
				return true
			}
			kl := canonicalTerm(terms, occs[lo].term)
			if have[kl] == need[kl] {
				satisfied--
			}
			have[kl]--
			lo++
		}
	}
	return false
}

func canonicalTerm(terms []string, i int) int {
	for j := 0; j < i; j++ {
		if terms[j] == terms[i] {
			return j
		}
	}
	return i
}
