package extract

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

var goldDiffs = flag.Bool("golddiffs", false, "print every gold-set error")

// Acceptance bars of the Entities issue.
var goldBars = []struct {
	name       string
	pick       func(Report) Score
	minP, minR float64
}{
	{"people", func(r Report) Score { return r.People }, 0.92, 0.88},
	{"cited", func(r Report) Score { return r.Cited }, 0.90, 0.85},
	{"places", func(r Report) Score { return r.Places }, 0.85, 0.80},
}

func TestGold(t *testing.T) {
	dir := filepath.Join("testdata", "gold")
	arts, gold, err := LoadGold(dir)
	if err != nil {
		t.Fatal(err)
	}
	x := mustNew(t)
	r := Evaluate(x, arts, gold)
	t.Logf("gold set:\n%s", r.Table())
	if *goldDiffs || testing.Verbose() {
		var b strings.Builder
		for _, d := range r.Diffs {
			fmt.Fprintf(&b, "%s %s: missed %q spurious %q\n", d.ID, d.Type, d.Missed, d.Spurious)
		}
		if *goldDiffs {
			t.Logf("errors:\n%s", b.String())
		}
	}
	for _, bar := range goldBars {
		s := bar.pick(r)
		if s.Precision() < bar.minP || s.Recall() < bar.minR {
			t.Errorf("%s: precision %.3f (want ≥ %.2f), recall %.3f (want ≥ %.2f)", bar.name, s.Precision(), bar.minP, s.Recall(), bar.minR)
		}
	}
}

var (
	sharedOnce sync.Once
	sharedX    *Extractor
	sharedErr  error
)

// mustNew returns an Extractor shared by the tests (it is safe for
// concurrent use; loading it once keeps the race-enabled suite fast).
func mustNew(tb testing.TB) *Extractor {
	tb.Helper()
	sharedOnce.Do(func() { sharedX, sharedErr = New() })
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return sharedX
}
