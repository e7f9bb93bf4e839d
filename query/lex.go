package query

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tWord           // text, field, wildcard, fuzzy
	tPhrase         // text, field, slop
	tLParen         // field is set for the "(" of title:(
	tRParen
	tAnd  // AND, &&
	tOr   // OR, ||
	tNot  // NOT, !
	tNear // NEAR, NEAR/N: slop holds N
	tMinus
	tPlus
)

// token is one lexeme. The lexer reads a field prefix together with its
// value, so that field:value never spans tokens and "title:AND" or
// "body:title:x" need no special casing in the parser.
type token struct {
	kind     tokKind
	pos      int    // byte offset of the token, of its field name if any
	lit      string // the token as typed, for error messages
	text     string
	field    string
	wildcard bool
	fuzzy    int
	slop     int
	// detached is set on - and + followed by a space or the end: "a - b"
	// is more likely a dash than an exclusion, so the parser rejects it.
	detached bool
}

// name returns how error messages refer to the token.
func (t token) name() string {
	switch t.kind {
	case tEOF:
		return "end of query"
	case tAnd, tOr, tNot:
		if t.lit == "AND" || t.lit == "OR" || t.lit == "NOT" {
			return t.lit
		}
	case tNear:
		return t.lit
	}
	return `"` + t.lit + `"`
}

// lexer splits the input on demand, so that the parser reports the first
// problem from the left whichever stage finds it.
type lexer struct {
	s   string
	pos int
	err func(pos int, msg, hint string) *SyntaxError
}

func isSpaceAt(s string, i int) (bool, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f', 1
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), w
}

// boundary reports whether a word ends before s[i].
func (lx *lexer) boundary(i int) bool {
	if i >= len(lx.s) {
		return true
	}
	switch lx.s[i] {
	case '(', ')', '"':
		return true
	}
	sp, _ := isSpaceAt(lx.s, i)
	return sp
}

func (lx *lexer) next() (token, *SyntaxError) {
	s := lx.s
	for lx.pos < len(s) {
		sp, w := isSpaceAt(s, lx.pos)
		if !sp {
			break
		}
		lx.pos += w
	}
	start := lx.pos
	if start == len(s) {
		return token{kind: tEOF, pos: start}, nil
	}
	op := func(k tokKind, n int) (token, *SyntaxError) {
		lx.pos += n
		t := token{kind: k, pos: start, lit: s[start:lx.pos]}
		t.detached = lx.pos == len(s)
		if !t.detached {
			t.detached, _ = isSpaceAt(s, lx.pos)
		}
		return t, nil
	}
	switch s[start] {
	case '(':
		return op(tLParen, 1)
	case ')':
		return op(tRParen, 1)
	case '"':
		return lx.phrase(start, start, "")
	case '-':
		return op(tMinus, 1)
	case '+':
		return op(tPlus, 1)
	case '!':
		return op(tNot, 1)
	case '&':
		if strings.HasPrefix(s[start:], "&&") && lx.boundary(start+2) {
			return op(tAnd, 2)
		}
	case '|':
		if strings.HasPrefix(s[start:], "||") && lx.boundary(start+2) {
			return op(tOr, 2)
		}
	}
	if n := fieldPrefixLen(s[start:]); n > 0 {
		name := strings.ToLower(s[start : start+n])
		v := start + n + 1
		if isField(name) {
			return lx.fieldValue(start, name, v)
		}
		// Before a quote or group only field syntax puts a colon.
		if v < len(s) && (s[v] == '"' || s[v] == '(') {
			return token{}, lx.err(start, "unknown field "+quote(s[start:start+n]), "want one of "+strings.Join(fieldNames(), ", "))
		}
		// letters:value reads as a field too: taking foo:bar as a word
		// would search something else than the user meant without a
		// word of warning. "10:30", "http://x" and "Note:" stay words.
		if allLetters(s[start:start+n]) && !lx.boundary(v) && s[v] != '/' {
			end := v
			for !lx.boundary(end) {
				if s[end] == '\\' && end+1 < len(s) {
					end++
				}
				_, w := utf8.DecodeRuneInString(s[end:])
				end += w
			}
			return token{}, lx.err(start, "unknown field "+quote(s[start:start+n]),
				"want one of "+strings.Join(fieldNames(), ", ")+"; write "+s[start:start+n]+`\:`+s[v:end]+" to search the word")
		}
	}
	t, err := lx.word(start, start, "")
	if err != nil {
		return t, err
	}
	switch t.lit {
	case "AND":
		t.kind = tAnd
	case "OR":
		t.kind = tOr
	case "NOT":
		t.kind = tNot
	case "NEAR":
		t.kind, t.slop = tNear, DefaultNear
	default:
		// Anything after NEAR/ but a distance is a typo of the
		// operator rather than a word someone searches for.
		if d, ok := strings.CutPrefix(t.lit, "NEAR/"); ok {
			n, ok := atoi(d)
			switch {
			case !ok:
				return token{}, lx.err(start, "bad NEAR distance "+quote(t.lit), nearDistHint)
			case n > MaxSlop:
				return token{}, lx.err(start, "NEAR distance "+quote(t.lit)+" out of range", nearDistHint)
			}
			t.kind, t.slop = tNear, n
		}
	}
	return t, nil
}

