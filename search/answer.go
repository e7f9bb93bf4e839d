package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/index"
	"github.com/newsdex/newsdex/vector"
)

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
	// drawn is a query every hit of the page matches (nil: none known),
	// which spares mark asking for their membership.
	drawn query.Query
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
		// The list is the tail. When it is larger than the match set,
		// the page's own search counts it (Bleve's total counts every
		// match, whatever the page or cursor): a count search of its
		// own cost a fifth of an uncached request.
		if l.tail == setQ {
			l.tailTotal = set.Total
		} else {
			l.countTail = true
		}
	}
	page, src, next, err := e.page(ctx, l, r, key)
	if err != nil {
		return nil, err
	}
	if len(l.head) == 0 {
		a.drawn = l.tail
	}
	if n := l.len(); n > out.Total {
		out.Related = n - out.Total
	}
	if r.Count == CountRelated && out.Related > 0 {
		if err := e.relatedFacets(ctx, listQ, setQ, r, out.Facets); err != nil {
			return nil, err
		}
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
		a, err := e.article(x.id, src[x.id], ex == nil)
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
	return e.mark(ctx, p, out.Hits, semanticMode, a.drawn)
}

// article returns the stored article id, decoding src when the search
// already loaded it. With hitOnly, only what a hit and its snippets show
// is decoded (see decodeHit).
func (e *Engine) article(id string, src []byte, hitOnly bool) (newsdex.Article, error) {
	switch {
	case src != nil && hitOnly:
		return decodeHit(id, src)
	case src != nil:
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
		a.drawn = q
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
		a, err := e.article(page[i].id, src[page[i].id], ex == nil)
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
	return e.mark(ctx, p, out.Hits, setQ != p.strict, nil)
}
