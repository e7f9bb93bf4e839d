package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token flags. A token is a word (letters, digits, inner apostrophes,
// abbreviation periods) or one punctuation character.
const (
	fWord        uint32 = 1 << iota
	fCap                // first letter is upper case
	fUpper              // every letter is upper case and there are at least two
	fLower              // first letter is lower case
	fDigit              // starts with a digit
	fInitial            // one upper-case letter followed by a period: "V."
	fAbbrev             // contains periods: "U.S.", "Sen.", "D.C."
	fPoss               // followed by a possessive 's or ', which the span excludes
	fHyph               // joined to the previous token by a hyphen
	fSentStart          // first word of a sentence, paragraph or quotation
	fLineStart          // first token after a line break
	fParaStart          // first token after a blank line (or of the text)
	fPunct              // punctuation
	fSentEnd            // . ! ? (a period that ends a sentence)
	fJunk               // URL, e-mail, @handle, hashtag or word with _: never an entity
	fHeadline           // word on a line written in title case or all capitals
	fAllCapsLine        // word on a line written in capitals
	fNoLower            // has letters, none of them lower case
	fGlued              // split from the previous word at a lower-to-upper case change ("TrumpGOP")
)

// token is one token of an article. Offsets are bytes into the text.
type token struct {
	s, e int32
	h    uint64 // hash of the lower-cased form (see hashWord); the rune for punctuation
	f    uint32
	w    uint32 // word classes (data.words), filled by matchSpans
}

// FNV-1a parameters.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

// seqHash combines a phrase hash with the hash of its next token.
func seqHash(acc, h uint64) uint64 {
	if acc == 0 {
		return h
	}
	return (acc^0x9e3779b97f4a7c15)*fnvPrime ^ h*0xff51afd7ed558ccd
}

// abbrevHashes holds the hashes of abbrevWords.
var abbrevHashes = func() map[uint64]bool {
	m := make(map[uint64]bool, len(abbrevWords))
	for w := range abbrevWords {
		m[hashWord(w)] = true
	}
	return m
}()

// abbrevWords are words that take a period without ending the sentence.
var abbrevWords = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "sen": true, "rep": true, "reps": true,
	"sens": true, "gov": true, "gen": true, "lt": true, "col": true, "sgt": true,
	"capt": true, "cmdr": true, "adm": true, "maj": true, "prof": true, "rev": true, "st": true,
	"jr": true, "sr": true, "mt": true, "ft": true, "inc": true, "corp": true, "co": true,
	"ltd": true, "no": true, "vs": true, "jan": true, "feb": true, "aug": true, "sept": true,
	"sep": true, "oct": true, "nov": true, "dec": true, "calif": true, "fla": true,
	"ariz": true, "conn": true, "mass": true, "mich": true, "minn": true, "tenn": true,
	"okla": true, "wis": true, "wyo": true, "colo": true, "neb": true, "nev": true,
	"ky": true, "md": true, "va": true, "vt": true, "tex": true, "ark": true, "ala": true,
	"kan": true, "ga": true, "ill": true, "ind": true, "la": true, "mo": true, "pa": true,
	"del": true, "ore": true, "wash": true, "pres": true, "supt": true, "atty": true,
	"msgr": true, "fr": true, "messrs": true, "hon": true, "est": true, "approx": true,
	"dept": true, "univ": true, "assn": true, "bros": true, "pct": true, "mln": true,
	"bln": true, "dlrs": true, "vol": true, "fig": true, "al": true, "etc": true,
}

// tokenizer splits text into tokens. It keeps its buffer between calls so
// that a pooled tokenizer allocates nothing in steady state.
type tokenizer struct {
	toks []token
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return r|0x20 >= 'a' && r|0x20 <= 'z'
	}
	return unicode.IsLetter(r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\u00a0' || r == '\u2009' || r == '\u200b' || r == '\u202f'
}

func isApos(r rune) bool { return r == '\'' || r == '’' }

func isHyphen(r rune) bool { return r == '-' || r == '‐' || r == '‑' }

