package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
	"github.com/newsdex/newsdex/vector"
)

// Semantic and hybrid search.
//
// Every index generation holds the passage vectors of its articles (see
// package index); the engine embeds the query with the same model and asks
// the generation's vector.Store for the articles whose best passage is
// nearest. The request's filters are applied inside the vector search,
// before the top k is taken.
//
// What a mode returns (the hit set, which total and the facets count):
//
//   - lexical: the articles that match the query, ranked by BM25 over
//     title and body as one text (bm25.go), summed over the query's words
//     without Bleve's coordination factor (sum.go).
//   - semantic, plain words: the up to MaxRanked articles (after the
//     filters) whose best passage has a cosine similarity of at least
//     MinSimilarity with the query, and at least the MinCandidates nearest
//     (so a filter that leaves few articles still returns them all), ranked
//     by that similarity, which is the hit's score. The words need not
//     occur in the hits.
//   - hybrid, plain words: the articles that match the words lexically,
//     plus the semantic candidates above; ranked by a convex combination
//     of the lexical score (relative to the best) and the cosine
//     similarity (see combine), over the lexical and vector rankings each
//     to depth MaxRanked; the score is the combined score.
//   - semantic or hybrid, a query with operators (AND, OR, NOT, -word,
//     +word, phrases, field:value, wildcards, fuzzy): the hit set is exactly
//     the lexical one, so every hit satisfies the query; semantic ranks it
//     by vector similarity, hybrid by combining both scores.
//
// total and every facet count the hit set, so they agree with the hits;
// with sort=date the same set is ordered by date. The ranked modes page
// through at most MaxRanked hits: deeper pages are empty, and a hybrid
// total may count more articles (lexical matches beyond that depth) than
// can be paged; use mode=lexical with a cursor to walk all of them.
// An empty query (browsing by filters) runs lexically in every mode, and
// Results.Mode says so.

// ErrNoEmbeddings is returned for a semantic or hybrid request on an index
// built without embeddings, or when no embedder is configured. The API
// answers it with 400 and the message.
var ErrNoEmbeddings = errors.New("search: semantic search needs passage embeddings: fetch the model with `newsdex model fetch` and rebuild with `newsdex reindex` (indexes built with --embed=false are lexical-only)")

// Semantic ranking parameters. They are fixed for the model, not tuned to
// any query set's individual queries.
const (
	// MaxRanked is the depth of the vector and lexical rankings that
	// semantic and hybrid modes rank and page through.
	MaxRanked = 1000
	// MinSimilarity is the cosine similarity a passage needs for its
	// article to be a semantic candidate of a plain query.
	MinSimilarity = 0.25
	// MinCandidates is how many of the nearest articles are candidates
	// even below MinSimilarity.
	MinCandidates = 100
	// LexicalWeight is the share of the lexical score in a hybrid score
	// (see combine); the cosine similarity has the rest. Measured on every
	// dev collection of newsdex eval together (docs/RELEVANCE.md): 0.2
	// gave the best mean, and no collection below the better of lexical
	// and semantic by more than 0.01.
	LexicalWeight = 0.2
	// FloorMin and FloorBand make a query's similarity floor (see
	// similarityFloor): the cosine a passage needs for its article to be
	// in semantic mode's set, or a semantic neighbour in a hybrid list.
	// Measured with newsdex eval --floor (docs/RELEVANCE.md, "Relative
	// floor"): on TIME-1963, whose judgments are complete, the sets hold
	// 6.7 articles per query, a third relevant (mean precision 0.33,
	// recall 0.45), and no query of any collection, two-word variants
	// included, is left with an empty set. A fixed floor of 0.65 left
	// every one-word query of the Wikinews fixture with nothing.
	FloorMin  = 0.20
	FloorBand = 0.05
	// MaxSemantic caps semantic mode's hit set.
	MaxSemantic = MaxRanked
	// nearDuplicate is the article-to-article similarity (of passage
	// centroids) above which more-like-this treats a hit as a copy of the
	// article itself.
	nearDuplicate = 0.95
)

// QueryEmbedder turns query texts into vectors of the model the index's
// passage vectors come from; embed.USE and embed.OpenAI implement it.
type QueryEmbedder interface {
	Embed(ctx context.Context, texts []string) ([][]float32, error)
	Name() string
}

// Option configures an Engine.
type Option func(*Engine)

// WithEmbedder enables semantic and hybrid search, with m embedding the
// queries. Without it those modes fail with ErrNoEmbeddings (more-like-this
// works without it: it needs only the stored vectors).
func WithEmbedder(m QueryEmbedder) Option {
	return func(e *Engine) { e.sem = &semantic{m: m, cache: map[string][]float32{}} }
}

