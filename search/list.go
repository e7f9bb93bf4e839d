package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	uq "github.com/newsdex/newsdex/query"
	"github.com/newsdex/newsdex/vector"
)

// The match set and the ranked list.
//
// A query with words defines its match set: the articles that satisfy it
// as the query language reads it (words side by side joined by
// Request.Op, AND by default), within the request's filters. total, every
// facet and date sorts describe that set, in lexical and hybrid mode
// alike, so a facet value taken as a filter gives the count it showed.
//
// The ranked list (sort=relevance) may hold more, each hit marked with
// Hit.Match and never counted in total:
//
//   - partial: with Op and, an article that matches some of the words
//     written side by side but not all (Hit.Missing names the others).
//     Partial and full matches are ranked together by their scores: on the
//     dev collections a partial match that ranks above a full one is as
//     often relevant (docs/RELEVANCE.md).
//   - semantic (hybrid, plain words only): up to Request.Neighbours
//     articles whose best passage is among the nearest to the query after
//     the filters and reaches the query's similarity floor
//     (similarityFloor, Results.Floor), that match none of the words.
//
// Results.Related counts them. Pure semantic mode has its own set: every
// article whose best passage reaches the floor, at most MaxSemantic
// (Results.Capped says when the cap cut it).
//
// A list is a head, ranked in memory (the fused or vector ranking of
// semantic and hybrid mode), followed by a tail that Bleve ranks by
// lexical score (the rest of the lexical matches), so that page and
// cursor walk every hit of the list once, however deep.

// Match kinds of a hit (Hit.Match).
const (
	MatchAll      = "all"
	MatchPartial  = "partial"
	MatchSemantic = "semantic"
)

// plan is what a request's query means: its sets as Bleve queries, with
// the request's filters.
type plan struct {
	ast uq.Node
	// strict is the match set.
	strict query.Query
	// rank is the set the lexical ranking lists: strict, or with partial
	// set, the articles that match any of clauses.
	rank    query.Query
	partial bool
	clauses []clauseQuery
	// plain is a query of words only, without operators, phrases or
	// fields, which semantic neighbours may join.
	plain bool
	// similar marks a more-like-this list, whose hits are all semantic.
	similar bool
}

// clauseQuery is one of the parts of a query written side by side, whose
// absence from a partial match Hit.Missing reports.
type clauseQuery struct {
	text string
	q    query.Query
}

func parseOp(s, op string) (uq.Node, error) {
	o := uq.OpAnd
	if op == OpOr {
		o = uq.OpOr
	}
	ast, err := uq.ParseOp(s, o)
	if err != nil {
		var se *uq.SyntaxError
		if errors.As(err, &se) {
			return nil, &ParamError{Param: "q", Pos: se.Pos, Msg: se.Detail()}
		}
		return nil, &ParamError{Param: "q", Pos: -1, Msg: err.Error()}
	}
	return ast, nil
}

// plan parses and translates r's query (r is normalised).
func (e *Engine) plan(r *Request) (*plan, error) {
	ast, err := parseOp(r.Query, r.Op)
	if err != nil {
		return nil, err
	}
	q, err := e.translate(ast)
	if err != nil {
		return nil, err
	}
	p := &plan{ast: ast, strict: withFilters(q, r), plain: isPlain(r.Query, ast)}
	p.rank = p.strict
	if r.Op != OpAnd {
		return p, nil
	}
	any, err := parseOp(r.Query, OpOr)
	if err != nil {
		return nil, err
	}
	if any.String() == ast.String() {
		return p, nil
	}
	var parts []uq.Node
	if b, ok := any.(*uq.Bool); ok && len(b.Must) == 0 {
		parts = b.Should
	}
	for _, n := range parts {
		cq, err := e.node(n)
		if err != nil {
			return nil, err
		}
		if cq != nil {
			p.clauses = append(p.clauses, clauseQuery{text: n.String(), q: cq})
		}
	}
	if len(p.clauses) < 2 {
		p.clauses = nil
		return p, nil
	}
	aq, err := e.translate(any)
	if err != nil {
		return nil, err
	}
	p.rank, p.partial = withFilters(aq, r), true
	return p, nil
}

