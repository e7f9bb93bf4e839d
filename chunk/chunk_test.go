package chunk

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/newsdex/newsdex"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// sentences splits body with nextSentence, for tests.
func sentences(body string) []string {
	var out []string
	for pos := 0; pos < len(body); {
		end, _, _ := nextSentence(body, pos)
		out = append(out, strings.TrimSpace(body[pos:end]))
		pos = end
	}
	return out
}

func TestSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"plain", "One two. Three four! Five six? Seven",
			[]string{"One two.", "Three four!", "Five six?", "Seven"}},
		{"US", "The U.S. Senate voted. It passed.",
			[]string{"The U.S. Senate voted.", "It passed."}},
		{"US at end", "He flew to the U.S. Then he left.",
			[]string{"He flew to the U.S. Then he left."}},
		{"titles", "Mr. Smith met Dr. Jones and Sen. Warren. They talked.",
			[]string{"Mr. Smith met Dr. Jones and Sen. Warren.", "They talked."}},
		{"initials", "Russian President Vladimir V. Putin spoke. John F. Kennedy did not.",
			[]string{"Russian President Vladimir V. Putin spoke.", "John F. Kennedy did not."}},
		{"months", "On Jan. 5 and Sept. 12 it rained. Then Nov. 3 came.",
			[]string{"On Jan. 5 and Sept. 12 it rained.", "Then Nov. 3 came."}},
		{"decimal", "Growth was 3.5 percent. Prices rose 0.2 points.",
			[]string{"Growth was 3.5 percent.", "Prices rose 0.2 points."}},
		{"quotes", `"We won," he said. "It is over." Then silence.`,
			[]string{`"We won," he said.`, `"It is over."`, "Then silence."}},
		{"curly quotes", "“We won.” The crowd cheered.",
			[]string{"“We won.”", "The crowd cheered."}},
		{"lower case after stop", "It cost 5 dollars vs. 6 and so on. the end",
			[]string{"It cost 5 dollars vs. 6 and so on. the end"}},
		{"e.g.", "Some fruit, e.g. Apples, are red. Others not.",
			[]string{"Some fruit, e.g. Apples, are red.", "Others not."}},
		{"state", "He lives in Boston, Mass. He works in Washington, D.C. There.",
			[]string{"He lives in Boston, Mass. He works in Washington, D.C. There."}},
		{"company", "Apple Inc. Said nothing. Acme Co. Too.",
			[]string{"Apple Inc. Said nothing.", "Acme Co. Too."}},
		{"ellipsis", "He paused... Then spoke. And... he went on.",
			[]string{"He paused...", "Then spoke.", "And... he went on."}},
		{"paragraphs", "Heading\n\nFirst line\nsecond line. Next.",
			[]string{"Heading", "First line", "second line.", "Next."}},
		{"non-ASCII next", "Er sagte nein. Über alles. Ça va.",
			[]string{"Er sagte nein.", "Über alles.", "Ça va."}},
		{"leading space", "  \n Start here. End.", []string{"Start here.", "End."}},
		{"US plain", "Made in the US. Sold abroad.", []string{"Made in the US.", "Sold abroad."}},
		{"No.", "He is No. 1 in the polls. Really.", []string{"He is No. 1 in the polls.", "Really."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, sentences(tc.in)); diff != "" {
				t.Errorf("sentences(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0}, {"   ", 0}, {"one", 1}, {" one  two\tthree\nfour ", 4}, {"a—b c", 2}, {"x\u00a0y", 1},
	}
	for _, tc := range tests {
		if got := Words(tc.in); got != tc.want {
			t.Errorf("Words(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// texts returns the passage texts of body.
func texts(body string, ps []newsdex.Passage) []string {
	if len(ps) == 0 {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = body[p.Start:p.End]
	}
	return out
}

// words returns a sentence of n words "W1 w2 ... wn." for prefix "w".
func words(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		p := prefix
		if i == 0 {
			p = strings.ToUpper(p)
		} else {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s%d", p, i+1)
	}
	b.WriteByte('.')
	return b.String()
}

func TestSplit(t *testing.T) {
	s4a, s4b, s4c := words("a", 4), words("b", 4), words("c", 4)
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{"empty", "", Options{}, nil},
		{"whitespace only", " \n\n ", Options{}, []string{" \n\n "}},
		{"one sentence", "Hello world.", Options{}, []string{"Hello world."}},
		{"fits target", s4a + " " + s4b, Options{TargetWords: 8, MaxWords: 10},
			[]string{s4a + " " + s4b}},
		{"sentence boundaries", s4a + " " + s4b + " " + s4c, Options{TargetWords: 8, MaxWords: 10},
			[]string{s4a + " " + s4b + " ", s4c}},
		{"trailing merge", s4a + " " + s4b + " " + words("c", 1), Options{TargetWords: 8, MaxWords: 10},
			[]string{s4a + " " + s4b + " " + words("c", 1)}},
		{"paragraph preferred", words("a", 5) + "\n\n" + s4b, Options{TargetWords: 8, MaxWords: 10},
			[]string{words("a", 5) + "\n\n", s4b}},
		{"same without paragraph", words("a", 5) + " " + s4b, Options{TargetWords: 8, MaxWords: 10},
			[]string{words("a", 5) + " " + s4b}},
		{"long sentence cut evenly", words("w", 25), Options{TargetWords: 8, MaxWords: 10},
			[]string{
				"W1 w2 w3 w4 w5 w6 w7 w8 w9 ",
				"w10 w11 w12 w13 w14 w15 w16 w17 w18 ",
				"w19 w20 w21 w22 w23 w24 w25.",
			}},
		{"long sentence then short joins", words("w", 12) + " " + words("x", 2), Options{TargetWords: 8, MaxWords: 10},
			[]string{"W1 w2 w3 w4 w5 w6 ", "w7 w8 w9 w10 w11 w12. X1 x2."}},
		{"defaults", strings.Repeat(words("d", 10)+" ", 20), Options{},
			[]string{
				strings.Repeat(words("d", 10)+" ", 8),
				strings.Repeat(words("d", 10)+" ", 8),
				strings.Repeat(words("d", 10)+" ", 4),
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Split(tc.in, tc.opts)
			checkInvariants(t, tc.in, tc.opts, got)
			if diff := cmp.Diff(tc.want, texts(tc.in, got)); diff != "" {
				t.Errorf("Split(%q, %+v) mismatch (-want +got):\n%s", tc.in, tc.opts, diff)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	tests := []struct {
		in                Options
		wantTarget, wantM int
	}{
		{Options{}, 80, 120},
		{Options{TargetWords: 200}, 200, 300},
		{Options{TargetWords: 10}, 10, 120},
		{Options{MaxWords: 50}, 50, 50},
		{Options{TargetWords: -1, MaxWords: -1}, 80, 120},
	}
	for _, tc := range tests {
		if tg, m := tc.in.limits(); tg != tc.wantTarget || m != tc.wantM {
			t.Errorf("%+v.limits() = %d, %d; want %d, %d", tc.in, tg, m, tc.wantTarget, tc.wantM)
		}
	}
}

// checkInvariants fails t unless ps covers body contiguously with non-empty
// passages of at most MaxWords words, cut at UTF-8 boundaries.
func checkInvariants(tb testing.TB, body string, opts Options, ps []newsdex.Passage) {
	tb.Helper()
	if body == "" {
		if len(ps) != 0 {
			tb.Fatalf("Split(%q) = %v, want no passages", body, ps)
		}
		return
	}
	_, limit := opts.limits()
	if len(ps) == 0 {
		tb.Fatalf("Split(%q) returned no passages", body)
	}
	valid := utf8.ValidString(body)
	if ps[0].Start != 0 {
		tb.Errorf("first passage starts at %d, want 0", ps[0].Start)
	}
	if last := ps[len(ps)-1].End; last != len(body) {
		tb.Errorf("last passage ends at %d, want %d", last, len(body))
	}
	for i, p := range ps {
		if i > 0 && p.Start != ps[i-1].End {
			tb.Errorf("passage %d starts at %d, previous ends at %d", i, p.Start, ps[i-1].End)
		}
		if p.End <= p.Start || p.End > len(body) {
			tb.Fatalf("passage %d = [%d,%d) is empty or out of range (len %d)", i, p.Start, p.End, len(body))
		}
		if n := Words(body[p.Start:p.End]); n > limit {
			tb.Errorf("passage %d has %d words, max %d", i, n, limit)
		}
		// Cuts come right after ASCII whitespace, so they never fall
		// inside a rune, even when body is not valid UTF-8.
		if off := p.End; off < len(body) {
			if !isSpace(body[off-1]) || (valid && !utf8.RuneStart(body[off])) {
				tb.Errorf("passage %d ends at %d, not after whitespace on a rune boundary", i, off)
			}
		}
	}
}

// seedBody returns the project's seed article body as ingest reads it:
// the text after the "date YYYY-MM-DD" header.
func seedBody(tb testing.TB) string {
	tb.Helper()
	b, err := newsdex.Seeds.ReadFile("seeds/000_5285904866886d73.txt")
	if err != nil {
		tb.Fatal(err)
	}
	s := strings.TrimSpace(string(b))
	s = strings.TrimPrefix(s, "date 2025-05-08")
	return strings.TrimSpace(s)
}

func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// render prints passages for a golden file.
func render(body string, ps []newsdex.Passage) string {
	var b strings.Builder
	for i, p := range ps {
		fmt.Fprintf(&b, "=== passage %d [%d,%d) %d words\n%s\n", i, p.Start, p.End, Words(body[p.Start:p.End]), body[p.Start:p.End])
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name, golden string
		body         string
	}{
		{"seed", "seed.golden", seedBody(t)},
		{"wikinews", "wikinews-youth-suicide.golden", readTestdata(t, "wikinews-youth-suicide.txt")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := Split(tc.body, Options{})
			checkInvariants(t, tc.body, Options{}, ps)
			got := render(tc.body, ps)
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("Split(%s) mismatch (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	f.Add(seedBody(f), 0, 0)
	f.Add("Mr. Smith went to Washington, D.C. He said: “No.”\n\nEnd", 5, 8)
	f.Add(words("w", 30), 3, 4)
	f.Add("\xff\xfe a. b? c! \n\n\n", 1, 1)
	f.Fuzz(func(t *testing.T, body string, target, limit int) {
		// Keep sizes in a sane range so the fuzzer explores text, not
		// arithmetic overflow.
		opts := Options{TargetWords: target % 500, MaxWords: limit % 500}
		ps := Split(body, opts)
		checkInvariants(t, body, opts, ps)
	})
}

func BenchmarkSplit(b *testing.B) {
	body := readTestdata(b, "wikinews-youth-suicide.txt")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		Split(body, Options{})
	}
}
