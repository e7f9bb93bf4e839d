package extract

import (
	"flag"
	"path/filepath"
	"testing"
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
