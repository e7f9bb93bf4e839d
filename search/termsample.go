package search

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"github.com/newsdex/newsdex/index"
)

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