const nearDistHint = "want NEAR/N with N in 0..100, or NEAR for NEAR/10"

// atoi reads a non-empty run of digits; values above 1000 come back as
// 1000, out of range without overflowing.
func atoi(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = min(n*10+int(s[i]-'0'), 1000)
	}
	return n, s != ""
}

// fieldPrefixLen returns n > 0 when s starts with a name (an ASCII letter
// followed by letters, digits or "_") and a colon at s[n].
func fieldPrefixLen(s string) int {
	if s == "" || !isLetter(s[0]) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case isLetter(c), c >= '0' && c <= '9', c == '_':
		default:
			return 0
		}
	}
	return 0
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// allLetters reports whether s is one or more ASCII letters, the shape of
// a field name that the lexer rejects when it is not one of fieldNames.
func allLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}

// fieldValue lexes what follows "field:" at v.
func (lx *lexer) fieldValue(start int, field string, v int) (token, *SyntaxError) {
	s := lx.s
	fname := s[start : v-1]
	if lx.boundary(v) && (v == len(s) || s[v] != '"' && s[v] != '(') {
		return token{}, lx.err(start, "field "+fname+" has no value",
			"want "+fname+":word, "+fname+`:"a phrase" or `+fname+":(a OR b)")
	}
	switch s[v] {
	case '"':
		return lx.phrase(start, v, field)
	case '(':
		lx.pos = v + 1
		return token{kind: tLParen, pos: start, lit: s[start : v+1], field: field}, nil
	case '-', '+', '!':
		return token{}, lx.err(v, quote(s[v:v+1])+" cannot start the value of "+fname+":",
			"write "+s[v:v+1]+fname+":word to exclude or require it")
	}
	return lx.word(start, v, field)
}

