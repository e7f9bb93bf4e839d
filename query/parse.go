// Package query parses the newsdex user query language into a small AST.
// It sits between api and search, and package search is its one caller:
// api hands the q parameter over unparsed, search passes it to Parse or
// ParseOp, turns a *SyntaxError into a *search.ParamError with its
// position (which api answers with 400) and translates the Node into
// Bleve queries. This package knows nothing of Bleve or of text analysis:
// Term, Phrase and Near hold text as typed.
//
// # Syntax
//
//	putin                  a word, searched in the default fields (title, body)
//	putin xi               both words (default operator AND; see below)
//	"power of siberia"     a phrase: the words in this order
//	"putin xi"~3           proximity: the words within 3 positions, N in 0..100
//	a NEAR/5 b             proximity: a and b within 5 words, in any order, N in 0..100
//	a NEAR b               the same as a NEAR/10 b
//	(oil OR gas) NEAR/5 sanctions   one of oil, gas within 5 words of sanctions
//	wor*  w?rd             wildcards: * any run of characters, ? one character
//	zelenskiy~  putn~2     fuzzy: within 1 (word~ or word~1) or 2 edits
//	person:putin           a field: title, body, author, person, outlet, cited, place, leader
//	outlet:"new york times"  person:(putin OR xi)  title:(oil NEAR/3 price)
//	a AND b   a && b       both
//	a OR b    a || b       either
//	NOT a   -a   !a        exclude a
//	+a                     require a
//	( ... )                grouping, nested up to MaxDepth levels
//	\x                     x taken literally: \" \( \: \- \* ...
//
// An empty or blank query, and a lone "*", match every article.
//
// # Default operator and precedence
//
// The default operator joins clauses written side by side. Parse uses
// OpAnd, as SQLite FTS5, Media Cloud and GDELT do; ParseOp(s, OpOr)
// gives the Lucene and Elasticsearch default_operator OR.
//
// With OpAnd, from the tightest: NEAR, then NOT (and -, +, !), then AND,
// explicit or side by side, then OR. So "a b OR c" is (a AND b) OR c and
// "a OR b c" is a OR (b AND c). + changes nothing, since every clause is
// required already:
//
//	putin xi               Bool{Must: [putin, xi]}
//	putin -trump           Bool{Must: [putin], MustNot: [trump]}
//	+a b                   Bool{Must: [a, b]}
//	a b OR c               Bool{Should: [Bool{Must: [a, b]}, c]}
//	(a OR b) -c            Bool{Must: [Bool{Should: [a, b]}], MustNot: [c]}
//	-trump                 Bool{MustNot: [trump]}: all articles except
//	a OR -b                Bool{Should: [a, Bool{MustNot: [b]}]}: a, or anything without b
//	x a NEAR/5 b           Bool{Must: [x, Near{a NEAR/5 b}]}
//	(Putin OR Kremlin) AND (sanctions NEAR/5 oil)
//	                       Bool{Must: [Bool{Should: [Putin, Kremlin]}, Near{sanctions NEAR/5 oil}]}
//
// With OpOr, from the tightest: NEAR, then NOT (and -, +, !), then AND,
// then OR. Words side by side form an OR sequence, so "a b AND c" is
// a OR (b AND c). Within a sequence, +x makes x required and -x or NOT x
// excludes x from the whole sequence, as in Lucene and Elasticsearch;
// when the sequence has a required clause, the optional ones only rank:
//
//	putin xi               Bool{Should: [putin, xi]}
//	putin -trump           Bool{Should: [putin], MustNot: [trump]}
//	+a b                   Bool{Must: [a], Should: [b]}: a required, b ranks
//	putin OR NOT trump     the same as putin -trump: OR only separates clauses
//	xi AND pipeline        Bool{Must: [xi, pipeline]}
//	(a OR b) AND NOT c     Bool{Must: [Bool{Should: [a, b]}], MustNot: [c]}
//	-trump                 Bool{MustNot: [trump]}: all articles except
//
// Under OpOr an AND chain is a unit inside a sequence: "x NOT a AND NOT
// b" is x OR (neither a nor b).
//
// With either operator, only uppercase AND, OR, NOT and NEAR are
// operators; "and" and "near" are words. Nested groups of the same kind
// are flattened where that does not change which articles match:
// "a OR (b OR c)" is (a OR b OR c), and "a (b c)" under OpAnd is
// (+a +b +c).
//
// # Proximity
//
// a NEAR/N b matches articles where a and b occur within N words of
// each other, in either order, as "a b"~N does; a chain a NEAR/N b
// NEAR/N c needs all of its operands within one window, like "a b c"~N.
// NEAR alone means NEAR/10, as in SQLite FTS5. NEAR binds tighter than
// everything else, so "x a NEAR/5 b" is x AND (a NEAR/5 b), and
// "-a NEAR/5 b" excludes the articles where a is within 5 words of b.
// An operand is a plain word or a parenthesised OR group of plain words,
// such as (sanctions OR embargo); a field applies to the whole chain,
// as in title:(a NEAR/3 b), and all operands must have the same field.
// A chain takes one distance: "a NEAR/3 b NEAR/5 c" is an error, and so
// are phrases, wildcards, fuzzy words, NOT, AND and NEAR inside an
// operand. Under OpAnd the group "(a b)" means AND, so
// "(a b) NEAR/5 c" is an error there; write (a OR b).
//
// # Canonical form
//
// Node.String writes every Bool in parentheses with its Must clauses
// first, prefixed with +, then its Should clauses joined by OR, then its
// MustNot clauses prefixed with -: "putin xi OR kremlin" under OpAnd is
// ((+putin +xi) OR kremlin). + and - mean the same under either
// operator, and so does OR, so the canonical form of a tree from OpAnd
// parses back to the same tree with OpAnd and with OpOr. A Bool that
// mixes optional (Should) clauses with + or - clauses, such as OpOr's
// "+a b" (+a b), comes only from OpOr and reads back the same only
// with OpOr. A Near is written a NEAR/N b, with the distance, and in
// parentheses after + or -.
//
// # Words and fields
//
// Words are separated by white space, parentheses and quotes. A word may
// hold any other character, in any script: "Putin-Xi", "Power-of-Siberia"
// and "10:30" are one word each (the search analyzer splits them). "-",
// "+" and "!" are operators only at the start of a word. A ? at the end
// of a word is a question mark, not a wildcard: "pipeline?" searches
// pipeline (people type questions); use w?rd inside a word. Quote a URL
// with a query string ("x.org/a?b=c"), or ? makes it a pattern.
//
// NAME:VALUE is field syntax when NAME is one or more ASCII letters (in
// any case) and VALUE is not empty and does not start with "/"; so are
// NAME:"phrase" and NAME:(group) for any NAME. A NAME that is not one of
// Fields() is an error naming the known fields, so that "foo:bar" is not
// silently searched as something else; write foo\:bar to search the
// word. "10:30" (a digit first), "http://x" (a "/" after the colon) and
// "re:" (nothing after it) stay words.
//
// # Errors
//
// ParseOp returns a *SyntaxError for the leftmost problem, with its byte
// offset and rune column, such as
//
//	query: unexpected ")" at position 14
//	query: unknown field "foo" at position 0, want one of title, body, ...; write foo\:bar to search the word
//	query: phrase inside NEAR at position 0, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words
//
// Leading wildcards (*foo) are errors because they scan the whole term
// dictionary. Queries longer than MaxLength bytes, with more than
// MaxClauses terms and phrases (the words of a NEAR count one each), or
// nested deeper than MaxDepth are errors.
package query

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// Limits on a query, so that one request cannot cost the engine much.
const (
	// MaxLength is the longest query in bytes.
	MaxLength = 4096
	// MaxClauses is the most terms and phrases in a query.
	MaxClauses = 256
	// MaxDepth is the deepest nesting, of parentheses in the input and of
	// Bool nodes in the tree, with the parentheses String writes around
	// and inside a Near (so that String's output parses too).
	MaxDepth = 32
	// MaxSlop is the largest N of "a phrase"~N and of a NEAR/N b.
	MaxSlop = 100
	// MaxFuzzy is the largest edit distance of word~N.
	MaxFuzzy = 2
)

