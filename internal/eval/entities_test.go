package eval_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/extract"
	"github.com/newsdex/newsdex/internal/eval"
)

var goldDiffs = flag.Bool("golddiffs", false, "print every entity gold-set error")

// Acceptance bars of the Entities issue.
var goldBars = []struct {
	name       string
	pick       func(eval.EntityReport) eval.EntityScore
	minP, minR float64
}{
	{"people", func(r eval.EntityReport) eval.EntityScore { return r.People }, 0.92, 0.88},
	{"cited", func(r eval.EntityReport) eval.EntityScore { return r.Cited }, 0.90, 0.85},
	{"places", func(r eval.EntityReport) eval.EntityScore { return r.Places }, 0.85, 0.80},
}

// TestEntityGold holds the extractor to the bars on the committed entity
// gold set (extract/testdata/gold).
func TestEntityGold(t *testing.T) {
	arts, gold, err := eval.LoadEntityGold(filepath.Join(repo, "extract", "testdata", "gold"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	r := eval.EvaluateEntities(x, arts, gold)
	t.Logf("gold set:\n%s", r.Table())
	if *goldDiffs {
		var b strings.Builder
		for _, d := range r.Diffs {
			fmt.Fprintf(&b, "%s %s: missed %q spurious %q\n", d.ID, d.Type, d.Missed, d.Spurious)
		}
		t.Logf("errors:\n%s", b.String())
	}
	for _, bar := range goldBars {
		s := bar.pick(r)
		if s.Precision() < bar.minP || s.Recall() < bar.minR {
			t.Errorf("%s: precision %.3f (want ≥ %.2f), recall %.3f (want ≥ %.2f)", bar.name, s.Precision(), bar.minP, s.Recall(), bar.minR)
		}
	}
}

// TestEntityScore checks the arithmetic of the scores on a hand-made
// report, including the empty cases that count as perfect.
func TestEntityScore(t *testing.T) {
	for _, tc := range []struct {
		name       string
		s          eval.EntityScore
		p, r, want float64
	}{
		{"empty", eval.EntityScore{}, 1, 1, 1},
		{"half", eval.EntityScore{TP: 1, FP: 1, FN: 1}, 0.5, 0.5, 0.5},
		{"all wrong", eval.EntityScore{FP: 2, FN: 3}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p, r, f := tc.s.Precision(), tc.s.Recall(), tc.s.F1(); p != tc.p || r != tc.r || f != tc.want {
				t.Errorf("%+v: precision, recall, F1 = %v, %v, %v, want %v, %v, %v", tc.s, p, r, f, tc.p, tc.r, tc.want)
			}
		})
	}
}
