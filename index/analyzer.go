package index

import (
	"hash/maphash"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/registry"
	porterstemmer "github.com/blevesearch/go-porterstemmer"
)

// EnglishAnalyzer is the name of newsdex's English analyzer. It gives
// exactly the tokens of Bleve's "en" analyzer (Unicode word segmentation,
// possessive 's stripped, lower case, English stop words, Porter stems),
// with the same positions and offsets, three to five times faster: text
// made of ASCII, Latin-1 and Latin Extended-A letters and common
// punctuation (nearly all news text) is segmented by a hand-written
// scanner of the UAX #29 word rules for those characters, and stems are
// cached. Any other text goes to Bleve's analyzer unchanged.
// TestEnglishMatchesBleve and FuzzEnglishAnalyzer hold the two equal.
const EnglishAnalyzer = "newsdex_en"

// Bleve finds analyzers by name in a process-wide registry that its own
// packages fill from init functions; an index that names this analyzer
// can only be opened once it is registered, so it registers itself the
// same way (the exception STYLE.md makes for Bleve's analysis registry).
func init() {
	if err := registry.RegisterAnalyzer(EnglishAnalyzer, newEnglish); err != nil {
		panic(err)
	}
}

func newEnglish(_ map[string]any, cache *registry.Cache) (analysis.Analyzer, error) {
	slow, err := cache.AnalyzerNamed(en.AnalyzerName)
	if err != nil {
		return nil, err
	}
	stop, err := cache.TokenMapNamed(en.StopName)
	if err != nil {
		return nil, err
	}
	e := &english{slow: slow, stems: newStemCache(stop)}
	e.hot.New = func() any { return new(hotStems) }
	return e, nil
}

// english is the analyzer registered as EnglishAnalyzer. It is safe for
// concurrent use (Bleve analyses a batch on several goroutines).
type english struct {
	slow  analysis.Analyzer
	stems *stemCache // also knows the stop words
	hot   sync.Pool  // of *hotStems in front of stems
}

// Character classes of the UAX #29 word-break rules, for the characters
// the fast path handles.
const (
	cOther     = iota // breaks on both sides, not part of a token
	cLetter           // ALetter
	cNumeric          // Numeric
	cMidLetter        // MidLetter: joins letters
	cMidNum           // MidNum: joins digits
	cMidNumLet        // MidNumLet or Single_Quote: joins letters or digits
	cExtendNum        // ExtendNumLet: '_', joins anything
	cUnknown          // not handled: the whole text goes to Bleve
)

// asciiClass holds the class of every ASCII byte.
var asciiClass = func() (t [128]uint8) {
	for c := range 128 {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			t[c] = cLetter
		case c >= '0' && c <= '9':
			t[c] = cNumeric
		case c == ':':
			t[c] = cMidLetter
		case c == ',' || c == ';':
			t[c] = cMidNum
		case c == '.' || c == '\'':
			t[c] = cMidNumLet
		case c == '_':
			t[c] = cExtendNum
		default:
			t[c] = cOther
		}
	}
	return t
}()

// runeClass classifies a non-ASCII rune. Only letters whose lower case
// has the same UTF-8 width, the two curly single quotes and a few common
// punctuation marks are handled; everything else sends the text to Bleve.
func runeClass(r rune) uint8 {
	switch r {
	case '\u2018', '\u2019': // ‘ ’ are MidNumLet
		return cMidNumLet
	case '\u00a0', '\u00ab', '\u00bb', '\u00a9', '\u00ae', '\u00b0', '\u00a3',
		'\u2013', '\u2014', '\u201c', '\u201d', '\u2026', '\u2022', '\u20ac':
		return cOther
	}
	if r >= 0xc0 && r <= 0x17f && r != 0xd7 && r != 0xf7 && r != 0x130 && r != 0x131 && r != 0x149 && r != 0x17f {
		if unicode.IsLetter(r) && utf8.RuneLen(unicode.ToLower(r)) == utf8.RuneLen(r) {
			return cLetter
		}
	}
	return cUnknown
}

// tokenSpan is one token found by the scanner: bytes [start, end) of the
// input, and whether it is a number (Bleve's Numeric type).
type tokenSpan struct {
	start, end int
	numeric    bool
}