// word lexes a word starting at w; start is where its token starts (its
// field name, if any).
func (lx *lexer) word(start, w int, field string) (token, *SyntaxError) {
	s := lx.s
	var (
		b       *strings.Builder // only when the word has escapes
		wild    int              // unescaped * and ?
		trailQ  int              // trailing unescaped ? bytes
		escWild bool             // \* or \?
		i       = w
	)
	for i < len(s) {
		c := s[i]
		if c == '\\' {
			if i+1 == len(s) {
				return token{}, lx.err(i, `"\" at end of query`, `write \\ for a backslash`)
			}
			_, rw := utf8.DecodeRuneInString(s[i+1:])
			if b == nil {
				b = &strings.Builder{}
				b.WriteString(s[w:i])
			}
			b.WriteString(s[i+1 : i+1+rw])
			if s[i+1] == '*' || s[i+1] == '?' {
				escWild = true
			}
			trailQ = 0
			i += 1 + rw
			continue
		}
		if c == '~' || lx.boundary(i) {
			break
		}
		switch c {
		case '*':
			if i == w {
				return token{}, lx.leadingWildcard(w)
			}
			wild++
			trailQ = 0
		case '?':
			if i == w {
				return token{}, lx.leadingWildcard(w)
			}
			wild++
			trailQ++
		default:
			trailQ = 0
		}
		_, rw := utf8.DecodeRuneInString(s[i:])
		if b != nil {
			b.WriteString(s[i : i+rw])
		}
		i += rw
	}
	if i == w {
		// Only "~" starts here: nothing else ends a word before any byte.
		return token{}, lx.err(i, `unexpected "~"`, `want word~N for a fuzzy word or "a phrase"~N for proximity`)
	}
	var text string
	if b != nil {
		text = b.String()
	} else {
		text = s[w:i]
	}
	// A trailing ? ends a question, not a pattern: people type natural
	// questions into a search box, and "pipeline?" would otherwise miss
	// "pipeline".
	text = text[:len(text)-trailQ]
	wild -= trailQ
	t := token{kind: tWord, pos: start, field: field, text: text, wildcard: wild > 0}
	if t.wildcard && escWild {
		return token{}, lx.err(w, `cannot mix "\*" or "\?" with wildcards in one word`, "")
	}
	if i < len(s) && s[i] == '~' {
		n, end, ok := lx.number(i + 1)
		switch {
		case !ok:
			return token{}, lx.err(i, "bad fuzziness "+quote(s[i:end]), "want word~, word~1 or word~2")
		case n < 0:
			n = 1 // word~ alone
		case n > MaxFuzzy:
			return token{}, lx.err(i, "fuzziness "+quote(s[i:end])+" out of range", "want word~, word~1 or word~2")
		}
		if t.wildcard {
			return token{}, lx.err(i, `cannot combine a wildcard with fuzzy "~"`, "")
		}
		t.fuzzy = n
		i = end
	}
	lx.pos = i
	t.lit = s[start:i]
	return t, nil
}

func (lx *lexer) leadingWildcard(pos int) *SyntaxError {
	end := pos
	for !lx.boundary(end) {
		_, w := utf8.DecodeRuneInString(lx.s[end:])
		end += w
	}
	return lx.err(pos, "leading wildcard in "+quote(lx.s[pos:end]),
		`a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`)
}

// number reads the digits of ~N at i up to the end of the word. It
// returns n = -1 if there are none, and ok = false if the word goes on
// with anything else; end is where the word ends.
func (lx *lexer) number(i int) (n, end int, ok bool) {
	s := lx.s
	n, end = -1, i
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		if n < 0 {
			n = 0
		}
		if n < 1000 { // stays out of range without overflowing
			n = n*10 + int(s[end]-'0')
		}
		end++
	}
	if !lx.boundary(end) {
		for !lx.boundary(end) {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		return n, end, false
	}
	return n, end, true
}

// phrase lexes a quoted phrase whose opening quote is at q.
func (lx *lexer) phrase(start, q int, field string) (token, *SyntaxError) {
	s := lx.s
	i := q + 1
	escaped := false
	for i < len(s) && s[i] != '"' {
		if s[i] == '\\' {
			if i+1 == len(s) {
				break // unterminated
			}
			escaped = true
			_, w := utf8.DecodeRuneInString(s[i+1:])
			i += 1 + w
			continue
		}
		i++
	}
	if i >= len(s) {
		return token{}, lx.err(q, "unterminated phrase", `want a closing "`)
	}
	text := s[q+1 : i]
	if escaped {
		var b strings.Builder
		for j := 0; j < len(text); j++ {
			if text[j] == '\\' {
				j++
			}
			b.WriteByte(text[j])
		}
		text = b.String()
	}
	if strings.TrimSpace(text) == "" {
		return token{}, lx.err(q, "empty phrase", "")
	}
	i++
	t := token{kind: tPhrase, pos: start, field: field, text: text}
	if i < len(s) && s[i] == '~' {
		n, end, ok := lx.number(i + 1)
		switch {
		case !ok || n < 0:
			return token{}, lx.err(i, "bad phrase slop "+quote(s[i:end]), `want "a phrase"~N with N in 0..100`)
		case n > MaxSlop:
			return token{}, lx.err(i, "phrase slop "+quote(s[i:end])+" out of range", `want "a phrase"~N with N in 0..100`)
		}
		t.slop = n
		i = end
	}
	lx.pos = i
	t.lit = s[start:i]
	return t, nil
}

// quote quotes s for an error message; printable non-ASCII text stays
// as it is.
func quote(s string) string { return strconv.Quote(s) }
