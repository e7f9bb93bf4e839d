package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// A batch of new articles is tested against many match sets, and most
// sets need words that few of the batch's articles hold. The prefilter
// reads, once per batch, which of its articles hold each word that some
// set needs, and tests a set only against the articles that hold a word
// of each of its clauses (the exact query still decides): a set whose
// words are absent costs nothing, and the others walk their candidates
// rather than the whole batch.

// fieldTerm is an indexed term of a field.
type fieldTerm struct{ field, term string }

// termClause is satisfied by a document that holds any of its terms.
type termClause []fieldTerm

// needs returns clauses that every document q matches satisfies; none
// when it knows of none (a wildcard, a range, a query it does not know).
// It must never claim more: a clause too many would lose matches.
func needs(q query.Query) []termClause {
	switch q := q.(type) {
	case *filteredQuery:
		return needs(q.boolean)
	case *query.BooleanQuery:
		// Should clauses only rank when Must is set (translate.go, and
		// withFilters sets Must); MustNot adds no term.
		if q.Must != nil {
			return needs(q.Must)
		}
	case *query.ConjunctionQuery:
		var out []termClause
		for _, c := range q.Conjuncts {
			out = append(out, needs(c)...)
		}
		return out
	case *query.DisjunctionQuery:
		return needsAnyOf(q.Disjuncts)
	case *sumQuery:
		return needsAnyOf(q.Clauses)
	case *bm25Query:
		return []termClause{{{q.Field, q.Term}}}
	case *query.TermQuery:
		if q.FieldVal != "" {
			return []termClause{{{q.FieldVal, q.Term}}}
		}
	case *exactPhrase:
		return groupClauses(q.field, q.terms)
	case *rolePhrase:
		return needs(q.Query) // it matches no more than its phrase
	case *proximityQuery:
		var out []termClause
		for _, t := range q.Terms {
			out = append(out, termClause{{q.Field, t}})
		}
		return out
	case *nearQuery:
		return groupClauses(q.Field, q.Slots)
	}
	return nil
}

// groupClauses returns a clause per non-empty group of alternatives.
func groupClauses(field string, groups [][]string) []termClause {
	var out []termClause
	for _, alts := range groups {
		if len(alts) == 0 {
			continue
		}
		c := make(termClause, len(alts))
		for i, t := range alts {
			c[i] = fieldTerm{field, t}
		}
		out = append(out, c)
	}
	return out
}

// needsAnyOf returns what a disjunction of qs needs: one clause joining a
// clause of each, or none if one of them needs nothing.
func needsAnyOf(qs []query.Query) []termClause {
	var joined termClause
	for _, q := range qs {
		cs := needs(q)
		if len(cs) == 0 {
			return nil
		}
		joined = append(joined, cs[0]...)
	}
	if len(joined) == 0 {
		return nil
	}
	return []termClause{joined}
}

// docBits is a set of positions in a batch's sorted internal ids.
type docBits []uint64

func (b docBits) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b docBits) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// termPresence reads which documents of docs hold each term of terms.
func termPresence(ctx context.Context, reader bleveindex.IndexReader, docs *docList, terms map[fieldTerm]docBits) error {
	at := make(map[uint64]int, len(docs.ids)) // internal id → position in docs
	for i, id := range docs.ids {
		at[id.Value()] = i
	}
	words := (len(docs.ids) + 63) / 64
	var tfd bleveindex.TermFieldDoc
	for ft := range terms {
		b := make(docBits, words)
		terms[ft] = b
		r, err := reader.TermFieldReader(ctx, []byte(ft.term), ft.field, false, false, false)
		if err != nil {
			return fmt.Errorf("read postings of %s:%q: %w", ft.field, ft.term, err)
		}
		if r.Count() <= uint64(len(docs.ids)) {
			// Few postings: walk them all.
			for {
				d, err := r.Next(&tfd)
				if err != nil {
					_ = r.Close()
					return fmt.Errorf("read postings of %s:%q: %w", ft.field, ft.term, err)
				}
				if d == nil {
					break
				}
				if i, ok := at[d.ID.Value()]; ok {
					b.set(i)
				}
			}
		} else {
			// Many: skip from one batch document to the next.
			var cur uint64
			have := false
			for i, id := range docs.ids {
				v := id.Value()
				if !have || cur < v {
					d, err := r.Advance(id, &tfd)
					if err != nil {
						_ = r.Close()
						return fmt.Errorf("read postings of %s:%q: %w", ft.field, ft.term, err)
					}
					if d == nil {
						break
					}
					cur, have = d.ID.Value(), true
				}
				if cur == v {
					b.set(i)
				}
			}
		}
		if err := r.Close(); err != nil {
			return err
		}
	}
	return nil
}

// candidateDocs returns the documents of docs that satisfy every clause of
// cs, given the presence of their terms.
func candidateDocs(docs *docList, cs []termClause, terms map[fieldTerm]docBits) *docList {
	words := (len(docs.ids) + 63) / 64
	in := make(docBits, words)
	for i := range in {
		in[i] = ^uint64(0)
	}
	any := make(docBits, words)
	for _, c := range cs {
		clear(any)
		for _, ft := range c {
			for i, w := range terms[ft] {
				any[i] |= w
			}
		}
		empty := true
		for i := range in {
			in[i] &= any[i]
			empty = empty && in[i] == 0
		}
		if empty {
			return &docList{}
		}
	}
	out := &docList{}
	for i, id := range docs.ids {
		if in.has(i) {
			out.ids = append(out.ids, id)
		}
	}
	return out
}