// decode returns the rune at i and its width; width 0 at the end.
func decode(text string, i int) (rune, int) {
	if i >= len(text) {
		return 0, 0
	}
	c := text[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(text[i:])
}

// junkClass marks the bytes junkRun looks at: 1 ends a run, 2 may make it
// junk.
var junkClass = func() (t [256]uint8) {
	for _, c := range " \t\r\n" {
		t[c] = 1
	}
	for _, c := range "/@#_" {
		t[c] = 2
	}
	t['.'] = 3
	t[0xc2] = 4 // first byte of NBSP
	return t
}()

// junkRun reports whether the non-space run starting at i is a URL, e-mail
// address, handle or hashtag, and returns its end.
func junkRun(text string, i int) (end int, junk bool) {
	j := i
	slash, at, dot := false, false, false
scan:
	for ; j < len(text); j++ {
		switch junkClass[text[j]] {
		case 0:
			continue
		case 1:
			break scan
		case 2:
			if text[j] == '/' {
				slash = true
			} else {
				at = true
			}
		case 3:
			dot = true
		case 4:
			if j+1 < len(text) && text[j+1] == 0xa0 {
				break scan
			}
		}
	}
	if at {
		return j, true
	}
	if !slash && !dot {
		return j, false
	}
	if slash {
		// "pic.twitter.com/x", "http://", "www.x.com/y" but not "and/or" or "1/2".
		run := text[i:j]
		for k := 0; k+1 < len(run); k++ {
			if run[k] == '/' && (k > 0 && run[k-1] == ':' || hasDotCom(run)) {
				return j, true
			}
		}
		return j, false
	}
	return j, hasDotCom(text[i:j])
}

// hasDotCom reports whether s looks like a domain name ("x.com", "www.x").
func hasDotCom(s string) bool {
	for k := 0; k+3 < len(s); k++ {
		if s[k] == '.' {
			rest := s[k+1:]
			if hasPrefixFold(rest, "com") || hasPrefixFold(rest, "org") || hasPrefixFold(rest, "net") || hasPrefixFold(rest, "gov") {
				// "U.S.government" is rare; accept the risk.
				if len(rest) == 3 || !isLetterByte(rest[3]) {
					return true
				}
			}
		}
	}
	return len(s) > 4 && hasPrefixFold(s, "www.")
}

func isLetterByte(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

func hasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if s[i]|0x20 != p[i] {
			return false
		}
	}
	return true
}

// tokenize fills t.toks with the tokens of text and returns them.
func (t *tokenizer) tokenize(text string) []token {
	toks := t.toks[:0]
	sent, line, para := true, true, true
	runStart := true // at the start of a whitespace-delimited run
	hyph := false    // previous word ended with a hyphen joined to this one
	glue := false    // this word was split from the previous one
	i := 0
	for i < len(text) {
		r, w := decode(text, i)
		if isSpace(r) {
			if r == '\n' {
				if line {
					para = true
					sent = true
				}
				line = true
			}
			i += w
			runStart = true
			hyph, glue = false, false
			continue
		}
		var f uint32
		if line {
			f |= fLineStart
		}
		if para {
			f |= fParaStart
		}
		if runStart {
			runStart = false
			if end, junk := junkRun(text, i); junk {
				// Trailing punctuation is not part of a URL or handle.
				for end > i && strings.IndexByte(",.;:)!?\"'", text[end-1]) >= 0 {
					end--
				}
				toks = append(toks, token{s: int32(i), e: int32(end), h: hashWord(text[i:end]), f: f | fJunk | fWord})
				i = end
				line, para, hyph = false, false, false
				sent = false
				continue
			}
		}
		if isLetter(r) || isDigit(r) {
			start := i
			h := fnvOffset
			nUpper, nLower, nLetters := 0, 0, 0
			first := r
			j := i
			dotted := false
			lowRun := 0
			for j < len(text) {
				// ASCII fast path: letters and digits.
				if c := text[j]; c < utf8.RuneSelf {
					switch {
					case c >= 'a' && c <= 'z':
						nLetters++
						nLower++
						lowRun++
						h = (h ^ uint64(c)) * fnvPrime
						j++
						continue
					case c >= 'A' && c <= 'Z':
						// "TrumpGOP", "MuellerSpeier": words glued by a
						// scraper split where a capital follows three or
						// more lower-case letters ("McDonald" stays whole).
						if lowRun >= 3 {
							goto glued
						}
						lowRun = 0
						nLetters++
						nUpper++
						h = (h ^ uint64(c|0x20)) * fnvPrime
						j++
						continue
					case c >= '0' && c <= '9':
						h = (h ^ uint64(c)) * fnvPrime
						j++
						continue
					}
				}
				r2, w2 := decode(text, j)
				if isLetter(r2) || isDigit(r2) {
					if isLetter(r2) {
						nLetters++
						if unicode.IsUpper(r2) {
							nUpper++
						} else {
							nLower++
						}
					}
					h = hashRune(h, r2)
					j += w2
					continue
				}
				if isApos(r2) {
					n1, w3 := decode(text, j+w2)
					if isLetter(n1) {
						// Possessive 's: stop the word before it.
						if (n1 == 's' || n1 == 'S') && !isLetter(peek(text, j+w2+w3)) {
							f |= fPoss
							toks = append(toks, t.word(start, j, h, f|flagsFor(first, nUpper, nLower, nLetters, dotted)|sentFlag(sent, hyph)))
							j += w2 + w3
							goto done
						}
						h = hashRune(h, '\'')
						j += w2
						continue
					}
					// Plural possessive ("Reuters'"): drop the apostrophe.
					if j > start && (text[j-1] == 's' || text[j-1] == 'S') && !isDigit(n1) {
						f |= fPoss
						toks = append(toks, t.word(start, j, h, f|flagsFor(first, nUpper, nLower, nLetters, dotted)|sentFlag(sent, hyph)))
						j += w2
						goto done
					}
					break
				}
				if r2 == '.' {
					n1, _ := decode(text, j+1)
					// "U.S.", "D.C.", "H.W.": a letter, a period, a letter.
					if nLetters == 1 && j-start <= 2 && isLetter(first) && (isLetter(n1) && !isLetter(peek(text, j+1+len(string(n1))))) {
						h = hashRune(h, '.')
						j++
						dotted = true
						continue
					}
					if dotted || (nLetters == 1 && isLetter(first) && unicode.IsUpper(first)) {
						h = hashRune(h, '.')
						j++
						dotted = true
						break
					}
					if nLetters >= 2 && nLetters <= 6 && abbrevHashes[h] {
						h = hashRune(h, '.')
						j++
						dotted = true
						break
					}
					if isDigit(first) && isDigit(n1) {
						j++
						continue
					}
					break
				}
				if r2 == ',' && isDigit(first) {
					n1, _ := decode(text, j+1)
					if isDigit(n1) {
						j++
						continue
					}
				}
				break
			}
			toks = append(toks, t.word(start, j, h, f|flagsFor(first, nUpper, nLower, nLetters, dotted)|sentFlag(sent, hyph)|glueFlag(glue)))
			glue = false
			goto done
		glued:
			toks = append(toks, t.word(start, j, h, f|flagsFor(first, nUpper, nLower, nLetters, dotted)|sentFlag(sent, hyph)|glueFlag(glue)))
			glue = true
			hyph = false
			i = j
			sent, line, para = false, false, false
			continue
		done:
			glue = false
			hyph = false
			if j < len(text) {
				if r3, w3 := decode(text, j); isHyphen(r3) {
					if n, _ := decode(text, j+w3); isLetter(n) || isDigit(n) {
						hyph = true
						j += w3
					}
				}
			}
			i = j
			sent, line, para = false, false, false
			continue
		}
		// Punctuation.
		f |= fPunct
		switch r {
		case '.', '!', '?':
			f |= fSentEnd
			sent = true
		case '"', '“', '”', '‘', ':', '(', '[', '—', '–', '|', '•', '*':
			sent = true
		}
		toks = append(toks, token{s: int32(i), e: int32(i + w), h: uint64(r), f: f})
		i += w
		line, para, hyph, glue = false, false, false, false
	}
	t.toks = toks
	return toks
}

