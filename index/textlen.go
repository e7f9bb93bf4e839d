package index

import (
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
)

// englishStop holds Bleve's English stop words, the ones TextAnalyzer drops.
var englishStop = sync.OnceValue(func() map[string]struct{} {
	tm := analysis.NewTokenMap()
	if err := tm.LoadBytes(en.EnglishStopWords); err != nil {
		panic("index: Bleve's English stop word list does not load: " + err.Error())
	}
	m := make(map[string]struct{}, len(tm))
	for w := range tm {
		m[w] = struct{}{}
	}
	return m
})

// spanBuffers holds the token spans of TextLength between calls.
var spanBuffers = sync.Pool{New: func() any { return new([]tokenSpan) }}

// TextLength estimates the number of tokens TextAnalyzer keeps from text:
// its words less the stop words. It is written to FieldTextLength so that
// search can compute the average length of FieldText that BM25 needs
// (Bleve records each document's length only as a norm on its postings,
// and no sum over documents).
func TextLength(text string) int {
	stop := englishStop()
	n := 0
	count := func(w []byte) {
		if len(w) <= 12 {
			var buf [12]byte
			lw := buf[:len(w)]
			for i, c := range w {
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				lw[i] = c
			}
			if _, ok := stop[string(lw)]; ok {
				return
			}
		}
		n++
	}
	// scanInto only reads its input, so the string's bytes serve.
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	buf := spanBuffers.Get().(*[]tokenSpan)
	defer spanBuffers.Put(buf)
	spans, ok := scanInto(b, (*buf)[:0])
	*buf = spans
	if ok {
		for _, s := range spans {
			count(b[s.start:s.end])
		}
		return n
	}
	for _, w := range strings.Fields(text) {
		count([]byte(strings.Trim(w, `.,;:!?"'()[]{}`)))
	}
	return n
}

// textLengthTerm is the term of FieldTextLength for a length.
func textLengthTerm(n int) string { return strconv.Itoa(n) }
