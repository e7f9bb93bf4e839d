package query

import (
	"strconv"
	"strings"
	"unicode"
)

// Node is a parsed query: *Term, *Phrase, *Near, *Bool or *MatchAll.
type Node interface {
	// Pos returns the byte offset in the input where the node starts.
	Pos() int
	// String returns the canonical form of the node, which ParseOp
	// reads back to the same tree with the operator that produced it,
	// and with either operator for a tree from OpAnd (see the package
	// doc, "Canonical form").
	String() string
}

// Term is one word, possibly with wildcards or a fuzzy edit distance.
type Term struct {
	// Field is one of Fields(), or "" for the default fields.
	Field string
	// Text is the word as typed, escapes resolved; it is never empty.
	Text string
	// Wildcard is set when Text holds the patterns * (any run) or ?
	// (one character); they are never its first character. A Wildcard
	// term holds no literal * or ?.
	Wildcard bool
	// Fuzzy is the edit distance allowed by word~N: 0 (exact), 1 or 2.
	// It is 0 when Wildcard is set.
	Fuzzy int
	// At is the byte offset of the term (of its field name, if any).
	At int
}

// Phrase is a quoted run of words that must occur in order, or within
// Slop positions of each other.
type Phrase struct {
	// Field is one of Fields(), or "" for the default fields.
	Field string
	// Text is the text between the quotes, escapes resolved; it is never
	// blank. * and ? are plain characters in a phrase.
	Text string
	// Slop is N of "a b"~N, 0..MaxSlop; 0 means the exact phrase.
	Slop int
	// At is the byte offset of the phrase (of its field name, if any).
	At int
}

// Near is a proximity query, a NEAR/5 b: an article matches when one
// word of each operand (group) occurs within Dist words of the others, in
// any order, the way "a b"~Dist does for the words of a phrase.
type Near struct {
	// Field is one of Fields(), or "" for the default fields; every term
	// of Groups has this field.
	Field string
	// Groups holds the operands in query order, at least two. Each is
	// one word or the alternatives of an OR group such as (sanctions OR
	// embargo). The terms are plain words: Wildcard is false and Fuzzy
	// is 0.
	Groups [][]Term
	// Dist is N of NEAR/N, 0..MaxSlop; NEAR alone is DefaultNear.
	Dist int
	// At is the byte offset of the first operand (of its "(" or field
	// name, if any); in the form field:(a NEAR b), of the operand inside
	// the parentheses, as for a Term in field:(a).
	At int
}

// Bool combines clauses the way Lucene's boolean query does: a hit
// satisfies every Must clause and no MustNot clause, and when Must is
// empty, at least one Should clause. When Must is not empty, Should
// clauses only rank hits. A Bool with only MustNot clauses matches every
// article except those.
type Bool struct {
	Must, Should, MustNot []Node
	// At is the byte offset of the first token of the group.
	At int
}

// MatchAll matches every article; it is what an empty query, or a lone
// "*", parses to.
type MatchAll struct {
	At int
}

// Pos implements Node.
func (t *Term) Pos() int { return t.At }

// Pos implements Node.
func (p *Phrase) Pos() int { return p.At }

// Pos implements Node.
func (n *Near) Pos() int { return n.At }

// Pos implements Node.
func (b *Bool) Pos() int { return b.At }

// Pos implements Node.
func (m *MatchAll) Pos() int { return m.At }

// String returns the term as field:text~N, escaping what Parse would
// otherwise read as syntax.
func (t *Term) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

// String returns the phrase as field:"text"~N.
func (p *Phrase) String() string {
	var b strings.Builder
	p.write(&b)
	return b.String()
}

// String returns the chain as a NEAR/N b NEAR/N (c OR d), with the
// distance always written, and with a field as field:(a NEAR/N b). It
// means the same under either default operator.
func (n *Near) String() string {
	var b strings.Builder
	n.write(&b)
	return b.String()
}

// String returns the group as (+must s1 OR s2 -mustnot), Must clauses
// first, then Should, then MustNot, each in query order. Should clauses
// are joined by OR so that the text means the same with either default
// operator: under OpAnd "(s1 s2)" would require both. The trees that
// OpAnd produces (Should only, or Must and MustNot only) therefore parse
// back to the same tree with OpAnd and with OpOr. A Bool that mixes
// Should with Must or MustNot clauses comes only from OpOr and parses
// back with OpOr only: OpAnd has no syntax for optional clauses.
func (b *Bool) String() string {
	var sb strings.Builder
	b.write(&sb)
	return sb.String()
}

// String returns "*".
func (m *MatchAll) String() string { return "*" }

func write(b *strings.Builder, n Node) {
	switch n := n.(type) {
	case *Term:
		n.write(b)
	case *Phrase:
		n.write(b)
	case *Bool:
		n.write(b)
	case *Near:
		n.write(b)
	default:
		b.WriteString(n.String())
	}
}