// semantic is the engine's query embedder with a small cache, so paging
// through results does not embed the same query again.
type semantic struct {
	m     QueryEmbedder
	mu    sync.Mutex
	cache map[string][]float32
}

const queryCacheSize = 1024

func (s *semantic) embed(ctx context.Context, text string) ([]float32, error) {
	s.mu.Lock()
	v, ok := s.cache[text]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	out, err := s.m.Embed(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("search: embed query %q: %w", text, err)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("search: embed query %q: got %d vectors", text, len(out))
	}
	s.mu.Lock()
	if len(s.cache) >= queryCacheSize {
		clear(s.cache)
	}
	s.cache[text] = out[0]
	s.mu.Unlock()
	return out[0], nil
}

// vectorSource is what the engine needs from an index for semantic
// search; *index.Index implements it.
type vectorSource interface {
	Vectors() (*vector.Store, string)
}

// vectors returns the live generation's vector store and model, or an empty
// store.
func (e *Engine) vectors() (*vector.Store, string) {
	if vs, ok := e.src.(vectorSource); ok {
		if st, model := vs.Vectors(); st != nil {
			return st, model
		}
	}
	return vector.New(), ""
}

// HasEmbeddings reports whether semantic and hybrid search are available:
// the index holds passage vectors and queries can be embedded with their
// model.
func (e *Engine) HasEmbeddings() bool { return e.checkSemantic() == nil }

func (e *Engine) checkSemantic() error {
	st, model := e.vectors()
	if n, _ := st.Len(); n == 0 || model == "" {
		return fmt.Errorf("search: the index holds no passage vectors (built with --embed=false, or before the model was fetched): %w", ErrNoEmbeddings)
	}
	if e.sem == nil {
		return fmt.Errorf("search: no query embedder (the model weights are not loaded): %w", ErrNoEmbeddings)
	}
	if m := e.sem.m.Name(); m != model {
		return fmt.Errorf("search: the index's vectors come from model %q, queries would be embedded with %q: %w", model, m, ErrNoEmbeddings)
	}
	return nil
}

// parseQuery parses r's query, mapping syntax errors to *ParamError as the
// lexical path does.
func parseQuery(q string) (uq.Node, error) {
	ast, err := uq.Parse(q)
	if err != nil {
		var se *uq.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParamError{Param: "q", Pos: se.Pos, Msg: se.Detail()}
		}
		return nil, &ParamError{Param: "q", Pos: -1, Msg: err.Error()}
	}
	return ast, nil
}

// isPlain reports whether the query q, parsed as n, is plain words
// (terms without fields, wildcards or fuzziness, and no written operator),
// which fuse freely with the vector ranking; any operator, even an OR or
// parentheses that parse to the same tree as plain words, makes the
// lexical match set binding.
func isPlain(q string, n uq.Node) bool {
	for _, w := range strings.Fields(q) {
		if w == "OR" || w == "||" || w == "AND" || w == "&&" || w == "NOT" || w == "NEAR" || strings.HasPrefix(w, "NEAR/") ||
			strings.HasPrefix(w, "+") || strings.HasPrefix(w, "-") || strings.HasPrefix(w, "!") {
			return false
		}
	}
	return !strings.ContainsAny(q, "()") && plainNode(n)
}

func plainNode(n uq.Node) bool {
	switch n := n.(type) {
	case *uq.Term:
		return n.Field == "" && !n.Wildcard && n.Fuzzy == 0
	case *uq.Bool:
		// Words side by side: all Must (op and) or all Should (op or).
		if len(n.MustNot) > 0 || (len(n.Must) > 0) == (len(n.Should) > 0) {
			return false
		}
		for _, c := range append(slices.Clone(n.Must), n.Should...) {
			if !plainNode(c) {
				return false
			}
		}
		return true
	}
	return false
}

