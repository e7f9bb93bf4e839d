package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

// Significant terms.
//
// The significant terms of a match set are the words and two-word phrases
// of its articles' text (title and body) that are more frequent in the
// set than under the same filters without the query (the background),
// scored by JLH as Elasticsearch's significant_terms does:
//
//	fg = count/total, bg = background/background_total
//	score = (fg − bg) · fg/bg when fg > bg, else 0
//
// A word is a token of the index's text analyzer (index.TextAnalyzer):
// lower case, English stop words out, Porter-stemmed, so that "impeach",
// "impeached" and "impeachment" are one term, shown in the form the
// sampled articles use most. Numbers and tokens holding a digit are left
// out, and so are the query's own words (the set holds them by
// construction). A phrase is two such words at adjacent positions, as a
// phrase query finds them ("senate trial"; not across a dropped stop
// word).
//
// Candidates come from a sample: the text of the Sample best articles of
// the set by relevance is read to find the terms worth counting (those
// whose share of the sample most exceeds their share of the index by the
// term dictionary). Counts are not sampled: count and background are the
// exact numbers of articles of the whole set and of the whole background
// holding the term, read from the index's postings (phrases: positions),
// so the two are always comparable.

// Limits and defaults of Terms.
const (
	DefaultTermsSize   = 25
	MaxTermsSize       = 200
	DefaultTermsSample = 300
	MaxTermsSample     = 5000
	// DefaultMinCount is the fewest articles of the set a term must be in,
	// as Elasticsearch's min_doc_count.
	DefaultMinCount = 3
	// ScoreJLH names the score of SignificantTerm.
	ScoreJLH = "jlh"
	// minTermCandidates is the fewest words counted exactly, and twice
	// the fewest phrases (a phrase's positions cost more to count).
	minTermCandidates = 100
	// maxLookups bounds the words and the phrases (each) whose
	// dictionary frequency a request reads, most frequent in the sample
	// first.
	maxLookups = 1500
)

// TermsOptions are the knobs of Terms; zero fields take the defaults.
type TermsOptions struct {
	Size     int // terms returned, 1..MaxTermsSize
	Sample   int // articles read for candidates, 1..MaxTermsSample
	MinCount int // fewest articles of the set holding a term
}

// SignificantTerms is the answer of Terms.
type SignificantTerms struct {
	Terms []SignificantTerm `json:"terms"`
	// Sampled is the number of articles whose text was read for
	// candidates (the best by relevance); counts cover the whole set.
	Sampled int `json:"sampled"`
	// Total is the size of the match set; BackgroundTotal the number of
	// articles under the filters without the query.
	Total           uint64 `json:"total"`
	BackgroundTotal uint64 `json:"background_total"`
	// Score names the significance measure (jlh).
	Score string `json:"score"`
	// FiltersResolved and Suggestions are as in Results.
	FiltersResolved map[string][]Resolution `json:"filters_resolved,omitempty"`
	Suggestions     map[string][]Bucket     `json:"suggestions,omitempty"`
}

// SignificantTerm is one word or two-word phrase.
type SignificantTerm struct {
	// Term is the word or phrase as the sampled articles write it most.
	Term string `json:"term"`
	// Analysed is the indexed form the counts are of (stemmed words).
	Analysed string `json:"analysed"`
	// Count is the number of articles of the set holding it; Background
	// the number under the filters without the query (the set included).
	Count      int     `json:"count"`
	Background int     `json:"background"`
	Score      float64 `json:"score"`
}

// termStat gathers one candidate over the sample.
type termStat struct {
	stems   []string   // one word, or the two of a phrase
	sample  int        // sampled articles holding it
	lastDoc int        // the last sampled article counted, +1
	forms   []termForm // the first few ways the sample writes it
	query   bool       // a word of the query, or a phrase holding one
	est     float64    // JLH of the sample against the dictionary
}

// termForm is one way a term is written (its words as in the text), and
// the sampled articles that write it so first.
type termForm struct {
	words [2]string
	n     int
}

// maxForms bounds the forms a term keeps: a word has one or two (case
// aside), and counting every form cost a map write per word per article.
const maxForms = 4

