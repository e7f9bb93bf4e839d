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
		{OpOr, "putin OR NOT trump", &Bool{Should: []Node{term("putin", 0)}, MustNot: []Node{term("trump", 13)}}},
		{OpOr, "x NOT a AND NOT b", &Bool{Should: []Node{
			term("x", 0),
			&Bool{MustNot: []Node{term("a", 6), term("b", 16)}, At: 6},
		}}},
		{OpOr, "a OR -b", &Bool{Should: []Node{term("a", 0)}, MustNot: []Node{term("b", 6)}}},
		{OpAnd, "a NEAR/5 b", &Near{Groups: [][]Term{{*term("a", 0)}, {*term("b", 9)}}, Dist: 5}},
		{OpAnd, "a NEAR b", &Near{Groups: [][]Term{{*term("a", 0)}, {*term("b", 7)}}, Dist: 10}},
		{OpAnd, "a NEAR/0 b", &Near{Groups: [][]Term{{*term("a", 0)}, {*term("b", 9)}}, Dist: 0}},
		{OpAnd, "a near b", &Bool{Must: []Node{term("a", 0), term("near", 2), term("b", 7)}}},
		{OpAnd, "x a NEAR/5 b", &Bool{Must: []Node{
			term("x", 0),
			&Near{Groups: [][]Term{{*term("a", 2)}, {*term("b", 11)}}, Dist: 5, At: 2},
		}}},
		{OpOr, "x a NEAR/5 b", &Bool{Should: []Node{
			term("x", 0),
			&Near{Groups: [][]Term{{*term("a", 2)}, {*term("b", 11)}}, Dist: 5, At: 2},
		}}},
		{OpAnd, "a NEAR/3 b NEAR/3 c", &Near{Groups: [][]Term{{*term("a", 0)}, {*term("b", 9)}, {*term("c", 18)}}, Dist: 3}},
		{OpAnd, "(sanctions OR embargo) NEAR/5 oil", &Near{Groups: [][]Term{
			{*term("sanctions", 1), *term("embargo", 14)},
			{*term("oil", 30)},
		}, Dist: 5}},
		{OpAnd, "title:(a NEAR/3 b)", &Near{Field: "title", Groups: [][]Term{
			{{Field: "title", Text: "a", At: 7}},
			{{Field: "title", Text: "b", At: 16}},
		}, Dist: 3, At: 7}},
		{OpAnd, "title:a NEAR/3 title:b", &Near{Field: "title", Groups: [][]Term{
			{{Field: "title", Text: "a"}},
			{{Field: "title", Text: "b", At: 15}},
		}, Dist: 3}},
		{OpAnd, "(Putin OR Kremlin) AND (sanctions NEAR/5 oil)", &Bool{Must: []Node{
			&Bool{Should: []Node{term("Putin", 1), term("Kremlin", 10)}, At: 1},
			&Near{Groups: [][]Term{{*term("sanctions", 24)}, {*term("oil", 41)}}, Dist: 5, At: 24},
		}}},
		{OpAnd, "-a NEAR b", &Bool{MustNot: []Node{&Near{Groups: [][]Term{{*term("a", 1)}, {*term("b", 8)}}, Dist: 10, At: 1}}}},
		{OpOr, "(a b) NEAR c", &Near{Groups: [][]Term{{*term("a", 1), *term("b", 3)}, {*term("c", 11)}}, Dist: 10}},
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
// which has only levels pairs of parentheses. The innermost group is
// inner[0] if given; it must be a group of the OR kind.
func nest(op Op, levels int, inner ...string) string {
	q, wrap := "a b", "x y AND ("
	if op == OpAnd {
		q, wrap = "a OR b", "x OR y ("
	}
	if len(inner) > 0 {
		q = inner[0]
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
		{"near mixed distance", "a NEAR/3 b NEAR/4 c", 11, 0, `query: NEAR/4 after NEAR/3 in one chain at position 11, a NEAR chain has one distance; join chains of different distances with AND, as (a NEAR/3 b) AND (b NEAR/10 c)`, nil},
		{"near mixed default", "a NEAR/3 b NEAR c", 11, 0, `query: NEAR after NEAR/3 in one chain at position 11, a NEAR chain has one distance; join chains of different distances with AND, as (a NEAR/3 b) AND (b NEAR/10 c)`, nil},
		{"near phrase", `"a b" NEAR c`, 0, 0, `query: phrase inside NEAR at position 0, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near phrase in group", `a NEAR (b OR "c d")`, 13, 0, `query: phrase inside NEAR at position 13, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near wildcard", "a NEAR/5 oil*", 9, 0, `query: wildcard "oil*" inside NEAR at position 9, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near fuzzy", "putn~1 NEAR b", 0, 0, `query: fuzzy word "putn~1" inside NEAR at position 0, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near minus", "a NEAR -b", 7, 0, `query: "-" inside NEAR at position 7, NEAR takes words and (a OR b) groups of words; write -(a NEAR/5 b) to exclude a whole chain`, nil},
		{"near NOT", "a NEAR NOT b", 7, 0, `query: NOT inside NEAR at position 7, NEAR takes words and (a OR b) groups of words; write -(a NEAR/5 b) to exclude a whole chain`, nil},
		{"near AND group", "(a AND b) NEAR c", 1, 0, `query: AND or NOT inside a NEAR operand at position 1, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near NOT group", "a NEAR (b -d)", 8, 0, `query: AND or NOT inside a NEAR operand at position 8, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, nil},
		{"near nested", "(a NEAR b) NEAR c", 1, 0, `query: NEAR inside NEAR at position 1, write one chain, as a NEAR/5 b NEAR/5 c`, nil},
		{"near fields", "title:a NEAR/3 body:b", 15, 0, `query: NEAR operands in different fields at position 15, a field applies to a whole chain, as title:(a NEAR/5 b)`, nil},
		{"near field and default", "title:a NEAR/3 b", 15, 0, `query: NEAR operands in different fields at position 15, a field applies to a whole chain, as title:(a NEAR/5 b)`, nil},
		{"near first", "NEAR b", 0, 0, `query: unexpected NEAR at position 0, want a term, phrase or group before it`, nil},
		{"near in group first", "a (NEAR/2 b)", 3, 0, `query: unexpected NEAR/2 at position 3, want a term, phrase or group before it`, nil},
		{"near last", "a NEAR/5", 2, 0, `query: nothing after NEAR/5 at position 2, want a term, phrase or group after it`, nil},
		{"near close", "(a NEAR)", 7, 0, `query: unexpected ")" after NEAR at position 7, want a term, phrase or group`, nil},
		{"near AND", "a NEAR AND b", 7, 0, `query: unexpected AND after NEAR at position 7, want a term, phrase or group`, nil},
		{"AND near", "a AND NEAR b", 6, 0, `query: unexpected NEAR after AND at position 6, want a term, phrase or group`, nil},
		{"near NEAR", "a NEAR NEAR b", 7, 0, `query: unexpected NEAR after NEAR at position 7, want a term, phrase or group`, nil},
		{"near bad distance", "a NEAR/x b", 2, 0, `query: bad NEAR distance "NEAR/x" at position 2, want NEAR/N with N in 0..100, or NEAR for NEAR/10`, nil},
		{"near no distance", "a NEAR/ b", 2, 0, `query: bad NEAR distance "NEAR/" at position 2, want NEAR/N with N in 0..100, or NEAR for NEAR/10`, nil},
		{"near negative", "a NEAR/-1 b", 2, 0, `query: bad NEAR distance "NEAR/-1" at position 2, want NEAR/N with N in 0..100, or NEAR for NEAR/10`, nil},
		{"near too far", "a NEAR/101 b", 2, 0, `query: NEAR distance "NEAR/101" out of range at position 2, want NEAR/N with N in 0..100, or NEAR for NEAR/10`, nil},
		{"near huge", "a NEAR/99999999999999999999 b", 2, 0, `query: NEAR distance "NEAR/99999999999999999999" out of range at position 2, want NEAR/N with N in 0..100, or NEAR for NEAR/10`, nil},
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
		{name: "near AND juxtaposed", in: "(a b) NEAR c", pos: 1, want: `query: AND or NOT inside a NEAR operand at position 1, NEAR takes words and (a OR b) groups of words; use "a b"~N for a phrase within N words`, op: ptr(OpAnd)},
		{name: "too deep near", in: nest(OpAnd, 15, "a OR title:((b OR c) NEAR d)"), pos: 132, want: `query: nesting too deep at position 132, the limit is 32 levels`, op: ptr(OpAnd)},
		{name: "too deep near prefix", in: nest(OpAnd, 15, "a OR b -c NEAR e"), pos: 128, want: `query: nesting too deep at position 128, the limit is 32 levels`, op: ptr(OpAnd)},
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
			"length":     strings.Repeat("a", MaxLength),
			"clauses":    strings.Repeat("a ", MaxClauses),
			"parens":     strings.Repeat("(", MaxDepth) + "a b" + strings.Repeat(")", MaxDepth),
			"tree":       nest(op, 15),
			"near":       nest(op, 15, "a OR (b OR c) NEAR d"),
			"field near": nest(op, 15, "a OR title:(b NEAR d)"),
		} {
			if _, err := ParseOp(q, op); err != nil {
				t.Errorf("%s: ParseOp(%v): %v", name, op, err)
				continue
			}
			checkParse(t, q, op) // and String's output too
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
		{"x -(y NEAR z) (a OR b) NEAR/2 c", []string{"x", "a", "b", "c"}, []string{"x", "a", "b", "c"}},
		{"title:(a NEAR b)", []string{"title:a", "title:b"}, []string{"title:a", "title:b"}},
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

// sameTree reports whether a and b are the same tree but for byte
// offsets, which String does not keep. (cmp.Diff with options to ignore
// At compares slices pairwise and takes exponential time on deep trees.)
func sameTree(a, b Node) bool {
	switch a := a.(type) {
	case *Term:
		b, ok := b.(*Term)
		return ok && sameTerm(*a, *b)
	case *Phrase:
		b, ok := b.(*Phrase)
		return ok && a.Field == b.Field && a.Text == b.Text && a.Slop == b.Slop
	case *MatchAll:
		_, ok := b.(*MatchAll)
		return ok
	case *Near:
		b, ok := b.(*Near)
		if !ok || a.Field != b.Field || a.Dist != b.Dist || len(a.Groups) != len(b.Groups) {
			return false
		}
		for i, g := range a.Groups {
			if len(g) != len(b.Groups[i]) {
				return false
			}
			for j, t := range g {
				if !sameTerm(t, b.Groups[i][j]) {
					return false
				}
			}
		}
		return true
	case *Bool:
		b, ok := b.(*Bool)
		return ok && sameNodes(a.Must, b.Must) && sameNodes(a.Should, b.Should) && sameNodes(a.MustNot, b.MustNot)
	}
	return false
}

func sameTerm(a, b Term) bool {
	a.At, b.At = 0, 0
	return a == b
}

func sameNodes(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameTree(a[i], b[i]) {
			return false
		}
	}
	return true
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
		if !sameTree(n, n2) {
			t.Fatalf("ParseOp(%q, %v) = %s, which parses with %v to a different tree %s", s, op, s1, op2, n2)
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
	case *Near:
		if len(n.Groups) < 2 || n.Dist < 0 || n.Dist > MaxSlop {
			t.Fatalf("Parse(%q): bad NEAR %s", s, n)
		}
		for _, g := range n.Groups {
			if len(g) == 0 {
				t.Fatalf("Parse(%q): empty NEAR operand in %s", s, n)
			}
			for _, term := range g {
				if term.Text == "" || term.Wildcard || term.Fuzzy != 0 || term.Field != n.Field {
					t.Fatalf("Parse(%q): bad NEAR term %+v in %s", s, term, n)
				}
			}
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

// TestSameTree checks the fuzz target's comparison, so that it cannot
// pass by finding every pair of trees the same.
func TestSameTree(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a b", "  a  b", true},
		{"a b", "a OR b", false},
		{"title:a", "a", false},
		{"a~1", "a", false},
		{`"a b"~2`, `"a b"`, false},
		{"a NEAR/5 b", "a  NEAR/5  b", true},
		{"a NEAR/5 b", "a NEAR/6 b", false},
		{"a NEAR b", "(a OR c) NEAR b", false},
		{"a NEAR b", "a NEAR b NEAR c", false},
		{"a -b", "a -c", false},
		{"*", "", true},
	}
	for _, tc := range tests {
		a, errA := Parse(tc.a)
		b, errB := Parse(tc.b)
		if errA != nil || errB != nil {
			t.Fatalf("Parse: %v, %v", errA, errB)
		}
		if got := sameTree(a, b); got != tc.want {
			t.Errorf("sameTree(%s, %s) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
