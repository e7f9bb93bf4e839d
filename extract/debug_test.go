package extract

import (
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
)

var debugID = flag.String("debugid", "", "print the extraction of this gold article")

// TestDebugArticle prints what Extract finds in one gold article; it is a
// development aid and does nothing without -debugid.
func TestDebugArticle(t *testing.T) {
	if *debugID == "" {
		t.Skip("no -debugid")
	}
	arts, gold, err := LoadGold(filepath.Join("testdata", "gold"))
	if err != nil {
		t.Fatal(err)
	}
	x := mustNew(t)
	for _, a := range arts {
		if a.ID != *debugID {
			continue
		}
		x.Extract(&a)
		t.Logf("people %v", a.People)
		t.Logf("leaders %v", a.Leaders)
		t.Logf("cited %v", a.Cited)
		t.Logf("places %v", a.Places)
		t.Logf("dateline %q", a.Dateline)
		t.Logf("gold %+v", gold[a.ID])
	}
}

var debugText = flag.String("debugtext", "", "print the extraction of this text (dated 2019-06-01)")

func TestDebugText(t *testing.T) {
	if *debugText == "" {
		t.Skip("no -debugtext")
	}
	x := mustNew(t)
	a := newsdex.Article{Title: "", Body: *debugText, Published: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)}
	x.Extract(&a)
	t.Logf("people %v", a.People)
	t.Logf("leaders %v", a.Leaders)
	t.Logf("cited %v", a.Cited)
	t.Logf("places %v", a.Places)
	s := &state{}
	s.reset(a.Title + "\n" + a.Body)
	for _, tk := range s.toks {
		t.Logf("%q %b", s.text[tk.s:tk.e], tk.f)
	}
}