// Terms returns the significant terms of r's match set (its query,
// filters, dates, op and collapse; the rest is ignored) against the
// articles under the same filters. Bad parameters come back as
// *ParamError.
func (e *Engine) Terms(ctx context.Context, r Request, o TermsOptions) (*SignificantTerms, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	r, err := e.setRequest(r)
	if err != nil {
		return nil, err
	}
	resolved, sugg, err := e.resolveFilters(ctx, &r)
	if err != nil {
		return nil, err
	}
	p, err := e.plan(&r)
	if err != nil {
		return nil, err
	}
	bgQ := withFilters(bleve.NewMatchAllQuery(), &r)
	breq := bleve.NewSearchRequestOptions(p.strict, o.Sample, 0, false)
	breq.Fields = []string{index.FieldSource}
	breq.SortByCustom(sortFor(SortRelevance))
	res, err := e.bleveSearch(ctx, breq)
	if err != nil {
		return nil, err
	}
	out := &SignificantTerms{Terms: []SignificantTerm{}, Sampled: len(res.Hits), Score: ScoreJLH, FiltersResolved: resolved, Suggestions: sugg}
	words, phrases, err := e.sampleTerms(res.Hits, e.queryStems(r.Query))
	if err != nil {
		return nil, err
	}
	// The whole sample is the whole set: a term it holds fewer times
	// cannot reach MinCount.
	least := 2
	if uint64(len(res.Hits)) >= res.Total {
		least = max(least, o.MinCount)
	}
	err = e.withReader(ctx, func(rd bleveindex.IndexReader) error {
		n, err := rd.DocCount()
		if err != nil {
			return err
		}
		cands, err := termCandidates(ctx, rd, words, phrases, candidateLimits{sampled: len(res.Hits), n: n, least: least,
			kWords: max(minTermCandidates, 4*o.Size), kPhrases: max(minTermCandidates/2, 2*o.Size)})
		if err != nil {
			return err
		}
		m := e.src.Bleve().Mapping()
		fg, err := docSet(ctx, rd, m, p.strict)
		if err != nil {
			return err
		}
		bg, err := docSet(ctx, rd, m, bgQ)
		if err != nil {
			return err
		}
		out.Total, out.BackgroundTotal = fg.n, bg.n
		for _, c := range cands {
			if err := ctx.Err(); err != nil {
				return err
			}
			cnt, back, err := countIn(ctx, rd, m, c.stems, fg, bg)
			if err != nil {
				return err
			}
			if cnt < o.MinCount {
				continue
			}
			s := jlh(cnt, fg.n, back, bg.n)
			if s <= 0 {
				continue
			}
			out.Terms = append(out.Terms, SignificantTerm{Term: c.form(), Analysed: strings.Join(c.stems, " "), Count: cnt, Background: back,
				Score: math.Round(s*1e6) / 1e6})
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("search: terms of %q: %w", r.Query, ctx.Err())
		}
		return nil, fmt.Errorf("search: terms of %q: %w", r.Query, err)
	}
	sort.Slice(out.Terms, func(i, j int) bool {
		a, b := out.Terms[i], out.Terms[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Analysed < b.Analysed
	})
	out.Terms = out.Terms[:min(len(out.Terms), o.Size)]
	return out, nil
}

func (o *TermsOptions) check() error {
	if o.Size == 0 {
		o.Size = DefaultTermsSize
	}
	if o.Size < 1 || o.Size > MaxTermsSize {
		return paramErr("size", "size %d out of range 1..%d", o.Size, MaxTermsSize)
	}
	if o.Sample == 0 {
		o.Sample = DefaultTermsSample
	}
	if o.Sample < 1 || o.Sample > MaxTermsSample {
		return paramErr("sample", "sample %d out of range 1..%d", o.Sample, MaxTermsSample)
	}
	if o.MinCount == 0 {
		o.MinCount = DefaultMinCount
	}
	if o.MinCount < 1 {
		return paramErr("min_count", "min_count %d must be 1 or more", o.MinCount)
	}
	return nil
}

// jlh is Elasticsearch's JLH score of a term in count of total articles
// of the set and back of backTotal of the background.
func jlh(count int, total uint64, back int, backTotal uint64) float64 {
	if total == 0 || backTotal == 0 || back == 0 {
		return 0
	}
	fg := float64(count) / float64(total)
	bg := float64(back) / float64(backTotal)
	if fg <= bg {
		return 0
	}
	return (fg - bg) * fg / bg
}

// queryStems returns the analysed words of a query's text, which Terms
// leaves out.
func (e *Engine) queryStems(q string) map[string]bool {
	out := map[string]bool{}
	for _, t := range e.analyzer.Analyze([]byte(q)) {
		out[string(t.Term)] = true
	}
	return out
}

// keepToken reports whether an analysed token can be a term: not a number
// nor holding a digit, at least two letters.
func keepToken(t *analysis.Token) bool {
	if t.Type == analysis.Numeric || len(t.Term) < 2 {
		return false
	}
	for _, c := range string(t.Term) {
		if unicode.IsDigit(c) {
			return false
		}
	}
	return true
}

// maxSampleText is how much of a sampled article's body is read for
// candidates: the lede and the first paragraphs, where a story says what
// it is about. Reading whole bodies took most of the time of a request.
const maxSampleText = 2000

// sampleTerms analyses the text of the sampled hits and returns the
// words and phrases they hold, with the number of hits holding each.
// Words are numbered as they come, so that a phrase is a pair of numbers
// and a token costs a map lookup, not a string.
func (e *Engine) sampleTerms(hits search.DocumentMatchCollection, skip map[string]bool) ([]*termStat, []*termStat, error) {
	ids := map[string]int{}
	var words []*termStat
	pairs := map[uint64]*termStat{}
	var phrases []*termStat
	count := func(st *termStat, doc int, a, b string) {
		if st.lastDoc == doc+1 {
			return
		}
		st.lastDoc = doc + 1
		st.sample++
		for i := range st.forms {
			f := &st.forms[i]
			if strings.EqualFold(f.words[0], a) && strings.EqualFold(f.words[1], b) {
				f.n++
				return
			}
		}
		if len(st.forms) < maxForms {
			st.forms = append(st.forms, termForm{words: [2]string{a, b}, n: 1})
		}
	}
	for doc, h := range hits {
		a, err := decodeSource(h)
		if err != nil {
			return nil, nil, err
		}
		body := a.Body
		if len(body) > maxSampleText {
			cut := strings.LastIndexAny(body[:maxSampleText], " \n\t")
			body = body[:max(cut, 0)]
		}
		text := a.Title + "\n" + body
		prev, prevWord, prevPos := -1, "", 0
		for _, t := range e.analyzer.Analyze([]byte(text)) {
			if !keepToken(t) {
				prev = -1
				continue
			}
			id, ok := ids[string(t.Term)]
			if !ok {
				stem := string(t.Term)
				id = len(words)
				ids[stem] = id
				words = append(words, &termStat{stems: []string{stem}, query: skip[stem]})
			}
			w := words[id]
			word := text[t.Start:t.End]
			count(w, doc, word, "")
			if prev >= 0 && prevPos+1 == t.Position {
				key := uint64(prev)<<32 | uint64(id)
				p := pairs[key]
				if p == nil {
					p = &termStat{stems: []string{words[prev].stems[0], w.stems[0]}, query: w.query || words[prev].query}
					pairs[key] = p
					phrases = append(phrases, p)
				}
				count(p, doc, prevWord, word)
			}
			prev, prevWord, prevPos = id, word, t.Position
		}
	}
	return words, phrases, nil
}

// surface is a token's text as a term shows it: lower case, without a
// possessive 's (which the analyzer drops too).
func surface(s string) string {
	s = strings.ToLower(s)
	for _, suf := range []string{"'s", "\u2019s"} {
		if t, ok := strings.CutSuffix(s, suf); ok && t != "" {
			return t
		}
	}
	return s
}

// form is the most used surface form of a term among those it kept,
// ties by the first in byte order.
func (st *termStat) form() string {
	best, n := "", 0
	for _, f := range st.forms {
		s := surface(f.words[0])
		if f.words[1] != "" {
			s += " " + surface(f.words[1])
		}
		if f.n > n || f.n == n && s < best {
			best, n = s, f.n
		}
	}
	return best
}

// candidateLimits are the sizes termCandidates weighs and picks by.
type candidateLimits struct {
	sampled  int    // articles in the sample
	n        uint64 // articles in the index
	least    int    // sample count below which a term is not looked up
	kWords   int    // words to keep at most
	kPhrases int    // phrases to keep at most
}

// termCandidates picks the words and the phrases (up to lim.kWords and
// lim.kPhrases) whose share of the sample most exceeds their share of the
// index's articles by the term dictionary. A phrase's dictionary share
// is bounded by the rarer of its words', which errs towards keeping it.
func termCandidates(ctx context.Context, rd bleveindex.IndexReader, words, phrases []*termStat, lim candidateLimits) ([]*termStat, error) {
	sampled, n, least, kWords, kPhrases := lim.sampled, lim.n, lim.least, lim.kWords, lim.kPhrases
	df := map[string]uint64{}
	docFreq := func(stem string) (uint64, error) {
		if c, ok := df[stem]; ok {
			return c, nil
		}
		tfr, err := rd.TermFieldReader(ctx, []byte(stem), index.FieldText, false, false, false)
		if err != nil {
			return 0, err
		}
		c := tfr.Count()
		if err := tfr.Close(); err != nil {
			return 0, err
		}
		df[stem] = c
		return c, nil
	}
	pick := func(all []*termStat, k int) ([]*termStat, error) {
		var out []*termStat
		// The dictionary is read for the terms most frequent in the
		// sample only: a term rarer there cannot score near the top.
		var often []*termStat
		for _, st := range all {
			if st.sample >= least && !st.query {
				often = append(often, st)
			}
		}
		sort.SliceStable(often, func(i, j int) bool { return often[i].sample > often[j].sample })
		for _, st := range often[:min(len(often), maxLookups)] {
			back := uint64(math.MaxUint64)
			for _, s := range st.stems {
				c, err := docFreq(s)
				if err != nil {
					return nil, err
				}
				back = min(back, c)
			}
			st.est = jlh(st.sample, uint64(sampled), int(max(back, 1)), max(n, 1))
			if st.est > 0 {
				out = append(out, st)
			}
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].est != out[j].est {
				return out[i].est > out[j].est
			}
			return strings.Join(out[i].stems, " ") < strings.Join(out[j].stems, " ")
		})
		return out[:min(len(out), k)], nil
	}
	ws, err := pick(words, kWords)
	if err != nil {
		return nil, err
	}
	ps, err := pick(phrases, kPhrases)
	if err != nil {
		return nil, err
	}
	return append(ws, ps...), nil
}

