//go:build debug

// The tests in this file are development aids that print what Extract
// finds; they check nothing, so they are built only with the debug tag:
//
//	go test -tags debug -run TestDebugArticle ./extract -debugid ID
//	go test -tags debug -run TestDebugText ./extract -debugtext 'Some text'

package extract

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/newsdex/newsdex"
)

var debugID = flag.String("debugid", "", "print the extraction of this gold article")

// TestDebugArticle prints what Extract finds in gold article -debugid.
func TestDebugArticle(t *testing.T) {
	if *debugID == "" {
		t.Skip("no -debugid: nothing to print")
	}
	arts := goldArticles(t)
	raw, err := os.ReadFile(filepath.Join("testdata", "gold", "gold.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gold map[string]json.RawMessage
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	x := mustNew(t)
	found := false
	for _, a := range arts {
		if a.ID != *debugID {
			continue
		}
		found = true
		x.Extract(&a)
		t.Logf("people %v", a.People)
		t.Logf("leaders %v", a.Leaders)
		t.Logf("cited %v", a.Cited)
		t.Logf("places %v", a.Places)
		t.Logf("dateline %q", a.Dateline)
		t.Logf("gold %s", gold[a.ID])
	}
	if !found {
		t.Errorf("no gold article has id %q", *debugID)
	}
}

var debugText = flag.String("debugtext", "", "print the extraction of this text (dated 2019-06-01)")

// TestDebugText prints what Extract finds in -debugtext and its tokens
// with their flags.
func TestDebugText(t *testing.T) {
	if *debugText == "" {
		t.Skip("no -debugtext: nothing to print")
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
