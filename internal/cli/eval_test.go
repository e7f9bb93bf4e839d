package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdex/newsdex/internal/corpora"
)

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
