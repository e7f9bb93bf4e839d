package query

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenInputs reads testdata/parse.txt: one query per line, verbatim.
func goldenInputs(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "parse.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	var qs []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		qs = append(qs, line)
	}
	return qs
}

// ops are the default operators every test runs with.
var ops = []Op{OpAnd, OpOr}

// TestParseGolden parses every query of testdata/parse.txt with each
// default operator and compares String() (or the error) with
// testdata/parse.golden, which holds each query followed by one
// tab-indented line per operator.
func TestParseGolden(t *testing.T) {
	var b strings.Builder
	for _, q := range goldenInputs(t) {
		fmt.Fprintf(&b, "%s\n", q)
		for _, op := range ops {
			n, err := ParseOp(q, op)
			if err != nil {
				fmt.Fprintf(&b, "\t%-5s%v\n", op.String()+":", err)
				continue
			}
			fmt.Fprintf(&b, "\t%-5s%s\n", op.String()+":", n)
		}
	}
	path := filepath.Join("testdata", "parse.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("String() of testdata/parse.txt mismatch (-want +got):\n%s", diff)
	}
}

// TestParseAST pins the contract's examples as trees, not only strings.
func TestParseAST(t *testing.T) {
	term := func(text string, at int) *Term { return &Term{Text: text, At: at} }
	tests := []struct {
		op   Op
		in   string
		want Node
	}{
		{OpAnd, "", &MatchAll{}},
		{OpAnd, " \t\n\u3000", &MatchAll{}},
		{OpAnd, "  *  ", &MatchAll{At: 2}},
		{OpAnd, "  putin  ", term("putin", 2)},
		{OpAnd, "putin xi", &Bool{Must: []Node{term("putin", 0), term("xi", 6)}}},
		{OpAnd, "putin AND xi", &Bool{Must: []Node{term("putin", 0), term("xi", 10)}}},
		{OpAnd, "putin OR xi", &Bool{Should: []Node{term("putin", 0), term("xi", 9)}}},
		{OpAnd, "putin -trump", &Bool{Must: []Node{term("putin", 0)}, MustNot: []Node{term("trump", 7)}}},
		{OpAnd, "putin NOT trump", &Bool{Must: []Node{term("putin", 0)}, MustNot: []Node{term("trump", 10)}}},
		{OpAnd, "+a b", &Bool{Must: []Node{term("a", 1), term("b", 3)}}},
		{OpAnd, "+putin", term("putin", 1)},
		{OpAnd, "-trump", &Bool{MustNot: []Node{term("trump", 1)}}},
		{OpAnd, "a b OR c", &Bool{Should: []Node{
			&Bool{Must: []Node{term("a", 0), term("b", 2)}},
			term("c", 7),
		}}},
		{OpAnd, "a OR b c", &Bool{Should: []Node{
			term("a", 0),
			&Bool{Must: []Node{term("b", 5), term("c", 7)}, At: 5},
		}}},
		{OpAnd, "a b AND c", &Bool{Must: []Node{term("a", 0), term("b", 2), term("c", 8)}}},
		{OpAnd, "a OR b AND c OR d", &Bool{Should: []Node{
			term("a", 0),
			&Bool{Must: []Node{term("b", 5), term("c", 11)}, At: 5},
			term("d", 16),
		}}},
		{OpAnd, "a OR -b", &Bool{Should: []Node{
			term("a", 0),
			&Bool{MustNot: []Node{term("b", 6)}, At: 5},
		}}},
		{OpAnd, "(a OR b) -c", &Bool{
			Must:    []Node{&Bool{Should: []Node{term("a", 1), term("b", 6)}, At: 1}},
			MustNot: []Node{term("c", 10)},
		}},
		{OpAnd, "-(a OR b) c", &Bool{Must: []Node{term("c", 10)}, MustNot: []Node{term("a", 2), term("b", 7)}}},
		{OpAnd, "(a b) (c -d)", &Bool{Must: []Node{term("a", 1), term("b", 3), term("c", 7)}, MustNot: []Node{term("d", 10)}}},
		{OpAnd, "a (-b)", &Bool{Must: []Node{term("a", 0), &Bool{MustNot: []Node{term("b", 4)}, At: 3}}}},
		{OpAnd, "person:(putin xi)", &Bool{At: 8, Must: []Node{
			&Term{Field: "person", Text: "putin", At: 8}, &Term{Field: "person", Text: "xi", At: 14}}}},
		{OpOr, "putin xi", &Bool{Should: []Node{term("putin", 0), term("xi", 6)}}},
		{OpOr, "putin -trump", &Bool{Should: []Node{term("putin", 0)}, MustNot: []Node{term("trump", 7)}}},
		{OpOr, "+a b", &Bool{Must: []Node{term("a", 1)}, Should: []Node{term("b", 3)}}},
		{OpOr, "xi AND pipeline", &Bool{Must: []Node{term("xi", 0), term("pipeline", 7)}}},
		{OpOr, "a b AND c", &Bool{Should: []Node{
			term("a", 0),
			&Bool{Must: []Node{term("b", 2), term("c", 8)}, At: 2},
		}}},
		{OpOr, "(a OR b) AND NOT c", &Bool{At: 1,
			Must:    []Node{&Bool{Should: []Node{term("a", 1), term("b", 6)}, At: 1}},
			MustNot: []Node{term("c", 17)},
		}},
		{OpOr, "-trump", &Bool{MustNot: []Node{term("trump", 1)}}},
		{OpOr, "a OR -b", &Bool{Should: []Node{term("a", 0)}, MustNot: []Node{term("b", 6)}}},
		{OpAnd, `title:"x y"~2`, &Phrase{Field: "title", Text: "x y", Slop: 2}},
		{OpAnd, "wor*", &Term{Text: "wor*", Wildcard: true}},
		{OpAnd, "Putin-Xi", term("Putin-Xi", 0)},
		{OpAnd, "xi~", &Term{Text: "xi", Fuzzy: 1}},
		{OpAnd, "person:(putin)", &Term{Field: "person", Text: "putin", At: 8}},
		{OpAnd, "author:haberman", &Term{Field: "author", Text: "haberman"}},
		{OpAnd, "10:30", term("10:30", 0)},
		{OpAnd, "http://x", term("http://x", 0)},
		{OpAnd, "re:", term("re:", 0)},
		{OpAnd, `foo\:bar`, term("foo:bar", 0)},
		{OpAnd, "a1:b", term("a1:b", 0)},
	}
	for _, tc := range tests {
		t.Run(tc.op.String()+"/"+tc.in, func(t *testing.T) {
			got, err := ParseOp(tc.in, tc.op)
			if err != nil {
				t.Fatalf("ParseOp(%q, %v): %v", tc.in, tc.op, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseOp(%q, %v) mismatch (-want +got):\n%s", tc.in, tc.op, diff)
			}
		})
	}
}

// TestParseDefault checks that Parse is ParseOp with OpAnd.
func TestParseDefault(t *testing.T) {
	for _, q := range goldenInputs(t) {
		a, errA := Parse(q)
		b, errB := ParseOp(q, OpAnd)
		if diff := cmp.Diff(fmt.Sprint(b, errB), fmt.Sprint(a, errA)); diff != "" {
			t.Errorf("Parse(%q) differs from ParseOp(%[1]q, OpAnd) (-want +got):\n%s", q, diff)
		}
	}
	if _, err := ParseOp("a", Op(7)); err == nil || err.Error() != "query: unknown default operator Op(7)" {
		t.Errorf("ParseOp with Op(7): error %v, want unknown default operator", err)
	}
}

// nest returns a query whose Bool tree under op is 2*levels+1 deep but
// which has only levels pairs of parentheses.
func nest(op Op, levels int) string {
	q, wrap := "a b", "x y AND ("
	if op == OpAnd {
		q, wrap = "a OR b", "x OR y ("
	}
	for range levels {
		q = wrap + q + ")"
	}
	return q
}

// errorCase is a query that fails to parse with error want at pos.
type errorCase struct {
	name string
	in   string
	pos  int
	col  int // 0: same as pos+1
	want string
	op   *Op // nil: the same error with every op
}

func TestParseErrors(t *testing.T) {
	tests := []errorCase{
		{"stray close", "putin OR xi ) a", 12, 0, `query: unexpected ")" at position 12`, nil},
		{"stray close first", ")(", 0, 0, `query: unexpected ")" at position 0`, nil},
		{"extra close", "(a OR b))", 8, 0, `query: unexpected ")" at position 8`, nil},
		{"unclosed", "(a OR b", 0, 0, `query: unclosed "(" at position 0, want ")"`, nil},
		{"unclosed inner", "a (b (c)", 2, 0, `query: unclosed "(" at position 2, want ")"`, nil},
		{"empty group", "a ()", 2, 0, `query: empty group "()" at position 2`, nil},
		{"leading AND", "AND a", 0, 0, `query: unexpected AND at position 0, want a term, phrase or group before it`, nil},
		{"AND AND", "AND AND", 0, 0, `query: unexpected AND at position 0, want a term, phrase or group before it`, nil},
		{"leading OR", "OR a", 0, 0, `query: unexpected OR at position 0, want a term, phrase or group before it`, nil},
		{"group AND", "(AND a)", 1, 0, `query: unexpected AND at position 1, want a term, phrase or group before it`, nil},
		{"dangling AND", "a AND", 2, 0, `query: nothing after AND at position 2, want a term, phrase or group after it`, nil},
		{"dangling OR", "a OR", 2, 0, `query: nothing after OR at position 2, want a term, phrase or group after it`, nil},
		{"dangling ||", "a ||", 2, 0, `query: nothing after "||" at position 2, want a term, phrase or group after it`, nil},
		{"dangling NOT", "a NOT", 2, 0, `query: nothing after NOT at position 2, want a term, phrase or group after it`, nil},
		{"lone NOT", "NOT", 0, 0, `query: nothing after NOT at position 0, want a term, phrase or group after it`, nil},
		{"AND AND between", "a AND AND b", 6, 0, `query: unexpected AND after AND at position 6, want a term, phrase or group`, nil},
		{"AND OR", "a AND OR b", 6, 0, `query: unexpected OR after AND at position 6, want a term, phrase or group`, nil},
		{"OR OR", "a OR OR b", 5, 0, `query: unexpected OR after OR at position 5, want a term, phrase or group`, nil},
		{"AND close", "(a AND)", 6, 0, `query: unexpected ")" after AND at position 6, want a term, phrase or group`, nil},
		{"NOT NOT", "NOT NOT a", 4, 0, `query: unexpected NOT after NOT at position 4, a clause takes one of NOT, - and +`, nil},
		{"double minus", "--a", 1, 0, `query: unexpected "-" after "-" at position 1, a clause takes one of NOT, - and +`, nil},
		{"detached minus", "putin - xi", 6, 0, `query: "-" must be attached to the clause it applies to at position 6, write -word, -"a phrase" or -(a group), or \- for the character`, nil},
		{"dangling plus", "a +", 2, 0, `query: "+" must be attached to the clause it applies to at position 2, write +word, +"a phrase" or +(a group), or \+ for the character`, nil},
		{"minus close", "(a -)", 4, 0, `query: unexpected ")" after "-" at position 4, want a term, phrase or group`, nil},
		{"field no value", "person:", 0, 0, `query: field person has no value at position 0, want person:word, person:"a phrase" or person:(a OR b)`, nil},
		{"field space", "a person: putin", 2, 0, `query: field person has no value at position 2, want person:word, person:"a phrase" or person:(a OR b)`, nil},
		{"field close", "(title:)", 1, 0, `query: field title has no value at position 1, want title:word, title:"a phrase" or title:(a OR b)`, nil},
		{"field minus", "title:-x", 6, 0, `query: "-" cannot start the value of title: at position 6, write -title:word to exclude or require it`, nil},
		{"unknown field phrase", `foo:"x"`, 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader`, nil},
		{"unknown field group", "a foo:(x)", 2, 0, `query: unknown field "foo" at position 2, want one of title, body, author, person, outlet, cited, place, leader`, nil},
		{"unknown field word", "foo:bar", 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write foo\:bar to search the word`, nil},
		{"unknown field capital", "a Note:meeting", 2, 0, `query: unknown field "Note" at position 2, want one of title, body, author, person, outlet, cited, place, leader; write Note\:meeting to search the word`, nil},
		{"unknown field escapes", `mailto:a\ b c`, 0, 0, `query: unknown field "mailto" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write mailto\:a\ b to search the word`, nil},
		{"unknown field double colon", "foo::bar", 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write foo\::bar to search the word`, nil},
		{"field in field", "title:(a body:b)", 9, 0, `query: field body inside title:(...) at position 9, a field group applies its field to every clause in it`, nil},
		{"unterminated", `putin "gas pipeline`, 6, 0, `query: unterminated phrase at position 6, want a closing "`, nil},
		{"unterminated escape", `"a\"`, 0, 0, `query: unterminated phrase at position 0, want a closing "`, nil},
		{"empty phrase", `a ""`, 2, 0, `query: empty phrase at position 2`, nil},
		{"blank phrase", `"  "`, 0, 0, `query: empty phrase at position 0`, nil},
		{"slop missing", `"a b"~`, 5, 0, `query: bad phrase slop "~" at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"slop word", `"a b"~x`, 5, 0, `query: bad phrase slop "~x" at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"slop trailing", `"a b"~2x`, 5, 0, `query: bad phrase slop "~2x" at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"slop negative", `"a b"~-1`, 5, 0, `query: bad phrase slop "~-1" at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"slop too big", `"a b"~101`, 5, 0, `query: phrase slop "~101" out of range at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"slop huge", `"a b"~99999999999999999999`, 5, 0, `query: phrase slop "~99999999999999999999" out of range at position 5, want "a phrase"~N with N in 0..100`, nil},
		{"fuzzy too big", "putin~3", 5, 0, `query: fuzziness "~3" out of range at position 5, want word~, word~1 or word~2`, nil},
		{"fuzzy word", "a~b", 1, 0, `query: bad fuzziness "~b" at position 1, want word~, word~1 or word~2`, nil},
		{"fuzzy wildcard", "wor*~1", 4, 0, "query: cannot combine a wildcard with fuzzy \"~\" at position 4", nil},
		{"lone tilde", "a ~b", 2, 0, `query: unexpected "~" at position 2, want word~N for a fuzzy word or "a phrase"~N for proximity`, nil},
		{"leading star", "*foo", 0, 0, `query: leading wildcard in "*foo" at position 0, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`, nil},
		{"leading question", "a ?oo", 2, 0, `query: leading wildcard in "?oo" at position 2, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`, nil},
		{"star in query", "a *", 2, 0, `query: leading wildcard in "*" at position 2, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`, nil},
		{"field leading star", "title:*x", 6, 0, `query: leading wildcard in "*x" at position 6, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`, nil},
		{"mixed wildcards", `a\*b*`, 0, 0, `query: cannot mix "\*" or "\?" with wildcards in one word at position 0`, nil},
		{"trailing backslash", `a\`, 1, 0, `query: "\" at end of query at position 1, write \\ for a backslash`, nil},
		{"column after multibyte", "Путин )", 11, 7, `query: unexpected ")" at position 11`, nil},
		{"column after CJK", "普京 )", 7, 4, `query: unexpected ")" at position 7`, nil},
		{"invalid UTF-8", "ab\xffc", 2, 0, `query: invalid UTF-8 at position 2`, nil},
		{"too long", strings.Repeat("a ", 2049), 4096, 0, `query: too long (4098 bytes) at position 4096, the limit is 4096 bytes`, nil},
		{"too deep", strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, 0, `query: nesting too deep at position 32, the limit is 32 levels`, nil},
		{"too deep field", strings.Repeat("(", 32) + "title:(a)" + strings.Repeat(")", 32), 32, 0, `query: nesting too deep at position 32, the limit is 32 levels`, nil},
		{name: "too deep tree", in: nest(OpOr, 16), pos: 144, want: `query: nesting too deep at position 144, the limit is 32 levels`, op: ptr(OpOr)},
		{name: "too deep tree", in: nest(OpAnd, 16), pos: 128, want: `query: nesting too deep at position 128, the limit is 32 levels`, op: ptr(OpAnd)},
		{"too many clauses", strings.Repeat("a ", 256) + `"b c"`, 512, 0, `query: too many clauses at position 512, the limit is 256 terms and phrases`, nil},
	}
	for _, tc := range tests {
		for _, op := range ops {
			if tc.op != nil && *tc.op != op {
				continue
			}
			t.Run(op.String()+"/"+tc.name, func(t *testing.T) {
				n, err := ParseOp(tc.in, op)
				if err == nil {
					t.Fatalf("ParseOp(%q, %v) = %v, want error %q", tc.in, op, n, tc.want)
				}
				var se *SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("ParseOp(%q, %v) error %T, want *SyntaxError", tc.in, op, err)
				}
				if got := err.Error(); got != tc.want {
					t.Errorf("ParseOp(%q, %v) error mismatch (-want +got):\n%s", tc.in, op, cmp.Diff(tc.want, got))
				}
				col := tc.col
				if col == 0 {
					col = tc.pos + 1
				}
				if se.Pos != tc.pos || se.Column != col {
					t.Errorf("ParseOp(%q, %v) error at position %d column %d, want %d, %d", tc.in, op, se.Pos, se.Column, tc.pos, col)
				}
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestLimitsAllow checks that queries right at the limits parse.
func TestLimitsAllow(t *testing.T) {
	for _, op := range ops {
		for name, q := range map[string]string{
			"length":  strings.Repeat("a", MaxLength),
			"clauses": strings.Repeat("a ", MaxClauses),
			"parens":  strings.Repeat("(", MaxDepth) + "a b" + strings.Repeat(")", MaxDepth),
			"tree":    nest(op, 15),
		} {
			if _, err := ParseOp(q, op); err != nil {
				t.Errorf("%s: ParseOp(%v): %v", name, op, err)
			}
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in      string
		wantAnd []string
		wantOr  []string
	}{
		{"", nil, nil},
		{"-trump", nil, nil},
		{`putin -trump +"gas deal"~2 title:(x NOT y)`,
			[]string{"putin", `"gas deal"`, "title:x"},
			[]string{`"gas deal"`, "putin", "title:x"}},
		{"a AND NOT (b OR c) d*", []string{"a", "d*"}, []string{"a", "d*"}},
		{`person:"vladimir putin" NOT (a AND NOT b)`, []string{`person:"vladimir putin"`}, []string{`person:"vladimir putin"`}},
		{"a OR -b", []string{"a"}, []string{"a"}},
	}
	for _, tc := range tests {
		for _, op := range ops {
			t.Run(op.String()+"/"+tc.in, func(t *testing.T) {
				n, err := ParseOp(tc.in, op)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, term := range Terms(n) {
					s := term.String()
					if strings.Contains(term.Text, " ") {
						// A phrase comes back as a Term; show it quoted.
						s = (&Phrase{Field: term.Field, Text: term.Text}).String()
					}
					got = append(got, s)
				}
				want := tc.wantAnd
				if op == OpOr {
					want = tc.wantOr
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Terms(%q) mismatch (-want +got):\n%s", tc.in, diff)
				}
			})
		}
	}
}

func TestFields(t *testing.T) {
	f := Fields()
	f[0] = "changed"
	if Fields()[0] != "title" {
		t.Error("Fields returns the package's own slice")
	}
}

// ignorePos compares trees without their byte offsets, which String
// does not keep.
var ignorePos = cmp.Options{
	cmpopts.IgnoreFields(Term{}, "At"),
	cmpopts.IgnoreFields(Phrase{}, "At"),
	cmpopts.IgnoreFields(Bool{}, "At"),
	cmpopts.IgnoreFields(MatchAll{}, "At"),
}

// FuzzParse checks, with each default operator, that ParseOp never
// panics, that errors point inside the input, and that String's output
// parses back with the same operator to the same tree. String of an
// OpAnd tree must also mean the same under OpOr, since String writes
// should clauses with OR and the others with + and -. The length limit
// is lifted for the second parse: escaping and field groups
// (title:(a b) → (+title:a +title:b)) can make String longer than its
// input.
func FuzzParse(f *testing.F) {
	for _, q := range goldenInputs(f) {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, op := range ops {
			checkParse(t, s, op)
		}
	})
}

func checkParse(t *testing.T, s string, op Op) {
	t.Helper()
	n, err := ParseOp(s, op)
	if err != nil {
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Fatalf("ParseOp(%q, %v) error %T, want *SyntaxError", s, op, err)
		}
		if se.Pos < 0 || se.Pos > len(s) {
			t.Fatalf("ParseOp(%q, %v): position %d outside 0..%d", s, op, se.Pos, len(s))
		}
		if want := utf8.RuneCountInString(s[:se.Pos]) + 1; se.Column != want {
			t.Fatalf("ParseOp(%q, %v): column %d, want %d", s, op, se.Column, want)
		}
		return
	}
	checkTree(t, s, n)
	s1 := n.String()
	again := []Op{op}
	if op == OpAnd {
		again = ops
	}
	for _, op2 := range again {
		n2, err := parse(s1, op2, 1<<30)
		if err != nil {
			t.Fatalf("ParseOp(%q, %v) = %s, which does not parse with %v: %v", s, op, s1, op2, err)
		}
		if diff := cmp.Diff(n, n2, ignorePos); diff != "" {
			t.Fatalf("ParseOp(%q, %v) = %s, which parses with %v to %s (-first +second):\n%s", s, op, s1, op2, n2, diff)
		}
	}
	_ = Terms(n)
}

// checkTree checks invariants of every node of a parsed tree.
func checkTree(t *testing.T, s string, n Node) {
	t.Helper()
	if n.Pos() < 0 || n.Pos() > len(s) {
		t.Fatalf("Parse(%q): node %s at %d, outside the input", s, n, n.Pos())
	}
	switch n := n.(type) {
	case *Term:
		if n.Text == "" {
			t.Fatalf("Parse(%q): empty term", s)
		}
		if n.Wildcard && strings.IndexAny(n.Text, "*?") == 0 {
			t.Fatalf("Parse(%q): leading wildcard in %s", s, n)
		}
		if n.Wildcard != strings.ContainsAny(n.Text, "*?") && n.Wildcard {
			t.Fatalf("Parse(%q): wildcard term %s without a wildcard", s, n)
		}
	case *Phrase:
		if strings.TrimSpace(n.Text) == "" || n.Slop < 0 || n.Slop > MaxSlop {
			t.Fatalf("Parse(%q): bad phrase %s", s, n)
		}
	case *Bool:
		if len(n.Must)+len(n.Should)+len(n.MustNot) == 0 {
			t.Fatalf("Parse(%q): empty Bool", s)
		}
		for _, cs := range [][]Node{n.Must, n.Should, n.MustNot} {
			for _, c := range cs {
				checkTree(t, s, c)
			}
		}
	}
}

func BenchmarkParse(b *testing.B) {
	const q = `person:putin "power of siberia"~2 (gas OR pipeline*) AND xi -trump outlet:"reuters" zelenskiy~1`
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleParse() {
	n, err := Parse(`person:(putin OR xi) "power of siberia" -trump`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(n)
	n, _ = Parse("putin xi OR kremlin")
	fmt.Println(n)
	_, err = Parse("putin AND (xi OR")
	fmt.Println(err)
	// Output:
	// (+(person:putin OR person:xi) +"power of siberia" -trump)
	// ((+putin +xi) OR kremlin)
	// query: nothing after OR at position 14, want a term, phrase or group after it
}

func ExampleParseOp() {
	for _, op := range []Op{OpAnd, OpOr} {
		n, _ := ParseOp("putin xi -trump", op)
		fmt.Println(op, n)
	}
	// Output:
	// AND (+putin +xi -trump)
	// OR (putin OR xi -trump)
}
