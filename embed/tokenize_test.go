package embed

import (
	"testing"
	"unicode/utf8"
)

// FuzzTokenize checks invariants of the tokeniser on arbitrary input: ids
// are in the vocabulary and never reserved pieces other than unknown (0),
// unknowns never repeat back to back, and only text that normalises to
// nothing has no tokens.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"", " ", "Hello world.", "北京", "🍕🍕", "e\u0301", "\xff\xfe", "a\tb\nc", "10:30", "”5"} {
		f.Add(s)
	}
	m := mustModel(f)
	f.Fuzz(func(t *testing.T, s string) {
		ids := m.Tokenize(s)
		if len(ids) == 0 && s != "" && utf8.ValidString(s) {
			// Only input that NFKC maps to "" may have no tokens.
			if n := len(m.Tokenize(s + "x")); n == 0 {
				t.Fatalf("Tokenize(%q+\"x\") is empty", s)
			}
		}
		for i, id := range ids {
			if id < 0 || int(id) >= len(m.tok.stepBack) || (id > 0 && id < reservedPieces) {
				t.Fatalf("Tokenize(%q)[%d] = %d: not a usable piece id", s, i, id)
			}
			if id == 0 && i > 0 && ids[i-1] == 0 {
				t.Fatalf("Tokenize(%q) has consecutive unknowns at %d", s, i)
			}
		}
	})
}
