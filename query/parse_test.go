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

// TestParseGolden parses every query of testdata/parse.txt and compares
// String() with testdata/parse.golden, which holds each query followed by
// its canonical form on a tab-indented line.
func TestParseGolden(t *testing.T) {
	var b strings.Builder
	for _, q := range goldenInputs(t) {
		n, err := Parse(q)
		if err != nil {
			t.Errorf("Parse(%q): %v", q, err)
			continue
		}
		fmt.Fprintf(&b, "%s\n\t%s\n", q, n)
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
	tests := []struct {
		in   string
		want Node
	}{
		{"", &MatchAll{}},
		{" \t\n\u3000", &MatchAll{}},
		{"  *  ", &MatchAll{At: 2}},
		{"  putin  ", &Term{Text: "putin", At: 2}},
		{"putin -trump", &Bool{Should: []Node{&Term{Text: "putin"}}, MustNot: []Node{&Term{Text: "trump", At: 7}}}},
		{"xi AND pipeline", &Bool{Must: []Node{&Term{Text: "xi"}, &Term{Text: "pipeline", At: 7}}}},
		{"a b AND c", &Bool{Should: []Node{
			&Term{Text: "a"},
			&Bool{Must: []Node{&Term{Text: "b", At: 2}, &Term{Text: "c", At: 8}}, At: 2},
		}}},
		{"(a OR b) AND NOT c", &Bool{At: 1,
			Must:    []Node{&Bool{Should: []Node{&Term{Text: "a", At: 1}, &Term{Text: "b", At: 6}}, At: 1}},
			MustNot: []Node{&Term{Text: "c", At: 17}},
		}},
		{"-trump", &Bool{MustNot: []Node{&Term{Text: "trump", At: 1}}}},
		{`title:"x y"~2`, &Phrase{Field: "title", Text: "x y", Slop: 2}},
		{"wor*", &Term{Text: "wor*", Wildcard: true}},
		{"Putin-Xi", &Term{Text: "Putin-Xi"}},
		{"xi~", &Term{Text: "xi", Fuzzy: 1}},
		{"person:(putin)", &Term{Field: "person", Text: "putin", At: 8}},
		{"author:haberman", &Term{Field: "author", Text: "haberman"}},
		{"10:30", &Term{Text: "10:30"}},
		{"http://x", &Term{Text: "http://x"}},
		{"re:", &Term{Text: "re:"}},
		{"foo\\:bar", &Term{Text: "foo:bar"}},
		{"a1:b", &Term{Text: "a1:b"}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

// nest returns a query whose Bool tree is 2*levels+1 deep but which has
// only levels pairs of parentheses.
func nest(levels int) string {
	q := "a b"
	for range levels {
		q = "x y AND (" + q + ")"
	}
	return q
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		pos  int
		col  int // 0: same as pos+1
		want string
	}{
		{"stray close", "putin OR xi ) a", 12, 0, `query: unexpected ")" at position 12`},
		{"stray close first", ")(", 0, 0, `query: unexpected ")" at position 0`},
		{"extra close", "(a OR b))", 8, 0, `query: unexpected ")" at position 8`},
		{"unclosed", "(a OR b", 0, 0, `query: unclosed "(" at position 0, want ")"`},
		{"unclosed inner", "a (b (c)", 2, 0, `query: unclosed "(" at position 2, want ")"`},
		{"empty group", "a ()", 2, 0, `query: empty group "()" at position 2`},
		{"leading AND", "AND a", 0, 0, `query: unexpected AND at position 0, want a term, phrase or group before it`},
		{"AND AND", "AND AND", 0, 0, `query: unexpected AND at position 0, want a term, phrase or group before it`},
		{"leading OR", "OR a", 0, 0, `query: unexpected OR at position 0, want a term, phrase or group before it`},
		{"group AND", "(AND a)", 1, 0, `query: unexpected AND at position 1, want a term, phrase or group before it`},
		{"dangling AND", "a AND", 2, 0, `query: nothing after AND at position 2, want a term, phrase or group after it`},
		{"dangling OR", "a OR", 2, 0, `query: nothing after OR at position 2, want a term, phrase or group after it`},
		{"dangling ||", "a ||", 2, 0, `query: nothing after "||" at position 2, want a term, phrase or group after it`},
		{"dangling NOT", "a NOT", 2, 0, `query: nothing after NOT at position 2, want a term, phrase or group after it`},
		{"lone NOT", "NOT", 0, 0, `query: nothing after NOT at position 0, want a term, phrase or group after it`},
		{"AND AND between", "a AND AND b", 6, 0, `query: unexpected AND after AND at position 6, want a term, phrase or group`},
		{"AND OR", "a AND OR b", 6, 0, `query: unexpected OR after AND at position 6, want a term, phrase or group`},
		{"OR OR", "a OR OR b", 5, 0, `query: unexpected OR after OR at position 5, want a term, phrase or group`},
		{"AND close", "(a AND)", 6, 0, `query: unexpected ")" after AND at position 6, want a term, phrase or group`},
		{"NOT NOT", "NOT NOT a", 4, 0, `query: unexpected NOT after NOT at position 4, a clause takes one of NOT, - and +`},
		{"double minus", "--a", 1, 0, `query: unexpected "-" after "-" at position 1, a clause takes one of NOT, - and +`},
		{"detached minus", "putin - xi", 6, 0, `query: "-" must be attached to the clause it applies to at position 6, write -word, -"a phrase" or -(a group), or \- for the character`},
		{"dangling plus", "a +", 2, 0, `query: "+" must be attached to the clause it applies to at position 2, write +word, +"a phrase" or +(a group), or \+ for the character`},
		{"minus close", "(a -)", 4, 0, `query: unexpected ")" after "-" at position 4, want a term, phrase or group`},
		{"field no value", "person:", 0, 0, `query: field person has no value at position 0, want person:word, person:"a phrase" or person:(a OR b)`},
		{"field space", "a person: putin", 2, 0, `query: field person has no value at position 2, want person:word, person:"a phrase" or person:(a OR b)`},
		{"field close", "(title:)", 1, 0, `query: field title has no value at position 1, want title:word, title:"a phrase" or title:(a OR b)`},
		{"field minus", "title:-x", 6, 0, `query: "-" cannot start the value of title: at position 6, write -title:word to exclude or require it`},
		{"unknown field phrase", `foo:"x"`, 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader`},
		{"unknown field group", "a foo:(x)", 2, 0, `query: unknown field "foo" at position 2, want one of title, body, author, person, outlet, cited, place, leader`},
		{"unknown field word", "foo:bar", 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write foo\:bar to search the word`},
		{"unknown field capital", "a Note:meeting", 2, 0, `query: unknown field "Note" at position 2, want one of title, body, author, person, outlet, cited, place, leader; write Note\:meeting to search the word`},
		{"unknown field escapes", `mailto:a\ b c`, 0, 0, `query: unknown field "mailto" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write mailto\:a\ b to search the word`},
		{"unknown field double colon", "foo::bar", 0, 0, `query: unknown field "foo" at position 0, want one of title, body, author, person, outlet, cited, place, leader; write foo\::bar to search the word`},
		{"field in field", "title:(a body:b)", 9, 0, `query: field body inside title:(...) at position 9, a field group applies its field to every clause in it`},
		{"unterminated", `putin "gas pipeline`, 6, 0, `query: unterminated phrase at position 6, want a closing "`},
		{"unterminated escape", `"a\"`, 0, 0, `query: unterminated phrase at position 0, want a closing "`},
		{"empty phrase", `a ""`, 2, 0, `query: empty phrase at position 2`},
		{"blank phrase", `"  "`, 0, 0, `query: empty phrase at position 0`},
		{"slop missing", `"a b"~`, 5, 0, `query: bad phrase slop "~" at position 5, want "a phrase"~N with N in 0..100`},
		{"slop word", `"a b"~x`, 5, 0, `query: bad phrase slop "~x" at position 5, want "a phrase"~N with N in 0..100`},
		{"slop trailing", `"a b"~2x`, 5, 0, `query: bad phrase slop "~2x" at position 5, want "a phrase"~N with N in 0..100`},
		{"slop negative", `"a b"~-1`, 5, 0, `query: bad phrase slop "~-1" at position 5, want "a phrase"~N with N in 0..100`},
		{"slop too big", `"a b"~101`, 5, 0, `query: phrase slop "~101" out of range at position 5, want "a phrase"~N with N in 0..100`},
		{"slop huge", `"a b"~99999999999999999999`, 5, 0, `query: phrase slop "~99999999999999999999" out of range at position 5, want "a phrase"~N with N in 0..100`},
		{"fuzzy too big", "putin~3", 5, 0, `query: fuzziness "~3" out of range at position 5, want word~, word~1 or word~2`},
		{"fuzzy word", "a~b", 1, 0, `query: bad fuzziness "~b" at position 1, want word~, word~1 or word~2`},
		{"fuzzy wildcard", "wor*~1", 4, 0, "query: cannot combine a wildcard with fuzzy \"~\" at position 4"},
		{"lone tilde", "a ~b", 2, 0, `query: unexpected "~" at position 2, want word~N for a fuzzy word or "a phrase"~N for proximity`},
		{"leading star", "*foo", 0, 0, `query: leading wildcard in "*foo" at position 0, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`},
		{"leading question", "a ?oo", 2, 0, `query: leading wildcard in "?oo" at position 2, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`},
		{"star in query", "a *", 2, 0, `query: leading wildcard in "*" at position 2, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`},
		{"field leading star", "title:*x", 6, 0, `query: leading wildcard in "*x" at position 6, a word cannot start with * or ? (that would scan every term in the index); an empty query matches all`},
		{"mixed wildcards", `a\*b*`, 0, 0, `query: cannot mix "\*" or "\?" with wildcards in one word at position 0`},
		{"trailing backslash", `a\`, 1, 0, `query: "\" at end of query at position 1, write \\ for a backslash`},
		{"column after multibyte", "Путин )", 11, 7, `query: unexpected ")" at position 11`},
		{"column after CJK", "普京 )", 7, 4, `query: unexpected ")" at position 7`},
		{"invalid UTF-8", "ab\xffc", 2, 0, `query: invalid UTF-8 at position 2`},
		{"too long", strings.Repeat("a ", 2049), 4096, 0, `query: too long (4098 bytes) at position 4096, the limit is 4096 bytes`},
		{"too deep", strings.Repeat("(", 33) + "a" + strings.Repeat(")", 33), 32, 0, `query: nesting too deep at position 32, the limit is 32 levels`},
		{"too deep field", strings.Repeat("(", 32) + "title:(a)" + strings.Repeat(")", 32), 32, 0, `query: nesting too deep at position 32, the limit is 32 levels`},
		{"too deep tree", nest(16), 144, 0, `query: nesting too deep at position 144, the limit is 32 levels`},
		{"too many clauses", strings.Repeat("a ", 256) + `"b c"`, 512, 0, `query: too many clauses at position 512, the limit is 256 terms and phrases`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error %q", tc.in, n, tc.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", tc.in, err)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tc.in, cmp.Diff(tc.want, got))
			}
			col := tc.col
			if col == 0 {
				col = tc.pos + 1
			}
			if se.Pos != tc.pos || se.Column != col {
				t.Errorf("Parse(%q) error at position %d column %d, want %d, %d", tc.in, se.Pos, se.Column, tc.pos, col)
			}
		})
	}
}

