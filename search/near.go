package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	uq "github.com/newsdex/newsdex/query"
)

// near translates a NEAR/n b: each operand's words (alternatives) become
// one slot of analysed terms, and a hit has a term of every slot within a
// window of len(slots)-1+n positions, as "a b"~n has for its words.
func (e *Engine) near(n *uq.Near) (query.Query, error) {
	fields, analyzer, err := textFields(n.Field)
	if err != nil {
		return nil, posErr(err, n.At)
	}
	var slots [][]string
	for _, g := range n.Groups {
		var slot []string
		for _, t := range g {
			toks := e.tokens(analyzer, t.Text)
			switch {
			case len(toks) == 0:
				continue // a stop word
			case len(toks) > 1 && len(g) > 1:
				return nil, &ParamError{Param: "q", Pos: t.At,
					Msg: fmt.Sprintf("%q is several words inside a NEAR group, give each alternative as one word", t.Text)}
			case len(toks) > 1:
				// "Putin-Xi" NEAR/5 gas: each part is a word of its own.
				for _, tok := range toks {
					slots = append(slots, []string{tok})
				}
				continue
			}
			slot = append(slot, toks[0])
		}
		if len(slot) > 0 {
			slots = append(slots, slot)
		}
	}
	switch len(slots) {
	case 0:
		return nil, nil
	case 1:
		// Only one operand has searchable words: it alone must match.
		var qs []query.Query
		for _, f := range fields {
			for _, t := range slots[0] {
				qs = append(qs, bm25Terms([]string{t}, f, &e.lengths))
			}
		}
		return disjoin(qs), nil
	}
	var qs []query.Query
	for _, f := range fields {
		qs = append(qs, &nearQuery{Slots: slots, Field: f, Dist: n.Dist})
	}
	return disjoin(qs), nil
}

// nearQuery matches documents where a term of every slot occurs in
// Field within a window of len(Slots)-1+Dist positions, in any order.
type nearQuery struct {
	Slots [][]string
	Field string
	Dist  int
}

// Searcher implements query.Query.
func (q *nearQuery) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	opts.IncludeTermVectors = true
	var slots []search.Searcher
	closeAll := func() {
		for _, s := range slots {
			_ = s.Close()
		}
	}
	for _, slot := range q.Slots {
		var alts []search.Searcher
		for _, t := range slot {
			s, err := searcher.NewTermSearcher(ctx, r, t, q.Field, 1, opts)
			if err != nil {
				for _, a := range alts {
					_ = a.Close()
				}
				closeAll()
				return nil, fmt.Errorf("search: NEAR term %q: %w", t, err)
			}
			alts = append(alts, s)
		}
		if len(alts) == 1 {
			slots = append(slots, alts[0])
			continue
		}
		d, err := searcher.NewDisjunctionSearcher(ctx, r, alts, 1, opts)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("search: NEAR group %s: %w", strings.Join(slot, " OR "), err)
		}
		slots = append(slots, d)
	}
	conj, err := searcher.NewConjunctionSearcher(ctx, r, slots, opts)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("search: NEAR: %w", err)
	}
	window := uint64(len(q.Slots) - 1 + q.Dist)
	return searcher.NewFilteringSearcher(ctx, conj, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return slotsWithin(d, q.Field, q.Slots, window)
	}), nil
}

// slotsWithin reports whether a term of every slot occurs in field within
// a span of at most window positions. Identical slots ("a NEAR a") need
// that many occurrences.
func slotsWithin(d *search.DocumentMatch, field string, slots [][]string, window uint64) bool {
	type occ struct {
		pos  uint64
		term string
	}
	var occs []occ
	wanted := map[string]bool{}
	for _, s := range slots {
		for _, t := range s {
			wanted[t] = true
		}
	}
	if len(d.FieldTermLocations) > 0 {
		for _, ftl := range d.FieldTermLocations {
			if ftl.Field == field && wanted[ftl.Term] {
				occs = append(occs, occ{ftl.Location.Pos, ftl.Term})
			}
		}
	} else {
		for term, locs := range d.Locations[field] {
			if wanted[term] {
				for _, l := range locs {
					occs = append(occs, occ{l.Pos, term})
				}
			}
		}
	}
	for i := 1; i < len(occs); i++ {
		for j := i; j > 0 && occs[j].pos < occs[j-1].pos; j-- {
			occs[j], occs[j-1] = occs[j-1], occs[j]
		}
	}
	// need counts each distinct slot; a slot is satisfied by as many
	// occurrences of its terms as there are copies of it.
	key := func(s []string) string { return strings.Join(s, "\x00") }
	need := map[string]int{}
	var kinds [][]string
	for _, s := range slots {
		k := key(s)
		if need[k] == 0 {
			kinds = append(kinds, s)
		}
		need[k]++
	}
	in := func(s []string, t string) bool {
		for _, x := range s {
			if x == t {
				return true
			}
		}
		return false
	}
	have := map[string]int{}
	lo := 0
	satisfied := func() bool {
		for _, s := range kinds {
			if have[key(s)] < need[key(s)] {
				return false
			}
		}
		return true
	}
	for hi := range occs {
		for _, s := range kinds {
			if in(s, occs[hi].term) {
				have[key(s)]++
			}
		}
		for satisfied() {
			if occs[hi].pos-occs[lo].pos <= window {
				return true
			}
			for _, s := range kinds {
				if in(s, occs[lo].term) {
					have[key(s)]--
				}
			}
			lo++
		}
	}
	return false
}
