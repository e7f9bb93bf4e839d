package search

import (
	"context"
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex/index"
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

// list is the ranked list of a search: head, then the articles of tail
// (nil: none) in lexical order. tail leaves out the articles of head.
type list struct {
	head []ranked
	tail query.Query
	// tailTotal is the size of tail. countTail says it is not known yet:
	// page takes it from the total of its search of tail, which then runs
	// whatever the position.
	tailTotal uint64
	countTail bool
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
	if need := r.Size - len(out); need > 0 && l.tail != nil && (l.countTail || uint64(from+len(out)) < l.len()) {
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
		if l.countTail {
			l.tailTotal, l.countTail = res.Total, false
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
	if l.countTail { // no page to search (size 0)
		tr, err := e.count(ctx, l.tail, r, false)
		if err != nil {
			return nil, nil, "", err
		}
		l.tailTotal, l.countTail = tr.Total, false
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
	if _, bulk := planBulk(breq); !bulk {
		// Nothing is ranked: Bleve's searchers skip scoring. (The bulk
		// path scores, but still outruns them.)
		breq.Score = "none"
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
// ranking's set, semantic for the rest. drawn, if not nil, is a query all
// hits match: when it is the match set or the ranking's set, membership
// of it needs no search (a lexical page is drawn from p.rank, which is
// p.strict when the query has no partial matches).
func (e *Engine) mark(ctx context.Context, p *plan, hits []Hit, semanticSet bool, drawn query.Query) error {
	if len(hits) == 0 {
		return nil
	}
	if p.similar {
		for i := range hits {
			hits[i].Match = MatchSemantic
		}
		return nil
	}
	if drawn != nil && drawn == p.strict {
		for i := range hits {
			hits[i].Match = MatchAll
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
	switch {
	case p.partial && !semanticSet && drawn != nil && drawn == p.rank:
		for _, id := range rest {
			some[id] = true
		}
	case p.partial && !semanticSet:
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