// TestLimitsAllow checks that queries right at the limits parse.
func TestLimitsAllow(t *testing.T) {
	for name, q := range map[string]string{
		"length":  strings.Repeat("a", MaxLength),
		"clauses": strings.Repeat("a ", MaxClauses),
		"parens":  strings.Repeat("(", MaxDepth) + "a b" + strings.Repeat(")", MaxDepth),
		"tree":    nest(15),
	} {
		if _, err := Parse(q); err != nil {
			t.Errorf("%s: Parse: %v", name, err)
		}
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"-trump", nil},
		{`putin -trump +"gas deal"~2 title:(x NOT y)`, []string{`"gas deal"`, "putin", "title:x"}},
		{"a AND NOT (b OR c) d*", []string{"a", "d*"}},
		{`person:"vladimir putin" NOT (a AND NOT b)`, []string{`person:"vladimir putin"`}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			n, err := Parse(tc.in)
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
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Terms(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestFields(t *testing.T) {
	f := Fields()
	f[0] = "changed"
	if Fields()[0] != "title" {
		t.Error("Fields returns the package's own slice")
	}
}

// FuzzParse checks that Parse never panics, that errors point inside the
// input, and that String's output parses back to the same String. The
// length limit is lifted for the second parse: escaping and field groups
// (title:(a b) → (title:a title:b)) can make String longer than its input.
func FuzzParse(f *testing.F) {
	for _, q := range goldenInputs(f) {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %T, want *SyntaxError", s, err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("Parse(%q): position %d outside 0..%d", s, se.Pos, len(s))
			}
			if want := utf8.RuneCountInString(s[:se.Pos]) + 1; se.Column != want {
				t.Fatalf("Parse(%q): column %d, want %d", s, se.Column, want)
			}
			return
		}
		checkTree(t, s, n)
		s1 := n.String()
		n2, err := parse(s1, 1<<30)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", s, s1, err)
		}
		if s2 := n2.String(); s2 != s1 {
			t.Fatalf("Parse(%q) = %s, which parses to %s", s, s1, s2)
		}
		_ = Terms(n)
	})
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
	_, err = Parse("putin AND (xi OR")
	fmt.Println(err)
	// Output:
	// (person:putin person:xi "power of siberia" -trump)
	// query: nothing after OR at position 14, want a term, phrase or group after it
}