// list is the ranked list of a search: head, then the articles of tail
// (nil: none) in lexical order. tail leaves out the articles of head.
type list struct {
	head []ranked
	tail query.Query
	// tailTotal is the size of tail.
	tailTotal uint64
	// best is the best lexical score, which hybrid scores divide by.
	best float64
	// hybrid scores tail hits as combine does; otherwise their score is
	// the lexical one (lexical mode) or the cosine (semantic mode).
	hybrid, semantic bool
	// qv is the query vector of a semantic or hybrid list.
	qv []float32
}

func (l *list) len() uint64 { return uint64(len(l.head)) + l.tailTotal }

// listCursor is the position a cursor resumes at: the index of the next
// hit of the list, and after a tail hit, its sort values.
func listCursor(key string, pos int, after []string) string {
	return encodeCursor(key, append([]string{strconv.Itoa(pos)}, after...))
}

func decodeListCursor(c, key string) (int, []string, error) {
	vals, err := decodeCursor(c, key, -1)
	if err != nil {
		return 0, nil, err
	}
	if len(vals) != 1 && len(vals) != 3 {
		return 0, nil, paramErr("cursor", "invalid cursor: wrong number of sort values")
	}
	pos, err := strconv.Atoi(vals[0])
	if err != nil || pos < 0 {
		return 0, nil, paramErr("cursor", "invalid cursor: bad offset")
	}
	return pos, vals[1:], nil
}

// page returns the hits of l at r's page or cursor, as ranked entries in
// list order, the stored articles of the tail hits (by id), and the next
// cursor ("" at the end).
func (e *Engine) page(ctx context.Context, l *list, r *Request, key string) ([]ranked, map[string][]byte, string, error) {
	from, after := (r.Page-1)*r.Size, []string(nil)
	if r.Cursor != "" {
		var err error
		if from, after, err = decodeListCursor(r.Cursor, key); err != nil {
			return nil, nil, "", err
		}
	}
	var out []ranked
	if from < len(l.head) {
		out = slices.Clone(l.head[from:min(from+r.Size, len(l.head))])
	}
	src := map[string][]byte{}
	var lastSort []string
	if need := r.Size - len(out); need > 0 && l.tail != nil && uint64(from+len(out)) < l.len() {
		breq := bleve.NewSearchRequestOptions(l.tail, need, max(0, from-len(l.head)), false)
		breq.Fields = []string{index.FieldSource}
		order := sortFor(SortRelevance)
		breq.SortByCustom(order)
		if len(after) > 0 && from > len(l.head) {
			breq.SearchAfter, breq.From = after, 0
		}
		res, err := e.bleveSearch(ctx, breq)
		if err != nil {
			return nil, nil, "", err
		}
		for _, dm := range res.Hits {
			x := ranked{id: dm.ID, score: dm.Score, passage: -1, lexical: dm.Score, hasLexical: true, tail: true}
			out = append(out, x)
			if b, ok := dm.Fields[index.FieldSource].([]byte); ok {
				src[dm.ID] = b
			} else if s, ok := dm.Fields[index.FieldSource].(string); ok {
				src[dm.ID] = []byte(s)
			}
			lastSort = sortValues(order, dm)
		}
	}
	next := ""
	if end := from + len(out); len(out) == r.Size && uint64(end) < l.len() {
		if end > len(l.head) {
			next = listCursor(key, end, lastSort)
		} else {
			next = listCursor(key, end, nil)
		}
	}
	return out, src, next, nil
}

