package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"weak"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/scorer"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// rolePhrase is a phrase query on the roles field.
//
// Role phrases ("Chinese president") are matched against every run of two
// or three words of an OR query (roleQueries), which made a phrase
// searcher per run: per segment a dictionary lookup and postings for each
// word, and a conjunction over them. The roles field holds few distinct
// words (the offices of leaders), so almost every run has a word that
// cannot occur there.
// rolePhrase checks the words against the field's dictionary first and
// answers such a run with a searcher that matches nothing.
//
// The clause stays in its disjunction, as a searcher that matches nothing
// but weighs what the phrase searcher would have weighed: Bleve scales a
// disjunction's score by the share of its clauses that match, and every
// term's score by a query norm over the weights of all term searchers
// (docFreq 0 included), so dropping the clause or weighing it 0 would
// change every score.
type rolePhrase struct {
	query.Query
	// terms are the analysed words by position, as Bleve's match phrase
	// query builds its phrase: a position matches any of its terms.
	terms [][]string
	boost float64
	vocab *roleVocab
}

// Searcher implements query.Query.
func (q *rolePhrase) Searcher(ctx context.Context, r bleveindex.IndexReader, m mapping.IndexMapping,
	opts search.SearcherOptions) (search.Searcher, error) {
	if opts.Explain || !tfidf(ctx) {
		return q.Query.Searcher(ctx, r, m, opts)
	}
	v := q.vocab.entry(r)
	if v == nil {
		return q.Query.Searcher(ctx, r, m, opts)
	}
	missing := false
	for _, alts := range q.terms {
		if len(alts) > 1 {
			// Several words at one position: Bleve weighs a disjunction
			// there; leave it to Bleve.
			return q.Query.Searcher(ctx, r, m, opts)
		}
		if len(alts) == 1 && !v.has(alts[0]) {
			missing = true
		}
	}
	if !missing {
		return q.Query.Searcher(ctx, r, m, opts)
	}
	// The weight Bleve's phrase searcher reports: the sum of the weights
	// of its term searchers (a gap has none), which its conjunction
	// orders by document frequency first. Up to 12 searchers, Go's sort
	// is an insertion sort, so equal counts keep their phrase order; the
	// floating-point sum must run in the same order to be the same.
	type termWeight struct {
		df uint64
		w  float64
	}
	var tws []termWeight
	for _, alts := range q.terms {
		if len(alts) == 0 {
			continue
		}
		df, err := v.docFreq(ctx, r, alts[0])
		if err != nil {
			return nil, err
		}
		w := scorer.NewTermQueryScorer([]byte(alts[0]), index.FieldRoles, q.boost, v.docTotal, df, 0, opts).Weight()
		tws = append(tws, termWeight{df, w})
	}
	if len(tws) > 12 {
		return q.Query.Searcher(ctx, r, m, opts)
	}
	slices.SortStableFunc(tws, func(a, b termWeight) int { return cmp.Compare(a.df, b.df) })
	// Its count, by which disjunctions order their clauses (and so the
	// order their scores are summed in), is the sum of the frequencies.
	none := &weighedNone{}
	for _, tw := range tws {
		none.weight += tw.w
		none.count += tw.df
	}
	return none, nil
}

// tfidf reports whether the search scores with Bleve's TF-IDF model, whose
// term weights weighedNone reproduces.
func tfidf(ctx context.Context) bool {
	model := bleveindex.DefaultScoringModel
	if f, ok := ctx.Value(search.GetScoringModelCallbackKey).(search.GetScoringModelCallbackFn); ok {
		model = f()
	}
	return model == bleveindex.TFIDFScoring || model == ""
}

// weighedNone matches nothing and has the weight and count of the phrase
// searcher it stands for.
type weighedNone struct {
	searcher.MatchNoneSearcher
	weight float64
	count  uint64
}

// Weight returns the weight the phrase searcher would have had.
func (s *weighedNone) Weight() float64 { return s.weight }

