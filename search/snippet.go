package search

import (
	"bytes"
	"html"
	"path"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"

	"github.com/newsdex/newsdex"
	"github.com/newsdex/newsdex/chunk"
	uq "github.com/newsdex/newsdex/query"
)

// highlighter cuts snippets of any size from an article's passages and
// marks the words that match the query's positive text terms. It analyses
// passages with the index's own analyzer, so "talks" marks "talk" and
// "talking" alike.
type highlighter struct {
	analyzer  analysis.Analyzer
	terms     map[string]bool // analysed terms
	wildcards []string        // lowercase patterns
	// probes are lower-case prefixes of the terms (see probe); a passage
	// that holds none of them cannot match and is not analysed. Nil
	// means analyse every passage (wildcards).
	probes     []string
	probeBytes [][]byte // probes as bytes, made on first use
	lower      []byte   // scratch: the passage being matched, lower-cased
	runs       []run    // scratch: the runs of a passage holding a probe
	// runMatches caches the matches of each run analysed, relative to
	// the run: the same words recur across the passages and hits of one
	// search, and analysing them was most of the cost of snippets.
	runMatches map[string][]span
}

// run is a space-delimited byte range of a passage.
type run struct{ start, end int }

func (e *Engine) newHighlighter(n uq.Node) *highlighter {
	h := &highlighter{analyzer: e.analyzer, terms: map[string]bool{}}
	queryWords(e.analyzer, n, func(w string, wildcard bool) {
		if wildcard {
			h.wildcards = append(h.wildcards, strings.ToLower(w))
		} else {
			h.terms[w] = true
		}
	})
	if len(h.wildcards) == 0 {
		for t := range h.terms {
			h.probes = append(h.probes, probe(t))
		}
	}
	return h
}

// queryWords calls fn with each word of n's positive terms over the
// article text (no field, title or body), in query order: each analysed
// term, or a wildcard pattern as written. The highlighter marks these
// words and Explain reports them.
func queryWords(a analysis.Analyzer, n uq.Node, fn func(word string, wildcard bool)) {
	for _, t := range uq.Terms(n) {
		if t.Field != "" && t.Field != "title" && t.Field != "body" {
			continue
		}
		if t.Wildcard {
			fn(t.Text, true)
			continue
		}
		for _, tok := range a.Analyze([]byte(t.Text)) {
			fn(string(tok.Term), false)
		}
	}
}

// probe returns the part of a stem that every word analysed to it starts
// with, lower-cased: Porter stemming rewrites at most the last two
// characters of a stem ("ability" → "abil", "nobility" → "nobl", "eyed" →
// "ei") and never the first. TestProbeHoldsOnCorpus checks this on every
// token of the news corpora.
func probe(stem string) string {
	n := len(stem)
	for range 2 {
		_, w := utf8.DecodeLastRuneInString(stem[:n])
		if w == n {
			break // keep the first character
		}
		n -= w
	}
	return stem[:n]
}