// scoreTail gives the tail hits of a page (those with no cosine yet and a
// lexical score) the score their list's ranking uses; bestPassages must
// have run.
func (l *list) scoreTail(page []ranked) {
	for i := range page {
		x := &page[i]
		if !x.tail {
			continue
		}
		switch {
		case l.hybrid:
			s := 0.0
			if l.best > 0 {
				s = LexicalWeight * x.lexical / l.best
			}
			if x.hasCosine {
				s += (1 - LexicalWeight) * x.cosine
			}
			x.score = s
		case l.semantic && x.hasCosine:
			x.score = x.cosine
		}
	}
}

// count runs q for its size and, if r asks for any, its facets.
func (e *Engine) count(ctx context.Context, q query.Query, r *Request, facets bool) (*bleve.SearchResult, error) {
	breq := bleve.NewSearchRequestOptions(q, 0, 0, false)
	if facets {
		addFacets(breq, r)
	}
	return e.bleveSearch(ctx, breq)
}

// relatedFacets adds to out's buckets the counts of the related hits: the
// articles of listQ outside the match set strict.
func (e *Engine) relatedFacets(ctx context.Context, listQ, strict query.Query, r *Request, out map[string][]Bucket) error {
	bq := bleve.NewBooleanQuery()
	bq.AddMust(listQ)
	bq.AddMustNot(strict)
	res, err := e.count(ctx, bq, r, true)
	if err != nil {
		return err
	}
	rel := facetsOf(res.Facets, r)
	for name, bs := range rel {
		at := map[string]int{}
		for i, b := range out[name] {
			at[b.Value+"\x00"+b.Key] = i
		}
		for _, b := range bs {
			if i, ok := at[b.Value+"\x00"+b.Key]; ok {
				out[name][i].Related = b.Count
				continue
			}
			b.Related, b.Count = b.Count, 0
			out[name] = append(out[name], b)
		}
		if name == FacetPublished {
			slices.SortFunc(out[name], func(a, b Bucket) int {
				if a.Key < b.Key {
					return -1
				}
				if a.Key > b.Key {
					return 1
				}
				return 0
			})
		}
	}
	return nil
}

