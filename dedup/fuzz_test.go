package dedup

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzSignature checks that Signature never panics, is deterministic (the
// same text gives the same signature, from this or a fresh Detector), that a
// signature is fully similar to itself and survives encoding, and that Add
// and Remove accept whatever Signature returns.
func FuzzSignature(f *testing.F) {
	for _, name := range []string{"original", "copy", "short", "sametopic"} {
		b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("")
	f.Add("\n\n\n")
	f.Add("a b c d e f g h i j k l m n o p q r s t u v w x y z\n  indented\nwrapped")
	f.Add("ADVERTISEMENT\n\nBy Jane Roe\n\nCopyright 2020. All rights reserved.")
	f.Add("\xff\xfe invalid \xc3 utf-8 \u0301\u0301 İ ŉ")
	opts := Options{MinWords: 5} // short inputs get signatures too
	d, fresh := New(opts), New(opts)
	f.Fuzz(func(t *testing.T, text string) {
		s := d.Signature(text)
		if again := d.Signature(text); !again.Equal(s) {
			t.Fatal("two calls on the same text differ")
		}
		if other := fresh.Signature(text); !other.Equal(s) {
			t.Fatal("two Detectors with equal options differ")
		}
		if s.IsZero() {
			return
		}
		if sim := Similarity(s, s); sim != 1 {
			t.Fatalf("Similarity(s, s) = %v", sim)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Signature
		if err := back.UnmarshalBinary(b); err != nil || !back.Equal(s) {
			t.Fatalf("round trip: %v", err)
		}
		if dup, _ := d.Add("fuzz", s); dup == "fuzz" {
			t.Fatal("self-duplicate")
		}
		d.Remove("fuzz")
	})
}

// FuzzUnmarshalBinary checks that decoding arbitrary bytes never panics and
// that whatever decodes re-encodes to the same bytes.
func FuzzUnmarshalBinary(f *testing.F) {
	d := New(Options{})
	good, _ := d.Signature(benchText(f)).MarshalBinary()
	f.Add(good)
	f.Add([]byte{})
	f.Add([]byte{1, 5, 1, 0, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		var s Signature
		if err := s.UnmarshalBinary(data); err != nil {
			return
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 0 && string(b) != string(data) {
			t.Fatalf("re-encoding %x gives %x", data, b)
		}
		d.Add("x", s) // incompatible or not, no panic
	})
}
