package boiler

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// adLines are lines that are only an advertisement marker, compared
// case-insensitively with a trailing colon dropped. No story line is one
// of these words alone.
var adLines = []string{"advertisement", "ad", "advertising"}

// maxCard is the farthest, in bytes, a hover card's start may lie before
// its "MORE": the longest cards on AllSides (three long headlines) run to
// about 800 bytes.
const maxCard = 900

// maxFullName is the farthest, in bytes, the full name's last word may lie
// after the linked name.
const maxFullName = 80

// stripPatterns removes advertisement lines and hover cards from body.
func stripPatterns(body string) (string, bool) {
	var cuts []span
	forLines(body, func(body string, toks []token) {
		start, end := toks[0].start, toks[len(toks)-1].end
		if len(toks) == 1 && isAdLine(body[start:end]) {
			cuts = append(cuts, span{start, end, true})
			return
		}
		for _, c := range cards(body, start, end) {
			cuts = append(cuts, span{c[0], c[1], false})
		}
	})
	if len(cuts) == 0 {
		return body, false
	}
	return cutSpans(body, cuts), true
}

func isAdLine(s string) bool {
	s = strings.TrimSuffix(s, ":")
	for _, a := range adLines {
		if strings.EqualFold(s, a) {
			return true
		}
	}
	return false
}

// cards returns the byte ranges of the hover cards in body[lo:hi) (one
// line). A card is the text from the end of a linked name to a "MORE":
//
//	Sen. Elizabeth Warren|Elizabeth Ann Warren2020 Democrats push ... MORE| (D-Mass.)
//
// It starts where a name's last word W ends and is followed, at once or
// after a space, by a full name ending in W again (given names, particles,
// "(Pete)" nicknames and initials between); it ends after a "MORE" that
// follows a word with a small letter or digit (not shouted "NO MORE") and
// is not followed by a letter. Removing the card leaves the linked name in
// place: "Sen. Elizabeth Warren (D-Mass.)".
func cards(body string, lo, hi int) [][2]int {
	var out [][2]int
	from := lo
	for i := lo; i < hi; {
		j := strings.Index(body[i:hi], "MORE")
		if j < 0 {
			break
		}
		at := i + j
		end := at + len("MORE")
		i = end
		if !isMore(body, lo, hi, at) {
			continue
		}
		if s := cardStart(body, max(from, at-maxCard), at); s >= 0 {
			out = append(out, [2]int{s, end})
			from = end
		}
	}
	return out
}

// isMore reports whether the "MORE" at body[at:] can end a card.
func isMore(body string, lo, hi, at int) bool {
	end := at + len("MORE")
	if end < hi && isLetter(body, end) {
		return false
	}
	if at-1 <= lo || body[at-1] != ' ' {
		return false
	}
	// The word before must not be shouted.
	w := at - 1
	for w > lo && body[w-1] != ' ' {
		w--
	}
	for _, r := range body[w : at-1] {
		if unicode.IsLower(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// cardStart returns the offset in body[lo:hi) where a card begins, the
// leftmost one found, or -1.
func cardStart(body string, lo, hi int) int {
	// Words are scanned left to right; inside a word the candidate ends
	// are tried from the right, so that "McConnell" is taken whole before
	// "Mc" and a glued "WarrenElizabeth" yields "Warren".
	for w := lo; w < hi; {
		for w < hi && body[w] == ' ' {
			w++
		}
		e := w
		for e < hi && body[e] != ' ' {
			e++
		}
		if w > 0 && body[w-1] != ' ' && body[w-1] != '\n' {
			// a word cut by the window's start
			w = e
			continue
		}
		for c := e; c > w+1; c-- {
			if !utf8.RuneStart(body[c-1]) && c != e {
				continue
			}
			if c < e && !gluedEnd(body, w, c) {
				continue
			}
			if s := fullNameAfter(body, w, c, hi); s {
				return c
			}
		}
		w = e
	}
	return -1
}

// fullNameAfter reports whether the name word body[w:c) is followed by a
// full name that ends in the same word, before hi.
func fullNameAfter(body string, w, c, hi int) bool {
	last := body[w:c]
	r, _ := utf8.DecodeRuneInString(last)
	if !unicode.IsUpper(r) || !strings.ContainsFunc(last, unicode.IsLower) || !isLetter(body, c-1) {
		return false
	}
	st := c
	if st < hi && body[st] == ' ' {
		st++
	}
	limit := min(hi, st+maxFullName)
	for f := st; f < limit; {
		k := strings.Index(body[f:limit], last)
		if k < 0 {
			return false
		}
		f += k
		// The card's first headline is glued to the full name (the
		// scraper dropped the markup between them): "Warren2020 ...",
		// "BidenTrump says ...". This tells "John McCain John Sidney
		// McCain2020" from the pair "John ... John".
		g := f + len(last)
		if (f == st || body[f-1] == ' ') && g < hi && glued(body, g) && givenNames(body[st:f]) {
			return true
		}
		f++
	}
	return false
}

// particles are the lower-case words of names ("Bill de Blasio").
var particles = map[string]bool{"de": true, "da": true, "del": true, "della": true, "di": true, "van": true, "von": true, "der": true, "den": true, "du": true, "la": true, "le": true, "bin": true, "al": true, "ibn": true, "dos": true, "das": true}

// givenNames reports whether s is empty or up to five space-separated name
// words: capitalised words, initials, particles or "(Nick)" nicknames.
func givenNames(s string) bool {
	words := strings.Fields(s)
	if len(words) > 5 || (s != "" && s[len(s)-1] != ' ') {
		return false
	}
	for _, w := range words {
		w = strings.TrimSuffix(strings.TrimPrefix(w, "("), ")")
		if particles[w] {
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			return false
		}
		for _, r := range w {
			if !unicode.IsLetter(r) && r != '.' && r != '\'' && r != '’' && r != '-' {
				return false
			}
		}
	}
	return true
}

// glued reports whether body[g:] starts a headline glued to a name: not a
// space and not a small letter (which would continue the name's word).
func glued(body string, g int) bool {
	r, _ := utf8.DecodeRuneInString(body[g:])
	return !unicode.IsSpace(r) && !unicode.IsLower(r)
}

// namePrefixes are the starts of surnames written with a capital inside
// ("McMorris", "MacArthur", "DeSantis"): a name does not end before that
// capital.
var namePrefixes = map[string]bool{"Mc": true, "Mac": true, "De": true, "Di": true, "Da": true, "Du": true, "La": true, "Le": true, "Van": true, "Von": true, "O'": true, "O’": true, "St": true}

// gluedEnd reports whether a name may end at c inside the word
// body[w:]: a capital follows a small letter ("WarrenElizabeth"), and
// body[w:c] is more than a surname prefix.
func gluedEnd(body string, w, c int) bool {
	r, _ := utf8.DecodeRuneInString(body[c:])
	p, _ := utf8.DecodeLastRuneInString(body[:c])
	return unicode.IsUpper(r) && unicode.IsLower(p) && utf8.RuneCountInString(body[w:c]) >= 3 && !namePrefixes[body[w:c]]
}