// embedText is the text embedded for a query: its positive words and
// phrases in query order, without operators or excluded words (embedding
// "-trump" would pull towards Trump).
func embedText(n uq.Node) string {
	var words []string
	for _, t := range uq.Terms(n) {
		w := t.Text
		if t.Wildcard {
			w = strings.NewReplacer("*", "", "?", "").Replace(w)
		}
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	return index.EmbedText(strings.Join(words, " "))
}

// vectorFilter turns r's filters into the vector store's, with the same
// meaning as withFilters: OR within a name, AND across names, dates
// inclusive.
func vectorFilter(r *Request) vector.Filter {
	var f vector.Filter
	for _, name := range FilterNames {
		vals := r.Filters[name]
		if len(vals) == 0 {
			continue
		}
		field := filterField(name)
		if r.FilterOps[name] == OpAnd {
			for _, v := range vals {
				f.Groups = append(f.Groups, []string{index.FilterLabel(field, v)})
			}
			continue
		}
		g := make([]string, len(vals))
		for i, v := range vals {
			g[i] = index.FilterLabel(field, v)
		}
		f.Groups = append(f.Groups, g)
	}
	if !r.From.IsZero() {
		f.From = r.From
	}
	if !r.To.IsZero() {
		f.To = r.To.AddDate(0, 0, 1)
	}
	if r.Collapse == nil || *r.Collapse {
		f.Without = []string{index.DupLabel} // as withFilters folds wire copies
	}
	return f
}

// ranked is one article of a semantic or hybrid ranking.
type ranked struct {
	id    string
	score float64
	// passage is the best vector passage, or -1 if unknown.
	passage int
	// lexical and cosine are the parts score was made of, kept for
	// Hit.Explain: the raw lexical score (if hasLexical) and the cosine
	// similarity of the best passage (if hasCosine).
	lexical, cosine       float64
	hasLexical, hasCosine bool
	// tail is set on hits of a list's tail, which Bleve ranked lexically.
	tail bool
}

// rankedOf is the vector hit h as a ranking entry scored by its cosine.
func rankedOf(h vector.Hit) ranked {
	c := float64(h.Score)
	return ranked{id: h.ID, score: c, passage: h.Passage, cosine: c, hasCosine: true}
}

func fromHits(hs []vector.Hit) []ranked {
	out := make([]ranked, len(hs))
	for i, h := range hs {
		out[i] = rankedOf(h)
	}
	return out
}

func rankedIDs(rs []ranked) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.id
	}
	return out
}

// combine ranks the union of a lexical and a vector ranking by a convex
// combination of their scores: LexicalWeight × the lexical score divided
// by the best one, plus (1 − LexicalWeight) × the cosine similarity of the
// best passage. Articles of the lexical ranking that the vector ranking
// lacks get their similarity from the store (0 if they have no vectors);
// articles that do not match the words get no lexical part.
//
// It also returns the best lexical score, which Hit.Explain reports.
//
// On TIME-1963 and the paraphrase set this beat reciprocal rank fusion
// (RRF, k=60, equal weights: nDCG@10 0.628 and MRR@10 0.777; combination:
// 0.687 and 0.632): RRF gives the weak ranking the same say as the strong
// one, the combination lets a confident lexical match win and a close
// meaning win over a chance word match.
func combine(st *vector.Store, qv []float32, lex, vec []ranked) ([]ranked, float64, error) {
	byID := make(map[string]*ranked, len(lex)+len(vec))
	out := make([]ranked, 0, len(lex)+len(vec))
	for _, v := range vec {
		v.score = (1 - LexicalWeight) * v.score
		out = append(out, v)
	}
	for i := range out {
		byID[out[i].id] = &out[i]
	}
	var need []string
	for _, l := range lex {
		if _, ok := byID[l.id]; !ok {
			need = append(need, l.id)
		}
	}
	cos := map[string]vector.Hit{}
	if len(need) > 0 {
		hs, err := st.Search(vector.Query{Vector: qv, K: len(need), MinScore: float32(math.Inf(-1)), Filter: vector.Filter{IDs: need}})
		if err != nil {
			return nil, 0, err
		}
		for _, h := range hs {
			cos[h.ID] = h
		}
	}
	best := 0.0
	if len(lex) > 0 {
		best = lex[0].score
	}
	for _, l := range lex {
		part := 0.0
		if best > 0 {
			part = LexicalWeight * l.score / best
		}
		if x, ok := byID[l.id]; ok {
			x.score += part
			x.lexical, x.hasLexical = l.score, true
			continue
		}
		r := ranked{id: l.id, score: part, passage: -1, lexical: l.score, hasLexical: true}
		if h, ok := cos[l.id]; ok {
			r.cosine, r.hasCosine = float64(h.Score), true
			r.score += (1 - LexicalWeight) * r.cosine
			r.passage = h.Passage
		}
		out = append(out, r)
	}
	sortRanked(out)
	return out, best, nil
}

func sortRanked(rs []ranked) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].score != rs[j].score {
			return rs[i].score > rs[j].score
		}
		return rs[i].id < rs[j].id
	})
}

// bleveSearch runs breq through runSearch (field-data facets, cached
// ids: several times faster than Bleve's SearchInContext on many hits),
// retrying once if a rebuild closed the generation it started on (as the
// lexical path does).
func (e *Engine) bleveSearch(ctx context.Context, breq *bleve.SearchRequest) (*bleve.SearchResult, error) {
	res, _, err := e.runSearch(ctx, breq)
	if errors.Is(err, bleve.ErrorIndexClosed) {
		res, _, err = e.runSearch(ctx, breq)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search: %w", ctx.Err())
		}
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}

