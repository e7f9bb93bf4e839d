package cli

import (
	"bytes"
	"context"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/internal/corpora"
)

// TestEvalFloorArgs checks the arguments --floor refuses before it loads
// any collection or model (the sweep itself is tested in internal/eval).
func TestEvalFloorArgs(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"entities", []string{"eval", "--floor", "entities"}, "not entities"},
		{"mode", []string{"eval", "--floor", "--mode", "semantic"}, "takes no --mode"},
		{"threshold out of range", []string{"eval", "--floor", "--floor-thresholds", "0.5,1.5"}, "between -1 and 1"},
		{"unknown collection", []string{"eval", "--floor", "--collection", "nope"}, `unknown collection "nope"`},
		{"band without floor", []string{"eval", "--floor-band", "0.1"}, "--floor-band needs --floor"},
		{"zero band", []string{"eval", "--floor", "--floor-band", "0,0.1"}, "want bands above 0"},
		{"min out of range", []string{"eval", "--floor", "--floor-band", "0.1", "--floor-min", "1.5"}, "--floor-min [1.5]"},
		{"min without band", []string{"eval", "--floor", "--floor-min", "0.3"}, "--floor-min needs --floor-band"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := Run(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("newsdex %s: error %v, want one containing %q", strings.Join(tc.args, " "), err, tc.want)
			}
		})
	}
}

var corpusScale = flag.Bool("corpus-scale", false, "run the corpus-scale part of TestEvalEntitiesHeldout")

// TestEvalEntitiesHeldout checks that `eval entities` reports the held-out
// part after the committed gold set when the corpora are there, and that
// without them it still reports the committed part and says what it
// skipped instead of failing.
func TestEvalEntitiesHeldout(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the extractor and, with the corpora, all of AllSides and Reuters")
	}
	gold := filepath.Join("..", "..", "extract", "testdata", "gold")
	t.Run("no corpora", func(t *testing.T) {
		out, errOut := run(t, "eval", "entities", "--gold", gold, "--corpora", t.TempDir())
		if !strings.Contains(out, "(67 articles)") || strings.Contains(out, "held-out") {
			t.Errorf("stdout = %q, want the committed part's table only", out)
		}
		if !strings.Contains(errOut, "held-out part skipped") {
			t.Errorf("stderr = %q, want a note that the held-out part was skipped", errOut)
		}
	})
	t.Run("corpora", func(t *testing.T) {
		if !*corpusScale {
			t.Skip("corpus-scale (learns boilerplate over all of AllSides and Reuters): go test ./internal/cli -run EvalEntitiesHeldout -corpus-scale")
		}
		dir, ok := corpora.Optional(t, "allsides-abp")
		if !ok {
			return
		}
		out, _ := run(t, "eval", "entities", "--gold", gold, "--corpora", filepath.Dir(dir))
		for _, want := range []string{"held-out part", "(40 articles)", "held-out AllSides:", "held-out Reuters-21578:", "(20 articles)"} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
	})
}