func (t *Term) write(b *strings.Builder) {
	if t.Field != "" {
		b.WriteString(t.Field)
		b.WriteByte(':')
	}
	writeWord(b, t.Text, t.Wildcard)
	if t.Fuzzy > 0 {
		b.WriteByte('~')
		b.WriteString(strconv.Itoa(t.Fuzzy))
	}
}

func (p *Phrase) write(b *strings.Builder) {
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteByte(':')
	}
	b.WriteByte('"')
	for _, r := range p.Text {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	if p.Slop > 0 {
		b.WriteByte('~')
		b.WriteString(strconv.Itoa(p.Slop))
	}
}

func (n *Near) write(b *strings.Builder) {
	if n.Field != "" {
		b.WriteString(n.Field)
		b.WriteString(":(")
	}
	for i, g := range n.Groups {
		if i > 0 {
			b.WriteString(" NEAR/")
			b.WriteString(strconv.Itoa(n.Dist))
			b.WriteByte(' ')
		}
		if len(g) > 1 {
			b.WriteByte('(')
		}
		for j, t := range g {
			if j > 0 {
				b.WriteString(" OR ")
			}
			writeWord(b, t.Text, false)
		}
		if len(g) > 1 {
			b.WriteByte(')')
		}
	}
	if n.Field != "" {
		b.WriteByte(')')
	}
}

func (bq *Bool) write(b *strings.Builder) {
	b.WriteByte('(')
	sep := false
	clauses := func(prefix string, ns []Node) {
		for _, n := range ns {
			if sep {
				b.WriteByte(' ')
			}
			sep = true
			b.WriteString(prefix)
			// The prefix applies to the whole chain either way;
			// the parentheses only show it. field:( shows it too.
			if nr, ok := n.(*Near); ok && nr.Field == "" {
				b.WriteByte('(')
				write(b, n)
				b.WriteByte(')')
				continue
			}
			write(b, n)
		}
	}
	clauses("+", bq.Must)
	for i, n := range bq.Should {
		if i > 0 {
			b.WriteString(" OR ")
		} else if sep {
			b.WriteByte(' ')
		}
		sep = true
		write(b, n)
	}
	clauses("-", bq.MustNot)
	b.WriteByte(')')
}

// writeWord writes text so that the lexer reads it back as one word with
// the same text and wildcard flag: it escapes separators, quotes,
// parentheses, "~", literal * and ?, a leading operator character, a
// colon that would make a field prefix (known or not), and words that
// are operators (AND, NEAR, NEAR/5, and NEAR/x, which is an error).
func writeWord(b *strings.Builder, text string, wildcard bool) {
	switch text {
	case "AND", "OR", "NOT", "&&", "||":
		b.WriteByte('\\')
		b.WriteString(text)
		return
	}
	if text == "NEAR" || strings.HasPrefix(text, "NEAR/") {
		b.WriteByte('\\')
	}
	// The colon needs escaping wherever the lexer would read a field,
	// known or unknown (see lexer.next): a known name, or letters
	// followed by a value that does not start with "/".
	colon := -1
	if n := fieldPrefixLen(text); n > 0 && (isField(strings.ToLower(text[:n])) ||
		allLetters(text[:n]) && n+1 < len(text) && text[n+1] != '/') {
		colon = n
	}
	for i, r := range text {
		esc := false
		switch r {
		case '(', ')', '"', '\\', '~':
			esc = true
		case '*', '?':
			esc = !wildcard
		case '-', '+', '!':
			esc = i == 0
		case ':':
			esc = i == colon
		default:
			esc = unicode.IsSpace(r)
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// Terms returns the terms and phrases of n that a hit may contain: those
// not under a MustNot clause, Must clauses before Should clauses, each in
// query order, duplicates kept. The words of a Near come in query order,
// every alternative of a group included. It serves highlighting.
// A phrase comes back as a Term holding the phrase text (Wildcard and
// Fuzzy unset); callers that need the slop walk the tree themselves.
// Terms returns nil for MatchAll and for queries with only negative
// clauses.
func Terms(n Node) []Term {
	var out []Term
	collect(n, &out)
	return out
}

func collect(n Node, out *[]Term) {
	switch n := n.(type) {
	case *Term:
		*out = append(*out, *n)
	case *Phrase:
		*out = append(*out, Term{Field: n.Field, Text: n.Text, At: n.At})
	case *Near:
		for _, g := range n.Groups {
			*out = append(*out, g...)
		}
	case *Bool:
		for _, c := range n.Must {
			collect(c, out)
		}
		for _, c := range n.Should {
			collect(c, out)
		}
	}
}