// matchesNearProbes finds the matches of text by analysing only the
// words around occurrences of the probes. No word break rule joins
// across white space, so a run of non-space characters analyses to the
// same tokens alone as inside the passage. It returns false when it
// cannot be exact, and matches must analyse the whole text: a probe is
// not ASCII, or text holds one of the two non-ASCII letters whose lower
// case is ASCII (U+0130, U+212A), so that ASCII lower-casing could hide
// an occurrence.
func (h *highlighter) matchesNearProbes(text string) ([]span, bool) {
	if h.probes == nil {
		return nil, false
	}
	for _, p := range h.probes {
		for i := 0; i < len(p); i++ {
			if p[i] >= utf8.RuneSelf {
				return nil, false
			}
		}
	}
	if strings.ContainsRune(text, '\u0130') || strings.ContainsRune(text, '\u212a') {
		return nil, false
	}
	h.lower = asciiLower(h.lower[:0], text)
	lower := h.lower
	// Collect the space-delimited runs holding a probe, in order.
	runs := h.runs[:0]
	defer func() { h.runs = runs[:0] }()
	for i, p := range h.probes {
		if h.probeBytes == nil {
			h.probeBytes = make([][]byte, len(h.probes))
		}
		if h.probeBytes[i] == nil {
			h.probeBytes[i] = []byte(p)
		}
		pb := h.probeBytes[i]
		for from := 0; from < len(lower); {
			i := bytes.Index(lower[from:], pb)
			if i < 0 {
				break
			}
			i += from
			start, end := i, i+len(p)
			for start > 0 && !isSpaceByte(text[start-1]) {
				start--
			}
			for end < len(text) && !isSpaceByte(text[end]) {
				end++
			}
			runs = append(runs, run{start, end})
			from = end
		}
	}
	if len(runs) == 0 {
		return nil, true
	}
	slices.SortFunc(runs, func(a, b run) int { return a.start - b.start })
	var out []span
	last := -1
	for _, r := range runs {
		if r.start < last {
			continue // the same run, found by another probe
		}
		last = r.end
		for _, m := range h.runMatch(text[r.start:r.end]) {
			out = append(out, span{r.start + m.start, r.start + m.end})
		}
	}
	return out, true
}

// runMatch returns the matches of the run word, relative to it.
func (h *highlighter) runMatch(word string) []span {
	if m, ok := h.runMatches[word]; ok {
		return m
	}
	var m []span
	for _, tok := range h.analyzer.Analyze([]byte(word)) {
		if h.terms[string(tok.Term)] {
			m = append(m, span{tok.Start, tok.End})
		}
	}
	if h.runMatches == nil {
		h.runMatches = map[string][]span{}
	}
	// A copy: word points into the article, which the cache outlives.
	h.runMatches[strings.Clone(word)] = m
	return m
}

