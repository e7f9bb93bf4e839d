package search

import (
	"context"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/newsdex/newsdex/vector"
)

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