// DefaultNear is the distance of NEAR written without /N, as in SQLite
// FTS5.
const DefaultNear = 10

// textFieldNames are the fields a query may name besides the entity
// kinds of newsdex.Kinds (person:xi), which follow them.
var textFieldNames = [...]string{"title", "body", "author"}

// fieldNames returns the fields a query may name, in the order error
// messages list them: the text fields, then the entity kinds.
func fieldNames() []string {
	out := make([]string, 0, len(textFieldNames)+len(newsdex.Kinds))
	out = append(out, textFieldNames[:]...)
	for _, k := range newsdex.Kinds {
		out = append(out, k.Name)
	}
	return out
}

// Fields returns the field names a query may use, such as "person" in
// person:putin.
func Fields() []string { return fieldNames() }

func isField(name string) bool {
	if slices.Contains(textFieldNames[:], name) {
		return true
	}
	_, ok := newsdex.KindNamed(name)
	return ok
}

// SyntaxError is a query that does not parse. Its message suits a 400
// response.
type SyntaxError struct {
	// Pos is the byte offset of the problem in the input, 0..len(input).
	Pos int
	// Column is the 1-based rune offset of Pos, for pointing at it in a UI.
	Column int
	// Msg says what is wrong, such as `unexpected ")"`.
	Msg string
	// Hint says what would be accepted instead; it may be empty.
	Hint string
}