// asciiLower appends s to dst with its ASCII letters lower-cased,
// keeping every byte offset.
func asciiLower(dst []byte, s string) []byte {
	dst = append(dst, s...)
	for i := len(dst) - len(s); i < len(dst); i++ {
		if c := dst[i]; 'A' <= c && c <= 'Z' {
			dst[i] = c + 'a' - 'A'
		}
	}
	return dst
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// mayMatch reports whether text can hold a match: whether it contains a
// probe. It is a fraction of the cost of analysing text.
func (h *highlighter) mayMatch(text string) bool {
	if h.probes == nil {
		return true
	}
	lower := strings.ToLower(text)
	for _, p := range h.probes {
		if strings.Contains(lower, p) {
			return true
		}
	}
	return false
}

// span is a matched byte range of a passage.
type span struct{ start, end int }

func (h *highlighter) matches(text string) []span {
	if len(h.terms) == 0 && len(h.wildcards) == 0 {
		return nil
	}
	if out, ok := h.matchesNearProbes(text); ok {
		return out
	}
	if !h.mayMatch(text) {
		return nil
	}
	var out []span
	for _, tok := range h.analyzer.Analyze([]byte(text)) {
		if h.terms[string(tok.Term)] || h.wildcard(text[tok.Start:tok.End]) {
			out = append(out, span{tok.Start, tok.End})
		}
	}
	return out
}

func (h *highlighter) wildcard(word string) bool {
	if len(h.wildcards) == 0 {
		return false
	}
	w := strings.ToLower(word)
	for _, p := range h.wildcards {
		if ok, _ := path.Match(p, w); ok {
			return true
		}
	}
	return false
}

type scoredPassage struct {
	text    string
	matches []span
	score   int
	order   int
}

// snippets returns up to n snippets of at most size characters from the
// best-matching passages of a, HTML-escaped with matches in <mark>.
func (h *highlighter) snippets(a *newsdex.Article, n, size int) []string {
	passages := a.Passages
	if len(passages) == 0 {
		passages = chunk.Split(a.Body, chunk.Options{})
	}
	var scored []scoredPassage
	for i, p := range passages {
		if p.Start < 0 || p.End > len(a.Body) || p.Start > p.End {
			continue
		}
		text := a.Body[p.Start:p.End]
		m := h.matches(text)
		if len(m) == 0 {
			continue
		}
		distinct := map[string]bool{}
		for _, s := range m {
			distinct[strings.ToLower(text[s.start:s.end])] = true
		}
		scored = append(scored, scoredPassage{text: text, matches: m, score: 100*len(distinct) + len(m), order: i})
	}
	if len(scored) == 0 {
		// Nothing to mark (browse, entity or title-only match): show the lead.
		lead := a.Body
		if len(passages) > 0 && passages[0].End <= len(a.Body) {
			lead = a.Body[passages[0].Start:passages[0].End]
		}
		if strings.TrimSpace(lead) == "" {
			lead = a.Title
		}
		if strings.TrimSpace(lead) == "" {
			return []string{}
		}
		return []string{render(lead, nil, size)}
	}
	sort.SliceStable(scored, func(i, j int) bool { return scored[i].score > scored[j].score })
	if len(scored) > n {
		scored = scored[:n]
	}
	out := make([]string, 0, len(scored))
	for _, s := range scored {
		out = append(out, render(s.text, s.matches, size))
	}
	return out
}

// render cuts a window of at most size runes from text around the densest
// run of matches, on word boundaries, escapes it and marks the matches.
func render(text string, matches []span, size int) string {
	// Trim surrounding space and shift the matches with it.
	lo := len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	text = strings.TrimSpace(text)
	shifted := make([]span, 0, len(matches))
	for _, m := range matches {
		if m.start-lo >= 0 && m.end-lo <= len(text) {
			shifted = append(shifted, span{m.start - lo, m.end - lo})
		}
	}
	matches = shifted
	start, end := 0, len(text)
	if utf8.RuneCountInString(text) > size {
		start, end = window(text, matches, size)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("… ")
	}
	pos := start
	for _, m := range matches {
		if m.start < start || m.end > end {
			continue
		}
		b.WriteString(html.EscapeString(text[pos:m.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.start:m.end]))
		b.WriteString("</mark>")
		pos = m.end
	}
	b.WriteString(html.EscapeString(text[pos:end]))
	if end < len(text) {
		b.WriteString(" …")
	}
	return b.String()
}

// window picks [start, end) of at most size runes holding as many matches
// as possible, starting a little before the first of them.
func window(text string, matches []span, size int) (int, int) {
	bestStart := 0
	if len(matches) > 0 {
		best := -1
		for i, m := range matches {
			limit := byteOffsetAfterRunes(text, m.start, size)
			count := 0
			for _, n := range matches[i:] {
				if n.end <= limit {
					count++
				}
			}
			if count > best {
				best, bestStart = count, m.start
			}
		}
		// Give the first match some leading context.
		back := size / 5
		for back > 0 && bestStart > 0 {
			_, w := utf8.DecodeLastRuneInString(text[:bestStart])
			bestStart -= w
			back--
		}
	}
	start := wordStart(text, bestStart)
	end := byteOffsetAfterRunes(text, start, size)
	if end < len(text) {
		end = wordEnd(text, start, end)
	}
	return start, end
}

func byteOffsetAfterRunes(text string, from, n int) int {
	i := from
	for n > 0 && i < len(text) {
		_, w := utf8.DecodeRuneInString(text[i:])
		i += w
		n--
	}
	return i
}

// wordStart moves i forward to the start of a word unless it is at one.
func wordStart(text string, i int) int {
	if i == 0 {
		return 0
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	if unicode.IsSpace(r) {
		return i
	}
	for i < len(text) {
		r, w := utf8.DecodeRuneInString(text[i:])
		if unicode.IsSpace(r) {
			return i + w
		}
		i += w
	}
	return i
}

// wordEnd moves end back to the end of a word, but not before start.
func wordEnd(text string, start, end int) int {
	for j := end; j > start; {
		r, w := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(r) {
			return j - w
		}
		j -= w
	}
	return end
}