// Analyze returns the tokens of input exactly as Bleve's "en" analyzer
// would. Like Bleve's lowercase filter, it may reuse input's bytes.
func (a *english) Analyze(input []byte) analysis.TokenStream {
	spans, ok := scan(input)
	if !ok {
		return a.slow.Analyze(input)
	}
	out := make(analysis.TokenStream, 0, len(spans))
	toks := make([]analysis.Token, len(spans))
	// One lower-case copy of the input; terms are slices of it (stems are
	// never longer than the word, so they are written over it in place).
	lower := make([]byte, len(input))
	copy(lower, input)
	// Short texts (titles, names) skip the hot cache: taking a table from
	// the pool costs more than it saves on a few words.
	var hot *hotStems
	if len(spans) >= minHotTokens {
		hot = a.hot.Get().(*hotStems)
		defer a.hot.Put(hot)
	}
	for i, s := range spans {
		term := lower[s.start:s.end]
		term = stripPossessive(term)
		term = toLower(term)
		t := &toks[i]
		t.Start, t.End, t.Position = s.start, s.end, i+1
		t.Type = analysis.AlphaNumeric
		if s.numeric {
			t.Type = analysis.Numeric
		}
		h := maphash.Bytes(a.stems.seed, term)
		var e *hotEntry
		if hot != nil && len(term) <= hotLen {
			e = &hot[h%hotSize]
			if int(e.wn) == len(term) && string(e.word[:e.wn]) == string(term) {
				if e.sn == hotStop {
					continue
				}
				t.Term = term[:copy(term, e.stem[:e.sn])]
				out = append(out, t)
				continue
			}
		}
		st := a.stems.stemHashed(term, h)
		if e != nil && len(st) <= hotLen {
			e.wn = uint8(copy(e.word[:], term))
			if st == stopMark {
				e.sn = hotStop
			} else {
				e.sn = uint8(copy(e.stem[:], st))
			}
		}
		if st == stopMark {
			continue
		}
		if len(st) <= len(term) {
			t.Term = term[:copy(term, st)]
		} else {
			t.Term = []byte(st)
		}
		out = append(out, t)
	}
	return out
}

// scan splits input into tokens by the UAX #29 word rules as Bleve's
// segmenter applies them: runs of letters, digits and '_', where a
// MidLetter or MidNumLet between two letters and a MidNum or MidNumLet
// between two digits do not break. It returns false if input holds a
// character it does not handle.
func scan(input []byte) ([]tokenSpan, bool) {
	return scanInto(input, make([]tokenSpan, 0, len(input)/6+1))
}

// scanInto is scan appending to spans.
func scanInto(input []byte, spans []tokenSpan) ([]tokenSpan, bool) {
	// class of the rune at i, and its width.
	classAt := func(i int) (uint8, int) {
		c := input[i]
		if c < utf8.RuneSelf {
			return asciiClass[c], 1
		}
		r, w := utf8.DecodeRune(input[i:])
		if r == utf8.RuneError {
			return cUnknown, w
		}
		return runeClass(r), w
	}
	for i := 0; i < len(input); {
		cl, w := classAt(i)
		switch cl {
		case cUnknown:
			return nil, false
		case cLetter, cNumeric, cExtendNum:
		default:
			i += w
			continue
		}
		start := i
		numeric := cl != cLetter
		sawDigit := cl == cNumeric
		prev := cl
		i += w
		for i < len(input) {
			cl, w := classAt(i)
			switch cl {
			case cUnknown:
				return nil, false
			case cLetter:
				numeric = false
			case cNumeric:
				sawDigit = true
			case cExtendNum:
			case cMidLetter, cMidNum, cMidNumLet:
				// Joins only between two letters (MidLetter, MidNumLet)
				// or two digits (MidNum, MidNumLet).
				if i+w >= len(input) {
					goto done
				}
				next, nw := classAt(i + w)
				if next == cUnknown {
					return nil, false
				}
				joinsLetters := prev == cLetter && next == cLetter && cl != cMidNum
				joinsDigits := prev == cNumeric && next == cNumeric && cl != cMidLetter
				if !joinsLetters && !joinsDigits {
					goto done
				}
				i += w + nw
				continue
			default:
				goto done
			}
			prev = cl
			i += w
		}
	done:
		spans = append(spans, tokenSpan{start: start, end: i, numeric: numeric && sawDigit})
	}
	return spans, true
}