// Error returns "query: Msg at position Pos", followed by ", Hint" when
// there is a hint.
func (e *SyntaxError) Error() string {
	s := "query: " + e.Msg + " at position " + strconv.Itoa(e.Pos)
	if e.Hint != "" {
		s += ", " + e.Hint
	}
	return s
}

// Detail returns Msg and Hint without the position, for callers that
// report the position separately.
func (e *SyntaxError) Detail() string {
	if e.Hint == "" {
		return e.Msg
	}
	return e.Msg + ", " + e.Hint
}

// Op is the operator that joins clauses written side by side, such as
// the words of "putin xi".
type Op uint8

const (
	// OpAnd requires every clause: "putin xi" is putin AND xi. Implicit
	// AND binds like explicit AND, tighter than OR, as in SQLite FTS5.
	OpAnd Op = iota
	// OpOr makes clauses side by side optional, at least one required,
	// as Lucene's and Elasticsearch's default_operator OR does; +x
	// requires x and -x excludes x from the whole sequence.
	OpOr
)

// String returns "AND" or "OR".
func (op Op) String() string {
	switch op {
	case OpAnd:
		return "AND"
	case OpOr:
		return "OR"
	}
	return "Op(" + strconv.Itoa(int(op)) + ")"
}

// Parse parses a query with the default operator AND; it is
// ParseOp(s, OpAnd).
func Parse(s string) (Node, error) {
	return ParseOp(s, OpAnd)
}

// ParseOp parses a query in which op joins clauses written side by
// side. An empty or blank query, or a lone "*", gives *MatchAll.
// Otherwise the result is a *Term, *Phrase, *Near or *Bool. Errors are
// *SyntaxError, except for an op other than OpAnd and OpOr, which is a
// plain error (the caller's bug, not the user's).
func ParseOp(s string, op Op) (Node, error) {
	if op != OpAnd && op != OpOr {
		return nil, errors.New("query: unknown default operator " + op.String())
	}
	return parse(s, op, MaxLength)
}

// parse lets the tests lift the length limit: String of a long query may
// be longer than the query.
func parse(s string, op Op, maxLen int) (Node, error) {
	p := &parser{s: s, op: op}
	p.lx = lexer{s: s, err: p.errAt}
	if len(s) > maxLen {
		return nil, p.errAt(maxLen, "too long ("+strconv.Itoa(len(s))+" bytes)",
			"the limit is "+strconv.Itoa(maxLen)+" bytes")
	}
	if !utf8.ValidString(s) {
		i := 0
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && w == 1 {
				break
			}
			i += w
		}
		return nil, p.errAt(i, "invalid UTF-8", "")
	}
	switch t := strings.TrimSpace(s); t {
	case "":
		return &MatchAll{}, nil
	case "*":
		return &MatchAll{At: strings.IndexByte(s, '*')}, nil
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	n, err := p.group("")
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tRParen {
		return nil, p.errAt(p.tok.pos, `unexpected ")"`, "")
	}
	if err := checkDepth(p, n, 0); err != nil {
		return nil, err
	}
	return n, nil
}

type parser struct {
	s       string
	op      Op
	lx      lexer
	tok     token // the current token
	depth   int   // open parentheses
	clauses int   // terms and phrases so far
}

func (p *parser) errAt(pos int, msg, hint string) *SyntaxError {
	return &SyntaxError{Pos: pos, Column: utf8.RuneCountInString(p.s[:pos]) + 1, Msg: msg, Hint: hint}
}

func (p *parser) advance() error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// occur is how a clause takes part in its group.
type occur uint8

