package search

import (
	"html"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRender checks the snippet builder: whatever the passage and the
// matches, the output escapes everything but <mark> and </mark>, marks are
// balanced, and the unescaped text comes from the passage.
func FuzzRender(f *testing.F) {
	f.Add("Xi <b>met</b> Putin & \"friends\" in Moscow", 0, 2, 40)
	f.Add("<script>alert(1)</script> javascript:void(0)", 8, 14, 200)
	f.Add("plain", 0, 5, 40)
	f.Add("日本語のテキスト", 0, 3, 40)
	f.Fuzz(func(t *testing.T, text string, start, end, size int) {
		if !utf8.ValidString(text) {
			return
		}
		if size < MinSnippetSize || size > MaxSnippetSize {
			size = MinSnippetSize
		}
		var m []span
		if start >= 0 && end <= len(text) && start < end && utf8.RuneStart(text[start]) && (end == len(text) || utf8.RuneStart(text[end])) {
			m = []span{{start, end}}
		}
		out := render(text, m, size)
		rest := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>\"") {
			t.Fatalf("render(%q) = %q: unescaped markup outside <mark>", text, out)
		}
		if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
			t.Fatalf("render(%q) = %q: unbalanced marks", text, out)
		}
		plain := html.UnescapeString(rest)
		plain = strings.TrimSuffix(strings.TrimPrefix(plain, "… "), " …")
		if !strings.Contains(text, plain) {
			t.Fatalf("render(%q) = %q: %q is not from the text", text, out, plain)
		}
	})
}

// FuzzCursor checks that the cursor decoder never panics and that only a
// cursor this package made, for the same request, is accepted.
func FuzzCursor(f *testing.F) {
	key := cursorKeyFor(&Request{Query: "xi", Sort: SortRelevance})
	good := encodeCursor(key, []string{"1.5", "a1"})
	f.Add(good)
	f.Add(good[:len(good)-1] + "x")
	f.Add("bm9wZQ.xxxx")
	f.Add("")
	f.Fuzz(func(t *testing.T, c string) {
		after, err := decodeCursor(c, key, 2)
		if err != nil {
			if !IsParamError(err) {
				t.Fatalf("decodeCursor(%q) error %v is not a ParamError", c, err)
			}
			return
		}
		if c != good && encodeCursor(key, after) != c {
			t.Fatalf("decodeCursor accepted %q, which encodes as %q", c, encodeCursor(key, after))
		}
	})
}