// termQuery finds the articles whose text holds a word, or two words at
// adjacent positions.
func termQuery(stems []string) query.Query {
	if len(stems) == 1 {
		tq := bleve.NewTermQuery(stems[0])
		tq.SetField(index.FieldText)
		return tq
	}
	pq := bleve.NewPhraseQuery(stems, index.FieldText)
	terms := make([][]string, len(stems))
	for i, s := range stems {
		terms[i] = []string{s}
	}
	return &exactPhrase{Query: pq, field: index.FieldText, terms: terms, boost: 1}
}

// bitSet is a set of documents by internal number, with its size.
type bitSet struct {
	bits []uint64
	n    uint64
}

func (b *bitSet) add(i uint64) {
	w := int(i / 64)
	if w >= len(b.bits) {
		b.bits = append(b.bits, make([]uint64, w+1-len(b.bits))...)
	}
	if b.bits[w]&(1<<(i%64)) == 0 {
		b.bits[w] |= 1 << (i % 64)
		b.n++
	}
}

func (b *bitSet) has(i uint64) bool {
	w := int(i / 64)
	return w < len(b.bits) && b.bits[w]&(1<<(i%64)) != 0
}

// each calls fn with the internal number of every document q matches in
// rd, unscored.
func each(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, q query.Query, fn func(uint64)) error {
	s, err := q.Searcher(ctx, rd, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
	for {
		dm, err := s.Next(sctx)
		if err != nil {
			return err
		}
		if dm == nil {
			return nil
		}
		fn(dm.IndexInternalID.Value())
		sctx.DocumentMatchPool.Put(dm)
	}
}

// docSet returns the documents q matches in rd.
func docSet(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, q query.Query) (*bitSet, error) {
	b := &bitSet{}
	err := each(ctx, rd, m, q, b.add)
	return b, err
}

// countIn returns how many documents of fg and of bg hold the word or
// the phrase stems: a word's postings are read directly, a phrase's
// through its searcher (positions).
func countIn(ctx context.Context, rd bleveindex.IndexReader, m mapping.IndexMapping, stems []string, fg, bg *bitSet) (int, int, error) {
	var cnt, back int
	note := func(i uint64) {
		if bg.has(i) {
			back++
			if fg.has(i) {
				cnt++
			}
		}
	}
	if len(stems) > 1 {
		err := each(ctx, rd, m, termQuery(stems), note)
		return cnt, back, err
	}
	tfr, err := rd.TermFieldReader(ctx, []byte(stems[0]), index.FieldText, false, false, false)
	if err != nil {
		return 0, 0, err
	}
	defer tfr.Close()
	var d bleveindex.TermFieldDoc
	for {
		td, err := tfr.Next(&d)
		if err != nil {
			return 0, 0, err
		}
		if td == nil {
			return cnt, back, nil
		}
		note(td.ID.Value())
		d.Reset()
	}
}

// withReader runs fn over a reader of the live index, retrying once if a
// rebuild closed the generation it opened (as bleveSearch does).
func (e *Engine) withReader(ctx context.Context, fn func(bleveindex.IndexReader) error) error {
	run := func() error {
		adv, err := e.src.Bleve().Advanced()
		if err != nil {
			return err
		}
		rd, err := adv.Reader()
		if err != nil {
			return err
		}
		if is, ok := rd.(*scorch.IndexSnapshot); ok && is == nil {
			return bleve.ErrorIndexClosed
		}
		defer rd.Close()
		return fn(rd)
	}
	err := run()
	if errors.Is(err, bleve.ErrorIndexClosed) {
		err = run()
	}
	return err
}