const (
	should occur = iota
	must
	mustNot
)

type clause struct {
	n   Node
	occ occur
}

// group parses clauses up to ")" or the end, with the grammar of p.op.
// It returns nil only when there is no clause, before a ")" that the
// caller reports.
func (p *parser) group(field string) (Node, error) {
	if p.op == OpOr {
		return p.sequence(field)
	}
	return p.or(field)
}

// or parses a group under OpAnd:
//
//	or = all { OR all }
func (p *parser) or(field string) (Node, error) {
	at := p.tok.pos
	var ns []Node
	for {
		switch p.tok.kind {
		case tEOF, tRParen:
			switch len(ns) {
			case 0:
				return nil, nil
			case 1:
				return ns[0], nil
			}
			b := &Bool{At: at}
			for _, n := range ns {
				b.add(clause{n: n, occ: should})
			}
			return b, nil
		case tOr:
			if len(ns) == 0 {
				return nil, p.errAt(p.tok.pos, "unexpected "+p.tok.name(), "want a term, phrase or group before it")
			}
			op := p.tok
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.wantOperand(op); err != nil {
				return nil, err
			}
		case tAnd, tNear:
			return nil, p.errAt(p.tok.pos, "unexpected "+p.tok.name(), "want a term, phrase or group before it")
		}
		n, err := p.all(field)
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
	}
}

// all parses an AND chain under OpAnd, where clauses side by side are
// joined by AND too:
//
//	all = unary { [ AND ] unary }
//
// A lone clause comes back as it is, +x as x, and -x as the Bool of all
// articles except x, so that "a OR -b" is a OR (NOT b).
func (p *parser) all(field string) (Node, error) {
	at := p.tok.pos
	first, err := p.unary(field)
	if err != nil {
		return nil, err
	}
	b := &Bool{At: at}
	add := func(c clause) {
		if c.occ == should {
			c.occ = must
		}
		b.add(c)
	}
	switch p.tok.kind {
	case tEOF, tRParen, tOr:
		if first.occ != mustNot {
			return first.n, nil
		}
	}
	add(first)
	for {
		switch p.tok.kind {
		case tEOF, tRParen, tOr:
			return b, nil
		case tAnd:
			op := p.tok
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.wantOperand(op); err != nil {
				return nil, err
			}
		}
		c, err := p.unary(field)
		if err != nil {
			return nil, err
		}
		add(c)
	}
}