// lexicalTop returns the top n articles of q by lexical score, the number
// of articles q matches and, if r asks for them, q's facets.
func (e *Engine) lexicalTop(ctx context.Context, q query.Query, n int, r *Request) ([]ranked, *bleve.SearchResult, error) {
	breq := bleve.NewSearchRequestOptions(q, n, 0, false)
	breq.SortByCustom(sortFor(SortRelevance))
	addFacets(breq, r)
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, nil, err
	}
	out := make([]ranked, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = ranked{id: h.ID, score: h.Score, passage: -1, lexical: h.Score, hasLexical: true}
	}
	return out, res, nil
}

// idsQuery matches exactly ids (nothing when ids is empty).
func idsQuery(ids []string) query.Query {
	if len(ids) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	return bleve.NewDocIDQuery(ids)
}

// members returns those of ids that q matches.
func (e *Engine) members(ctx context.Context, q query.Query, ids []string) (map[string]bool, error) {
	breq := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(idsQuery(ids), q), len(ids), 0, false)
	breq.SortBy([]string{"_id"})
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = true
	}
	return out, nil
}

// candidates returns the semantic candidates of a plain query: the
// articles passing f whose best passage reaches MinSimilarity, at most
// MaxRanked, and at least the MinCandidates nearest, so that a query
// whose filters leave few articles still ranks all of them.
func candidates(st *vector.Store, qv []float32, f vector.Filter) ([]ranked, error) {
	hs, err := st.Search(vector.Query{Vector: qv, K: MaxRanked, MinScore: float32(math.Inf(-1)), Filter: f})
	if err != nil {
		return nil, err
	}
	n := 0
	for n < len(hs) && (hs[n].Score >= MinSimilarity || n < MinCandidates) {
		n++
	}
	return fromHits(hs[:n]), nil
}

// vectorQuery is a query vector qv against the store st under the
// request's filter f.
type vectorQuery struct {
	st *vector.Store
	qv []float32
	f  vector.Filter
}

// vectorWithin ranks by vector the articles of set, the articles that q
// (query and filters) matches; lex holds q's top articles and total its
// size. When lex holds all of set, its members are ranked directly;
// otherwise the nearest articles are checked against q in growing rounds
// until MaxRanked members are found.
func (e *Engine) vectorWithin(ctx context.Context, vq vectorQuery, q query.Query, lex []ranked, total uint64) ([]ranked, error) {
	st, qv, f := vq.st, vq.qv, vq.f
	all := float32(math.Inf(-1))
	if uint64(len(lex)) >= total {
		f.IDs = rankedIDs(lex)
		hs, err := st.Search(vector.Query{Vector: qv, K: len(lex), MinScore: all, Filter: f})
		return fromHits(hs), err
	}
	docs, _ := st.Len()
	var out []ranked
	for k := 2 * MaxRanked; ; k *= 4 {
		hs, err := st.Search(vector.Query{Vector: qv, K: k, MinScore: all, Filter: f})
		if err != nil {
			return nil, err
		}
		in, err := e.members(ctx, q, rankedIDs(fromHits(hs)))
		if err != nil {
			return nil, err
		}
		out = out[:0]
		for _, h := range hs {
			if in[h.ID] {
				out = append(out, rankedOf(h))
			}
		}
		if len(out) >= MaxRanked || len(hs) < k || k >= docs {
			return out[:min(len(out), MaxRanked)], nil
		}
	}
}

// appendMissing adds the articles of extra not in rs, in order: members of
// the hit set that have no vectors still count and rank last.
func appendMissing(rs, extra []ranked) []ranked {
	seen := make(map[string]bool, len(rs))
	for _, r := range rs {
		seen[r.id] = true
	}
	for _, x := range extra {
		if !seen[x.id] {
			x.passage = -1
			rs = append(rs, x)
		}
	}
	return rs
}

// bestPassages finds the passage nearest to qv, and its cosine, of the
// hits that lack one (hits that came from the lexical ranking only, or a
// page in date order), for their snippets and explanations.
func bestPassages(st *vector.Store, qv []float32, page []ranked) error {
	var ids []string
	for _, x := range page {
		if x.passage < 0 {
			ids = append(ids, x.id)
		}
	}
	if len(ids) == 0 || qv == nil {
		return nil
	}
	hs, err := st.Search(vector.Query{Vector: qv, K: len(ids), MinScore: float32(math.Inf(-1)), Filter: vector.Filter{IDs: ids}})
	if err != nil {
		return err
	}
	best := make(map[string]vector.Hit, len(hs))
	for _, h := range hs {
		best[h.ID] = h
	}
	for i := range page {
		if h, ok := best[page[i].id]; ok && page[i].passage < 0 {
			page[i].passage = h.Passage
			page[i].cosine, page[i].hasCosine = float64(h.Score), true
		}
	}
	return nil
}

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
