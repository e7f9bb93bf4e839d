package search

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// exactPhrase is a match phrase query without slop or fuzziness.
//
// Bleve's phrase searcher checks each document that holds all the words
// of a phrase by first turning the document's word positions into maps of
// maps (DocumentMatch.Complete), which allocated a quarter of all the
// memory of the benchmark queries and took most of the time of a query
// like `"supreme court" abortion`. exactPhrase finds the same documents
// with the same scores: the same conjunction of term searchers, filtered
// by a check that reads the positions where they are. What differs is
// only the term locations a hit carries (none rather than those of the
// phrase), which nothing in newsdex reads: the API has no highlighting
// by Bleve, and proximityQuery reads the locations of its own terms.
type exactPhrase struct {
	query.Query // Bleve's query, for explanations
	field       string
	terms       [][]string // by position; empty: a gap (a dropped stop word)
	boost       float64
}

// newExactPhrase returns the phrase query q (on field, analysed with
// analyzer) as an exactPhrase, or q itself when the text has no words.
func (e *Engine) newExactPhrase(q query.Query, field, analyzer, text string, boost float64) query.Query {
	terms := e.phraseTerms(analyzer, text)
	if len(terms) == 0 {
		return q
	}
	return &exactPhrase{Query: q, field: field, terms: terms, boost: boost}
}

// Searcher implements query.Query the way Bleve's NewMultiPhraseSearcher
// builds its conjunction.
func (q *exactPhrase) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	if opts.Explain {
		return q.Query.Searcher(ctx, r, m, opts)
	}
	opts.IncludeTermVectors = true
	var ss []search.Searcher
	closeAll := func() {
		for _, s := range ss {
			_ = s.Close()
		}
	}
	for _, alts := range q.terms {
		switch len(alts) {
		case 0:
			continue
		case 1:
			s, err := searcher.NewTermSearcher(ctx, r, alts[0], q.field, q.boost, opts)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("search: phrase term %q: %w", alts[0], err)
			}
			ss = append(ss, s)
		default:
			var ts []search.Searcher
			for _, t := range alts {
				s, err := searcher.NewTermSearcher(ctx, r, t, q.field, q.boost, opts)
				if err != nil {
					for _, s := range ts {
						_ = s.Close()
					}
					closeAll()
					return nil, fmt.Errorf("search: phrase term %q: %w", t, err)
				}
				ts = append(ts, s)
			}
			d, err := searcher.NewDisjunctionSearcher(ctx, r, ts, 1, opts)
			if err != nil {
				closeAll()
				return nil, fmt.Errorf("search: phrase position: %w", err)
			}
			ss = append(ss, d)
		}
	}
	conj, err := searcher.NewConjunctionSearcher(ctx, r, ss, opts)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("search: phrase: %w", err)
	}
	var pos []locRef // scratch, reused by this searcher's hits
	return searcher.NewFilteringSearcher(ctx, conj, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		var ok bool
		ok, pos = hasPhrase(d, q.field, q.terms, pos[:0])
		if ok {
			// Nothing reads the locations of a phrase hit; dropping them
			// spares the disjunctions above copying them into theirs.
			d.FieldTermLocations = d.FieldTermLocations[:0]
		}
		return ok
	}), nil
}

// locRef is one occurrence of a phrase word: its phrase position, text
// position and array element.
type locRef struct {
	at  int // index into the phrase
	pos uint64
	ap  search.ArrayPositions
}

// hasPhrase reports whether d holds the words of terms in field at
// consecutive positions (a gap skips one) within one array element, as
// Bleve's findPhrasePaths decides without slop. scratch is reused.
func hasPhrase(d *search.DocumentMatch, field string, terms [][]string, scratch []locRef) (bool, []locRef) {
	occ := scratch
	add := func(term string, l *search.Location) {
		for i, alts := range terms {
			for _, t := range alts {
				if t == term {
					occ = append(occ, locRef{at: i, pos: l.Pos, ap: l.ArrayPositions})
				}
			}
		}
	}
	if len(d.FieldTermLocations) > 0 {
		for i := range d.FieldTermLocations {
			ftl := &d.FieldTermLocations[i]
			if ftl.Field == field {
				add(ftl.Term, &ftl.Location)
			}
		}
	} else {
		for term, locs := range d.Locations[field] {
			for _, l := range locs {
				add(term, l)
			}
		}
	}
	// A start is an occurrence of the first word; the phrase holds if
	// every later word occurs at the start's position plus its offset.
	for _, s := range occ {
		if s.at != 0 {
			continue
		}
		found := true
		for i := 1; i < len(terms) && found; i++ {
			if len(terms[i]) == 0 {
				continue
			}
			found = false
			for _, o := range occ {
				if o.at == i && o.pos == s.pos+uint64(i) && o.ap.Equals(s.ap) {
					found = true
					break
				}
			}
		}
		if found {
			return true, occ
		}
	}
	return false, occ
}