// Count returns the count the phrase searcher would have had.
func (s *weighedNone) Count() uint64 { return s.count }

// rolePhrase returns the phrase query q (on the roles field, analysed
// with analyzer, with boost) as a rolePhrase.
func (e *Engine) rolePhrase(q query.Query, analyzer, text string, boost float64) query.Query {
	return &rolePhrase{Query: q, terms: e.phraseTerms(analyzer, text), boost: boost, vocab: &e.roles}
}

// phraseTerms analyses text into terms by position, as Bleve's match
// phrase query does (tokenStreamToPhrase).
func (e *Engine) phraseTerms(analyzer, text string) [][]string {
	a := e.src.Bleve().Mapping().AnalyzerNamed(analyzer)
	if a == nil {
		return nil
	}
	ts := a.Analyze([]byte(text))
	if len(ts) == 0 {
		return nil
	}
	first, last := ts[0].Position, ts[0].Position
	for _, t := range ts {
		first, last = min(first, t.Position), max(last, t.Position)
	}
	out := make([][]string, last-first+1)
	for _, t := range ts {
		out[t.Position-first] = append(out[t.Position-first], string(t.Term))
	}
	return out
}

// roleVocab holds the words of the roles field of the latest index
// snapshot searched. The zero value is ready to use.
type roleVocab struct {
	cur atomic.Pointer[vocabEntry]
}

// vocabEntry is the roles field of one snapshot.
type vocabEntry struct {
	snap     weak.Pointer[scorch.IndexSnapshot]
	words    map[string]struct{}
	docTotal uint64

	mu sync.Mutex
	df map[string]uint64 // document frequencies looked up so far
}

// has reports whether word is in the field's dictionary.
func (v *vocabEntry) has(word string) bool {
	_, ok := v.words[word]
	return ok
}

// docFreq returns the number of live documents with word in the field, as
// a term searcher counts them.
func (v *vocabEntry) docFreq(ctx context.Context, r bleveindex.IndexReader, word string) (uint64, error) {
	if !v.has(word) {
		return 0, nil
	}
	v.mu.Lock()
	n, ok := v.df[word]
	v.mu.Unlock()
	if ok {
		return n, nil
	}
	tfr, err := r.TermFieldReader(ctx, []byte(word), index.FieldRoles, false, false, false)
	if err != nil {
		return 0, fmt.Errorf("search: count %q in %s: %w", word, index.FieldRoles, err)
	}
	n = tfr.Count()
	_ = tfr.Close()
	v.mu.Lock()
	v.df[word] = n
	v.mu.Unlock()
	return n, nil
}

// entry returns the roles field of r, read from its dictionary once per
// snapshot, or nil when r is not a snapshot (the caller then builds the
// phrase searcher as usual).
func (rv *roleVocab) entry(r bleveindex.IndexReader) *vocabEntry {
	is, ok := r.(*scorch.IndexSnapshot)
	if !ok || is == nil {
		return nil
	}
	snap := weak.Make(is)
	if e := rv.cur.Load(); e != nil && e.snap == snap {
		return e
	}
	words, err := fieldTerms(is, index.FieldRoles)
	if err != nil {
		return nil
	}
	total, err := is.DocCount()
	if err != nil {
		return nil
	}
	e := &vocabEntry{snap: snap, words: words, docTotal: total, df: map[string]uint64{}}
	rv.cur.Store(e)
	return e
}

// fieldTerms returns every term of field in r's dictionary.
func fieldTerms(r bleveindex.IndexReader, field string) (map[string]struct{}, error) {
	d, err := r.FieldDict(field)
	if err != nil {
		return nil, fmt.Errorf("search: read the dictionary of %s: %w", field, err)
	}
	defer d.Close()
	out := map[string]struct{}{}
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("search: read the dictionary of %s: %w", field, err)
		}
		if e == nil {
			return out, nil
		}
		out[e.Term] = struct{}{}
	}
}