func peek(text string, i int) rune {
	r, _ := decode(text, i)
	return r
}

func glueFlag(glue bool) uint32 {
	if glue {
		return fGlued
	}
	return 0
}

func sentFlag(sent, hyph bool) uint32 {
	var f uint32
	if sent {
		f |= fSentStart
	}
	if hyph {
		f |= fHyph
	}
	return f
}

func (t *tokenizer) word(s, e int, h uint64, f uint32) token {
	return token{s: int32(s), e: int32(e), h: h, f: f | fWord}
}

func flagsFor(first rune, nUpper, nLower, nLetters int, dotted bool) uint32 {
	var f uint32
	switch {
	case isDigit(first):
		f |= fDigit
	case unicode.IsUpper(first):
		f |= fCap
	default:
		f |= fLower
	}
	if nLetters >= 2 && nLower == 0 && !dotted {
		f |= fUpper
	}
	if nLetters >= 1 && nLower == 0 {
		f |= fNoLower
	}
	if dotted {
		if nLetters == 1 {
			f |= fInitial
		}
		f |= fAbbrev
	}
	return f
}

// hashRune adds the lower-cased rune r to an FNV-1a hash. Typographic
// apostrophes hash like ASCII ones.
func hashRune(h uint64, r rune) uint64 {
	if r < utf8.RuneSelf {
		c := byte(r)
		if c >= 'A' && c <= 'Z' {
			c |= 0x20
		}
		h ^= uint64(c)
		return h * fnvPrime
	}
	if r == '’' {
		return hashRune(h, '\'')
	}
	r = unicode.ToLower(r)
	var buf [4]byte
	n := utf8.EncodeRune(buf[:], r)
	for k := 0; k < n; k++ {
		h ^= uint64(buf[k])
		h *= fnvPrime
	}
	return h
}

// hashWord hashes a word as the tokenizer does.
func hashWord(s string) uint64 {
	h := fnvOffset
	for _, r := range s {
		h = hashRune(h, r)
	}
	return h
}
