package extract

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/newsdex/newsdex"
)

// FuzzExtract checks invariants on arbitrary text: no panic, every entity
// named, counted and placed inside Title+"\n"+Body (or -1), no duplicates.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Moscow, May 8: Chinese President Xi Jinping met Vladimir Putin, TASS said.",
		"WASHINGTON (AP) — Sen. Ted CruzRafael (Ted) Edward CruzTrump said. pic.twitter.com/x @h",
		"U.S.-Mexican border; Jeff Van Drew, Ahmed al-Assadi and O’Rourke’s aide. US$5 “quoted”",
		"the towns of Beni, Butembo, Mangina, and Katwa; between Baracoa and Havana",
		"\n\n\u00a0'’-–—.", "A.B.C.D. e.g. i.e. Mr. Dr. Jr. III",
	} {
		f.Add(s, "Title", int64(1556668800))
	}
	x := mustNew(f)
	f.Fuzz(func(t *testing.T, body, title string, unix int64) {
		a := newsdex.Article{Title: title, Body: body}
		if unix > 0 && unix < 4e9 {
			a.Published = time.Unix(unix, 0).UTC()
		}
		x.Extract(&a)
		n := len(title) + 1 + len(body)
		for _, list := range [][]newsdex.Entity{a.People, a.Cited, a.Places, a.Leaders} {
			seen := map[string]bool{}
			for _, e := range list {
				if e.Name == "" || e.Count < 1 || e.First < -1 || e.First >= n {
					t.Fatalf("bad entity %+v (text length %d)", e, n)
				}
				if seen[e.Name] {
					t.Fatalf("duplicate entity %q in %v", e.Name, list)
				}
				seen[e.Name] = true
				if utf8.ValidString(title+body) && !utf8.ValidString(e.Name) {
					t.Fatalf("invalid UTF-8 name %q", e.Name)
				}
			}
		}
	})
}