// stripPossessive removes a trailing 's, ’s or ＇s, in any case, as
// Bleve's possessive_en filter does.
func stripPossessive(term []byte) []byte {
	n := len(term)
	if n < 2 || (term[n-1] != 's' && term[n-1] != 'S') {
		return term
	}
	if term[n-2] == '\'' {
		return term[:n-2]
	}
	if r, w := utf8.DecodeLastRune(term[:n-1]); r == '\u2019' || r == '\uff07' {
		return term[:n-1-w]
	}
	return term
}

// toLower lower-cases term in place; the fast path only lets through
// letters whose lower case has the same width.
func toLower(term []byte) []byte {
	for i := 0; i < len(term); {
		c := term[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				term[i] = c + 'a' - 'A'
			}
			i++
			continue
		}
		r, w := utf8.DecodeRune(term[i:])
		if l := unicode.ToLower(r); l != r {
			utf8.EncodeRune(term[i:], l)
		}
		i += w
	}
	return term
}

// stemCache remembers Porter stems of lower-case words. Vocabulary grows
// slowly with a corpus, so after warming nearly every word is a hit; the
// cache stops growing at maxStems entries. It holds the stop words too,
// mapped to stopMark, so that a token costs one lookup, not two.
type stemCache struct {
	seed   maphash.Seed
	shards [stemShards]stemShard
}

const (
	stemShards = 32
	maxStems   = 1 << 20
)

type stemShard struct {
	mu sync.RWMutex
	m  map[string]string
}

// stopMark is what stemCache.stem returns for a stop word. No token holds
// a NUL byte, so no stem is this.
const stopMark = "\x00"

func newStemCache(stop analysis.TokenMap) *stemCache {
	c := &stemCache{seed: maphash.MakeSeed()}
	for i := range c.shards {
		c.shards[i].m = make(map[string]string)
	}
	for w := range stop {
		if w != "" {
			c.shards[maphash.String(c.seed, w)%stemShards].m[w] = stopMark
		}
	}
	return c
}

// stem returns the Porter stem of the lower-case word w, as Bleve's
// stemmer_porter filter computes it, or stopMark if w is a stop word.
func (c *stemCache) stem(w []byte) string {
	return c.stemHashed(w, maphash.Bytes(c.seed, w))
}

// stemHashed is stem for a word whose hash under c.seed is h.
func (c *stemCache) stemHashed(w []byte, h uint64) string {
	sh := &c.shards[h%stemShards]
	sh.mu.RLock()
	s, ok := sh.m[string(w)]
	sh.mu.RUnlock()
	if ok {
		return s
	}
	s = porterStem(w)
	sh.mu.Lock()
	if len(sh.m) < maxStems/stemShards {
		sh.m[string(w)] = s
	}
	sh.mu.Unlock()
	return s
}

// hotStems is a small direct-mapped cache of short words and their stems,
// held by one goroutine at a time (english.hot pools them). Looking a word
// up in the shared stemCache, whose map holds the whole vocabulary, missed
// the CPU caches most of the time and was a twelfth of the CPU of a bulk
// load; this table of 1 MB keeps the frequent words close, with the bytes
// inline and no lock, and about halved the time of stem lookups on
// AllSides. A collision simply replaces the entry.
type hotStems [hotSize]hotEntry

const (
	minHotTokens = 64
	hotSize      = 1 << 15
	hotLen       = 15   // longest word (and stem) an entry holds
	hotStop      = 0xff // hotEntry.sn of a stop word
)

// hotEntry is one word (wn bytes; 0 = empty) and its stem (sn bytes, or
// hotStop).
type hotEntry struct {
	word   [hotLen]byte
	stem   [hotLen]byte
	wn, sn uint8
}

// porterStem stems w the way Bleve's porter filter does.
func porterStem(w []byte) string {
	var buf [64]rune
	runes := buf[:0]
	for i := 0; i < len(w); {
		r, n := utf8.DecodeRune(w[i:])
		runes = append(runes, r)
		i += n
	}
	return string(porterstemmer.StemWithoutLowerCasing(runes))
}