// mark sets Match and Missing on hits: all for members of the match set,
// partial (with the clauses they lack) for other members of the lexical
// ranking's set, semantic for the rest.
func (e *Engine) mark(ctx context.Context, p *plan, hits []Hit, semanticSet bool) error {
	if len(hits) == 0 {
		return nil
	}
	if p.similar {
		for i := range hits {
			hits[i].Match = MatchSemantic
		}
		return nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	all, err := e.members(ctx, p.strict, ids)
	if err != nil {
		return err
	}
	var rest []string
	for i := range hits {
		if all[hits[i].ID] {
			hits[i].Match = MatchAll
		} else {
			rest = append(rest, hits[i].ID)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	some := map[string]bool{}
	if p.partial && !semanticSet {
		if some, err = e.members(ctx, p.rank, rest); err != nil {
			return err
		}
	}
	has := make([]map[string]bool, len(p.clauses))
	if len(some) > 0 {
		var in []string
		for _, id := range rest {
			if some[id] {
				in = append(in, id)
			}
		}
		for i, c := range p.clauses {
			if has[i], err = e.members(ctx, c.q, in); err != nil {
				return err
			}
		}
	}
	for i := range hits {
		h := &hits[i]
		if h.Match != "" {
			continue
		}
		if !some[h.ID] {
			h.Match = MatchSemantic
			continue
		}
		h.Match = MatchPartial
		for j, c := range p.clauses {
			if !has[j][h.ID] {
				h.Missing = append(h.Missing, c.text)
			}
		}
	}
	return nil
}

// similarityFloor returns the similarity floor of the query vector qv:
// max(FloorMin, best − FloorBand), where best is the cosine of the
// nearest passage in the whole index. A fixed floor would leave a short
// query, whose cosines are all low, with no article, and give a long one
// hundreds; the band keeps the articles nearly as near as the nearest.
// The floor depends on the query alone, not the filters, so that a facet
// value taken as a filter finds the articles the facet counted.
func similarityFloor(st *vector.Store, qv []float32) (float32, error) {
	hs, err := st.Search(vector.Query{Vector: qv, K: 1, MinScore: float32(math.Inf(-1))})
	if err != nil {
		return 0, err
	}
	floor := float32(FloorMin)
	if len(hs) > 0 {
		floor = max(floor, hs[0].Score-FloorBand)
	}
	return floor, nil
}

// neighbours returns the semantic neighbours of a plain query: the k
// articles passing f nearest to qv whose best passage reaches floor.
func neighbours(st *vector.Store, qv []float32, f vector.Filter, k int, floor float32) ([]ranked, error) {
	if k <= 0 {
		return nil, nil
	}
	hs, err := st.Search(vector.Query{Vector: qv, K: k, MinScore: floor, Filter: f})
	if err != nil {
		return nil, err
	}
	return fromHits(hs), nil
}

// semanticSet returns the hit set of a plain query in semantic mode: the
// articles passing f whose best passage reaches floor, nearest first, at
// most MaxSemantic, and whether the cap cut it.
func semanticSet(st *vector.Store, qv []float32, f vector.Filter, floor float32) ([]ranked, bool, error) {
	hs, err := st.Search(vector.Query{Vector: qv, K: MaxSemantic + 1, MinScore: floor, Filter: f})
	if err != nil {
		return nil, false, err
	}
	capped := len(hs) > MaxSemantic
	return fromHits(hs[:min(len(hs), MaxSemantic)]), capped, nil
}

// anyOf is a query matching what any of qs matches (scores unused).
func anyOf(qs ...query.Query) query.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bleve.NewDisjunctionQuery(qs...)
}

// Search runs r and returns one page of results.
func (e *Engine) Search(ctx context.Context, r Request) (*Results, error) {
	start := time.Now()
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	if r.Mode == "" {
		r.Mode = ModeLexical
		if e.HasEmbeddings() {
			r.Mode = ModeHybrid
		}
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return nil, err
	}
	var res *Results
	if r.Mode == ModeLexical || embedText(p.ast) == "" {
		// A query without positive words (browsing by filters, or only
		// exclusions) has nothing to embed and runs lexically.
		r.Mode = ModeLexical
		res, err = e.lexicalSearch(ctx, &r, p)
	} else {
		res, err = e.rankedSearch(ctx, &r, p)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search %q: %w", r.Query, ctx.Err())
		}
		return nil, err
	}
	if r.Mode != ModeLexical {
		e.countDuplicates(ctx, res.Hits) // lexicalSearch counts before caching
	}
	res.FiltersResolved, res.Suggestions = resolved, sugg
	res.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return res, nil
}

// lexicalSearch answers r in lexical mode: the list is the lexical
// ranking of p.rank, all in Bleve (no head).
func (e *Engine) lexicalSearch(ctx context.Context, r *Request, p *plan) (*Results, error) {
	var key string
	if e.cache != nil {
		key = cacheKey(r)
		if res := e.cache.get(e.liveSnapshot(), key); res != nil {
			cp := *res
			return &cp, nil
		}
	}
	snap := e.liveSnapshot()
	l := &list{tail: p.rank}
	hl := e.newHighlighter(p.ast)
	ex := e.newExplainer(r, p.ast, hl)
	if ex != nil {
		ex.lexQ = p.rank
	}
	out, err := e.answer(ctx, &answering{r: r, p: p, l: l, hl: hl, ex: ex}, nil, nil)
	if err != nil {
		return nil, err
	}
	e.countDuplicates(ctx, out.Hits)
	// The cache keeps its own Results: Search sets fields of the one it
	// returns. Hits are shared and never written after this point.
	cached := *out
	e.cache.put(snap, key, &cached)
	return out, nil
}

// rankedSearch answers r in semantic or hybrid mode.
func (e *Engine) rankedSearch(ctx context.Context, r *Request, p *plan) (*Results, error) {
	if err := e.checkSemantic(); err != nil {
		return nil, err
	}
	st, _ := e.vectors()
	qv, err := e.sem.embed(ctx, embedText(p.ast))
	if err != nil {
		return nil, err
	}
	f := vectorFilter(r)
	l := &list{hybrid: r.Mode == ModeHybrid, semantic: r.Mode == ModeSemantic, qv: qv}
	var setQ query.Query // the counted set when it is not p.strict
	var capped bool
	var extra []string // semantic neighbours, which p.rank lacks
	var floor float32
	if p.plain {
		if floor, err = similarityFloor(st, qv); err != nil {
			return nil, err
		}
	}
	switch {
	case r.Mode == ModeSemantic && p.plain:
		if l.head, capped, err = semanticSet(st, qv, f, floor); err != nil {
			return nil, err
		}
		setQ = withFilters(idsQuery(rankedIDs(l.head)), r)
	case r.Mode == ModeSemantic:
		lex, lres, err := e.lexicalTop(ctx, p.strict, MaxRanked, &Request{})
		if err != nil {
			return nil, err
		}
		vec, err := e.vectorWithin(ctx, vectorQuery{st: st, qv: qv, f: f}, p.strict, lex, lres.Total)
		if err != nil {
			return nil, err
		}
		l.head = appendMissing(vec, lex)
		l.tail = without(p.strict, rankedIDs(l.head))
		if lres.Total > uint64(len(lex)) {
			l.tailTotal = lres.Total - uint64(len(l.head))
		}
	default: // hybrid
		lex, lres, err := e.lexicalTop(ctx, p.rank, MaxRanked, &Request{})
		if err != nil {
			return nil, err
		}
		var vec []ranked
		if p.plain {
			if vec, err = neighbours(st, qv, f, max(r.Neighbours, 0), floor); err != nil {
				return nil, err
			}
			extra = rankedIDs(vec)
		} else if vec, err = e.vectorWithin(ctx, vectorQuery{st: st, qv: qv, f: f}, p.strict, lex, lres.Total); err != nil {
			return nil, err
		}
		if l.head, l.best, err = combine(st, qv, lex, vec); err != nil {
			return nil, err
		}
		if lres.Total > uint64(len(lex)) {
			l.tail = without(p.rank, rankedIDs(l.head))
			tr, err := e.count(ctx, l.tail, r, false)
			if err != nil {
				return nil, err
			}
			l.tailTotal = tr.Total
		}
	}
	hl := e.newHighlighter(p.ast)
	ex := e.newExplainer(r, p.ast, hl)
	if ex != nil {
		ex.lexQ, ex.best, ex.hybrid = p.rank, l.best, l.hybrid
	}
	out, err := e.answer(ctx, &answering{r: r, p: p, l: l, hl: hl, ex: ex}, setQ, extra)
	if err != nil {
		return nil, err
	}
	out.Capped = capped
	if p.plain {
		out.Floor = math.Round(float64(floor)*1e4) / 1e4
	}
	return out, nil
}

// answering is one search being answered: the request, its plan and
// ranked list, what writes its snippets and explanations (ex nil: none),
// and the results being built. answer, datePage and fill are its steps.
type answering struct {
	r   *Request
	p   *plan
	l   *list
	hl  *highlighter
	ex  *explainer
	out *Results
}

// dateSets are the sets a date-sorted page reads: paged is what it lists
// in date order (the match set, or with count=related the whole list),
// set the match set it counts and facets, list the ranked list's query.
type dateSets struct {
	paged, set, list query.Query
}

// answer builds the results of a.r over the list a.l: total and facets of
// the match set (setQ, or p.strict when nil), the page of hits and the
// next cursor. extra are the semantic neighbours l may list beyond p.rank.
func (e *Engine) answer(ctx context.Context, a *answering, setQ query.Query, extra []string) (*Results, error) {
	r, p, l := a.r, a.p, a.l
	out := &Results{Mode: r.Mode, Hits: []Hit{}}
	a.out = out
	semanticMode := setQ != nil
	if setQ == nil {
		setQ = p.strict
	}
	// Semantic mode lists its set and nothing more: the set of a plain
	// query (setQ), or the match set of one with operators.
	listQ := setQ
	if r.Mode != ModeSemantic {
		listQ = p.rank
		if len(extra) > 0 {
			listQ = anyOf(p.rank, withFilters(idsQuery(extra), r))
		}
	}
	key := cursorKeyFor(r)
	if r.Sort != SortRelevance {
		q := setQ
		if r.Count == CountRelated {
			q = listQ
		}
		return out, e.datePage(ctx, a, dateSets{paged: q, set: setQ, list: listQ}, key)
	}
	set, err := e.count(ctx, setQ, r, true)
	if err != nil {
		return nil, err
	}
	out.Total = set.Total
	out.Facets = facetsOf(set.Facets, r)
	out.FacetsMissing = missingOf(set.Facets, r)
	if r.Mode == ModeLexical {
		// The list is the tail.
		if l.tail == setQ {
			l.tailTotal = set.Total
		} else {
			tr, err := e.count(ctx, l.tail, r, false)
			if err != nil {
				return nil, err
			}
			l.tailTotal = tr.Total
		}
	}
	if n := l.len(); n > out.Total {
		out.Related = n - out.Total
	}
	if r.Count == CountRelated && out.Related > 0 {
		if err := e.relatedFacets(ctx, listQ, setQ, r, out.Facets); err != nil {
			return nil, err
		}
	}
	page, src, next, err := e.page(ctx, l, r, key)
	if err != nil {
		return nil, err
	}
	out.NextCursor = next
	if err := e.fill(ctx, a, page, src, semanticMode); err != nil {
		return nil, err
	}
	return out, nil
}

// fill turns a page of the list into hits, appended to a.out; src holds
// the stored articles the search already loaded. In lexical mode it uses
// no part of the list.
func (e *Engine) fill(ctx context.Context, a *answering, page []ranked, src map[string][]byte, semanticMode bool) error {
	r, p, l, hl, ex, out := a.r, a.p, a.l, a.hl, a.ex, a.out
	ranked := r.Mode != ModeLexical
	var st *vector.Store
	var qv []float32
	if ranked {
		st, _ = e.vectors()
		qv = l.qv
		if r.Snippets > 0 || ex != nil || l.hybrid || l.semantic {
			if err := bestPassages(st, qv, page); err != nil {
				return err
			}
		}
		l.scoreTail(page)
	}
	var lex map[string]float64
	if ranked {
		var err error
		if lex, err = ex.pageLexical(ctx, e, page); err != nil {
			return err
		}
	}
	for _, x := range page {
		a, err := e.article(x.id, src[x.id])
		if errors.Is(err, index.ErrNotFound) {
			continue // deleted since the ranking was made
		}
		if err != nil {
			return err
		}
		h := hitOf(&a, x.score)
		switch {
		case !ranked:
			if r.Snippets > 0 {
				h.Snippets = hl.snippets(&a, r.Snippets, r.SnippetSize)
			}
			if ex != nil {
				h.Explain = ex.lexical(&a, h.Score)
			}
		default:
			h.Snippets = semanticSnippets(hl, &a, x.passage, l.hybrid, r.Snippets, r.SnippetSize)
			if ex != nil {
				h.Explain = ex.ranked(&a, x, h.Score, lex, true)
			}
		}
		out.Hits = append(out.Hits, h)
	}
	return e.mark(ctx, p, out.Hits, semanticMode)
}

// article returns the stored article id, decoding src when the search
// already loaded it.
func (e *Engine) article(id string, src []byte) (newsdex.Article, error) {
	if src != nil {
		return decodeArticle(id, src)
	}
	return e.src.Get(id)
}

// datePage serves sort=date and date_asc: the articles of sets.paged in
// date order, paged by Bleve like the lexical ranking, under the cursor
// key key.
func (e *Engine) datePage(ctx context.Context, a *answering, sets dateSets, key string) error {
	r, p, l, hl, ex, out := a.r, a.p, a.l, a.hl, a.ex, a.out
	q, setQ, listQ := sets.paged, sets.set, sets.list
	order := sortFor(r.Sort)
	pageQ, undatedRest := q, false
	breq := bleve.NewSearchRequestOptions(q, r.Size, (r.Page-1)*r.Size, false)
	if r.Cursor != "" {
		after, err := decodeCursor(r.Cursor, key, len(order))
		if err != nil {
			return err
		}
		breq.SearchAfter = after
		breq.From = 0
		if undated(after[0]) {
			// Bleve cannot resume after an article without the sort
			// field (it reads the missing-value marker as a date and
			// starts over). Undated articles sort last, by id: the rest
			// is the undated ones after this id.
			pageQ, undatedRest = undatedOnly(q), true
			breq.Query, breq.SearchAfter = pageQ, after[1:]
			order = search.SortOrder{&search.SortDocID{}}
		}
	}
	breq.Fields = []string{index.FieldSource}
	breq.SortByCustom(order)
	if pageQ == setQ {
		addFacets(breq, r)
	}
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return err
	}
	set, listed := res, res.Total
	if pageQ != setQ {
		if set, err = e.count(ctx, setQ, r, true); err != nil {
			return err
		}
	}
	if pageQ != q {
		all, err := e.count(ctx, q, r, false)
		if err != nil {
			return err
		}
		listed = all.Total
	}
	out.Total = set.Total
	out.Facets = facetsOf(set.Facets, r)
	out.FacetsMissing = missingOf(set.Facets, r)
	if listed > set.Total {
		out.Related = listed - set.Total
		if err := e.relatedFacets(ctx, listQ, setQ, r, out.Facets); err != nil {
			return err
		}
	}
	page := make([]ranked, len(res.Hits))
	src := make(map[string][]byte, len(res.Hits))
	for i, dm := range res.Hits {
		page[i] = ranked{id: dm.ID, passage: -1}
		if r.Mode == ModeLexical {
			page[i].score = dm.Score
		}
		switch v := dm.Fields[index.FieldSource].(type) {
		case []byte:
			src[dm.ID] = v
		case string:
			src[dm.ID] = []byte(v)
		}
	}
	if n := len(res.Hits); n == r.Size && uint64((r.Page-1)*r.Size+n) < res.Total || r.Cursor != "" && n == r.Size {
		vals := sortValues(order, res.Hits[n-1])
		if undatedRest {
			vals = []string{undatedMark, vals[0]}
		}
		out.NextCursor = encodeCursor(key, vals)
	}
	if r.Mode == ModeLexical {
		return e.fill(ctx, a, page, src, false)
	}
	st, _ := e.vectors()
	qv := l.qv
	if r.Snippets > 0 || ex != nil {
		if err := bestPassages(st, qv, page); err != nil {
			return err
		}
	}
	var lex map[string]float64
	if ex != nil {
		// Not ranked, so no ranking holds their lexical scores.
		if lex, err = e.lexicalScores(ctx, ex.lexQ, rankedIDs(page)); err != nil {
			return err
		}
	}
	for i := range page {
		a, err := e.article(page[i].id, src[page[i].id])
		if err != nil {
			return err
		}
		h := hitOf(&a, 0)
		h.Snippets = semanticSnippets(hl, &a, page[i].passage, r.Mode == ModeHybrid, r.Snippets, r.SnippetSize)
		if ex != nil {
			h.Explain = ex.ranked(&a, page[i], h.Score, lex, false)
		}
		out.Hits = append(out.Hits, h)
	}
	return e.mark(ctx, p, out.Hits, setQ != p.strict)
}