// sequence parses a group under OpOr:
//
//	sequence = and { [ OR ] and }
func (p *parser) sequence(field string) (Node, error) {
	at := p.tok.pos
	var cs []clause
	for {
		switch p.tok.kind {
		case tEOF, tRParen:
			switch len(cs) {
			case 0:
				return nil, nil // only before a stray ")", which the caller reports
			case 1:
				if cs[0].occ != mustNot {
					return cs[0].n, nil
				}
			}
			b := &Bool{At: at}
			for _, c := range cs {
				b.add(c)
			}
			return b, nil
		case tOr:
			if len(cs) == 0 {
				return nil, p.errAt(p.tok.pos, "unexpected "+p.tok.name(), "want a term, phrase or group before it")
			}
			op := p.tok
			if err := p.advance(); err != nil {
				return nil, err
			}
			if err := p.wantOperand(op); err != nil {
				return nil, err
			}
		case tAnd, tNear:
			return nil, p.errAt(p.tok.pos, "unexpected "+p.tok.name(), "want a term, phrase or group before it")
		}
		c, err := p.and(field)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
}

// and parses
//
//	and = unary { AND unary }
func (p *parser) and(field string) (clause, error) {
	first, err := p.unary(field)
	if err != nil || p.tok.kind != tAnd {
		return first, err
	}
	b := &Bool{At: first.n.Pos()}
	if first.occ == should {
		first.occ = must
	}
	b.add(first)
	for p.tok.kind == tAnd {
		op := p.tok
		if err := p.advance(); err != nil {
			return clause{}, err
		}
		if err := p.wantOperand(op); err != nil {
			return clause{}, err
		}
		c, err := p.unary(field)
		if err != nil {
			return clause{}, err
		}
		if c.occ == should {
			c.occ = must
		}
		b.add(c)
	}
	return clause{n: b, occ: should}, nil
}

// unary parses
//
//	unary = [ NOT | "-" | "+" ] near
//
// so that -a NEAR/5 b excludes the whole NEAR match.
func (p *parser) unary(field string) (clause, error) {
	occ := should
	switch p.tok.kind {
	case tNot, tMinus, tPlus:
		op := p.tok
		if op.detached && op.kind != tNot {
			return clause{}, p.errAt(op.pos, op.name()+" must be attached to the clause it applies to",
				"write "+op.lit+"word, "+op.lit+`"a phrase" or `+op.lit+`(a group), or \`+op.lit+" for the character")
		}
		if err := p.advance(); err != nil {
			return clause{}, err
		}
		if err := p.wantOperand(op); err != nil {
			return clause{}, err
		}
		switch p.tok.kind {
		case tNot, tMinus, tPlus:
			return clause{}, p.errAt(p.tok.pos, "unexpected "+p.tok.name()+" after "+op.name(),
				"a clause takes one of NOT, - and +")
		}
		occ = mustNot
		if op.kind == tPlus {
			occ = must
		}
	}
	n, err := p.near(field)
	return clause{n: n, occ: occ}, err
}

// nearHint says what a NEAR operand may be.
const nearHint = `NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`

// near parses a proximity chain, which binds tighter than AND:
//
//	near = primary { NEAR primary }
//
// Every operand must be a plain word or an OR group of plain words, all
// in one field, and the chain has one distance.
func (p *parser) near(field string) (Node, error) {
	at := p.tok.pos
	first, err := p.primary(field)
	if err != nil || p.tok.kind != tNear {
		return first, err
	}
	nr := &Near{Dist: p.tok.slop, At: at}
	if err := p.nearOperand(nr, first); err != nil {
		return nil, err
	}
	for p.tok.kind == tNear {
		op := p.tok
		if op.slop != nr.Dist {
			return nil, p.errAt(op.pos, op.name()+" after NEAR/"+strconv.Itoa(nr.Dist)+" in one chain",
				"a NEAR chain has one distance; join chains of different distances with AND, as (a NEAR/3 b) AND (b NEAR/10 c)")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if err := p.wantOperand(op); err != nil {
			return nil, err
		}
		switch p.tok.kind {
		case tNot, tMinus, tPlus:
			return nil, p.errAt(p.tok.pos, p.tok.name()+" inside NEAR",
				"NEAR takes words and (a OR b) groups of words; write -(a NEAR/5 b) to exclude a whole chain")
		}
		n, err := p.primary(field)
		if err != nil {
			return nil, err
		}
		if err := p.nearOperand(nr, n); err != nil {
			return nil, err
		}
	}
	return nr, nil
}

// nearOperand appends operand n to the groups of nr, or reports why it
// cannot be one.
func (p *parser) nearOperand(nr *Near, n Node) error {
	var g []Term
	var add func(n Node) error
	add = func(n Node) error {
		switch n := n.(type) {
		case *Term:
			switch {
			case n.Wildcard:
				return p.errAt(n.At, "wildcard "+quote(n.String())+" inside NEAR", nearHint)
			case n.Fuzzy > 0:
				return p.errAt(n.At, "fuzzy word "+quote(n.String())+" inside NEAR", nearHint)
			}
			if len(nr.Groups) == 0 && len(g) == 0 {
				nr.Field = n.Field
			} else if n.Field != nr.Field {
				return p.errAt(n.At, "NEAR operands in different fields",
					"a field applies to a whole chain, as title:(a NEAR/5 b)")
			}
			g = append(g, *n)
		case *Phrase:
			return p.errAt(n.At, "phrase inside NEAR", nearHint)
		case *Near:
			return p.errAt(n.At, "NEAR inside NEAR", "write one chain, as a NEAR/5 b NEAR/5 c")
		case *Bool:
			if len(n.Must) > 0 || len(n.MustNot) > 0 {
				return p.errAt(n.At, "AND or NOT inside a NEAR operand", nearHint)
			}
			for _, c := range n.Should {
				if err := add(c); err != nil {
					return err
				}
			}
		default:
			return p.errAt(n.Pos(), "unexpected "+quote(n.String())+" inside NEAR", nearHint)
		}
		return nil
	}
	if err := add(n); err != nil {
		return err
	}
	nr.Groups = append(nr.Groups, g)
	return nil
}

// wantOperand checks that the current token can start a clause after the
// operator op.
func (p *parser) wantOperand(op token) error {
	switch p.tok.kind {
	case tEOF:
		return p.errAt(op.pos, "nothing after "+op.name(), "want a term, phrase or group after it")
	case tRParen, tAnd, tOr, tNear:
		return p.errAt(p.tok.pos, "unexpected "+p.tok.name()+" after "+op.name(), "want a term, phrase or group")
	}
	return nil
}

// primary parses
//
//	primary = word | phrase | [ field ":" ] "(" group ")"
func (p *parser) primary(field string) (Node, error) {
	t := p.tok
	if t.field != "" && field != "" && t.field != field {
		return nil, p.errAt(t.pos, "field "+t.field+" inside "+field+":(...)",
			"a field group applies its field to every clause in it")
	}
	if t.field != "" {
		field = t.field
	}
	switch t.kind {
	case tWord, tPhrase:
		p.clauses++
		if p.clauses > MaxClauses {
			return nil, p.errAt(t.pos, "too many clauses", "the limit is "+strconv.Itoa(MaxClauses)+" terms and phrases")
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if t.kind == tPhrase {
			return &Phrase{Field: field, Text: t.text, Slop: t.slop, At: t.pos}, nil
		}
		return &Term{Field: field, Text: t.text, Wildcard: t.wildcard, Fuzzy: t.fuzzy, At: t.pos}, nil
	case tLParen:
		if p.depth == MaxDepth {
			return nil, p.errAt(t.pos, "nesting too deep", "the limit is "+strconv.Itoa(MaxDepth)+" levels")
		}
		p.depth++
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind == tRParen {
			return nil, p.errAt(t.pos, `empty group "()"`, "")
		}
		n, err := p.group(field)
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errAt(t.pos, `unclosed "("`, `want ")"`)
		}
		p.depth--
		return n, p.advance()
	}
	// Callers check for these; kept for safety.
	return nil, p.errAt(t.pos, "unexpected "+t.name(), "want a term, phrase or group")
}

// add appends c to b, splicing in the clauses of a nested Bool where the
// set of matching articles stays the same:
//
//	should (a b)       → should a, b       (a OR (b OR c))
//	must   (+a +b -c)  → must a, b; not c  ((a AND b) AND c)
//	not    (a b)       → not a, b          (NOT (a OR b))
//
// Should clauses of a must group, or a group with only MustNot clauses,
// stay nested: lifting them would change what is required.
func (b *Bool) add(c clause) {
	nb, _ := c.n.(*Bool)
	onlyShould := nb != nil && len(nb.Must) == 0 && len(nb.MustNot) == 0
	switch c.occ {
	case should:
		if onlyShould {
			b.Should = append(b.Should, nb.Should...)
			return
		}
		b.Should = append(b.Should, c.n)
	case must:
		if nb != nil && len(nb.Must) > 0 && len(nb.Should) == 0 {
			b.Must = append(b.Must, nb.Must...)
			b.MustNot = append(b.MustNot, nb.MustNot...)
			return
		}
		b.Must = append(b.Must, c.n)
	case mustNot:
		if onlyShould {
			b.MustNot = append(b.MustNot, nb.Should...)
			return
		}
		b.MustNot = append(b.MustNot, c.n)
	}
}

// checkDepth bounds the nesting of Bool nodes, which AND chains inside
// sequences can make deeper than the parentheses, so that String's
// output (one pair of parentheses per Bool) parses again.
func checkDepth(p *parser, n Node, d int) error {
	if nr, ok := n.(*Near); ok {
		// String writes a field and an OR group in parentheses too.
		levels := 0
		if nr.Field != "" {
			levels++
		}
		for _, g := range nr.Groups {
			if len(g) > 1 {
				levels++
				break
			}
		}
		if d+levels > MaxDepth {
			return p.errAt(nr.At, "nesting too deep", "the limit is "+strconv.Itoa(MaxDepth)+" levels")
		}
		return nil
	}
	b, ok := n.(*Bool)
	if !ok {
		return nil
	}
	if d == MaxDepth {
		return p.errAt(b.At, "nesting too deep", "the limit is "+strconv.Itoa(MaxDepth)+" levels")
	}
	for i, cs := range [][]Node{b.Must, b.Should, b.MustNot} {
		for _, c := range cs {
			cd := d + 1
			if nr, ok := c.(*Near); ok && i != 1 && nr.Field == "" {
				cd++ // +(a NEAR b), -(a NEAR b)
			}
			if err := checkDepth(p, c, cd); err != nil {
				return err
			}
		}
	}
	return nil
}
